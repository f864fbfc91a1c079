// tls.sslrequest: send PostgreSQL's 8-byte SSLRequest to every open address:port and
// read the one-byte answer, telling a Postgres that offers TLS (S), one that does not
// (N), a very old server (E), something that is not Postgres, and a tarpit apart.
#include <map>

#include "checks/common/tls_codes.h"
#include "checks/common/tls_common.h"
#include "engine/registry.h"
#include "engine/tls_facts.h"

namespace pgreach::checks::tls {
namespace {

using engine::CheckResult;
using engine::Finding;
using engine::Severity;

constexpr const char* kNoTlsFix =
    "Enable TLS on the server or pooler listening there (PgBouncer: client_tls_sslmode and a certificate), "
    "or "
    "connect to the port that offers TLS. libpq reports: \"server does not support SSL, but SSL was "
    "required\".";

// Whether the user connects to this port: the target's own port, or any port named with --ports.
bool userPort(const engine::CheckContext& ctx, uint16_t port) {
  if (!ctx.config().tcp.ports.empty()) return true;
  for (const auto& h : ctx.target().hosts()) {
    if (h.port == port) return true;
  }
  return false;
}

class SslRequestCheck final : public engine::Check {
 public:
  const engine::CheckInfo& info() const override {
    static const engine::CheckInfo kInfo = engine::withCodes(
        {kSslRequestId,
         engine::Stage::Tls,
         "Ask every open address:port for TLS with PostgreSQL's SSLRequest",
         {kTcpConnectId},
         engine::Millis(10000),
         {},
         /*runAfterFailedDependency=*/true},  // open ports of a partly dropped target
        engine::pickCodes(tlsCodes(),
                          {"tls.offered", "tls.not_supported", "tls.not_supported_other_port",
                           "tls.very_old_server", "tls.not_postgres", "tls.no_response",
                           "tls.connection_closed", "tls.reconnect_failed", "tls.unexpected_data"}));
    return kInfo;
  }

