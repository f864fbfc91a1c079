#include "engine/postgres_facts.h"

namespace pgreach::engine {

nlohmann::json StartupFacts::toJson() const {
  nlohmann::json ps = nlohmann::json::array();
  for (const auto& p : probes) {
    nlohmann::json pj = {
        {"host", p.host},       {"address", p.address},     {"port", p.port},           {"tls", p.tls},
        {"outcome", p.outcome}, {"responder", p.responder}, {"elapsed_ms", p.elapsedMs}};
    if (p.authCode) {
      pj["auth_code"] = *p.authCode;
      pj["auth_method"] = p.authMethod;
    }
    if (p.error) {
      pj["error"] = {{"severity", p.error->severity},
                     {"sqlstate", p.error->sqlstate},
                     {"message", p.error->message.raw()},
                     {"fields", p.error->fields}};
    }
    ps.push_back(std::move(pj));
  }
  return {{"probes", ps}};
}

nlohmann::json ConnectFacts::toJson() const {
  nlohmann::json j{{"connect_ms", connectMs}, {"credentials", credentials}};
  if (!hostaddr.empty()) j["hostaddr"] = hostaddr;
  if (error) j["error"] = error->raw();
  if (loggedIn) {
    j["server_version"] = serverVersion.raw();
    j["tls"] = tls;
    if (tls) {
      j["tls_protocol"] = tlsProtocol;
      j["tls_cipher"] = tlsCipher;
    }
    if (select1Ms) j["select1_ms"] = *select1Ms;
  }
  return j;
}

}  // namespace pgreach::engine
