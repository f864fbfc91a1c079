#pragma once
// Non-blocking TCP connects with a deadline, many at once, each classified by what came
// back: a SYN-ACK (open), an RST (refused), nothing (dropped), or an ICMP error.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "net/address.h"
#include "net/icmp_errqueue.h"
#include "util/fd.h"

namespace pgreach::net {

enum class ConnectOutcome {
  Open,             // handshake completed
  Refused,          // RST: a host answered, nothing listens
  TimedOut,         // no answer before the deadline: silently dropped
  HostUnreachable,  // ICMP host unreachable (also what Linux reports for admin-prohibited)
  NetUnreachable,   // ICMP network unreachable after the SYN left
  NoRoute,          // the kernel had no route: nothing was sent
  LocalError,       // socket()/connect() failed locally for another reason
};

std::string_view toString(ConnectOutcome o);

struct ConnectRequest {
  IpAddress address;
  uint16_t port = 0;
};

struct ConnectResult {
  ConnectRequest request;
  ConnectOutcome outcome = ConnectOutcome::LocalError;
  std::chrono::microseconds elapsed{0};
  int sysErrno = 0;    // the errno that decided it, 0 for open/timeout
  std::string detail;  // strerror text or what failed
  // The ICMP error that aborted the connect, from the socket's error queue (no privilege
  // needed); nullopt for open/refused/timeout or when the kernel queued none.
  std::optional<IcmpReport> icmp;
  // The source port the kernel gave the attempt (0 when no SYN left): what tells this
  // attempt's packets from those of another probe of the same address:port in a capture.
  uint16_t localPort = 0;
  util::Fd socket;  // the connected socket when `keepOpen` was asked and it is open
};

// Connects to every request concurrently; returns when all are decided or `timeout`
// has passed (whichever is first). Results are in request order.
std::vector<ConnectResult> connectAll(const std::vector<ConnectRequest>& requests,
                                      std::chrono::milliseconds timeout, bool keepOpen = false);

// Maps a connect errno to an outcome (`immediate`: connect() itself failed, before any
// packet left).
ConnectOutcome classifyConnectErrno(int err, bool immediate);

}  // namespace pgreach::net
