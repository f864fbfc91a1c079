#pragma once
// A .pgpass reader (host:port:database:user:password, `*` wildcards, `\:` and `\\`
// escapes, `#` comments), used only to decide whether libpq would find a password.
// The password itself never leaves this module: callers learn "found or not".
#include <string>
#include <string_view>

namespace pgreach::checks::postgres {

// Whether `content` holds an entry matching host/port/database/user.
bool pgpassHasEntry(std::string_view content, std::string_view host, std::string_view port,
                    std::string_view database, std::string_view user);

// The passfile libpq would read: passfile option, PGPASSFILE, else ~/.pgpass ("" if none).
std::string pgpassPath(const std::string& passfileOption);

}  // namespace pgreach::checks::postgres
