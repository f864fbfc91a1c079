#include "checks/common/tls_common.h"

#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>
#include <thread>

#include "engine/tcp_facts.h"
#include "net/pgwire.h"

namespace pgreach::checks {

std::string OpenProbe::label() const {
  const std::string a = address.toString();
  return (address.isV4() ? a : "[" + a + "]") + ":" + std::to_string(port);
}

std::vector<OpenProbe> openProbes(const engine::CheckContext& ctx) {
  std::vector<OpenProbe> out;
  const engine::CheckResult* tcpResult = ctx.dependency(kTcpConnectId);
  const auto* tcp = tcpResult ? tcpResult->factsAs<engine::TcpConnectFacts>() : nullptr;
  if (!tcp) return out;
  for (const auto& p : tcp->probes) {
    if (!p.open()) continue;
    auto addr = net::IpAddress::parse(p.address);
    if (!addr) continue;
    OpenProbe probe{p.host, *addr, p.port};
    if (probe.host.empty()) probe.host = addr->toString();
    out.push_back(probe);
    if (out.size() >= 32) break;
  }
  return out;
}

std::string_view toString(SslReply r) {
  switch (r) {
    case SslReply::Accepted:
      return "S";
    case SslReply::Refused:
      return "N";
    case SslReply::VeryOld:
      return "E";
    case SslReply::Other:
      return "other";
    case SslReply::NoResponse:
      return "no_response";
    case SslReply::Closed:
      return "closed";
    case SslReply::Reset:
      return "reset";
    case SslReply::Unreachable:
      return "unreachable";
    case SslReply::ExtraData:
      return "unexpected_data";
  }
  return "unreachable";
}

std::optional<SslReply> sslReplyFromString(std::string_view s) {
  for (auto r :
       {SslReply::Accepted, SslReply::Refused, SslReply::VeryOld, SslReply::Other, SslReply::NoResponse,
        SslReply::Closed, SslReply::Reset, SslReply::Unreachable, SslReply::ExtraData}) {
    if (toString(r) == s) return r;
  }
  return std::nullopt;
}

SslRequestOutcome sslRequest(const OpenProbe& probe, net::Deadline deadline,
                             std::chrono::milliseconds extraWait, int mss) {
  SslRequestOutcome o;
  const auto start = std::chrono::steady_clock::now();
  auto finish = [&](SslReply reply, std::string detail) {
    o.reply = reply;
    o.detail = std::move(detail);
    o.elapsedMs =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start)
            .count();
  };
  std::string why;
  util::Fd fd = net::connectWithDeadline(probe.address, probe.port, deadline, why, mss);
  if (!fd.valid()) {
    finish(SslReply::Unreachable, why);
    return o;
  }
  net::Stream stream(std::move(fd));
  auto w = stream.writeAll(net::pgwire::sslRequest(), deadline);
  if (w.status != net::IoStatus::Ok) {
    finish(w.status == net::IoStatus::Timeout ? SslReply::NoResponse : SslReply::Reset, w.detail);
    return o;
  }
  std::string reply;
  auto r = stream.readSome(reply, 1, deadline);
  switch (r.status) {
    case net::IoStatus::Ok:
      break;
    case net::IoStatus::Timeout:
      finish(SslReply::NoResponse, "no reply to SSLRequest before the deadline");
      return o;
    case net::IoStatus::Closed:
      finish(SslReply::Closed, "the server closed the connection without replying");
      return o;
    case net::IoStatus::Reset:
      finish(SslReply::Reset, r.detail);
      return o;
    case net::IoStatus::Error:
      finish(SslReply::Reset, r.detail);
      return o;
  }
  o.byte = static_cast<unsigned char>(reply[0]);
  if (reply[0] == 'N') {
    finish(SslReply::Refused, "server replied N (no TLS)");
  } else if (reply[0] == 'E') {
    finish(SslReply::VeryOld, "server replied with an ErrorResponse to SSLRequest");
  } else if (reply[0] != 'S') {
    char hex[8];
    std::snprintf(hex, sizeof hex, "0x%02x", o.byte);
    finish(SslReply::Other, std::string("server replied with byte ") + hex);
  } else {
    // A real server says nothing more until our ClientHello; anything already waiting
    // was injected (CVE-2021-23222-style buffering attack or a confused middlebox).
    const auto peekUntil = std::min(deadline, std::chrono::steady_clock::now() + extraWait);
    std::string extra;
    auto e = stream.readSome(extra, 256, peekUntil);
    if (e.status == net::IoStatus::Ok && !extra.empty()) {
      finish(SslReply::ExtraData, std::to_string(extra.size()) + " unencrypted byte(s) followed 'S'");
    } else {
      finish(SslReply::Accepted, "server replied S (TLS available)");
      o.stream = std::move(stream);
    }
  }
  return o;
}

std::string rootCertFor(const target::Target& target) {
  std::string root = target.option("sslrootcert");
  if (!root.empty()) return root;
  // libpq's default location.
  if (const char* home = std::getenv("HOME"); home && *home) {
    std::string path = std::string(home) + "/.postgresql/root.crt";
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0) return path;
  }
  return "";
}

bool sslmodeRequiresTls(const std::string& m) {
  return m == "require" || m == "verify-ca" || m == "verify-full";
}
bool sslmodeVerifiesChain(const std::string& m) { return m == "verify-ca" || m == "verify-full"; }
bool sslmodeVerifiesHost(const std::string& m) { return m == "verify-full"; }

void parallelFor(size_t n, const std::function<void(size_t)>& fn) {
  const size_t kMaxThreads = 16;
  for (size_t base = 0; base < n; base += kMaxThreads) {
    std::vector<std::thread> threads;
    for (size_t i = base; i < std::min(n, base + kMaxThreads); ++i) threads.emplace_back(fn, i);
    for (auto& t : threads) t.join();
  }
}

void sortBySeverity(std::vector<engine::Finding>& findings) {
  std::stable_sort(findings.begin(), findings.end(), [](const engine::Finding& a, const engine::Finding& b) {
    return a.severity > b.severity;
  });
}

}  // namespace pgreach::checks
