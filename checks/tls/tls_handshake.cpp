// tls.handshake: for every address:port that answered S to SSLRequest, complete a TLS
// handshake (SNI = the host the user connects to), record protocol, cipher, ALPN and
// the chain, and judge the certificate the way the target's sslmode would.
#include <sys/socket.h>

#include <algorithm>
#include <ctime>
#include <optional>

#include "checks/common/tls_codes.h"
#include "checks/common/tls_common.h"
#include "checks/tls/cert_eval.h"
#include "checks/tls/mss_verdict.h"
#include "engine/registry.h"
#include "engine/tls_facts.h"
#include "net/clock_sync.h"
#include "net/tls_client.h"
#include "target/provider_profile.h"
#include "util/peer_text.h"

namespace pgreach::checks::tls {
namespace {

using engine::CheckResult;
using engine::Finding;
using engine::Severity;

// One finding per code, evidence from every address merged (two ENIs, same cert).
void mergeInto(std::vector<Finding>& all, std::vector<Finding> more) {
  for (auto& f : more) {
    bool merged = false;
    for (auto& existing : all) {
      if (existing.code != f.code) continue;
      for (auto& e : f.evidence) {
        if (existing.evidence.size() < 40) existing.evidence.push_back(std::move(e));
      }
      if (f.severity > existing.severity) existing.severity = f.severity;
      merged = true;
      break;
    }
    if (!merged) all.push_back(std::move(f));
  }
}

// The MSS values a stalled handshake is retried with, smallest first: 536 is the minimum
// every IPv4 path carries; 1200 and 1360 fit common VPN and tunnel MTUs.
constexpr int kRetryMss[] = {536, 1200, 1360};

// Retries a handshake that stalled after the server agreed to TLS, each time announcing
// a larger MSS, until one stalls too. If the server's flight arrives once its segments
// are small, large packets are lost on the path (a path-MTU black hole); if it stalls
// at 536 as well, the server (or a proxy) stalls. Bounded by the check's time left: the
// first retry gets a probe timeout, the next ones a multiple of what the first took.
std::vector<MssTry> retryWithSmallerMss(engine::CheckContext& ctx, const OpenProbe& probe,
                                        const net::TlsClientOptions& opts) {
  std::vector<MssTry> tries;
  auto limit = ctx.probeTimeout();
  // One handshake announcing `mss` (0: the default), waiting at most `limit`.
  auto attempt = [&](int mss) -> std::optional<MssTry> {
    limit = std::min(limit, ctx.remaining());
    if (limit < std::chrono::milliseconds(50)) return std::nullopt;
    const auto deadline = ctx.now() + limit;
    MssTry t;
    t.mss = mss;
    const auto start = std::chrono::steady_clock::now();
    auto request = sslRequest(probe, deadline, std::chrono::milliseconds(0), mss);
    if (request.reply == SslReply::Accepted) {
      auto h = net::tlsHandshake(request.stream, opts, deadline);
      t.arrived = h.outcome == net::TlsOutcome::Ok || h.outcome == net::TlsOutcome::ProtocolError;
      t.detail = t.arrived ? std::string(toString(h.outcome)) : h.detail;
    } else {
      t.detail = "SSLRequest: " + request.detail;
    }
    t.ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start)
               .count();
    return t;
  };
  for (int mss : kRetryMss) {
    auto t = attempt(mss);
    if (!t) break;
    tries.push_back(*t);
    if (!t->arrived) break;
    // A larger MSS that still loses packets stalls: wait for it a few times what the
    // small one took, not a whole probe timeout.
    limit = std::max(std::chrono::milliseconds(300), std::chrono::milliseconds(4 * t->ms + 100));
  }
  // The control: the default MSS once more. Only if it stalls again did the MSS change the
  // outcome; a server that was merely slow the first time (a loaded machine, a busy
  // postmaster) completes now and is no MTU black hole.
  const bool smallerWorked =
      std::any_of(tries.begin(), tries.end(), [](const MssTry& t) { return t.arrived; });
  if (smallerWorked) {
    if (auto control = attempt(0)) tries.push_back(*control);
  }
  return tries;
}

std::string sniFor(const engine::CheckContext& ctx, const std::string& host) {
  if (ctx.target().option("sslsni") == "0") return "";
  return net::isIpLiteral(host) ? "" : host;
}

class HandshakeCheck final : public engine::Check {
 public:
  const engine::CheckInfo& info() const override {
    static const engine::CheckInfo kInfo = engine::withCodes(
        {kHandshakeId,
         engine::Stage::Tls,
         "Complete the TLS handshake after SSLRequest and judge the certificate",
         {kSslRequestId},
         engine::Millis(10000),
         {kTcpConnectId}},
        engine::pickCodes(
            tlsCodes(),
            {"tls.weak_sslmode", "tls.sni_impossible", "tls.sslrequest_changed", "tls.root_cert_unreadable",
             "tls.handshake_timeout", "tls.path_mtu_blackhole", "tls.handshake_failed", "tls.handshake_ok",
             "tls.no_certificate", "tls.cert_expired", "tls.cert_not_yet_valid", "tls.cert_expiring",
             "tls.cert_untrusted", "tls.cert_invalid", "tls.no_root_cert", "tls.cert_wrong_host",
             "tls.old_protocol", "tls.weak_key"}));
    return kInfo;
  }

