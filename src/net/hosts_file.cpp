#include "net/hosts_file.h"

#include <algorithm>
#include <sstream>
#include <string>

#include "net/dns_name.h"

namespace pgreach::net {

namespace {

// Calls `visit(number, line, address)` for every line (at most 100000) that gives `host`
// an address.
template <typename Visit>
void forEachLineFor(std::string_view content, std::string_view host, Visit visit) {
  const std::string want = canonicalName(host);
  std::istringstream in{std::string(content)};
  std::string raw;
  for (int n = 0; std::getline(in, raw) && n < 100000; ++n) {
    std::string line = raw;
    if (auto hash = line.find('#'); hash != std::string::npos) line.erase(hash);
    std::istringstream words(line);
    std::string addr, name;
    if (!(words >> addr)) continue;
    auto a = IpAddress::parse(addr);
    if (!a) continue;
    while (words >> name) {
      if (canonicalName(name) == want) {
        visit(n + 1, raw, *a);
        break;
      }
    }
  }
}

}  // namespace

std::vector<IpAddress> parseEtcHosts(std::string_view content, std::string_view host) {
  std::vector<IpAddress> out;
  forEachLineFor(content, host, [&](int, const std::string&, const IpAddress& a) {
    if (std::find(out.begin(), out.end(), a) == out.end()) out.push_back(a);
  });
  return out;
}

std::vector<HostsLine> etcHostsLinesFor(std::string_view content, std::string_view host) {
  std::vector<HostsLine> out;
  forEachLineFor(content, host, [&](int number, const std::string& text, const IpAddress&) {
    out.push_back({number, text});
  });
  return out;
}

}  // namespace pgreach::net
