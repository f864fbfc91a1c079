#pragma once
// Hostile peers for the end-to-end tests in this folder: a TCP server that runs one
// misbehaving handler per connection (each on its own thread, all bounded by a stop flag
// and a time limit), a tarpit that never accepts, and a DNS server (UDP + TCP) on a
// chosen address and port. Each listens at a Place: loopback in the test's own network
// namespace, or an address inside one of the lab's namespaces.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "util/fd.h"

namespace pgreach::testing::hostile {

inline util::Fd listenOn(const char* ip, uint16_t port, int type) {
  util::Fd fd(::socket(AF_INET, type | SOCK_CLOEXEC, 0));
  int one = 1;
  ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  ::inet_pton(AF_INET, ip, &a.sin_addr);
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) return util::Fd();
  if (type == SOCK_STREAM && ::listen(fd.get(), 16) != 0) return util::Fd();
  return fd;
}

// Where a peer listens: an address, and the network namespace (a name under /run/netns,
// as `ip netns` makes them) its sockets are created in; empty = the test's own.
struct Place {
  std::string ip = "127.0.0.1";
  std::string netns;
};

// listenOn at `at`. A socket belongs to the namespace it was created in for its whole
// life, and setns() moves only the calling thread: so only the creation runs on a
// short-lived thread that enters the namespace; accept, recv and send then work from
// any thread of the test. An invalid util::Fd when the namespace or the address is missing.
inline util::Fd listenAt(const Place& at, uint16_t port, int type) {
  if (at.netns.empty()) return listenOn(at.ip.c_str(), port, type);
  util::Fd out;
  std::thread([&] {
    util::Fd ns(::open(("/run/netns/" + at.netns).c_str(), O_RDONLY | O_CLOEXEC));
    if (ns.valid() && ::setns(ns.get(), CLONE_NEWNET) == 0) out = listenOn(at.ip.c_str(), port, type);
  }).join();
  return out;
}

inline uint16_t localPort(int fd) {
  sockaddr_in a{};
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  return ntohs(a.sin_port);
}

// Waits up to `ms` for bytes and reads what is there; empty on EOF, error or silence.
inline std::vector<uint8_t> readSome(int fd, int ms, size_t max = 4096) {
  pollfd p{fd, POLLIN, 0};
  if (::poll(&p, 1, ms) <= 0) return {};
  std::vector<uint8_t> buf(max);
  const ssize_t n = ::recv(fd, buf.data(), buf.size(), 0);
  if (n <= 0) return {};
  buf.resize(static_cast<size_t>(n));
  return buf;
}

inline void sendAll(int fd, const std::vector<uint8_t>& bytes) {
  size_t off = 0;
  while (off < bytes.size()) {
    const ssize_t n = ::send(fd, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
    if (n <= 0) return;
    off += static_cast<size_t>(n);
  }
}

// The SSLRequest / GSSENCRequest a Postgres client may send first (8 bytes).
inline bool isNegotiationRequest(const std::vector<uint8_t>& b) {
  if (b.size() < 8 || b[0] != 0 || b[1] != 0 || b[2] != 0 || b[3] != 8) return false;
  return b[4] == 0x04 && b[5] == 0xd2 && b[6] == 0x16 && (b[7] == 0x2f || b[7] == 0x30);
}

// A port nothing listens on at `at` (bound, read, closed: a refused connect), 0 if none.
inline uint16_t closedPortAt(const Place& at) {
  auto fd = listenAt(at, 0, SOCK_STREAM);
  return fd.valid() ? localPort(fd.get()) : 0;
}

// A TCP server at `at` (ephemeral port). `handler(fd, stopping)` runs on its own thread
// per connection; the destructor raises `stopping` and joins them all.
class HostileTcpServer {
 public:
  using Handler = std::function<void(int fd, const std::atomic<bool>& stopping)>;
  explicit HostileTcpServer(Handler h, const Place& at = {}) : handler_(std::move(h)) {
    listener_ = listenAt(at, 0, SOCK_STREAM);
    if (!listener_.valid()) return;
    port_ = localPort(listener_.get());
    acceptor_ = std::thread([this] { acceptLoop(); });
  }
  ~HostileTcpServer() {
    stopping_ = true;
    if (acceptor_.joinable()) acceptor_.join();
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto& t : workers_) t.join();
  }
  HostileTcpServer(const HostileTcpServer&) = delete;
  HostileTcpServer& operator=(const HostileTcpServer&) = delete;
  bool listening() const { return acceptor_.joinable(); }
  uint16_t port() const { return port_; }
  int connections() const { return connections_; }

 private:
  void acceptLoop() {
    for (int tick = 0; tick < 1200 && !stopping_; ++tick) {  // at most 60 s
      pollfd p{listener_.get(), POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      int c = ::accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC);
      if (c < 0) continue;
      ++connections_;
      std::lock_guard<std::mutex> lock(mutex_);
      workers_.emplace_back([this, c] {
        util::Fd owned(c);
        handler_(owned.get(), stopping_);
      });
    }
  }
  Handler handler_;
  util::Fd listener_;
  uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> connections_{0};
  std::thread acceptor_;
  std::mutex mutex_;
  std::vector<std::thread> workers_;
};

