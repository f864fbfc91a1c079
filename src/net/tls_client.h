#pragma once
// A TLS client handshake on an already connected non-blocking socket, bounded by a
// deadline, that records everything a diagnosis needs (protocol, cipher, ALPN, the
// chain, every verification error) instead of stopping at the first failure.
#include <ctime>
#include <string>
#include <vector>

#include "net/stream.h"

namespace pgreach::net {

struct CertInfo {
  std::string subject;
  std::string issuer;
  std::vector<std::string> sans;  // "DNS:name", "IP:addr"
  std::string notBefore;          // ISO 8601 UTC
  std::string notAfter;
  long long notBeforeEpoch = 0;
  long long notAfterEpoch = 0;
  std::string keyType;  // "RSA", "EC", "ED25519"...
  int keyBits = 0;
  std::string sha256;  // hex, colon separated
  bool selfSigned = false;
};

struct TlsClientOptions {
  std::string sni;                // "" = send none (IP literal, sslsni=0)
  std::vector<std::string> alpn;  // e.g. {"postgresql"}
  std::string rootCert;           // file; "system" = OpenSSL's default store; "" = verify nothing
  std::string verifyHost;         // name or IP the leaf must match ("" = no check)
};

enum class TlsOutcome {
  Ok,             // handshake completed (verification results are separate)
  Timeout,        // no progress before the deadline
  Closed,         // the peer closed the connection during the handshake
  Reset,          // the peer reset the connection
  ProtocolError,  // TLS alert or garbage
  LocalError,     // our own setup failed (bad CA file...)
};
std::string_view toString(TlsOutcome o);

struct VerifyError {
  int depth = 0;
  int code = 0;  // X509_V_ERR_*
  std::string text;
};

struct TlsHandshakeResult {
  TlsOutcome outcome = TlsOutcome::LocalError;
  std::string detail;
  std::string protocol;     // "TLSv1.3"
  int protocolVersion = 0;  // TLS1_2_VERSION...
  std::string cipher;
  std::string alpn;                       // negotiated, "" = none
  std::vector<CertInfo> chain;            // leaf first, as the server sent it
  std::vector<VerifyError> verifyErrors;  // empty and rootCert set = chain trusted
  bool hostChecked = false;
  bool hostMatches = false;
  std::chrono::microseconds elapsed{0};
};

// Runs the handshake over `stream` (which must be plain). On success the stream
// carries the TLS session afterwards.
TlsHandshakeResult tlsHandshake(Stream& stream, const TlsClientOptions& options, Deadline deadline);

// Whether `text` is an IPv4/IPv6 literal (no SNI is sent for those, as libpq does).
bool isIpLiteral(const std::string& text);

}  // namespace pgreach::net
