#pragma once
// Backend messages as a server sends them, for tests that parse them or play a server.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace pgreach::testing {

// An ErrorResponse ('E') with `fields` in order (S, V, C, M, ...), each NUL-terminated,
// the list ended by a NUL.
inline std::string errorResponse(const std::vector<std::pair<char, std::string>>& fields) {
  std::string body;
  for (const auto& [k, v] : fields) {
    body += k;
    body += v;
    body += '\0';
  }
  body += '\0';
  const uint32_t len = static_cast<uint32_t>(body.size() + 4);
  std::string out = "E";
  for (int shift = 24; shift >= 0; shift -= 8) out += static_cast<char>((len >> shift) & 0xff);
  return out + body;
}

}  // namespace pgreach::testing
