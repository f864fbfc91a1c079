#pragma once
// What tls.sslrequest, tls.direct and tls.handshake hand to later checks (tls.handshake
// and pg.startup read the SSLRequest replies), to the Prometheus renderer (certificate
// expiry) and to the support bundle (the chains): one struct per check, one serialiser
// each (the JSON report's `data`, described in reports/schema/report.schema.json).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/facts.h"

namespace pgreach::engine {

struct SslRequestProbeFacts {
  std::string host;
  std::string address;
  uint16_t port = 0;
  std::string reply;  // "S", "N", "E", "other", "no_response"...: checks::toString(SslReply)
  long long elapsedMs = 0;
};

struct SslRequestFacts : Facts {
  std::string sslmode;
  std::vector<SslRequestProbeFacts> probes;
  nlohmann::json toJson() const override;
};

struct DirectTlsProbeFacts {
  std::string host;
  std::string address;
  uint16_t port = 0;
  std::string directTls;  // "supported", "tls_without_alpn", "unsupported", "unreachable"
  std::string outcome;    // net::TlsOutcome's name
  std::string alpn;
  double elapsedMs = 0;
};

struct DirectTlsFacts : Facts {
  bool directTlsRequested = false;
  std::vector<DirectTlsProbeFacts> probes;
  nlohmann::json toJson() const override;
};

// One certificate of a chain as the server sent it (its text is the peer's).
struct CertFacts {
  std::string subject;
  std::string issuer;
  std::vector<std::string> sans;  // "DNS:name", "IP:addr"
  std::string notBefore;          // ISO 8601 UTC
  std::string notAfter;
  std::string keyType;
  int keyBits = 0;
  std::string sha256;
  bool selfSigned = false;
};

struct TlsVerifyError {
  int depth = 0;
  int code = 0;  // X509_V_ERR_*
  std::string text;
};

struct HandshakeProbeFacts {
  std::string host;
  std::string address;
  uint16_t port = 0;
  std::string sni;
  // "sslrequest_<reply>" when the server no longer answered S (nothing below is set),
  // else net::TlsOutcome's name.
  std::string outcome;
  bool handshakeRan = false;  // SSLRequest answered S and a handshake was tried
  bool completed = false;     // the handshake completed (protocol... are set)
  double elapsedMs = 0;
  std::vector<CertFacts> chain;  // leaf first
  std::string detail;            // why the handshake failed
  std::string protocol, cipher, alpn;
  bool hostChecked = false, hostMatches = false;
  std::vector<TlsVerifyError> verifyErrors;
  std::optional<long long> daysUntilExpiry;  // of the leaf
};

struct HandshakeFacts : Facts {
  std::string sslmode;
  std::string rootCert;  // "(none)" when libpq would have none
  std::vector<HandshakeProbeFacts> probes;
  nlohmann::json toJson() const override;
};

// One certificate as the JSON report and the bundle show it.
nlohmann::json certJson(const CertFacts& c);

}  // namespace pgreach::engine
