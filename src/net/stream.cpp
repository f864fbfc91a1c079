#include "net/stream.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

namespace pgreach::net {
namespace {

int millisLeft(Deadline deadline) {
  auto left =
      std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
  if (left.count() <= 0) return 0;
  return left.count() > 60000 ? 60000 : static_cast<int>(left.count());
}

IoResult fromErrno(int err) {
  if (err == ECONNRESET || err == EPIPE) return {IoStatus::Reset, 0, std::strerror(err)};
  return {IoStatus::Error, 0, std::strerror(err)};
}

std::string opensslError() {
  unsigned long e = ERR_get_error();
  if (e == 0) return "TLS error";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  ERR_clear_error();
  return buf;
}

}  // namespace

std::string_view toString(IoStatus s) {
  switch (s) {
    case IoStatus::Ok:
      return "ok";
    case IoStatus::Timeout:
      return "timeout";
    case IoStatus::Closed:
      return "closed";
    case IoStatus::Reset:
      return "reset";
    case IoStatus::Error:
      return "error";
  }
  return "error";
}

bool waitFd(int fd, bool forWrite, Deadline deadline) {
  // Bounded: each poll waits at most until the deadline; EINTR retries re-read the clock.
  for (int i = 0; i < 1000; ++i) {
    pollfd p{fd, static_cast<short>(forWrite ? POLLOUT : POLLIN), 0};
    int rc = ::poll(&p, 1, millisLeft(deadline));
    if (rc > 0) return true;
    if (rc == 0) return false;
    if (errno != EINTR) return true;  // let the following I/O call report the error
  }
  return false;
}

util::Fd connectWithDeadline(const IpAddress& address, uint16_t port, Deadline deadline, std::string& whyNot,
                             int mss) {
  util::Fd fd(::socket(address.family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd.valid()) {
    whyNot = std::string("socket(): ") + std::strerror(errno);
    return util::Fd();
  }
  if (mss > 0 && ::setsockopt(fd.get(), IPPROTO_TCP, TCP_MAXSEG, &mss, sizeof mss) != 0) {
    whyNot = std::string("setsockopt(TCP_MAXSEG): ") + std::strerror(errno);
    return util::Fd();
  }
  sockaddr_storage ss;
  socklen_t len = address.toSockaddr(port, ss);
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&ss), len) == 0) return fd;
  if (errno != EINPROGRESS) {
    whyNot = std::string("connect(): ") + std::strerror(errno);
    return util::Fd();
  }
  if (!waitFd(fd.get(), true, deadline)) {
    whyNot = "connect timed out";
    return util::Fd();
  }
  int err = 0;
  socklen_t elen = sizeof err;
  ::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &err, &elen);
  if (err != 0) {
    whyNot = std::string("connect(): ") + std::strerror(err);
    return util::Fd();
  }
  return fd;
}

IoResult Stream::writeAll(std::string_view data, Deadline deadline) {
  size_t done = 0;
  while (done < data.size()) {
    if (ssl_) {
      size_t n = 0;
      ERR_clear_error();
      if (SSL_write_ex(ssl_.get(), data.data() + done, data.size() - done, &n) == 1) {
        done += n;
        continue;
      }
      int e = SSL_get_error(ssl_.get(), 0);
      if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
        if (!waitFd(fd_.get(), e == SSL_ERROR_WANT_WRITE, deadline))
          return {IoStatus::Timeout, done, "write timed out"};
        continue;
      }
      if (e == SSL_ERROR_ZERO_RETURN) return {IoStatus::Closed, done, "peer closed the TLS session"};
      if (e == SSL_ERROR_SYSCALL && errno != 0) return fromErrno(errno);
      return {IoStatus::Error, done, opensslError()};
    }
    ssize_t n = ::send(fd_.get(), data.data() + done, data.size() - done, MSG_NOSIGNAL);
    if (n > 0) {
      done += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
      if (!waitFd(fd_.get(), true, deadline)) return {IoStatus::Timeout, done, "write timed out"};
      continue;
    }
    return fromErrno(errno);
  }
  return {IoStatus::Ok, done, ""};
}

IoResult Stream::readSome(std::string& out, size_t max, Deadline deadline) {
  std::string buf(max == 0 ? 1 : max, '\0');
  for (int i = 0; i < 100000; ++i) {
    if (ssl_) {
      size_t n = 0;
      ERR_clear_error();
      if (SSL_read_ex(ssl_.get(), buf.data(), buf.size(), &n) == 1) {
        out.append(buf.data(), n);
        return {IoStatus::Ok, n, ""};
      }
      int e = SSL_get_error(ssl_.get(), 0);
      if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
        if (!waitFd(fd_.get(), e == SSL_ERROR_WANT_WRITE, deadline))
          return {IoStatus::Timeout, 0, "read timed out"};
        continue;
      }
      if (e == SSL_ERROR_ZERO_RETURN) return {IoStatus::Closed, 0, "peer closed the TLS session"};
      if (e == SSL_ERROR_SYSCALL) {
        if (errno == 0 || errno == EAGAIN) return {IoStatus::Closed, 0, "peer closed the connection"};
        return fromErrno(errno);
      }
      std::string why = opensslError();
      if (why.find("unexpected eof") != std::string::npos) return {IoStatus::Closed, 0, why};
      return {IoStatus::Error, 0, why};
    }
    ssize_t n = ::recv(fd_.get(), buf.data(), buf.size(), 0);
    if (n > 0) {
      out.append(buf.data(), static_cast<size_t>(n));
      return {IoStatus::Ok, static_cast<size_t>(n), ""};
    }
    if (n == 0) return {IoStatus::Closed, 0, "peer closed the connection"};
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
      if (!waitFd(fd_.get(), false, deadline)) return {IoStatus::Timeout, 0, "read timed out"};
      continue;
    }
    return fromErrno(errno);
  }
  return {IoStatus::Timeout, 0, "read gave up"};
}

IoResult Stream::readExactly(std::string& out, size_t want, Deadline deadline) {
  size_t total = 0;
  while (out.size() < want) {
    IoResult r = readSome(out, want - out.size(), deadline);
    if (r.status != IoStatus::Ok) {
      r.bytes = total;
      return r;
    }
    total += r.bytes;
  }
  return {IoStatus::Ok, total, ""};
}

}  // namespace pgreach::net
