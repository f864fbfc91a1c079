#include "net/connect.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

namespace pgreach::net {

std::string_view toString(ConnectOutcome o) {
  switch (o) {
    case ConnectOutcome::Open:
      return "open";
    case ConnectOutcome::Refused:
      return "refused";
    case ConnectOutcome::TimedOut:
      return "timeout";
    case ConnectOutcome::HostUnreachable:
      return "host_unreachable";
    case ConnectOutcome::NetUnreachable:
      return "net_unreachable";
    case ConnectOutcome::NoRoute:
      return "no_route";
    case ConnectOutcome::LocalError:
      return "local_error";
  }
  return "local_error";
}

namespace {
// The socket's local port (network order decoded), 0 when it has none.
uint16_t boundPort(int fd) {
  sockaddr_storage local{};
  socklen_t len = sizeof local;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &len) != 0) return 0;
  if (local.ss_family == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in*>(&local)->sin_port);
  if (local.ss_family == AF_INET6) return ntohs(reinterpret_cast<const sockaddr_in6*>(&local)->sin6_port);
  return 0;
}
}  // namespace

ConnectOutcome classifyConnectErrno(int err, bool immediate) {
  switch (err) {
    case 0:
      return ConnectOutcome::Open;
    case ECONNREFUSED:
      return ConnectOutcome::Refused;
    case ETIMEDOUT:
      return ConnectOutcome::TimedOut;
    case EHOSTUNREACH:
      return immediate ? ConnectOutcome::NoRoute : ConnectOutcome::HostUnreachable;
    case ENETUNREACH:
      return immediate ? ConnectOutcome::NoRoute : ConnectOutcome::NetUnreachable;
    case EACCES:
      // Linux turns an ICMPv6 destination unreachable code 1 (administratively
      // prohibited) into EACCES (icmpv6_err_convert), where ICMPv4 3/13 gives
      // EHOSTUNREACH: an answer from the path, refined to admin-prohibited by the error
      // queue or the wire. From connect() itself it is a local refusal.
      return immediate ? ConnectOutcome::LocalError : ConnectOutcome::HostUnreachable;
    default:
      return ConnectOutcome::LocalError;
  }
}

std::vector<ConnectResult> connectAll(const std::vector<ConnectRequest>& requests,
                                      std::chrono::milliseconds timeout, bool keepOpen) {
  using SteadyClock = std::chrono::steady_clock;
  std::vector<ConnectResult> results(requests.size());
  std::vector<SteadyClock::time_point> started(requests.size());
  std::vector<size_t> inFlight;
  const auto begin = SteadyClock::now();
  const auto deadline = begin + timeout;

  for (size_t i = 0; i < requests.size(); ++i) {
    auto& r = results[i];
    r.request = requests[i];
    const int family = requests[i].address.family;
    util::Fd fd(::socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    started[i] = SteadyClock::now();
    if (!fd.valid()) {
      r.outcome = ConnectOutcome::LocalError;
      r.sysErrno = errno;
      r.detail = std::string("socket(): ") + std::strerror(errno);
      continue;
    }
    // Before the SYN leaves, so the ICMP error that may answer it is queued for us.
    enableIcmpErrorQueue(fd.get(), family);
    sockaddr_storage ss;
    socklen_t len = requests[i].address.toSockaddr(requests[i].port, ss);
    const int rc = ::connect(fd.get(), reinterpret_cast<sockaddr*>(&ss), len);
    const int connectErrno = errno;
    r.localPort = boundPort(fd.get());
    if (rc == 0) {
      r.outcome = ConnectOutcome::Open;
      r.elapsed = std::chrono::duration_cast<std::chrono::microseconds>(SteadyClock::now() - started[i]);
      if (keepOpen) {
        disableIcmpErrorQueue(fd.get(), family);
        r.socket = std::move(fd);
      }
      continue;
    }
    if (connectErrno != EINPROGRESS) {
      r.sysErrno = connectErrno;
      r.outcome = classifyConnectErrno(connectErrno, true);
      r.detail = std::strerror(connectErrno);
      r.elapsed = std::chrono::duration_cast<std::chrono::microseconds>(SteadyClock::now() - started[i]);
      continue;
    }
    r.socket = std::move(fd);
    inFlight.push_back(i);
  }

  while (!inFlight.empty()) {
    const auto now = SteadyClock::now();
    if (now >= deadline) break;
    std::vector<pollfd> pfds;
    pfds.reserve(inFlight.size());
    for (size_t i : inFlight) pfds.push_back({results[i].socket.get(), POLLOUT, 0});
    const int waitMs =
        static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count() + 1);
    const int n = ::poll(pfds.data(), pfds.size(), waitMs);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    std::vector<size_t> still;
    for (size_t k = 0; k < pfds.size(); ++k) {
      const size_t i = inFlight[k];
      auto& r = results[i];
      if (pfds[k].revents == 0) {
        still.push_back(i);
        continue;
      }
      int err = 0;
      socklen_t elen = sizeof err;
      ::getsockopt(r.socket.get(), SOL_SOCKET, SO_ERROR, &err, &elen);
      r.elapsed = std::chrono::duration_cast<std::chrono::microseconds>(SteadyClock::now() - started[i]);
      r.sysErrno = err;
      r.outcome = classifyConnectErrno(err, false);
      if (err != 0) {
        r.detail = std::strerror(err);
        // SO_ERROR first: reading the queue would clear the pending error.
        r.icmp = readIcmpError(r.socket.get());
      }
      if (r.outcome == ConnectOutcome::Open && keepOpen) {
        disableIcmpErrorQueue(r.socket.get(), r.request.address.family);
      } else {
        r.socket.reset();
      }
    }
    inFlight.swap(still);
  }
  for (size_t i : inFlight) {
    auto& r = results[i];
    r.outcome = ConnectOutcome::TimedOut;
    r.elapsed = std::chrono::duration_cast<std::chrono::microseconds>(SteadyClock::now() - started[i]);
    r.detail = "no reply within " + std::to_string(timeout.count()) + " ms";
    r.socket.reset();
  }
  return results;
}

}  // namespace pgreach::net
