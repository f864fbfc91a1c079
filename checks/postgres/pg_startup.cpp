// pg.startup: who answers on each address:port, without any password. Sends a
// StartupMessage over the channel libpq would use (TLS after S, plain after N when the
// sslmode allows it), reads the first reply and names the auth method, or classifies
// the ErrorResponse: PostgreSQL, PgBouncer, the Neon proxy or the PlanetScale proxy.
// Depends on tls.sslrequest (it needs the S/N answers) and runs after tls.handshake,
// skipping itself when that check failed: nothing is sent over a channel the TLS stage
// rejected.
#include <map>

#include "checks/postgres/classify.h"
#include "checks/postgres/codes.h"
#include "checks/postgres/startup_probe.h"
#include "engine/postgres_facts.h"
#include "engine/registry.h"
#include "engine/tls_facts.h"
#include "net/tls_client.h"
#include "util/peer_text.h"

namespace pgreach::checks::postgres {
namespace {

using engine::CheckResult;
using engine::Finding;
using engine::Severity;

void addOrMerge(std::vector<Finding>& all, Finding f) {
  for (auto& e : all) {
    if (e.code == f.code) {
      for (auto& line : f.evidence) {
        if (e.evidence.size() < 40) e.evidence.push_back(std::move(line));
      }
      if (f.severity > e.severity) e.severity = f.severity;
      return;
    }
  }
  all.push_back(std::move(f));
}

std::string errorEvidence(const net::pgwire::ErrorFields& e) {
  return e.severity() + " " + e.sqlstate() + ": " + util::PeerText(e.message()).shown() + " [fields " +
         e.codes() + "]";
}

class StartupCheck final : public engine::Check {
 public:
  const engine::CheckInfo& info() const override {
    static const engine::CheckInfo kInfo =
        engine::withCodes({"pg.startup",
                           engine::Stage::Postgres,
                           "Send a StartupMessage without a password: who answers, which auth method",
                           {kSslRequestId},
                           engine::Millis(10000),
                           {kHandshakeId}},
                          classifiedCodes({"pg.no_hba_public_address", "pg.startup_rejected", "pg.trust_auth",
                                           "pg.cleartext_password", "pg.malformed_message", "pg.not_postgres",
                                           "pg.no_response", "pg.startup_unreachable",
                                           "pg.pgbouncer_answered", "pg.provider_proxy", "pg.alive"}));
    return kInfo;
  }

