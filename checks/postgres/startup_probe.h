#pragma once
// One unauthenticated StartupMessage exchange: connect (optionally upgrade to TLS via
// SSLRequest), send StartupMessage, read the first meaningful reply, send Terminate.
// Never sends a password. Everything bounded by the deadline and by
// net::pgwire::kMaxMessageLength, so hostile servers end in an outcome, not a hang.
#include <optional>
#include <string>
#include <vector>

#include "checks/common/tls_common.h"
#include "net/pgwire.h"

namespace pgreach::checks::postgres {

enum class StartupOutcome {
  AuthRequest,       // R: alive, names the auth method
  Error,             // E: rejected at startup
  NegotiateVersion,  // v: alive, protocol negotiation
  Malformed,         // length/type nonsense (hostile or not Postgres)
  NotPostgres,       // bytes that are no backend message at all
  NoResponse,        // nothing before the deadline
  Closed,            // closed/reset without a complete message
  TlsFailed,         // could not upgrade to TLS
  Unreachable,       // could not connect
};
std::string_view toString(StartupOutcome o);

struct StartupResult {
  StartupOutcome outcome = StartupOutcome::Unreachable;
  std::string detail;
  bool tls = false;
  std::optional<net::pgwire::AuthRequest> auth;
  std::optional<net::pgwire::ErrorFields> error;
  net::pgwire::Responder responder = net::pgwire::Responder::Unknown;
  size_t bytesReceived = 0;
  long long elapsedMs = 0;
};

struct StartupParams {
  std::string user;
  std::string database;
  std::string applicationName = "pgreach";
  bool useTls = false;  // SSLRequest first, then TLS
  // Plain, but after an SSLRequest answered N on the same connection, as libpq does for
  // sslmode=prefer/allow (disable sends the StartupMessage at once).
  bool sslRequestFirst = false;
  std::string sni;                                         // for the TLS upgrade
  std::vector<std::pair<std::string, std::string>> extra;  // more startup parameters
};

// Runs the exchange against probe.address:probe.port.
StartupResult startupProbe(const OpenProbe& probe, const StartupParams& params, net::Deadline deadline);

// The exchange over an already connected stream (plain or TLS): for tests and reuse.
StartupResult startupOverStream(net::Stream& stream, const StartupParams& params, net::Deadline deadline);

}  // namespace pgreach::checks::postgres
