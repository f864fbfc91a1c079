#include "net/icmp_errqueue.h"

#include <linux/errqueue.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

namespace pgreach::net {

std::string IcmpReport::evidence() const {
  std::string s = std::string(v6 ? "ICMPv6" : "ICMP") + " type " + std::to_string(type) + " code " +
                  std::to_string(code);
  if (offender) s += " from " + offender->toString();
  return s + " (socket error queue)";
}

bool enableIcmpErrorQueue(int fd, int family) {
  const int on = 1;
  return family == AF_INET6 ? ::setsockopt(fd, IPPROTO_IPV6, IPV6_RECVERR, &on, sizeof on) == 0
                            : ::setsockopt(fd, IPPROTO_IP, IP_RECVERR, &on, sizeof on) == 0;
}

void disableIcmpErrorQueue(int fd, int family) {
  const int off = 0;
  if (family == AF_INET6) {
    ::setsockopt(fd, IPPROTO_IPV6, IPV6_RECVERR, &off, sizeof off);
  } else {
    ::setsockopt(fd, IPPROTO_IP, IP_RECVERR, &off, sizeof off);
  }
}

std::optional<IcmpReport> icmpReportFromControl(const void* control, size_t length) {
  if (control == nullptr || length < sizeof(cmsghdr)) return std::nullopt;
  // CMSG_FIRSTHDR/NXTHDR walk a msghdr; build one over the caller's buffer. The macros
  // bound every step by msg_controllen, so a truncated or lying cmsg_len ends the walk.
  msghdr msg{};
  msg.msg_control = const_cast<void*>(control);
  msg.msg_controllen = length;
  const auto* end = static_cast<const unsigned char*>(control) + length;
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
    const bool v4 = c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_RECVERR;
    const bool v6 = c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_RECVERR;
    if (!v4 && !v6) continue;
    if (c->cmsg_len < CMSG_LEN(sizeof(sock_extended_err))) continue;
    const auto* data = CMSG_DATA(c);
    if (data + sizeof(sock_extended_err) > end) continue;
    sock_extended_err ee;
    std::memcpy(&ee, data, sizeof ee);
    if (ee.ee_origin != SO_EE_ORIGIN_ICMP && ee.ee_origin != SO_EE_ORIGIN_ICMP6) continue;
    IcmpReport r;
    r.v6 = ee.ee_origin == SO_EE_ORIGIN_ICMP6;
    r.type = ee.ee_type;
    r.code = ee.ee_code;
    r.sysErrno = static_cast<int>(ee.ee_errno);
    // The offender's sockaddr follows the sock_extended_err (SO_EE_OFFENDER), when it
    // fits inside this cmsg; AF_UNSPEC means the kernel did not know the sender.
    const auto* off = data + sizeof(sock_extended_err);
    const auto* cmsgEnd = reinterpret_cast<const unsigned char*>(c) + c->cmsg_len;
    if (cmsgEnd > end) cmsgEnd = end;
    if (off + sizeof(sa_family_t) <= cmsgEnd) {
      sa_family_t fam;
      std::memcpy(&fam, off, sizeof fam);
      sockaddr_storage ss{};
      const size_t need = fam == AF_INET ? sizeof(sockaddr_in) : fam == AF_INET6 ? sizeof(sockaddr_in6) : 0;
      if (need != 0 && off + need <= cmsgEnd) {
        std::memcpy(&ss, off, need);
        r.offender = IpAddress::fromSockaddr(reinterpret_cast<const sockaddr*>(&ss));
      }
    }
    return r;
  }
  return std::nullopt;
}

std::optional<IcmpReport> readIcmpError(int fd) {
  // The queued entry carries the start of our own SYN as payload; we only need the cmsg.
  unsigned char payload[64];
  alignas(cmsghdr) unsigned char control[512];
  iovec iov{payload, sizeof payload};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  ssize_t n = -1;
  for (int tries = 0; tries < 3; ++tries) {  // non-blocking: only a signal repeats it
    n = ::recvmsg(fd, &msg, MSG_ERRQUEUE | MSG_DONTWAIT);
    if (n >= 0 || errno != EINTR) break;
  }
  if (n < 0) return std::nullopt;
  return icmpReportFromControl(control, msg.msg_controllen);
}

}  // namespace pgreach::net
