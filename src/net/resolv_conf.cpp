#include "net/resolv_conf.h"

#include <fstream>
#include <sstream>

#include "net/address.h"

namespace pgreach::net {

std::vector<std::string> parseResolvConfNameservers(std::string_view content) {
  constexpr size_t kGlibcMaxNameservers = 3;  // MAXNS
  std::vector<std::string> out;
  std::istringstream in{std::string(content)};
  std::string line;
  while (std::getline(in, line) && out.size() < kGlibcMaxNameservers) {
    if (auto c = line.find_first_of("#;"); c != std::string::npos) line.erase(c);
    std::istringstream words(line);
    std::string keyword, value;
    if (!(words >> keyword >> value) || keyword != "nameserver") continue;
    // A scoped IPv6 address ("fe80::1%eth0") keeps its scope out of the address value.
    std::string bare = value.substr(0, value.find('%'));
    if (IpAddress::parse(bare)) out.push_back(bare);
  }
  return out;
}

Expected<std::vector<std::string>> readResolvConf(const std::string& path) {
  std::ifstream f(path);
  if (!f) return makeError("cannot read " + path);
  std::ostringstream s;
  s << f.rdbuf();
  return parseResolvConfNameservers(s.str());
}

}  // namespace pgreach::net
