#pragma once
// IP addresses and CIDR blocks as values, and the range facts the checks judge by.
#include <netinet/in.h>
#include <sys/socket.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pgreach::net {

struct IpAddress {
  int family = AF_INET;             // AF_INET or AF_INET6
  std::array<uint8_t, 16> bytes{};  // network order; IPv4 uses the first 4

  static std::optional<IpAddress> parse(std::string_view text);
  std::string toString() const;
  bool isV4() const { return family == AF_INET; }
  // Fills a sockaddr for `port`; returns its length.
  socklen_t toSockaddr(uint16_t port, sockaddr_storage& out) const;
  static std::optional<IpAddress> fromSockaddr(const sockaddr* sa);
  bool operator==(const IpAddress& o) const { return family == o.family && bytes == o.bytes; }
  bool operator!=(const IpAddress& o) const { return !(*this == o); }
  bool operator<(const IpAddress& o) const {
    return family != o.family ? family < o.family : bytes < o.bytes;
  }
};

struct Cidr {
  IpAddress base;
  int prefix = 0;

  // "10.0.0.0/16", "fd00::/8"; a bare address is a /32 or /128.
  static std::optional<Cidr> parse(std::string_view text);
  bool contains(const IpAddress& a) const;
  std::string toString() const;
  // Number of addresses (saturates at 2^32 for large IPv6 blocks).
  uint64_t size() const;
  // The i-th address in the block (i < size()).
  IpAddress at(uint64_t i) const;
};

// RFC 1918, RFC 6598 (100.64/10), loopback, link-local, IPv6 ULA/link-local/loopback.
bool isPrivateOrLocal(const IpAddress& a);
// Documentation ranges (192.0.2/24, 198.51.100/24, 203.0.113/24, 2001:db8::/32).
bool isDocumentation(const IpAddress& a);

// The addresses among `texts`, in order; what does not parse is left out (facts hold
// addresses as text).
std::vector<IpAddress> parseAddresses(const std::vector<std::string>& texts);

}  // namespace pgreach::net
