#pragma once
// A byte stream over a connected non-blocking socket, plain or TLS, where every read
// and write is bounded by a deadline. The TLS and Postgres stages speak through it so
// the same wire code runs before and after the TLS upgrade.
#include <openssl/ssl.h>

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "net/address.h"
#include "net/handles.h"
#include "util/fd.h"

namespace pgreach::net {

using Deadline = std::chrono::steady_clock::time_point;

enum class IoStatus {
  Ok,       // some bytes moved
  Timeout,  // nothing before the deadline
  Closed,   // the peer closed (EOF)
  Reset,    // ECONNRESET / EPIPE
  Error,    // anything else (detail says what)
};
std::string_view toString(IoStatus s);

struct IoResult {
  IoStatus status = IoStatus::Error;
  size_t bytes = 0;
  std::string detail;
};

// Connects one TCP socket (non-blocking) by `deadline`. Returns an invalid util::Fd and a
// reason on failure. `mss` > 0 sets TCP_MAXSEG before the SYN, which then announces that
// MSS: the peer sends no segment larger (how a path-MTU black hole is proven).
util::Fd connectWithDeadline(const IpAddress& address, uint16_t port, Deadline deadline, std::string& whyNot,
                             int mss = 0);

// Waits until `fd` is readable/writable or the deadline passes. false = timed out.
bool waitFd(int fd, bool forWrite, Deadline deadline);

// Owns the socket and, after a TLS upgrade, the SSL session.
class Stream {
 public:
  Stream() = default;
  explicit Stream(util::Fd fd) : fd_(std::move(fd)) {}
  Stream(Stream&&) = default;
  Stream& operator=(Stream&&) = default;

  bool valid() const { return fd_.valid(); }
  int fd() const { return fd_.get(); }
  bool tls() const { return ssl_ != nullptr; }
  SSL* ssl() const { return ssl_.get(); }

  // Writes all of `data` by the deadline.
  IoResult writeAll(std::string_view data, Deadline deadline);
  // Reads what is available (at most `max` bytes), waiting up to the deadline for the
  // first byte. Appends to `out`.
  IoResult readSome(std::string& out, size_t max, Deadline deadline);
  // Reads until `out` holds `want` bytes or the deadline passes.
  IoResult readExactly(std::string& out, size_t want, Deadline deadline);

  // Hands the socket to a TLS session (after the handshake succeeded).
  void adoptTls(SslCtxPtr ctx, SslPtr ssl) {
    ctx_ = std::move(ctx);
    ssl_ = std::move(ssl);
  }

 private:
  // Declared before ssl_ so the session is freed before the socket closes.
  util::Fd fd_;
  SslCtxPtr ctx_;
  SslPtr ssl_;
};

}  // namespace pgreach::net
