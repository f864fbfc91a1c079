#include "net/source_address.h"

#include <sys/socket.h>

#include "util/fd.h"

namespace pgreach::net {

std::optional<IpAddress> sourceAddressFor(const IpAddress& destination) {
  util::Fd fd(::socket(destination.family, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return std::nullopt;
  sockaddr_storage ss;
  const socklen_t len = destination.toSockaddr(9, ss);  // any port: nothing is sent
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&ss), len) != 0) return std::nullopt;
  sockaddr_storage local{};
  socklen_t llen = sizeof local;
  if (::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&local), &llen) != 0) return std::nullopt;
  return IpAddress::fromSockaddr(reinterpret_cast<sockaddr*>(&local));
}

}  // namespace pgreach::net
