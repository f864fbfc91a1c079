#include "net/dns_exchange.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "util/fd.h"

namespace pgreach::net {
namespace {

using SteadyClock = std::chrono::steady_clock;

constexpr size_t kMaxDnsMessage = 65535;

int millisUntil(SteadyClock::time_point t) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(t - SteadyClock::now()).count();
  if (left <= 0) return 0;
  return left > 1000000 ? 1000000 : static_cast<int>(left);
}

ExchangeOutcome outcomeForErrno(int err) {
  switch (err) {
    case ECONNREFUSED:
      return ExchangeOutcome::Refused;
    case ENETUNREACH:
    case EHOSTUNREACH:
    case EHOSTDOWN:
    case ENETDOWN:
      return ExchangeOutcome::Unreachable;
    case ETIMEDOUT:
      return ExchangeOutcome::Timeout;
    default:
      return ExchangeOutcome::LocalError;
  }
}

util::Fd openSocket(const DnsServer& server, int type, ExchangeResult& r) {
  util::Fd fd(::socket(server.address.family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd.valid()) {
    r.outcome = ExchangeOutcome::LocalError;
    r.detail = std::string("socket: ") + std::strerror(errno);
  }
  return fd;
}

bool sameId(const std::vector<uint8_t>& query, const uint8_t* resp, size_t n) {
  return n >= 2 && query.size() >= 2 && resp[0] == query[0] && resp[1] == query[1];
}

// UDP on a connected socket, so ICMP port/host unreachable surfaces as an errno.
// Retransmits once when half the time is gone: one lost datagram should not look like a
// dead resolver, and the retry costs no extra time.
void exchangeUdp(const DnsServer& server, const std::vector<uint8_t>& query, SteadyClock::time_point deadline,
                 ExchangeResult& r) {
  util::Fd fd = openSocket(server, SOCK_DGRAM, r);
  if (!fd.valid()) return;
  sockaddr_storage ss{};
  socklen_t len = server.address.toSockaddr(server.port, ss);
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&ss), len) != 0) {
    r.outcome = outcomeForErrno(errno);
    r.detail = std::string("connect: ") + std::strerror(errno);
    return;
  }
  const auto start = SteadyClock::now();
  const auto retransmitAt = start + (deadline - start) / 2;
  bool retransmitted = false;
  if (::send(fd.get(), query.data(), query.size(), 0) < 0) {
    r.outcome = outcomeForErrno(errno);
    r.detail = std::string("send: ") + std::strerror(errno);
    return;
  }
  std::vector<uint8_t> buf(kMaxDnsMessage);
  // Bounded: each pass either returns, or waits for the deadline, or consumes a datagram;
  // a flood of wrong-id datagrams still ends at the deadline.
  for (int pass = 0; pass < 10000; ++pass) {
    const auto nextWake = (!retransmitted && retransmitAt < deadline) ? retransmitAt : deadline;
    pollfd p{fd.get(), POLLIN, 0};
    int rc = ::poll(&p, 1, millisUntil(nextWake));
    if (rc < 0 && errno == EINTR) continue;
    if (rc < 0) {
      r.outcome = ExchangeOutcome::LocalError;
      r.detail = std::string("poll: ") + std::strerror(errno);
      return;
    }
    if (rc == 0) {
      if (SteadyClock::now() >= deadline) break;
      if (!retransmitted) {
        retransmitted = true;
        (void)::send(fd.get(), query.data(), query.size(), 0);
      }
      continue;
    }
    ssize_t n = ::recv(fd.get(), buf.data(), buf.size(), 0);
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) continue;
      r.outcome = outcomeForErrno(errno);
      r.detail = std::string("recv: ") + std::strerror(errno);
      return;
    }
    if (!sameId(query, buf.data(), static_cast<size_t>(n))) continue;  // stray or spoofed: keep waiting
    r.outcome = ExchangeOutcome::Answered;
    r.wire.assign(buf.begin(), buf.begin() + n);
    return;
  }
  r.outcome = ExchangeOutcome::Timeout;
  r.detail = "no response";
}

bool waitFor(int fd, short events, SteadyClock::time_point deadline) {
  for (int pass = 0; pass < 1000; ++pass) {
    pollfd p{fd, events, 0};
    int rc = ::poll(&p, 1, millisUntil(deadline));
    if (rc < 0 && errno == EINTR) continue;
    return rc > 0;
  }
  return false;
}

