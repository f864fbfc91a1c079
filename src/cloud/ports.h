#pragma once
// Protocols and port ranges as every cloud's rules name them (AWS security groups and
// network ACLs, Azure NSG rules).
#include <optional>
#include <string>
#include <string_view>

namespace pgreach::cloud {

inline constexpr int kProtoAll = -1;
inline constexpr int kProtoIcmp = 1;
inline constexpr int kProtoTcp = 6;
inline constexpr int kProtoUdp = 17;
inline constexpr int kProtoIcmpv6 = 58;

// "tcp", "udp", "icmp", "icmpv6", "-1"/"all"/"*", or a protocol number as text.
std::optional<int> parseProtocol(std::string_view text);
std::string protocolName(int proto);  // "tcp", "all", "47"

struct PortRange {
  int from = 0;
  int to = 65535;
  bool contains(int p) const { return p >= from && p <= to; }
  bool all() const { return from <= 0 && to >= 65535; }
  std::string toString() const;  // "5432", "1024-65535", "all"
};

}  // namespace pgreach::cloud
