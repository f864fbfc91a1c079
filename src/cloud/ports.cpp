#include "cloud/ports.h"

#include <algorithm>
#include <cctype>

#include "util/strings.h"

namespace pgreach::cloud {

std::optional<int> parseProtocol(std::string_view text) {
  const std::string t = util::toLower(util::trim(text));
  if (t == "-1" || t == "all" || t == "*") return kProtoAll;
  if (t == "tcp") return kProtoTcp;
  if (t == "udp") return kProtoUdp;
  if (t == "icmp") return kProtoIcmp;
  if (t == "icmpv6") return kProtoIcmpv6;
  if (t.empty() || t.size() > 3 ||
      !std::all_of(t.begin(), t.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }))
    return std::nullopt;
  int n = std::stoi(t);
  if (n > 255) return std::nullopt;
  return n;
}

std::string protocolName(int proto) {
  switch (proto) {
    case kProtoAll:
      return "all";
    case kProtoTcp:
      return "tcp";
    case kProtoUdp:
      return "udp";
    case kProtoIcmp:
      return "icmp";
    case kProtoIcmpv6:
      return "icmpv6";
    default:
      return std::to_string(proto);
  }
}

std::string PortRange::toString() const {
  if (all()) return "all ports";
  if (from == to) return std::to_string(from);
  return std::to_string(from) + "-" + std::to_string(to);
}

}  // namespace pgreach::cloud
