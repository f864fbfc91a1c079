#include "net/address.h"

#include <arpa/inet.h>

#include <cstring>

namespace pgreach::net {

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
  std::string s(text);
  if (s.size() > 2 && s.front() == '[' && s.back() == ']') s = s.substr(1, s.size() - 2);
  IpAddress a;
  if (inet_pton(AF_INET, s.c_str(), a.bytes.data()) == 1) {
    a.family = AF_INET;
    return a;
  }
  if (inet_pton(AF_INET6, s.c_str(), a.bytes.data()) == 1) {
    a.family = AF_INET6;
    return a;
  }
  return std::nullopt;
}

std::string IpAddress::toString() const {
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(family, bytes.data(), buf, sizeof buf);
  return buf;
}

socklen_t IpAddress::toSockaddr(uint16_t port, sockaddr_storage& out) const {
  std::memset(&out, 0, sizeof out);
  if (family == AF_INET) {
    auto* sin = reinterpret_cast<sockaddr_in*>(&out);
    sin->sin_family = AF_INET;
    sin->sin_port = htons(port);
    std::memcpy(&sin->sin_addr, bytes.data(), 4);
    return sizeof(sockaddr_in);
  }
  auto* sin6 = reinterpret_cast<sockaddr_in6*>(&out);
  sin6->sin6_family = AF_INET6;
  sin6->sin6_port = htons(port);
  std::memcpy(&sin6->sin6_addr, bytes.data(), 16);
  return sizeof(sockaddr_in6);
}

std::optional<IpAddress> IpAddress::fromSockaddr(const sockaddr* sa) {
  if (!sa) return std::nullopt;
  IpAddress a;
  if (sa->sa_family == AF_INET) {
    a.family = AF_INET;
    std::memcpy(a.bytes.data(), &reinterpret_cast<const sockaddr_in*>(sa)->sin_addr, 4);
    return a;
  }
  if (sa->sa_family == AF_INET6) {
    a.family = AF_INET6;
    std::memcpy(a.bytes.data(), &reinterpret_cast<const sockaddr_in6*>(sa)->sin6_addr, 16);
    return a;
  }
  return std::nullopt;
}

std::optional<Cidr> Cidr::parse(std::string_view text) {
  auto slash = text.find('/');
  auto addr = IpAddress::parse(text.substr(0, slash));
  if (!addr) return std::nullopt;
  const int maxPrefix = addr->isV4() ? 32 : 128;
  int prefix = maxPrefix;
  if (slash != std::string_view::npos) {
    std::string p(text.substr(slash + 1));
    if (p.empty() || p.size() > 3 || p.find_first_not_of("0123456789") != std::string::npos)
      return std::nullopt;
    prefix = std::stoi(p);
    if (prefix > maxPrefix) return std::nullopt;
  }
  Cidr c;
  c.prefix = prefix;
  c.base = *addr;
  // Normalise: clear host bits.
  const int len = addr->isV4() ? 4 : 16;
  for (int i = 0; i < len; ++i) {
    int bitsHere = std::max(0, std::min(8, prefix - i * 8));
    uint8_t mask = bitsHere == 0 ? 0 : static_cast<uint8_t>(0xFF << (8 - bitsHere));
    c.base.bytes[i] &= mask;
  }
  return c;
}

bool Cidr::contains(const IpAddress& a) const {
  if (a.family != base.family) return false;
  int bits = prefix;
  for (int i = 0; bits > 0; ++i, bits -= 8) {
    uint8_t mask = bits >= 8 ? 0xFF : static_cast<uint8_t>(0xFF << (8 - bits));
    if ((a.bytes[i] & mask) != (base.bytes[i] & mask)) return false;
  }
  return true;
}

std::string Cidr::toString() const { return base.toString() + "/" + std::to_string(prefix); }

uint64_t Cidr::size() const {
  const int hostBits = (base.isV4() ? 32 : 128) - prefix;
  return hostBits >= 32 ? (uint64_t{1} << 32) : (uint64_t{1} << hostBits);
}

IpAddress Cidr::at(uint64_t i) const {
  IpAddress a = base;
  const int len = a.isV4() ? 4 : 16;
  uint64_t carry = i;
  for (int b = len - 1; b >= 0 && carry; --b) {
    uint64_t sum = a.bytes[b] + (carry & 0xFF);
    a.bytes[b] = static_cast<uint8_t>(sum & 0xFF);
    carry = (carry >> 8) + (sum >> 8);
  }
  return a;
}

namespace {
bool inAny(const IpAddress& a, std::initializer_list<const char*> blocks) {
  for (const char* b : blocks) {
    if (Cidr::parse(b)->contains(a)) return true;
  }
  return false;
}
}  // namespace

bool isPrivateOrLocal(const IpAddress& a) {
  return inAny(a, {"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "127.0.0.0/8",
                   "169.254.0.0/16", "fc00::/7", "fe80::/10", "::1/128"});
}

bool isDocumentation(const IpAddress& a) {
  return inAny(a, {"192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "2001:db8::/32"});
}

std::vector<IpAddress> parseAddresses(const std::vector<std::string>& texts) {
  std::vector<IpAddress> out;
  for (const auto& t : texts) {
    if (auto a = IpAddress::parse(t)) out.push_back(*a);
  }
  return out;
}

}  // namespace pgreach::net
