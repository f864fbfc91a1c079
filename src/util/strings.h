#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace pgreach::util {

std::string toLower(std::string_view s);
bool startsWith(std::string_view s, std::string_view prefix);
bool endsWith(std::string_view s, std::string_view suffix);
std::string_view trimTrailingDot(std::string_view s);
std::string trim(std::string_view s);
std::vector<std::string> split(std::string_view s, char sep);
std::string join(const std::vector<std::string>& parts, std::string_view sep);
// Replaces every occurrence of `from` (non-empty) with `to`.
std::string replaceAll(std::string s, std::string_view from, std::string_view to);
// Text that came from a peer or a file, made safe to show on one line of a terminal or a
// report: control characters (ESC, CR, LF, BEL, DEL...) become visible escapes (\x1b,
// \n), so a hostile server can neither retitle the terminal nor start a fake
// "PGREACH OK" line. Tabs stay.
std::string escapeControl(std::string_view s);
// Formats milliseconds as "1.234 s" or "12 ms".
std::string formatDuration(long long ms);

}  // namespace pgreach::util