// DNS over TCP (RFC 1035 4.2.2 / RFC 7766): two-byte length, then the message.
void exchangeTcp(const DnsServer& server, const std::vector<uint8_t>& query, SteadyClock::time_point deadline,
                 ExchangeResult& r) {
  r.wire.clear();
  util::Fd fd = openSocket(server, SOCK_STREAM, r);
  if (!fd.valid()) return;
  sockaddr_storage ss{};
  socklen_t len = server.address.toSockaddr(server.port, ss);
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&ss), len) != 0 && errno != EINPROGRESS) {
    r.outcome = outcomeForErrno(errno);
    r.detail = std::string("tcp connect: ") + std::strerror(errno);
    return;
  }
  if (!waitFor(fd.get(), POLLOUT, deadline)) {
    r.outcome = ExchangeOutcome::Timeout;
    r.detail = "tcp connect: no answer";
    return;
  }
  int soerr = 0;
  socklen_t sl = sizeof soerr;
  ::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &soerr, &sl);
  if (soerr != 0) {
    r.outcome = outcomeForErrno(soerr);
    r.detail = std::string("tcp connect: ") + std::strerror(soerr);
    return;
  }
  std::vector<uint8_t> out;
  out.push_back(static_cast<uint8_t>(query.size() >> 8));
  out.push_back(static_cast<uint8_t>(query.size() & 0xff));
  out.insert(out.end(), query.begin(), query.end());
  size_t sent = 0;
  while (sent < out.size()) {
    if (!waitFor(fd.get(), POLLOUT, deadline)) {
      r.outcome = ExchangeOutcome::Timeout;
      r.detail = "tcp send: timed out";
      return;
    }
    ssize_t n = ::send(fd.get(), out.data() + sent, out.size() - sent, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) continue;
      r.outcome = outcomeForErrno(errno);
      r.detail = std::string("tcp send: ") + std::strerror(errno);
      return;
    }
    sent += static_cast<size_t>(n);
  }
  std::vector<uint8_t> in;
  size_t want = 2;
  uint8_t chunk[4096];
  while (in.size() < want) {
    if (!waitFor(fd.get(), POLLIN, deadline)) {
      r.outcome = ExchangeOutcome::Timeout;
      r.detail = "tcp read: timed out";
      return;
    }
    ssize_t n = ::recv(fd.get(), chunk, std::min(sizeof chunk, want - in.size()), 0);
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) continue;
      r.outcome = outcomeForErrno(errno);
      r.detail = std::string("tcp read: ") + std::strerror(errno);
      return;
    }
    if (n == 0) {
      // Closed early: hand over what we have, the classifier reports it as truncated.
      r.outcome = ExchangeOutcome::Answered;
      r.detail = "tcp: connection closed before the full message";
      if (in.size() > 2) r.wire.assign(in.begin() + 2, in.end());
      r.viaTcp = true;
      return;
    }
    in.insert(in.end(), chunk, chunk + n);
    if (want == 2 && in.size() >= 2) want = 2 + ((static_cast<size_t>(in[0]) << 8) | in[1]);
  }
  r.outcome = ExchangeOutcome::Answered;
  r.viaTcp = true;
  r.wire.assign(in.begin() + 2, in.end());
}

}  // namespace

std::optional<DnsServer> DnsServer::parse(std::string_view text) {
  DnsServer s;
  std::string host(text);
  std::string port;
  if (auto hash = host.find('#'); hash != std::string::npos) {
    port = host.substr(hash + 1);
    host = host.substr(0, hash);
  } else if (!host.empty() && host.front() == '[') {
    auto close = host.find(']');
    if (close == std::string::npos) return std::nullopt;
    if (close + 1 < host.size()) {
      if (host[close + 1] != ':') return std::nullopt;
      port = host.substr(close + 2);
    }
    host = host.substr(1, close - 1);
  } else if (std::count(host.begin(), host.end(), ':') == 1) {
    auto colon = host.find(':');
    port = host.substr(colon + 1);
    host = host.substr(0, colon);
  }
  auto a = IpAddress::parse(host);
  if (!a) return std::nullopt;
  s.address = *a;
  if (!port.empty()) {
    if (port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
    int p = std::stoi(port);
    if (p <= 0 || p > 65535) return std::nullopt;
    s.port = static_cast<uint16_t>(p);
  }
  return s;
}

std::string DnsServer::label() const { return address.toString() + "#" + std::to_string(port); }

std::string_view toString(ExchangeOutcome o) {
  switch (o) {
    case ExchangeOutcome::Answered:
      return "answered";
    case ExchangeOutcome::Timeout:
      return "timeout";
    case ExchangeOutcome::Refused:
      return "refused";
    case ExchangeOutcome::Unreachable:
      return "unreachable";
    case ExchangeOutcome::LocalError:
      return "local_error";
  }
  return "local_error";
}

ExchangeResult exchangeDns(const DnsServer& server, const std::vector<uint8_t>& query,
                           std::chrono::steady_clock::time_point deadline) {
  const auto start = SteadyClock::now();
  ExchangeResult r;
  if (query.size() < 12 || query.size() > kMaxDnsMessage) {
    r.detail = "query is not a DNS message";
    return r;
  }
  exchangeUdp(server, query, deadline, r);
  // TC (byte 2, bit 0x02): the answer did not fit; ask again over TCP in the time left.
  if (r.outcome == ExchangeOutcome::Answered && r.wire.size() >= 3 && (r.wire[2] & 0x02)) {
    r.truncatedOverUdp = true;
    ExchangeResult tcp;
    exchangeTcp(server, query, deadline, tcp);
    if (tcp.outcome == ExchangeOutcome::Answered && !tcp.wire.empty()) {
      r.wire = std::move(tcp.wire);
      r.viaTcp = true;
      r.detail = tcp.detail;
    } else {
      r.detail = "truncated over UDP; TCP retry: " + std::string(toString(tcp.outcome)) +
                 (tcp.detail.empty() ? "" : " (" + tcp.detail + ")");
    }
  }
  r.elapsed = std::chrono::duration_cast<std::chrono::microseconds>(SteadyClock::now() - start);
  return r;
}

}  // namespace pgreach::net
