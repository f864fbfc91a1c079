#pragma once
// The resolvers this machine's C library uses: `nameserver` lines of resolv.conf(5).
// The parser is pure (tested on fixture text); readResolvConf does the I/O.
#include <string>
#include <string_view>
#include <vector>

#include "util/expected.h"

namespace pgreach::net {

// Nameserver addresses in file order ("10.40.0.2", "fd00::53"). Comments (# ;), other
// keywords and malformed addresses are ignored; at most 3 are kept, as glibc does.
std::vector<std::string> parseResolvConfNameservers(std::string_view content);

// Reads and parses `path` (default /etc/resolv.conf). An unreadable file is an Error.
Expected<std::vector<std::string>> readResolvConf(const std::string& path = "/etc/resolv.conf");

}  // namespace pgreach::net
