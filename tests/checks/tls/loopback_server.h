#pragma once
// A scripted, misbehaving "PostgreSQL" on 127.0.0.1 for [integration] tests: each
// accepted connection runs `handler` on its own thread. Everything is bounded: the
// server lives at most until destruction, each handler polls with short timeouts and
// gives up after a fixed number of rounds.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace pgreach::testing {

class LoopbackServer {
 public:
  // handler(fd, stop): talk to one client; must return soon after *stop becomes true.
  using Handler = std::function<void(int fd, const std::atomic<bool>& stop)>;

  explicit LoopbackServer(Handler handler) : handler_(std::move(handler)) {
    listen_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    ::setsockopt(listen_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(listen_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    ::listen(listen_, 16);
    socklen_t len = sizeof a;
    ::getsockname(listen_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    acceptor_ = std::thread([this] { acceptLoop(); });
  }
  ~LoopbackServer() {
    stop_ = true;
    acceptor_.join();
    std::lock_guard<std::mutex> g(mu_);
    for (auto& t : workers_) t.join();
    ::close(listen_);
  }
  LoopbackServer(const LoopbackServer&) = delete;
  LoopbackServer& operator=(const LoopbackServer&) = delete;

  uint16_t port() const { return port_; }

  // Helpers for handlers: bounded reads and writes.
  static std::string readUpTo(int fd, size_t n, int timeoutMs) {
    std::string out;
    pollfd p{fd, POLLIN, 0};
    while (out.size() < n && ::poll(&p, 1, timeoutMs) > 0) {
      char buf[4096];
      ssize_t got = ::recv(fd, buf, std::min(sizeof buf, n - out.size()), 0);
      if (got <= 0) break;
      out.append(buf, static_cast<size_t>(got));
    }
    return out;
  }
  // Reads one length-prefixed startup-phase packet (SSLRequest, StartupMessage).
  static std::string readPacket(int fd, int timeoutMs = 2000) {
    std::string head = readUpTo(fd, 4, timeoutMs);
    if (head.size() < 4) return head;
    const uint32_t len = (static_cast<uint32_t>(static_cast<unsigned char>(head[0])) << 24) |
                         (static_cast<uint32_t>(static_cast<unsigned char>(head[1])) << 16) |
                         (static_cast<uint32_t>(static_cast<unsigned char>(head[2])) << 8) |
                         static_cast<uint32_t>(static_cast<unsigned char>(head[3]));
    if (len < 4 || len > 10000) return head;
    return head + readUpTo(fd, len - 4, timeoutMs);
  }
  static void send(int fd, const std::string& data) {
    (void)::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
  }
  // Holds the connection open (reading and discarding) until the peer closes, stop, or ~limit.
  static void hold(int fd, const std::atomic<bool>& stop, int limitMs = 15000) {
    pollfd p{fd, POLLIN, 0};
    for (int waited = 0; waited < limitMs && !stop; waited += 100) {
      if (::poll(&p, 1, 100) > 0) {
        char buf[4096];
        if (::recv(fd, buf, sizeof buf, 0) <= 0) return;
      }
    }
  }

 private:
  void acceptLoop() {
    pollfd p{listen_, POLLIN, 0};
    while (!stop_) {
      if (::poll(&p, 1, 50) <= 0) continue;
      int fd = ::accept4(listen_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) continue;
      std::lock_guard<std::mutex> g(mu_);
      if (workers_.size() >= 64) {
        ::close(fd);
        continue;
      }
      workers_.emplace_back([this, fd] {
        handler_(fd, stop_);
        ::close(fd);
      });
    }
  }

  Handler handler_;
  int listen_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread acceptor_;
  std::mutex mu_;
  std::vector<std::thread> workers_;
};

}  // namespace pgreach::testing
