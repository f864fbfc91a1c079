// dns.resolve: each target host asked of every resolver that matters, A and AAAA, all at
// once, each exchange bounded by the probe timeout: the system's nameservers
// (/etc/resolv.conf), any --resolver, and the cloud's own resolver when cloud.context
// knows it. The answers are judged against the VPC's CIDRs (evaluate.h).
// Facts (engine::DnsResolveFacts): addresses[] = what the TCP/TLS stages probe: the
// answer of the nameserver the C library would use, else the union of all answers.
#include <thread>

#include "checks/common/probe_targets.h"
#include "checks/dns/codes.h"
#include "checks/dns/dns_stage.h"
#include "checks/dns/evaluate.h"
#include "engine/registry.h"
#include "net/dns_exchange.h"
#include "net/resolv_conf.h"
#include "net/route_probe.h"
#include "net/system_resolve.h"

namespace pgreach::checks::dns {
namespace {

using engine::CheckResult;
using engine::Finding;
using engine::Severity;

class DnsResolve final : public engine::Check {
 public:
  const engine::CheckInfo& info() const override {
    static const engine::CheckInfo kInfo =
        engine::withCodes({kDnsResolveId,
                           engine::Stage::Dns,
                           "Resolve each target host with every resolver (system, --resolver, the "
                           "cloud's) and judge the answers against the VPC",
                           {},
                           engine::Millis(10000),
                           {kCloudContextId}},
                          engine::pickCodes(dnsCodes(), {"dns.timeout",
                                                         "dns.servfail",
                                                         "dns.refused",
                                                         "dns.malformed_answer",
                                                         "dns.tcp_fallback_failed",
                                                         "dns.nxdomain",
                                                         "dns.no_address",
                                                         "dns.error_rcode",
                                                         "dns.answer_public",
                                                         "dns.answer_outside_vpc",
                                                         "dns.answer_private",
                                                         "dns.answer_in_vpc",
                                                         "dns.not_private_hostname",
                                                         "dns.azure_chain_not_privatelink",
                                                         "dns.azure_privatelink_nxdomain",
                                                         "dns.long_ttl",
                                                         "dns.aaaa_no_ipv6_route",
                                                         "dns.oversized_answer",
                                                         "dns.truncated",
                                                         "dns.resolvers_disagree",
                                                         "dns.no_system_resolver",
                                                         "dns.invalid_resolver",
                                                         "dns.invalid_vpc_cidr",
                                                         "dns.no_resolver",
                                                         "dns.no_vpc_context",
                                                         "dns.resolution_failed"}));
    return kInfo;
  }

  CheckResult run(engine::CheckContext& ctx) override {
    std::vector<Finding> setup;
    auto resolv = net::readResolvConf("/etc/resolv.conf");
    if (!resolv || resolv->empty()) {
      setup.push_back({"dns.no_system_resolver",
                       Severity::Warning,
                       resolv ? "/etc/resolv.conf lists no nameserver" : resolv.error(),
                       {},
                       "Without a nameserver the C library cannot resolve names: check /etc/resolv.conf."});
    }
    std::string vpcSource;
    StageInput in = gatherStageInput(ctx.target(), ctx.config(), ctx.dependency(kCloudContextId),
                                     resolv ? *resolv : std::vector<std::string>{}, setup, vpcSource);
    in.timeout = ctx.probeTimeout();
    in.vpcSource = vpcSource;

    CheckResult r = runStage(in, net::hasRouteTo);
    r.findings.insert(r.findings.begin(), setup.begin(), setup.end());
    if (in.vpcCidrs.empty() && !in.hosts.empty()) {
      r.findings.push_back(
          {"dns.no_vpc_context",
           Severity::Info,
           "no VPC CIDRs known: answers are judged only as private or public",
           {},
           "Pass --vpc-cidr (or cloud configuration) so pgreach can tell whether an answer is inside "
           "this network."});
    }
    std::stable_sort(r.findings.begin(), r.findings.end(), [](const Finding& x, const Finding& y) {
      return static_cast<int>(x.severity) > static_cast<int>(y.severity);
    });
    r.status = engine::statusFromFindings(r.findings);
    return r;
  }
};

engine::RegisterCheck<DnsResolve> registered;

}  // namespace
}  // namespace pgreach::checks::dns
