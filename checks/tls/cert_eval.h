#pragma once
// Judges a completed TLS handshake the way libpq's sslmode would: which certificate,
// protocol and key problems exist, and how severe each is under the target's sslmode.
// Pure: unit-tested with hand-made inputs.
#include <optional>
#include <string>
#include <vector>

#include "engine/result.h"
#include "net/tls_client.h"

namespace pgreach::checks::tls {

struct CertJudgement {
  std::string sslmode = "prefer";
  std::string host;             // the name (or IP literal) connected to
  bool rootCertKnown = false;   // a trust store was available to verify against
  std::string rootCert;         // for evidence
  bool providerTarget = false;  // a managed provider (Neon, PlanetScale, Heroku, Azure)
  net::TlsHandshakeResult handshake;
  long long nowEpoch = 0;
  int certWarnDays = 21;
  std::string where;  // "10.40.2.120:5432", prefixed to evidence
  // This host's clock is NTP-synchronised (net::systemClockSynchronised); nullopt when
  // unknown. Tells a certificate issued ahead of time from a clock that is behind.
  std::optional<bool> clockSynchronised;
};

// Findings for one handshake (no tls.ok finding: the caller summarises).
std::vector<engine::Finding> judgeHandshake(const CertJudgement& j);

// Days from now until the leaf expires (negative once expired).
long long daysUntil(long long nowEpoch, long long thenEpoch);

}  // namespace pgreach::checks::tls
