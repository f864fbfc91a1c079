#pragma once
// Golden reports are built from partial `data` shapes (only what a renderer reads). The
// renderers read typed facts, so these helpers fill the typed fields from that JSON and
// keep showing exactly that JSON as `data`: the golden files stay as they were, and the
// real serialisers are tested against the checks' own shapes elsewhere
// (tests/src/engine/facts_test.cpp).
#include <memory>
#include <utility>

#include "engine/dns_facts.h"
#include "engine/result.h"
#include "engine/tcp_facts.h"
#include "engine/tls_facts.h"

namespace pgreach::testing {

// Typed facts that show the result's own `data` as their JSON.
template <class F>
void setShownFacts(engine::CheckResult& c, F typed) {
  c.facts = std::make_shared<engine::ShownFacts>(std::make_shared<const F>(std::move(typed)), c.data);
}

// Typed facts for the synthetic dns.resolve, tcp.connect and tls.handshake results,
// from their `data`.
inline engine::CheckResult withSyntheticFacts(engine::CheckResult c) {
  const auto& d = c.data;
  if (c.id == "dns.resolve" && (d.contains("addresses") || d.contains("given"))) {
    engine::DnsResolveFacts f;
    if (d.contains("addresses")) {
      for (const auto& a : d["addresses"])
        f.addresses.push_back({a.value("host", ""), a.value("address", ""), a.value("family", "")});
    }
    if (d.contains("given")) {
      for (const auto& g : d["given"]) f.given.push_back(g.get<std::string>());
    }
    setShownFacts(c, std::move(f));
  } else if (c.id == "tcp.connect" && d.contains("probes")) {
    engine::TcpConnectFacts f;
    for (const auto& p : d["probes"]) {
      engine::TcpProbeFacts t;
      t.host = p.value("host", "");
      t.address = p.value("address", "");
      t.port = p.value("port", uint16_t{0});
      t.outcome = p.value("outcome", "");
      t.elapsedMs = p.value("elapsed_ms", 0.0);
      f.probes.push_back(std::move(t));
    }
    setShownFacts(c, std::move(f));
  } else if (c.id == "tls.handshake" && d.contains("probes")) {
    engine::HandshakeFacts f;
    f.sslmode = d.value("sslmode", "");
    for (const auto& p : d["probes"]) {
      engine::HandshakeProbeFacts t;
      t.host = p.value("host", "");
      t.address = p.value("address", "");
      t.port = p.value("port", uint16_t{0});
      t.handshakeRan = p.contains("chain");
      for (const auto& cert : p.value("chain", nlohmann::json::array())) {
        engine::CertFacts ci;
        ci.subject = cert.value("subject", "");
        ci.notAfter = cert.value("not_after", "");
        t.chain.push_back(std::move(ci));
      }
      f.probes.push_back(std::move(t));
    }
    setShownFacts(c, std::move(f));
  }
  return c;
}

}  // namespace pgreach::testing