  CheckResult run(engine::CheckContext& ctx) override {
    CheckResult r;
    const auto probes = openProbes(ctx);
    if (probes.empty()) {
      r.status = engine::Status::Skip;
      r.summary = "no open address:port to ask";
      // Asked for, but nothing upstream was usable: undecided, not "nothing to check".
      r.stateOverride = util::ResultState::NotVerified;
      return r;
    }
    const auto deadline = ctx.now() + ctx.probeTimeout();
    std::vector<SslRequestOutcome> outcomes(probes.size());
    parallelFor(probes.size(), [&](size_t i) {
      // Injected bytes arrive with or right behind the S (same flight): 50 ms is enough to see them.
      outcomes[i] = sslRequest(probes[i], deadline, std::chrono::milliseconds(50));
    });

    const std::string sslmode = ctx.target().sslmode();
    std::map<SslReply, std::vector<std::string>> byReply;
    engine::SslRequestFacts facts;
    facts.sslmode = sslmode;
    int accepted = 0;
    for (size_t i = 0; i < probes.size(); ++i) {
      const auto& o = outcomes[i];
      facts.probes.push_back({probes[i].host, probes[i].address.toString(), probes[i].port,
                              std::string(toString(o.reply)), o.elapsedMs});
      byReply[o.reply].push_back(probes[i].label() + ": " + o.detail + " (" + std::to_string(o.elapsedMs) +
                                 " ms)");
      if (o.reply == SslReply::Accepted) ++accepted;
    }

    for (auto& [reply, lines] : byReply) {
      const std::string count = std::to_string(lines.size()) + " of " + std::to_string(probes.size());
      switch (reply) {
        case SslReply::Accepted:
          break;
        case SslReply::Refused: {
          // The sslmode decides only for the ports the user connects to (the target's
          // port, or --ports): a provider's extra pooler port without TLS is a warning.
          std::vector<std::string> blocking, other;
          for (size_t i = 0; i < probes.size(); ++i) {
            if (outcomes[i].reply != SslReply::Refused) continue;
            const std::string line = probes[i].label() + ": " + outcomes[i].detail;
            (userPort(ctx, probes[i].port) ? blocking : other).push_back(line);
          }
          if (!blocking.empty()) {
            const Severity sev = sslmodeRequiresTls(sslmode) ? Severity::Critical
                                 : sslmode == "disable"      ? Severity::Info
                                                             : Severity::Warning;
            r.findings.push_back(
                {"tls.not_supported", sev,
                 std::to_string(blocking.size()) + " of " + std::to_string(probes.size()) +
                     " address/port pair(s) answered N: no TLS" +
                     (sev == Severity::Critical
                          ? " although sslmode=" + sslmode + " requires it"
                          : std::string(" (sslmode=") + sslmode + " would go on unencrypted)"),
                 blocking, kNoTlsFix});
          }
          if (!other.empty()) {
            r.findings.push_back(
                {"tls.not_supported_other_port", Severity::Warning,
                 std::to_string(other.size()) + " of " + std::to_string(probes.size()) +
                     " address/port pair(s) on the provider's other ports answered N: no TLS there",
                 other, kNoTlsFix});
          }
          (void)lines;
          break;
        }
        case SslReply::VeryOld:
          r.findings.push_back(
              {"tls.very_old_server", Severity::Critical,
               count + " address/port pair(s) answered SSLRequest with an error (pre-7.0 server or "
                       "a proxy that does not understand it)",
               lines, "Check what listens on that port; upgrade the server or proxy."});
          break;
        case SslReply::Other:
          r.findings.push_back(
              {"tls.not_postgres", Severity::Critical,
               count + " address/port pair(s) answered with something that is not PostgreSQL", lines,
               "Another service listens on that port (libpq: \"received invalid response to SSL "
               "negotiation\"): check the port and the endpoint service's target."});
          break;
        case SslReply::NoResponse:
          r.findings.push_back(
              {"tls.no_response", Severity::Critical,
               count + " address/port pair(s) accepted TCP but never answered SSLRequest", lines,
               "Something accepts connections and then stays silent: a tarpit, a middlebox or a "
               "load balancer with no healthy target. libpq waits for connect_timeout. Check the "
               "endpoint service's targets and any proxy on the path."});
          break;
        case SslReply::Closed:
        case SslReply::Reset:
          r.findings.push_back(
              {"tls.connection_closed", Severity::Critical,
               count + " address/port pair(s) closed the connection on SSLRequest", lines,
               "A middlebox or a non-Postgres service closed the connection (libpq: \"server closed "
               "the connection unexpectedly\"): check what listens there."});
          break;
        case SslReply::Unreachable:
          r.findings.push_back({"tls.reconnect_failed", Severity::Warning,
                                count + " address/port pair(s) could not be reached again for the TLS probe",
                                lines,
                                "The port was open a moment ago: an unstable path or connection limits."});
          break;
        case SslReply::ExtraData:
          r.findings.push_back(
              {"tls.unexpected_data", Severity::Critical,
               count + " address/port pair(s) sent unencrypted bytes right after agreeing to TLS", lines,
               "Possible man-in-the-middle (libpq: \"received unencrypted data after SSL "
               "response\"): inspect every proxy between client and server."});
          break;
      }
    }
    if (accepted > 0) {
      r.findings.push_back({"tls.offered", Severity::Info,
                            std::to_string(accepted) + " of " + std::to_string(probes.size()) +
                                " address/port pair(s) offer TLS (replied S)",
                            byReply[SslReply::Accepted], ""});
    }
    r.setFacts(std::move(facts));
    sortBySeverity(r.findings);
    r.status = engine::statusFromFindings(r.findings);
    r.summary = std::to_string(accepted) + "/" + std::to_string(probes.size()) + " offer TLS";
    return r;
  }
};

engine::RegisterCheck<SslRequestCheck> registered;

}  // namespace
}  // namespace pgreach::checks::tls
