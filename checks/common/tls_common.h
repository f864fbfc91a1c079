#pragma once
// What the TLS and Postgres stages share (checks/common, so neither area includes the other): the open
// address/port pairs from tcp.connect, the SSLRequest exchange, the trust settings libpq would use, and a
// bounded parallel map.
#include <functional>
#include <string>
#include <vector>

#include "engine/check.h"
#include "net/address.h"
#include "net/stream.h"

namespace pgreach::checks {

inline constexpr const char* kTcpConnectId = "tcp.connect";
inline constexpr const char* kSslRequestId = "tls.sslrequest";
inline constexpr const char* kHandshakeId = "tls.handshake";

struct OpenProbe {
  std::string host;  // the name the user connects to (SNI, certificate check)
  net::IpAddress address;
  uint16_t port = 5432;
  std::string label() const;  // "10.40.2.120:5432"
};

// Probes with outcome "open" in tcp.connect's facts (at most 32).
std::vector<OpenProbe> openProbes(const engine::CheckContext& ctx);

// How the server answered an 8-byte SSLRequest.
enum class SslReply {
  Accepted /*S*/,
  Refused /*N*/,
  VeryOld /*E*/,
  Other,
  NoResponse,
  Closed,
  Reset,
  Unreachable,
  ExtraData
};
std::string_view toString(SslReply r);
std::optional<SslReply> sslReplyFromString(std::string_view s);

struct SslRequestOutcome {
  SslReply reply = SslReply::Unreachable;
  unsigned char byte = 0;  // the reply byte (Other)
  std::string detail;
  long long elapsedMs = 0;
  net::Stream stream;  // connected, positioned after 'S' (Accepted only)
};

// Connects, sends SSLRequest, reads one byte; after `S` it waits briefly (at most
// `extraWait`) to see whether unencrypted bytes follow before any ClientHello.
// `mss` > 0: the connection announces that MSS (net::connectWithDeadline).
SslRequestOutcome sslRequest(const OpenProbe& probe, net::Deadline deadline,
                             std::chrono::milliseconds extraWait = std::chrono::milliseconds(0), int mss = 0);

// The trust anchors libpq would use for this target: sslrootcert, or ~/.postgresql/root.crt,
// "system" for the system store, "" for none found.
std::string rootCertFor(const target::Target& target);

// Whether sslmode asks libpq to require TLS / verify the chain / verify the host name.
bool sslmodeRequiresTls(const std::string& sslmode);
bool sslmodeVerifiesChain(const std::string& sslmode);
bool sslmodeVerifiesHost(const std::string& sslmode);

// Runs fn(i) for i in [0, n) on up to 16 threads; returns when all have returned (each
// fn is itself bounded by a deadline).
void parallelFor(size_t n, const std::function<void(size_t)>& fn);

// Sorts findings worst first, so the root cause names the critical one.
void sortBySeverity(std::vector<engine::Finding>& findings);

}  // namespace pgreach::checks