  CheckResult run(engine::CheckContext& ctx) override {
    CheckResult r;
    std::vector<OpenProbe> probes;
    const engine::CheckResult* srResult = ctx.dependency(kSslRequestId);
    if (const auto* sr = srResult ? srResult->factsAs<engine::SslRequestFacts>() : nullptr) {
      for (const auto& p : sr->probes) {
        if (p.reply != toString(SslReply::Accepted)) continue;
        auto addr = net::IpAddress::parse(p.address);
        if (!addr) continue;
        probes.push_back({p.host, *addr, p.port});
        if (probes.size() >= 32) break;
      }
    }
    const auto& target = ctx.target();
    const std::string sslmode = target.sslmode();
    const target::ProviderProfile& profile = target::profileOf(target.provider());
    const bool provider = profile.managed;
    if (provider &&
        (sslmode == "disable" || sslmode == "allow" || sslmode == "prefer" || sslmode == "require")) {
      r.findings.push_back(
          {"tls.weak_sslmode",
           Severity::Warning,
           "sslmode=" + sslmode +
               " does not verify the server: a spoofed endpoint would get the "
               "password",
           {"target sslmode: " + sslmode + (target.isExplicit("sslmode") ? "" : " (libpq default)")},
           "Use sslmode=verify-full with the provider's CA (sslrootcert=system for public CAs)."});
    }
    const std::string host = target.primary().name();
    if (net::isIpLiteral(host) && profile.sni.required) {
      const auto& option = profile.sni.endpointOption;
      const bool endpointOption =
          !option.empty() && target.option("options").find(option) != std::string::npos;
      r.findings.push_back({"tls.sni_impossible",
                            endpointOption ? Severity::Info : Severity::Critical,
                            std::string(profile.sni.summary),
                            {"host " + host + " is an IP literal"},
                            std::string(profile.sni.fix)});
    }
    if (probes.empty()) {
      sortBySeverity(r.findings);
      r.status = r.findings.empty() ? engine::Status::Skip : engine::statusFromFindings(r.findings);
      r.summary = "no address:port offered TLS";
      return r;
    }

    const std::string rootCert = rootCertFor(target);
    const auto deadline = ctx.now() + ctx.probeTimeout();
    struct PerProbe {
      SslRequestOutcome request;
      net::TlsHandshakeResult handshake;
      std::string sni;
      std::vector<MssTry> mssTries;  // when the handshake stalled
    };
    std::vector<PerProbe> results(probes.size());
    parallelFor(probes.size(), [&](size_t i) {
      auto& pr = results[i];
      pr.request = sslRequest(probes[i], deadline);
      if (pr.request.reply != SslReply::Accepted) return;
      pr.sni = sniFor(ctx, probes[i].host);
      net::TlsClientOptions opts{pr.sni, {"postgresql"}, rootCert, probes[i].host};
      pr.handshake = net::tlsHandshake(pr.request.stream, opts, deadline);
      if (pr.handshake.outcome == net::TlsOutcome::Timeout)
        pr.mssTries = retryWithSmallerMss(ctx, probes[i], opts);
    });

    const long long now = static_cast<long long>(std::time(nullptr));
    const std::optional<bool> clockSynced = net::systemClockSynchronised();
    int ok = 0;
    engine::HandshakeFacts facts;
    facts.sslmode = sslmode;
    facts.rootCert = rootCert.empty() ? "(none)" : rootCert;
    std::vector<std::string> okLines;
    for (size_t i = 0; i < probes.size(); ++i) {
      const auto& pr = results[i];
      const auto& h = pr.handshake;
      const std::string where = probes[i].label();
      engine::HandshakeProbeFacts pj;
      pj.host = probes[i].host;
      pj.address = probes[i].address.toString();
      pj.port = probes[i].port;
      pj.sni = pr.sni;
      if (pr.request.reply != SslReply::Accepted) {
        pj.outcome = "sslrequest_" + std::string(toString(pr.request.reply));
        facts.probes.push_back(std::move(pj));
        mergeInto(r.findings, {{"tls.sslrequest_changed",
                                Severity::Warning,
                                "the server's answer to SSLRequest changed between probes",
                                {where + ": " + pr.request.detail},
                                "An unstable path or server: probe again."}});
        continue;
      }
      pj.outcome = toString(h.outcome);
      pj.handshakeRan = true;
      pj.elapsedMs = static_cast<double>(h.elapsed.count()) / 1000.0;
      for (const auto& c : h.chain) {
        pj.chain.push_back({c.subject, c.issuer, c.sans, c.notBefore, c.notAfter, c.keyType, c.keyBits,
                            c.sha256, c.selfSigned});
      }
      if (h.outcome != net::TlsOutcome::Ok) {
        pj.detail = h.detail;
        facts.probes.push_back(std::move(pj));
        if (h.outcome == net::TlsOutcome::LocalError) {
          mergeInto(r.findings, {{"tls.root_cert_unreadable",
                                  Severity::Critical,
                                  "the trust store given in sslrootcert cannot be used",
                                  {h.detail},
                                  "Fix the sslrootcert path (a PEM file of CA certificates)."}});
        } else if (h.outcome == net::TlsOutcome::Timeout) {
          mergeInto(r.findings, {stalledHandshake(probes[i], h.detail, pr.mssTries)});
        } else {
          mergeInto(r.findings,
                    {{"tls.handshake_failed",
                      Severity::Critical,
                      "the TLS handshake failed (" + std::string(toString(h.outcome)) + ")",
                      {where + ": " + h.detail},
                      "Check the server's TLS configuration (protocol versions, ciphers) and any TLS "
                      "proxy on the path."}});
        }
        continue;
      }
      ++ok;
      pj.completed = true;
      pj.protocol = h.protocol;
      pj.cipher = h.cipher;
      pj.alpn = h.alpn;
      pj.hostChecked = h.hostChecked;
      pj.hostMatches = h.hostMatches;
      for (const auto& e : h.verifyErrors) pj.verifyErrors.push_back({e.depth, e.code, e.text});
      if (!h.chain.empty()) pj.daysUntilExpiry = daysUntil(now, h.chain.front().notAfterEpoch);
      facts.probes.push_back(std::move(pj));

      CertJudgement j;
      j.sslmode = sslmode;
      j.host = probes[i].host;
      j.rootCertKnown = !rootCert.empty();
      j.rootCert = rootCert;
      j.providerTarget = provider;
      j.handshake = h;
      j.nowEpoch = now;
      j.certWarnDays = ctx.config().tls.certWarnDays;
      j.clockSynchronised = clockSynced;
      j.where = where;
      mergeInto(r.findings, judgeHandshake(j));
      std::string line = where + ": " + h.protocol + " " + h.cipher +
                         (h.alpn.empty() ? "" : " ALPN " + h.alpn) +
                         (pr.sni.empty() ? ", no SNI" : ", SNI " + pr.sni);
      if (!h.chain.empty()) {
        line += ", cert " + util::PeerText(h.chain.front().subject).shown() + " (" + h.chain.front().keyType +
                " " + std::to_string(h.chain.front().keyBits) + ", expires " + h.chain.front().notAfter +
                ", " + std::to_string(daysUntil(now, h.chain.front().notAfterEpoch)) + " days)";
      }
      okLines.push_back(line);
    }
    if (ok > 0) {
      r.findings.push_back(
          {"tls.handshake_ok", Severity::Info,
           std::to_string(ok) + " of " + std::to_string(probes.size()) + " TLS handshake(s) completed",
           okLines, ""});
    }
    r.setFacts(std::move(facts));
    sortBySeverity(r.findings);
    r.status = engine::statusFromFindings(r.findings);
    r.summary =
        std::to_string(ok) + "/" + std::to_string(probes.size()) + " handshakes" +
        (results.front().handshake.protocol.empty() ? "" : " (" + results.front().handshake.protocol + ")");
    return r;
  }
};

engine::RegisterCheck<HandshakeCheck> registered;

}  // namespace
}  // namespace pgreach::checks::tls
