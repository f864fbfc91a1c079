// dns.system: what the C library (getaddrinfo, so libpq) resolves each host to, compared
// with what DNS answered: /etc/hosts overrides, nsswitch sources and local caches show up
// here. It reads the getaddrinfo results dns.resolve gathered alongside its queries (so
// the stage costs one timeout), and runs getaddrinfo itself when dns.resolve did not run.
#include <fstream>
#include <sstream>

#include "checks/common/probe_targets.h"
#include "checks/dns/codes.h"
#include "checks/dns/dns_stage.h"
#include "checks/dns/evaluate.h"
#include "engine/registry.h"
#include "net/hosts_file.h"
#include "net/system_resolve.h"

namespace pgreach::checks::dns {
namespace {

using engine::CheckResult;
using engine::Finding;
using engine::Severity;

std::string readHostsFile() {
  std::ifstream f("/etc/hosts");
  std::ostringstream s;
  if (f) s << f.rdbuf();
  return s.str();
}

class DnsSystem final : public engine::Check {
 public:
  const engine::CheckInfo& info() const override {
    static const engine::CheckInfo kInfo =
        engine::withCodes({kDnsSystemId,
                           engine::Stage::Dns,
                           "Compare what the C library (getaddrinfo) resolves with what DNS answers",
                           {},
                           engine::Millis(10000),
                           {kDnsResolveId}},
                          engine::pickCodes(dnsCodes(), {"dns.system_timeout", "dns.system_failed",
                                                         "dns.hosts_override", "dns.system_differs"}));
    return kInfo;
  }

  CheckResult run(engine::CheckContext& ctx) override {
    CheckResult r;
    engine::DnsSystemFacts facts;
    const CheckResult* dnsResult = ctx.dependency(kDnsResolveId);
    const auto* dns = dnsResult ? dnsResult->factsAs<engine::DnsResolveFacts>() : nullptr;
    const std::string hostsFile = readHostsFile();
    int compared = 0, agreed = 0;
    for (const auto& h : ctx.target().hosts()) {
      if (!h.hostaddr.empty() || h.host.empty() || net::IpAddress::parse(h.host)) continue;
      std::vector<net::IpAddress> sys;
      std::string error;
      bool finished = true;
      const engine::SystemLookupFacts* gathered = nullptr;
      if (dns) {
        if (auto it = dns->system.find(h.host); it != dns->system.end()) gathered = &it->second;
      }
      if (gathered) {
        sys = net::parseAddresses(gathered->addresses);
        error = gathered->error;
        finished = gathered->finished;
      } else {
        auto l = net::lookupSystem(h.host, ctx.probeTimeout());
        sys = l.addresses;
        error = l.error;
        finished = l.finished;
      }
      for (const auto& a : sys) {
        facts.addresses.push_back({h.host, a.toString(), a.isV4() ? "ipv4" : "ipv6"});
      }
      if (!finished) {
        r.findings.push_back(
            {"dns.system_timeout",
             Severity::Warning,
             "getaddrinfo(\"" + h.host + "\") had not answered within " +
                 std::to_string(ctx.config().probeTimeout.count()) + " ms",
             {},
             "The C library waits for each nameserver in /etc/resolv.conf in turn (options timeout: "
             "and attempts:); a silent first nameserver delays every connection."});
        continue;
      }
      if (!error.empty()) {
        r.findings.push_back({"dns.system_failed",
                              Severity::Warning,
                              "getaddrinfo(\"" + h.host + "\") failed: " + error,
                              {"could not translate host name \"" + h.host + "\" to address: " + error},
                              "libpq cannot resolve the name: see the DNS findings for why."});
      }
      if (!dns) continue;
      const auto answered = dns->dnsAnswers.find(h.host);
      if (answered == dns->dnsAnswers.end()) continue;
      ++compared;
      auto dnsAddrs = net::parseAddresses(answered->second);
      auto diff = compareSystemWithDns(h.host, sys, dnsAddrs, net::parseEtcHosts(hostsFile, h.host));
      if (diff.empty() && !sys.empty()) ++agreed;
      r.findings.insert(r.findings.end(), diff.begin(), diff.end());
    }
    r.status = engine::statusFromFindings(r.findings);
    // A warning at most: what the C library does is context for the DNS verdict, which
    // dns.resolve gives.
    // When the application's resolution and DNS agree, this is the one place that says so.
    r.summary = std::to_string(facts.addresses.size()) + " address(es) from getaddrinfo" +
                (compared == 0        ? std::string()
                 : agreed == compared ? ", the same as DNS for " + std::to_string(compared) +
                                            " host(s): libpq connects where pgreach probed"
                                      : ", compared with DNS for " + std::to_string(compared) + " host(s)");
    r.setFacts(std::move(facts));
    return r;
  }
};

engine::RegisterCheck<DnsSystem> registered;

}  // namespace
}  // namespace pgreach::checks::dns
