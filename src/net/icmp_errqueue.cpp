#include "net/icmp_errqueue.h"

#include <linux/errqueue.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

namespace pgreach::net {

std::string IcmpReport::evidence() const {
  std::string s =
      std::string(v6 ? "ICMPv6" : "ICMP") + " type " + std::to_string(type) + " code " + std::to_string(code);
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
  if (control == nullptr) return std::nullopt;
  // The walk is done in offsets, not with CMSG_NXTHDR: a lying cmsg_len near SIZE_MAX
  // must end the walk, not push a pointer past the end of the address space (found by
  // tests/fuzz/metadata_fuzz).
  const auto* base = static_cast<const unsigned char*>(control);
  size_t at = 0;
  while (length - at >= sizeof(cmsghdr)) {
    cmsghdr c;
    std::memcpy(&c, base + at, sizeof c);
    if (c.cmsg_len < sizeof(cmsghdr)) break;
    // A truncated (MSG_CTRUNC) message claims more than the buffer holds: read what is there.
    const bool lastOne = c.cmsg_len > length - at;
    const size_t cmsgEnd = lastOne ? length : at + c.cmsg_len;
    const size_t data = at + CMSG_LEN(0);
    const bool v4 = c.cmsg_level == IPPROTO_IP && c.cmsg_type == IP_RECVERR;
    const bool v6 = c.cmsg_level == IPPROTO_IPV6 && c.cmsg_type == IPV6_RECVERR;
    if ((v4 || v6) && data <= cmsgEnd && cmsgEnd - data >= sizeof(sock_extended_err)) {
      sock_extended_err ee;
      std::memcpy(&ee, base + data, sizeof ee);
      if (ee.ee_origin == SO_EE_ORIGIN_ICMP || ee.ee_origin == SO_EE_ORIGIN_ICMP6) {
        IcmpReport r;
        r.v6 = ee.ee_origin == SO_EE_ORIGIN_ICMP6;
        r.type = ee.ee_type;
        r.code = ee.ee_code;
        r.sysErrno = static_cast<int>(ee.ee_errno);
        // The offender's sockaddr follows the sock_extended_err (SO_EE_OFFENDER), when it
        // fits inside this cmsg; AF_UNSPEC means the kernel did not know the sender.
        const size_t off = data + sizeof(sock_extended_err);
        if (cmsgEnd - off >= sizeof(sa_family_t)) {
          sa_family_t fam;
          std::memcpy(&fam, base + off, sizeof fam);
          const size_t need = fam == AF_INET    ? sizeof(sockaddr_in)
                              : fam == AF_INET6 ? sizeof(sockaddr_in6)
                                                : 0;
          if (need != 0 && cmsgEnd - off >= need) {
            sockaddr_storage ss{};
            std::memcpy(&ss, base + off, need);
            r.offender = IpAddress::fromSockaddr(reinterpret_cast<const sockaddr*>(&ss));
          }
        }
        return r;
      }
    }
    if (lastOne) break;
    const size_t step = CMSG_ALIGN(c.cmsg_len);
    if (step > length - at) break;
    at += step;
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
