// tls.direct: PostgreSQL 17's direct TLS (ClientHello at once, ALPN "postgresql", no
// SSLRequest round trip). Reports which address:port pairs support it; servers before
// 17 close the connection. Only a problem when the target asks for sslnegotiation=direct.
#include "checks/common/tls_codes.h"
#include "checks/common/tls_common.h"
#include "engine/registry.h"
#include "engine/tls_facts.h"
#include "net/tls_client.h"

namespace pgreach::checks::tls {
namespace {

using engine::CheckResult;
using engine::Finding;
using engine::Severity;

class DirectTlsCheck final : public engine::Check {
 public:
  const engine::CheckInfo& info() const override {
    static const engine::CheckInfo kInfo = engine::withCodes(
        {"tls.direct",
         engine::Stage::Tls,
         "Try direct TLS (PostgreSQL 17+, ALPN postgresql) on every open address:port",
         {kTcpConnectId},
         engine::Millis(10000),
         {},
         /*runAfterFailedDependency=*/true},  // open ports of a partly dropped target
        engine::pickCodes(tlsCodes(),
                          {"tls.direct_unsupported", "tls.direct_no_alpn", "tls.direct_supported"}));
    return kInfo;
  }

  CheckResult run(engine::CheckContext& ctx) override {
    CheckResult r;
    const auto probes = openProbes(ctx);
    if (probes.empty()) {
      r.status = engine::Status::Skip;
      r.summary = "no open address:port to try";
      // Asked for, but nothing upstream was usable: undecided, not "nothing to check".
      r.stateOverride = util::ResultState::NotVerified;
      return r;
    }
    const bool wanted = ctx.target().option("sslnegotiation") == "direct";
    const auto deadline = ctx.now() + ctx.probeTimeout();
    std::vector<net::TlsHandshakeResult> results(probes.size());
    std::vector<std::string> connectErrors(probes.size());
    parallelFor(probes.size(), [&](size_t i) {
      util::Fd fd = net::connectWithDeadline(probes[i].address, probes[i].port, deadline, connectErrors[i]);
      if (!fd.valid()) return;
      net::Stream stream(std::move(fd));
      const std::string sni = net::isIpLiteral(probes[i].host) ? "" : probes[i].host;
      // Only what the server supports matters here; tls.handshake judges the certificate.
      results[i] = net::tlsHandshake(stream, {sni, {"postgresql"}, "", ""}, deadline);
    });

    std::vector<std::string> supported, noAlpn, unsupported;
    engine::DirectTlsFacts facts;
    facts.directTlsRequested = wanted;
    for (size_t i = 0; i < probes.size(); ++i) {
      const auto& h = results[i];
      std::string mode;
      const std::string where = probes[i].label();
      if (!connectErrors[i].empty()) {
        mode = "unreachable";
        unsupported.push_back(where + ": " + connectErrors[i]);
      } else if (h.outcome == net::TlsOutcome::Ok && h.alpn == "postgresql") {
        mode = "supported";
        supported.push_back(where + ": " + h.protocol + ", ALPN postgresql");
      } else if (h.outcome == net::TlsOutcome::Ok) {
        mode = "tls_without_alpn";
        noAlpn.push_back(where + ": " + h.protocol +
                         " completed but the server did not select ALPN postgresql");
      } else {
        mode = "unsupported";
        unsupported.push_back(where + ": " + std::string(toString(h.outcome)) + " (" + h.detail + ")");
      }
      facts.probes.push_back({probes[i].host, probes[i].address.toString(), probes[i].port, mode,
                              std::string(toString(h.outcome)), h.alpn,
                              static_cast<double>(h.elapsed.count()) / 1000.0});
    }
    const std::string of = " of " + std::to_string(probes.size());
    if (!unsupported.empty()) {
      r.findings.push_back({"tls.direct_unsupported", wanted ? Severity::Critical : Severity::Info,
                            std::to_string(unsupported.size()) + of +
                                " address/port pair(s) do not accept direct TLS" +
                                (wanted ? " although the target sets sslnegotiation=direct"
                                        : " (PostgreSQL before 17 or a pooler)"),
                            unsupported,
                            wanted ? "Use sslnegotiation=postgres (the default) or connect to a PostgreSQL "
                                     "17+ server or proxy that "
                                     "accepts direct TLS."
                                   : ""});
    }
    if (!noAlpn.empty()) {
      r.findings.push_back(
          {"tls.direct_no_alpn", wanted ? Severity::Critical : Severity::Info,
           std::to_string(noAlpn.size()) + of +
               " address/port pair(s) speak TLS directly but without ALPN postgresql (libpq 17 "
               "refuses such servers)",
           noAlpn, "Something other than PostgreSQL terminates TLS there: check the port."});
    }
    if (!supported.empty()) {
      r.findings.push_back({"tls.direct_supported", Severity::Info,
                            std::to_string(supported.size()) + of + " address/port pair(s) accept direct TLS",
                            supported, ""});
    }
    r.setFacts(std::move(facts));
    sortBySeverity(r.findings);
    r.status = engine::statusFromFindings(r.findings);
    r.summary = std::to_string(supported.size()) + "/" + std::to_string(probes.size()) + " accept direct TLS";
    return r;
  }
};

engine::RegisterCheck<DirectTlsCheck> registered;

}  // namespace
}  // namespace pgreach::checks::tls
