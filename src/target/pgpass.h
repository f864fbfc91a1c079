#pragma once
// A .pgpass reader (host:port:database:user:password, `*` wildcards, `\:` and `\\`
// escapes, `#` comments), as libpq reads it: the first matching line wins. Checks learn
// only "found or not"; the password itself goes to the redactor alone
// (Target::secretValues), so a server that echoes it never puts it in a report.
#include <optional>
#include <string>
#include <string_view>

namespace pgreach::target {

// The password of the first entry matching host/port/database/user, as libpq picks it.
std::optional<std::string> pgpassPassword(std::string_view content, std::string_view host,
                                          std::string_view port, std::string_view database,
                                          std::string_view user);

// Whether `content` holds an entry matching host/port/database/user.
bool pgpassHasEntry(std::string_view content, std::string_view host, std::string_view port,
                    std::string_view database, std::string_view user);

// The passfile libpq would read: passfile option, PGPASSFILE, else ~/.pgpass ("" if none).
std::string pgpassPath(const std::string& passfileOption);

}  // namespace pgreach::target
