// dns.resolve: every address each target host resolves to. This first version asks the
// system resolver (getaddrinfo); the DNS stage replaces it with ldns against each
// resolver. Its data contract: data.addresses[]{host, address, family}.
#include <netdb.h>

#include <memory>

#include "checks/common/probe_targets.h"
#include "engine/registry.h"

namespace pgreach::checks::dns {
namespace {

using engine::CheckResult;
using engine::Finding;
using engine::Severity;

struct AddrinfoFree {
  void operator()(addrinfo* a) const { freeaddrinfo(a); }
};

class DnsResolve final : public engine::Check {
 public:
  const engine::CheckInfo& info() const override {
    static const engine::CheckInfo kInfo{kDnsResolveId, engine::Stage::Dns,
                                         "Resolve each target host to the addresses the connection will use",
                                         {}, engine::Millis(5000)};
    return kInfo;
  }

  CheckResult run(engine::CheckContext& ctx) override {
    CheckResult r;
    r.data["addresses"] = nlohmann::json::array();
    int resolvedHosts = 0;
    for (const auto& h : ctx.target().hosts()) {
      if (h.host.empty() || net::IpAddress::parse(h.host)) {
        ++resolvedHosts;  // hostaddr or a literal: nothing to resolve
        continue;
      }
      addrinfo hints{};
      hints.ai_socktype = SOCK_STREAM;
      hints.ai_family = AF_UNSPEC;
      addrinfo* raw = nullptr;
      const int rc = getaddrinfo(h.host.c_str(), nullptr, &hints, &raw);
      std::unique_ptr<addrinfo, AddrinfoFree> list(raw);
      if (rc != 0) {
        r.findings.push_back({rc == EAI_NONAME ? "dns.nxdomain" : "dns.resolution_failed", Severity::Critical,
                              "could not translate host name \"" + h.host + "\" to address",
                              {std::string("getaddrinfo: ") + gai_strerror(rc)},
                              "Check that the hostname is spelled as the provider gives it and that this "
                              "machine's resolver can see the private DNS zone."});
        continue;
      }
      ++resolvedHosts;
      for (auto* ai = list.get(); ai; ai = ai->ai_next) {
        auto a = net::IpAddress::fromSockaddr(ai->ai_addr);
        if (!a) continue;
        nlohmann::json entry{{"host", h.host}, {"address", a->toString()}, {"family", a->isV4() ? "ipv4" : "ipv6"}};
        if (std::find(r.data["addresses"].begin(), r.data["addresses"].end(), entry) == r.data["addresses"].end()) {
          r.data["addresses"].push_back(entry);
        }
      }
    }
    r.status = engine::statusFromFindings(r.findings);
    r.summary = std::to_string(r.data["addresses"].size()) + " address(es) for " + std::to_string(resolvedHosts) +
                " of " + std::to_string(ctx.target().hosts().size()) + " host(s)";
    return r;
  }
};

engine::RegisterCheck<DnsResolve> registered;

}  // namespace
}  // namespace pgreach::checks::dns
