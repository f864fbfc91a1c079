#pragma once
// A DNS server on 127.0.0.1 for integration tests: UDP and TCP on one ephemeral port,
// answering with whatever the test's handler returns (or nothing). Stops in its destructor.
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <atomic>
#include <functional>
#include <optional>
#include <thread>
#include <vector>

#include "util/fd.h"

namespace pgreach::testing {

class FakeDnsServer {
 public:
  // Gets the query bytes and whether it came over TCP; returns the response, or nothing.
  using Handler = std::function<std::optional<std::vector<uint8_t>>(const std::vector<uint8_t>&, bool tcp)>;

  explicit FakeDnsServer(Handler h) : handler_(std::move(h)) {
    udp_ = util::Fd(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(udp_.get(), reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    ::getsockname(udp_.get(), reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    tcp_ = util::Fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    int one = 1;
    ::setsockopt(tcp_.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    ::bind(tcp_.get(), reinterpret_cast<sockaddr*>(&a), sizeof a);
    ::listen(tcp_.get(), 8);
    thread_ = std::thread([this] { loop(); });
  }
  ~FakeDnsServer() {
    stop_ = true;
    thread_.join();
  }
  FakeDnsServer(const FakeDnsServer&) = delete;
  FakeDnsServer& operator=(const FakeDnsServer&) = delete;

  uint16_t port() const { return port_; }
  std::string spec() const { return "127.0.0.1#" + std::to_string(port_); }
  int queries() const { return queries_; }

 private:
  void loop() {
    // Bounded: stops when asked, and in any case after 60 s.
    for (int tick = 0; tick < 1200 && !stop_; ++tick) {
      pollfd p[2] = {{udp_.get(), POLLIN, 0}, {tcp_.get(), POLLIN, 0}};
      if (::poll(p, 2, 50) <= 0) continue;
      if (p[0].revents & POLLIN) {
        std::vector<uint8_t> buf(65535);
        sockaddr_storage from{};
        socklen_t fl = sizeof from;
        ssize_t n =
            ::recvfrom(udp_.get(), buf.data(), buf.size(), 0, reinterpret_cast<sockaddr*>(&from), &fl);
        if (n > 0) {
          ++queries_;
          buf.resize(static_cast<size_t>(n));
          if (auto resp = handler_(buf, false)) {
            ::sendto(udp_.get(), resp->data(), resp->size(), 0, reinterpret_cast<sockaddr*>(&from), fl);
          }
        }
      }
      if (p[1].revents & POLLIN) serveTcp();
    }
  }
  void serveTcp() {
    util::Fd c(::accept(tcp_.get(), nullptr, nullptr));
    if (!c.valid()) return;
    std::vector<uint8_t> in;
    uint8_t chunk[4096];
    size_t want = 2;
    for (int i = 0; i < 100 && in.size() < want; ++i) {
      pollfd p{c.get(), POLLIN, 0};
      if (::poll(&p, 1, 100) <= 0) continue;
      ssize_t n = ::recv(c.get(), chunk, sizeof chunk, 0);
      if (n <= 0) return;
      in.insert(in.end(), chunk, chunk + n);
      if (in.size() >= 2) want = 2 + ((static_cast<size_t>(in[0]) << 8) | in[1]);
    }
    if (in.size() < want) return;
    ++queries_;
    auto resp = handler_(std::vector<uint8_t>(in.begin() + 2, in.end()), true);
    if (!resp) return;
    std::vector<uint8_t> out{static_cast<uint8_t>(resp->size() >> 8),
                             static_cast<uint8_t>(resp->size() & 0xff)};
    out.insert(out.end(), resp->begin(), resp->end());
    ::send(c.get(), out.data(), out.size(), MSG_NOSIGNAL);
  }

  Handler handler_;
  util::Fd udp_, tcp_;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> queries_{0};
  std::thread thread_;
};

}  // namespace pgreach::testing
