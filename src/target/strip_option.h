#pragma once
// Takes one option out of a connection string before libpq parses it. libpq 15 rejects
// keywords it does not know, and `sslnegotiation` (libpq 17: direct TLS) is one that
// PlanetScale documents; pgreach still wants to read it (tls.direct, pg.connect).
// Pure: both syntaxes (URI query parameter, keyword/value with quoting) are handled; on
// input it cannot read the string comes back unchanged and libpq reports the error.
#include <optional>
#include <string>
#include <string_view>

namespace pgreach::target {

struct StrippedOption {
  std::string conninfo;              // without the option
  std::optional<std::string> value;  // its (last) value, decoded, when present
};

StrippedOption stripOption(std::string_view conninfo, std::string_view keyword);

}  // namespace pgreach::target
