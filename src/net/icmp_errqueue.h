#pragma once
// The ICMP error behind a failed connect, read without privileges. With IP_RECVERR
// (IPV6_RECVERR) set on a socket, Linux queues the ICMP error that aborted a SYN_SENT
// connect on the socket's error queue, with its type, code and sender (the router that
// rejected it). connect() itself only says EHOSTUNREACH for host-unreachable and
// admin-prohibited alike; the error queue tells them apart with no CAP_NET_RAW, where
// the packet capture and the raw ICMP socket both need it.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "net/address.h"

namespace pgreach::net {

struct IcmpReport {
  bool v6 = false;                    // ICMPv6 (SO_EE_ORIGIN_ICMP6) rather than ICMP
  uint8_t type = 0, code = 0;         // as on the wire: 3/13 is admin-prohibited (v6: 1/1)
  int sysErrno = 0;                   // what the kernel made of it (EHOSTUNREACH...)
  std::optional<IpAddress> offender;  // who sent it; nullopt when the kernel gave none

  // "ICMP type 3 code 13 from 10.40.1.1 (socket error queue)".
  std::string evidence() const;
};

// Asks the kernel to queue ICMP errors on `fd` (IP_RECVERR or IPV6_RECVERR by `family`).
// False when the option is refused (then connects still work, with errno only).
bool enableIcmpErrorQueue(int fd, int family);

// Turns it off again (a socket kept open for a later stage must not see soft ICMP errors
// as hard ones, which IP_RECVERR does on an established connection).
void disableIcmpErrorQueue(int fd, int family);

// Reads one entry of `fd`'s error queue without blocking; nullopt when the queue is
// empty or its entry did not come from ICMP.
std::optional<IcmpReport> readIcmpError(int fd);

// The pure half: an IcmpReport from the control buffer (cmsg list) that
// recvmsg(MSG_ERRQUEUE) filled. Tested on hand-built buffers.
std::optional<IcmpReport> icmpReportFromControl(const void* control, size_t length);

}  // namespace pgreach::net