// Sleeps in small steps so a handler notices `stopping`; false once stopping.
inline bool nap(const std::atomic<bool>& stopping, int ms) {
  for (int i = 0; i < ms / 10 && !stopping; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  return !stopping;
}

// Holds the connection silent until the client closes it, `stopping` is raised or `ms`
// have passed, whichever comes first.
inline void silentUntilClosed(int fd, const std::atomic<bool>& stopping, int ms) {
  for (int i = 0; i < ms / 100 && nap(stopping, 100); ++i) {
    char c;
    if (::recv(fd, &c, 1, MSG_DONTWAIT) == 0) return;
  }
}

// A DNS server at `at`:`port`, UDP and TCP, answering with the handler's bytes.
class HostileDnsServer {
 public:
  using Handler =
      std::function<std::optional<std::vector<uint8_t>>(const std::vector<uint8_t>& query, bool tcp)>;
  HostileDnsServer(const Place& at, uint16_t port, Handler h) : handler_(std::move(h)) {
    udp_ = listenAt(at, port, SOCK_DGRAM);
    tcp_ = listenAt(at, port, SOCK_STREAM);
    if (udp_.valid() && tcp_.valid()) thread_ = std::thread([this] { loop(); });
  }
  ~HostileDnsServer() {
    stopping_ = true;
    if (thread_.joinable()) thread_.join();
  }
  HostileDnsServer(const HostileDnsServer&) = delete;
  HostileDnsServer& operator=(const HostileDnsServer&) = delete;
  bool listening() const { return thread_.joinable(); }
  int queries() const { return queries_; }

 private:
  void loop() {
    for (int tick = 0; tick < 1200 && !stopping_; ++tick) {  // at most 60 s
      pollfd p[2] = {{udp_.get(), POLLIN, 0}, {tcp_.get(), POLLIN, 0}};
      if (::poll(p, 2, 50) <= 0) continue;
      if (p[0].revents & POLLIN) {
        std::vector<uint8_t> buf(65535);
        sockaddr_storage from{};
        socklen_t fl = sizeof from;
        const ssize_t n =
            ::recvfrom(udp_.get(), buf.data(), buf.size(), 0, reinterpret_cast<sockaddr*>(&from), &fl);
        if (n >= 12) {
          ++queries_;
          buf.resize(static_cast<size_t>(n));
          if (auto out = handler_(buf, false)) {
            ::sendto(udp_.get(), out->data(), out->size(), 0, reinterpret_cast<sockaddr*>(&from), fl);
          }
        }
      }
      if (p[1].revents & POLLIN) {
        util::Fd c(::accept4(tcp_.get(), nullptr, nullptr, SOCK_CLOEXEC));
        if (!c.valid()) continue;
        auto bytes = readSome(c.get(), 1000, 65537);
        if (bytes.size() < 14) continue;
        ++queries_;
        std::vector<uint8_t> query(bytes.begin() + 2, bytes.end());
        if (auto out = handler_(query, true)) {
          std::vector<uint8_t> framed = {static_cast<uint8_t>(out->size() >> 8),
                                         static_cast<uint8_t>(out->size() & 0xff)};
          framed.insert(framed.end(), out->begin(), out->end());
          sendAll(c.get(), framed);
        }
      }
    }
  }
  Handler handler_;
  util::Fd udp_, tcp_;
  std::atomic<bool> stopping_{false};
  std::atomic<int> queries_{0};
  std::thread thread_;
};

// The question section of a query (name + type + class), or empty when malformed.
inline std::vector<uint8_t> questionOf(const std::vector<uint8_t>& q) {
  size_t i = 12;
  while (i < q.size() && q[i] != 0) {
    if (q[i] >= 64) return {};
    i += q[i] + 1u;
  }
  if (i + 5 > q.size()) return {};
  return {q.begin() + 12, q.begin() + static_cast<long>(i + 5)};
}

inline uint16_t queryType(const std::vector<uint8_t>& question) {
  if (question.size() < 4) return 0;
  return static_cast<uint16_t>((question[question.size() - 4] << 8) | question[question.size() - 3]);
}

// A response header: the query's id, QR+RD+RA, and the given counts.
inline std::vector<uint8_t> responseHeader(const std::vector<uint8_t>& query, uint16_t an,
                                           bool truncated = false) {
  return {query[0],
          query[1],
          static_cast<uint8_t>(0x81 | (truncated ? 0x02 : 0)),
          0x80,
          0,
          1,
          static_cast<uint8_t>(an >> 8),
          static_cast<uint8_t>(an & 0xff),
          0,
          0,
          0,
          0};
}

}  // namespace pgreach::testing::hostile
