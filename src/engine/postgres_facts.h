#pragma once
// What pg.startup hands to pg.connect (which address answered, and whether it asked for
// no password) and what pg.connect learnt: one struct per check, one serialiser each (the
// JSON report's `data`, described in reports/schema/report.schema.json).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/facts.h"
#include "util/peer_text.h"

namespace pgreach::engine {

// The ErrorResponse a server sent (its text is the peer's).
struct PgErrorFacts {
  std::string severity, sqlstate;
  util::PeerText message;
  std::string fields;  // the field codes present, in wire order ("SVCMFLR")
};

struct StartupProbeFacts {
  std::string host;
  std::string address;
  uint16_t port = 0;
  bool tls = false;
  std::string outcome;    // "auth_request", "error", ...: checks::postgres StartupOutcome names
  std::string responder;  // "postgresql", "pgbouncer", ...
  long long elapsedMs = 0;
  std::optional<int32_t> authCode;  // the AuthenticationRequest code (0 = no password)
  std::string authMethod;           // set with authCode
  std::optional<PgErrorFacts> error;
};

struct StartupFacts : Facts {
  std::vector<StartupProbeFacts> probes;
  nlohmann::json toJson() const override;
};

struct ConnectFacts : Facts {
  double connectMs = 0;
  std::string credentials;              // "password", "passfile", "none (trust)"
  std::string hostaddr;                 // the address pg.startup saw answer ("" if none)
  std::optional<util::PeerText> error;  // libpq's message (with the server's) when the login failed, scrubbed
  bool loggedIn = false;                // the fields below are set only then
  util::PeerText serverVersion;         // the server's own text
  bool tls = false;
  std::string tlsProtocol, tlsCipher;  // with tls
  std::optional<double> select1Ms;

  nlohmann::json toJson() const override;
};

}  // namespace pgreach::engine
