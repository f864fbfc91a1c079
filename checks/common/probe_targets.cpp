#include "checks/common/probe_targets.h"

#include <algorithm>
#include <set>
#include <tuple>

#include "engine/dns_facts.h"

namespace pgreach::checks {

std::string ProbeTarget::label() const {
  const std::string a = address.toString();
  return (address.isV4() ? a : "[" + a + "]") + ":" + std::to_string(port);
}

std::vector<uint16_t> portsFor(const engine::CheckContext& ctx, uint16_t hostPort) {
  if (!ctx.config().tcp.ports.empty()) return ctx.config().tcp.ports;
  return target::defaultPorts(ctx.target().provider(), hostPort);
}

std::vector<ProbeTarget> probeTargets(const engine::CheckContext& ctx) {
  std::vector<ProbeTarget> out;
  std::set<std::tuple<std::string, net::IpAddress, uint16_t>> seen;
  auto add = [&](const std::string& host, const net::IpAddress& addr, uint16_t hostPort) {
    for (uint16_t port : portsFor(ctx, hostPort)) {
      if (seen.insert({host, addr, port}).second) out.push_back({host, addr, port});
    }
  };
  const engine::CheckResult* dnsResult = ctx.dependency(kDnsResolveId);
  const auto* dns = dnsResult ? dnsResult->factsAs<engine::DnsResolveFacts>() : nullptr;
  for (const auto& h : ctx.target().hosts()) {
    if (!h.hostaddr.empty()) {
      if (auto a = net::IpAddress::parse(h.hostaddr)) add(h.name(), *a, h.port);
      continue;
    }
    if (auto literal = net::IpAddress::parse(h.host)) {
      add(h.host, *literal, h.port);
      continue;
    }
    if (!dns) continue;
    for (const auto& entry : dns->addresses) {
      if (entry.host != h.host) continue;
      if (auto a = net::IpAddress::parse(entry.address)) add(h.host, *a, h.port);
    }
    // What getaddrinfo gives the application (an /etc/hosts pin, another name service)
    // is probed too: that is where libpq connects.
    if (auto sys = dns->system.find(h.host); sys != dns->system.end()) {
      for (const auto& text : sys->second.addresses) {
        if (auto a = net::IpAddress::parse(text)) add(h.host, *a, h.port);
      }
    }
  }
  return out;
}

}  // namespace pgreach::checks
