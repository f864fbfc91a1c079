#include "net/hosts_file.h"

#include <algorithm>
#include <sstream>
#include <string>

#include "net/dns_name.h"

namespace pgreach::net {

std::vector<IpAddress> parseEtcHosts(std::string_view content, std::string_view host) {
  const std::string want = canonicalName(host);
  std::vector<IpAddress> out;
  std::istringstream in{std::string(content)};
  std::string line;
  for (int n = 0; std::getline(in, line) && n < 100000; ++n) {
    if (auto hash = line.find('#'); hash != std::string::npos) line.erase(hash);
    std::istringstream words(line);
    std::string addr, name;
    if (!(words >> addr)) continue;
    auto a = IpAddress::parse(addr);
    if (!a) continue;
    while (words >> name) {
      if (canonicalName(name) == want && std::find(out.begin(), out.end(), *a) == out.end()) {
        out.push_back(*a);
      }
    }
  }
  return out;
}

}  // namespace pgreach::net
