#include "engine/tls_facts.h"

namespace pgreach::engine {

nlohmann::json certJson(const CertFacts& c) {
  return {{"subject", c.subject},      {"issuer", c.issuer},      {"sans", c.sans},
          {"not_before", c.notBefore}, {"not_after", c.notAfter}, {"key_type", c.keyType},
          {"key_bits", c.keyBits},     {"sha256", c.sha256},      {"self_signed", c.selfSigned}};
}

nlohmann::json SslRequestFacts::toJson() const {
  nlohmann::json ps = nlohmann::json::array();
  for (const auto& p : probes) {
    ps.push_back({{"host", p.host},
                  {"address", p.address},
                  {"port", p.port},
                  {"reply", p.reply},
                  {"elapsed_ms", p.elapsedMs}});
  }
  return {{"sslmode", sslmode}, {"probes", ps}};
}

nlohmann::json DirectTlsFacts::toJson() const {
  nlohmann::json ps = nlohmann::json::array();
  for (const auto& p : probes) {
    ps.push_back({{"host", p.host},
                  {"address", p.address},
                  {"port", p.port},
                  {"direct_tls", p.directTls},
                  {"outcome", p.outcome},
                  {"alpn", p.alpn},
                  {"elapsed_ms", p.elapsedMs}});
  }
  return {{"direct_tls_requested", directTlsRequested}, {"probes", ps}};
}

nlohmann::json HandshakeFacts::toJson() const {
  nlohmann::json ps = nlohmann::json::array();
  for (const auto& p : probes) {
    nlohmann::json pj = {
        {"host", p.host}, {"address", p.address}, {"port", p.port}, {"sni", p.sni}, {"outcome", p.outcome}};
    if (p.handshakeRan) {
      pj["elapsed_ms"] = p.elapsedMs;
      pj["chain"] = nlohmann::json::array();
      for (const auto& c : p.chain) pj["chain"].push_back(certJson(c));
      if (!p.completed) {
        pj["detail"] = p.detail;
      } else {
        pj["protocol"] = p.protocol;
        pj["cipher"] = p.cipher;
        pj["alpn"] = p.alpn;
        pj["host_checked"] = p.hostChecked;
        pj["host_matches"] = p.hostMatches;
        pj["verify_errors"] = nlohmann::json::array();
        for (const auto& e : p.verifyErrors)
          pj["verify_errors"].push_back({{"depth", e.depth}, {"code", e.code}, {"text", e.text}});
        if (p.daysUntilExpiry) pj["days_until_expiry"] = *p.daysUntilExpiry;
      }
    }
    ps.push_back(std::move(pj));
  }
  return {{"sslmode", sslmode}, {"root_cert", rootCert}, {"probes", ps}};
}

}  // namespace pgreach::engine
