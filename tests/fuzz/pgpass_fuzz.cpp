// The passfile reader (target/pgpass.h), as libpq reads ~/.pgpass: fields split on
// unescaped ':', `\` escapes, '#' comments, first match wins. Properties: no crash, no
// hang; a password found is never empty, and "found" agrees with pgpassHasEntry.
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "target/pgpass.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  namespace t = pgreach::target;
  for (const auto& [host, port, db, user] :
       {std::array<std::string_view, 4>{"db.example", "5432", "appdb", "app"},
        std::array<std::string_view, 4>{"*", "*", "*", "*"},
        std::array<std::string_view, 4>{"", "", "", ""}}) {
    auto pw = t::pgpassPassword(text, host, port, db, user);
    if (pw && pw->empty()) std::abort();
    if (pw.has_value() != t::pgpassHasEntry(text, host, port, db, user)) std::abort();
  }
  return 0;
}