  CheckResult run(engine::CheckContext& ctx) override {
    CheckResult r;
    if (const auto* hs = ctx.dependency(kHandshakeId); hs && hs->status == engine::Status::Fail) {
      r.status = engine::Status::Skip;
      r.summary = "skipped: the TLS handshake check failed (see the TLS stage)";
      // Asked for, but nothing upstream was usable: undecided, not "nothing to check".
      r.stateOverride = util::ResultState::NotVerified;
      return r;
    }
    const auto& target = ctx.target();
    const std::string sslmode = target.sslmode();
    struct Job {
      OpenProbe probe;
      bool useTls = false;
    };
    std::vector<Job> jobs;
    const auto* srResult = ctx.dependency(kSslRequestId);
    if (const auto* sr = srResult ? srResult->factsAs<engine::SslRequestFacts>() : nullptr) {
      for (const auto& p : sr->probes) {
        auto addr = net::IpAddress::parse(p.address);
        if (!addr) continue;
        const std::string& reply = p.reply;
        Job j{{p.host, *addr, p.port}, false};
        if (reply == "S" && sslmode != "disable")
          j.useTls = true;
        else if (reply == "S" || (reply == "N" && !sslmodeRequiresTls(sslmode)))
          j.useTls = false;
        else
          continue;  // libpq would not get this far either
        jobs.push_back(j);
        if (jobs.size() >= 32) break;
      }
    }
    if (jobs.empty()) {
      r.status = engine::Status::Skip;
      r.summary = "no address:port where libpq would send a StartupMessage";
      // Asked for, but nothing upstream was usable: undecided, not "nothing to check".
      r.stateOverride = util::ResultState::NotVerified;
      return r;
    }

    const auto deadline = ctx.now() + ctx.probeTimeout();
    std::vector<StartupResult> results(jobs.size());
    std::vector<std::optional<StartupResult>> fingerprints(jobs.size());
    parallelFor(jobs.size(), [&](size_t i) {
      StartupParams params;
      params.user = target.user();
      params.database = target.dbname();
      params.useTls = jobs[i].useTls;
      params.sslRequestFirst = !jobs[i].useTls && sslmode != "disable";
      params.sni =
          (target.option("sslsni") == "0" || net::isIpLiteral(jobs[i].probe.host)) ? "" : jobs[i].probe.host;
      results[i] = startupProbe(jobs[i].probe, params, deadline);
      // An auth request does not say who asked. PgBouncer vets startup parameters before
      // authentication ("unsupported startup parameter"), PostgreSQL only after it: an
      // unknown parameter tells them apart without any password.
      if (results[i].outcome == StartupOutcome::AuthRequest) {
        params.extra = {{"pgreach_fingerprint", "1"}};
        fingerprints[i] = startupProbe(jobs[i].probe, params, deadline);
      }
    });

    engine::StartupFacts facts;
    std::vector<std::string> alive;
    for (size_t i = 0; i < jobs.size(); ++i) {
      auto& res = results[i];
      const std::string where = jobs[i].probe.label() + (res.tls ? " (TLS)" : " (plain)");
      if (fingerprints[i] && fingerprints[i]->outcome == StartupOutcome::Error && fingerprints[i]->error) {
        const auto fp = net::pgwire::classifyResponder(*fingerprints[i]->error);
        const std::string msg = fingerprints[i]->error->message();
        if (fp == net::pgwire::Responder::PgBouncer &&
            (msg.find("unsupported startup parameter") != std::string::npos ||
             msg.find("no such database") != std::string::npos)) {
          res.responder = net::pgwire::Responder::PgBouncer;
        } else if (fp != net::pgwire::Responder::Unknown) {
          res.responder = fp;
        }
      } else if (fingerprints[i] && fingerprints[i]->outcome == StartupOutcome::AuthRequest &&
                 res.responder == net::pgwire::Responder::Unknown) {
        res.responder =
            net::pgwire::Responder::PostgreSQL;  // PgBouncer would have refused the unknown database
      }
      engine::StartupProbeFacts pj;
      pj.host = jobs[i].probe.host;
      pj.address = jobs[i].probe.address.toString();
      pj.port = jobs[i].probe.port;
      pj.tls = res.tls;
      pj.outcome = toString(res.outcome);
      pj.responder = net::pgwire::toString(res.responder);
      pj.elapsedMs = res.elapsedMs;
      if (res.auth) {
        pj.authCode = res.auth->code;
        pj.authMethod = res.auth->describe();
      }
      if (res.error) {
        pj.error = engine::PgErrorFacts{res.error->severity(), res.error->sqlstate(),
                                        util::PeerText(res.error->message()), res.error->codes()};
      }
      facts.probes.push_back(std::move(pj));

      switch (res.outcome) {
        case StartupOutcome::AuthRequest:
        case StartupOutcome::NegotiateVersion: {
          alive.push_back(where + ": " + res.detail + ", answered by " +
                          std::string(net::pgwire::toString(res.responder)));
          if (res.auth && res.auth->method == net::pgwire::AuthMethod::Ok) {
            addOrMerge(r.findings, {"pg.trust_auth",
                                    Severity::Warning,
                                    "the server let user \"" + target.user() + "\" in without any password",
                                    {where},
                                    "Require scram-sha-256 in pg_hba.conf for network connections."});
          }
          if (res.auth && res.auth->method == net::pgwire::AuthMethod::Cleartext && !res.tls) {
            addOrMerge(r.findings, {"pg.cleartext_password",
                                    Severity::Warning,
                                    "the server asks for a cleartext password over an unencrypted connection",
                                    {where},
                                    "Use TLS (sslmode=verify-full) and scram-sha-256."});
          }
          break;
        }
        case StartupOutcome::Error: {
          const auto cls = classifyConnectError(res.error->message(), res.error->sqlstate());
          std::vector<std::string> ev = {where + ": " + errorEvidence(*res.error),
                                         "answered by " + std::string(net::pgwire::toString(res.responder))};
          if (cls.code == "pg.no_hba_entry" && !cls.seenAddress.empty()) {
            ev.push_back("the server saw the client as " + cls.seenAddress);
            if (seenFromOutside(cls.seenAddress, ctx.config().dns.vpcCidrs)) {
              addOrMerge(
                  r.findings,
                  {"pg.no_hba_public_address", Severity::Critical,
                   "the server saw the client as " + cls.seenAddress +
                       ", outside the private network: the connection did not take the private path",
                   ev,
                   "Make the hostname resolve to the private endpoint (private DNS on the VPC endpoint / "
                   "private DNS zone link) so traffic stays inside the VPC."});
            }
          }
          const std::string code = cls.code == "pg.connect_failed" ? "pg.startup_rejected" : cls.code;
          addOrMerge(r.findings, {code, Severity::Critical,
                                  cls.code == "pg.connect_failed" ? "the server rejected the StartupMessage"
                                                                  : cls.summary,
                                  ev, cls.fix});
          break;
        }
        case StartupOutcome::Malformed:
          addOrMerge(r.findings,
                     {"pg.malformed_message",
                      Severity::Critical,
                      "the reply to StartupMessage is not a valid PostgreSQL message",
                      {where + ": " + res.detail},
                      "Something other than PostgreSQL (or a hostile proxy) answers on this port."});
          break;
        case StartupOutcome::NotPostgres:
          addOrMerge(r.findings, {"pg.not_postgres",
                                  Severity::Critical,
                                  "what answers the StartupMessage is not PostgreSQL",
                                  {where + ": " + res.detail},
                                  "Check the port and what listens there."});
          break;
        case StartupOutcome::NoResponse:
          addOrMerge(r.findings, {"pg.no_response",
                                  Severity::Critical,
                                  "no reply to the StartupMessage",
                                  {where + ": " + res.detail},
                                  "A stalled server or proxy: check the endpoint's targets."});
          break;
        case StartupOutcome::Closed:
          addOrMerge(r.findings, {"pg.connection_closed",
                                  Severity::Critical,
                                  "the connection closed before the server answered the StartupMessage",
                                  {where + ": " + res.detail},
                                  "A middlebox or a non-Postgres service closed it: check the port."});
          break;
        case StartupOutcome::TlsFailed:
        case StartupOutcome::Unreachable:
          addOrMerge(r.findings, {"pg.startup_unreachable",
                                  Severity::Warning,
                                  "could not reach the server again for the startup probe",
                                  {where + ": " + res.detail},
                                  "An unstable path: probe again."});
          break;
      }
      if (res.responder == net::pgwire::Responder::PgBouncer) {
        addOrMerge(r.findings,
                   {"pg.pgbouncer_answered", Severity::Info, "PgBouncer answers on this port", {where}, ""});
      } else if (res.responder == net::pgwire::Responder::NeonProxy ||
                 res.responder == net::pgwire::Responder::PlanetScaleProxy) {
        addOrMerge(r.findings, {"pg.provider_proxy",
                                Severity::Info,
                                "the provider's proxy answers (" +
                                    std::string(net::pgwire::toString(res.responder)) + ")",
                                {where},
                                ""});
      }
    }
    if (!alive.empty()) {
      r.findings.push_back({"pg.alive", Severity::Info,
                            std::to_string(alive.size()) + " of " + std::to_string(jobs.size()) +
                                " address/port pair(s) answered the StartupMessage with an auth request",
                            alive, ""});
    }
    r.setFacts(std::move(facts));
    sortBySeverity(r.findings);
    r.status = engine::statusFromFindings(r.findings);
    r.summary = std::to_string(alive.size()) + "/" + std::to_string(jobs.size()) + " alive";
    return r;
  }
};

engine::RegisterCheck<StartupCheck> registered;

}  // namespace
}  // namespace pgreach::checks::postgres
