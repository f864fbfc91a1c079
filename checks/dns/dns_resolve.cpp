// dns.resolve: each target host asked of every resolver that matters, A and AAAA, all at
// once, each exchange bounded by the probe timeout: the system's nameservers
// (/etc/resolv.conf), any --resolver, and the cloud's own resolver when cloud.context
// knows it. The answers are judged against the VPC's CIDRs (evaluate.h).
// Data contract: data.addresses[]{host, address, family} = what the TCP/TLS stages probe:
// the answer of the nameserver the C library would use, else the union of all answers.
#include <thread>

#include "checks/common/probe_targets.h"
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
    static const engine::CheckInfo kInfo{kDnsResolveId,
                                         engine::Stage::Dns,
                                         "Resolve each target host with every resolver (system, --resolver, the "
                                         "cloud's) and judge the answers against the VPC",
                                         {},
                                         engine::Millis(10000),
                                         {kCloudContextId}};
    return kInfo;
  }

  CheckResult run(engine::CheckContext& ctx) override {
    StageInput in;
    std::vector<Finding> setup;
    for (const auto& h : ctx.target().hosts()) {
      if (!h.hostaddr.empty() || h.host.empty() || net::IpAddress::parse(h.host)) continue;  // nothing to resolve
      if (std::find(in.hosts.begin(), in.hosts.end(), h.host) == in.hosts.end()) in.hosts.push_back(h.host);
    }
    in.provider = ctx.target().provider();
    in.timeout = ctx.probeTimeout();

    // Resolvers: the system's, then --resolver, then the platform's. A server listed twice
    // keeps its first role.
    auto addServer = [&](const std::string& text, ResolverRole role) {
      auto s = net::DnsServer::parse(text);
      if (!s) {
        setup.push_back({"dns.invalid_resolver", Severity::Warning, "ignored resolver \"" + text + "\": not an address",
                         {}, "Give resolvers as an IP address, optionally with #port (10.0.0.2, 10.0.0.2#5353)."});
        return;
      }
      for (const auto& [existing, r] : in.servers) {
        if (existing == *s) return;
      }
      in.servers.push_back({*s, role});
    };
    auto resolv = net::readResolvConf("/etc/resolv.conf");
    if (resolv) {
      for (const auto& ns : *resolv) addServer(ns, ResolverRole::System);
    }
    for (const auto& r : ctx.options().resolvers) addServer(r, ResolverRole::Extra);
    const engine::CheckResult* cloud = ctx.dependency(kCloudContextId);
    if (cloud && cloud->data.is_object()) {
      if (auto it = cloud->data.find("platform_resolvers"); it != cloud->data.end() && it->is_array()) {
        for (const auto& v : *it) {
          if (v.is_string()) addServer(v.get<std::string>(), ResolverRole::Platform);
        }
      }
    }
    if (!resolv || resolv->empty()) {
      setup.push_back({"dns.no_system_resolver", Severity::Warning,
                       resolv ? "/etc/resolv.conf lists no nameserver" : resolv.error(), {},
                       "Without a nameserver the C library cannot resolve names: check /etc/resolv.conf."});
    }

    // VPC context: flags win over the cloud's.
    std::vector<std::string> cidrTexts = ctx.options().vpcCidrs;
    std::string vpcSource = cidrTexts.empty() ? "" : "flags";
    if (cidrTexts.empty() && cloud && cloud->data.is_object()) {
      if (auto it = cloud->data.find("vpc_cidrs"); it != cloud->data.end() && it->is_array()) {
        for (const auto& v : *it) {
          if (v.is_string()) cidrTexts.push_back(v.get<std::string>());
        }
        if (!cidrTexts.empty()) vpcSource = "cloud.context";
      }
    }
    for (const auto& t : cidrTexts) {
      if (auto c = net::Cidr::parse(t)) {
        in.vpcCidrs.push_back(*c);
      } else {
        setup.push_back({"dns.invalid_vpc_cidr", Severity::Warning, "ignored VPC CIDR \"" + t + "\"", {},
                         "Give CIDRs as 10.0.0.0/16."});
      }
    }

    CheckResult r = runStage(in, net::hasRouteTo);
    r.findings.insert(r.findings.begin(), setup.begin(), setup.end());
    if (in.vpcCidrs.empty() && !in.hosts.empty()) {
      r.findings.push_back({"dns.no_vpc_context", Severity::Info,
                            "no VPC CIDRs known: answers are judged only as private or public",
                            {},
                            "Pass --vpc-cidr (or cloud configuration) so pgreach can tell whether an answer is inside "
                            "this network."});
    }
    r.data["vpc_cidrs"] = nlohmann::json::array();
    for (const auto& c : in.vpcCidrs) r.data["vpc_cidrs"].push_back(c.toString());
    r.data["vpc_source"] = vpcSource;
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
