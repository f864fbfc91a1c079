#include "net/route_probe.h"

#include <sys/socket.h>

#include "util/fd.h"

namespace pgreach::net {

bool hasRouteTo(const IpAddress& address) {
  util::Fd fd(::socket(address.family, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return false;  // no IPv6 stack at all counts as no route
  sockaddr_storage ss{};
  socklen_t len = address.toSockaddr(5432, ss);
  return ::connect(fd.get(), reinterpret_cast<sockaddr*>(&ss), len) == 0;
}

}  // namespace pgreach::net
