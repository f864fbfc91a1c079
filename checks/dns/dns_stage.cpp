#include "checks/dns/dns_stage.h"

#include <algorithm>
#include <map>
#include <thread>

#include "engine/cloud_facts.h"
#include "net/system_resolve.h"

namespace pgreach::checks::dns {
namespace {

using engine::Finding;
using engine::Severity;
using SteadyClock = std::chrono::steady_clock;

QueryResult runQuery(const net::DnsServer& server, const std::string& host, ldns_rr_type type,
                     SteadyClock::time_point deadline) {
  QueryResult q;
  q.qtype = type;
  const auto query = buildQuery(host, type);
  if (query.empty()) {
    q.transport = net::ExchangeOutcome::LocalError;
    q.transportDetail = "the name cannot be encoded as a DNS query";
    return q;
  }
  const uint16_t id = static_cast<uint16_t>((query[0] << 8) | query[1]);
  auto ex = net::exchangeDns(server, query, deadline);
  q.transport = ex.outcome;
  q.transportDetail = ex.detail;
  q.ms = static_cast<double>(ex.elapsed.count()) / 1000.0;
  q.viaTcp = ex.viaTcp;
  q.truncatedOverUdp = ex.truncatedOverUdp;
  if (ex.outcome == net::ExchangeOutcome::Answered) {
    q.answer = classifyWire(ex.wire.data(), ex.wire.size(), host, type, id);
  }
  return q;
}

std::string family(const net::IpAddress& a) { return a.isV4() ? "ipv4" : "ipv6"; }

}  // namespace

StageInput gatherStageInput(const target::Target& target, const engine::RunConfig& config,
                            const engine::CheckResult* cloud,
                            const std::vector<std::string>& systemNameservers, std::vector<Finding>& setup,
                            std::string& vpcSource) {
  StageInput in;
  for (const auto& h : target.hosts()) {
    const std::string literal = !h.hostaddr.empty()             ? h.hostaddr
                                : net::IpAddress::parse(h.host) ? h.host
                                                                : std::string();
    if (!literal.empty() && std::find(in.given.begin(), in.given.end(), literal) == in.given.end())
      in.given.push_back(literal);
    if (!literal.empty() || h.host.empty()) continue;  // nothing to resolve
    if (std::find(in.hosts.begin(), in.hosts.end(), h.host) == in.hosts.end()) in.hosts.push_back(h.host);
  }
  in.provider = target.provider();
  in.timeout = config.probeTimeout;

  // The system's nameservers, then --resolver, then the platform's; a server listed twice
  // keeps its first role.
  auto addServer = [&](const std::string& text, ResolverRole role) {
    auto s = net::DnsServer::parse(text);
    if (!s) {
      setup.push_back({"dns.invalid_resolver",
                       Severity::Warning,
                       "ignored resolver \"" + text + "\": not an address",
                       {},
                       "Give resolvers as an IP address, optionally with #port (10.0.0.2, 10.0.0.2#5353)."});
      return;
    }
    for (const auto& existing : in.servers) {
      if (existing.first == *s) return;
    }
    in.servers.push_back({*s, role});
  };
  for (const auto& ns : systemNameservers) addServer(ns, ResolverRole::System);
  for (const auto& r : config.dns.resolvers) addServer(r, ResolverRole::Extra);
  const auto* cloudFacts = cloud ? cloud->factsAs<engine::CloudContextFacts>() : nullptr;
  if (cloudFacts) {
    for (const auto& v : cloudFacts->platformResolvers) addServer(v, ResolverRole::Platform);
  }

  // VPC context: the flags win over the cloud's.
  std::vector<std::string> cidrTexts = config.dns.vpcCidrs;
  vpcSource = cidrTexts.empty() ? "" : "flags";
  if (cidrTexts.empty() && cloudFacts) {
    cidrTexts = cloudFacts->vpcCidrs;
    if (!cidrTexts.empty()) vpcSource = "cloud.context";
  }
  for (const auto& t : cidrTexts) {
    if (auto c = net::Cidr::parse(t)) {
      in.vpcCidrs.push_back(*c);
    } else {
      setup.push_back({"dns.invalid_vpc_cidr",
                       Severity::Warning,
                       "ignored VPC CIDR \"" + t + "\"",
                       {},
                       "Give CIDRs as 10.0.0.0/16."});
    }
  }
  return in;
}

bool isLocalhostName(const std::string& host) {
  const std::string h = canonicalName(host);
  return h == "localhost." || (h.size() > 11 && h.compare(h.size() - 11, 11, ".localhost.") == 0);
}

engine::CheckResult runStage(const StageInput& in,
                             const std::function<bool(const net::IpAddress&)>& hasRoute) {
  engine::CheckResult r;
  engine::DnsResolveFacts facts;
  for (const auto& c : in.vpcCidrs) facts.vpcCidrs.push_back(c.toString());
  facts.vpcSource = in.vpcSource;
  facts.given = in.given;
  if (in.hosts.empty()) {
    r.status = engine::Status::Pass;
    r.summary = "nothing to resolve (addresses given literally)";
    r.setFacts(std::move(facts));
    return r;
  }
  const auto start = SteadyClock::now();
  const auto deadline = start + in.timeout;

  // getaddrinfo for every host, alongside the DNS exchanges: dns.system compares them.
  std::vector<net::PendingSystemLookup> system;
  if (in.systemLookup) {
    for (const auto& h : in.hosts) system.emplace_back(h);
  }

  struct Job {
    size_t host, server;
    ldns_rr_type type;
    QueryResult result;
  };
  std::vector<Job> jobs;
  for (size_t h = 0; h < in.hosts.size(); ++h) {
    if (isLocalhostName(in.hosts[h])) continue;  // RFC 6761: never asked of DNS
    for (size_t s = 0; s < in.servers.size(); ++s) {
      for (ldns_rr_type t : {LDNS_RR_TYPE_A, LDNS_RR_TYPE_AAAA}) {
        if (jobs.size() < kMaxExchanges) jobs.push_back({h, s, t, {}});
      }
    }
  }
  // One thread per exchange: each waits at most until the shared deadline, so N silent
  // resolvers cost one timeout, not N.
  std::vector<std::thread> threads;
  threads.reserve(jobs.size());
  for (auto& j : jobs) {
    threads.emplace_back([&j, &in, deadline] {
      j.result = runQuery(in.servers[j.server].first, in.hosts[j.host], j.type, deadline);
    });
  }
  for (auto& t : threads) t.join();

  const long long timeoutMs = in.timeout.count();
  size_t resolvedHosts = 0, totalAddresses = 0;
  std::vector<std::string> sources;
  for (size_t h = 0; h < in.hosts.size(); ++h) {
    const std::string& host = in.hosts[h];
    HostInput hi;
    hi.host = host;
    hi.provider = in.provider;
    hi.vpcCidrs = in.vpcCidrs;
    hi.hasRoute = hasRoute;
    hi.timeoutMs = timeoutMs;
    std::map<size_t, ResolverAnswer> byServer;
    for (const auto& j : jobs) {
      if (j.host != h) continue;
      auto& ra = byServer[j.server];
      ra.server = in.servers[j.server].first;
      ra.role = in.servers[j.server].second;
      (j.type == LDNS_RR_TYPE_A ? ra.a : ra.aaaa) = j.result;
    }
    for (auto& [idx, ra] : byServer) {
      hi.resolvers.push_back(ra);
      facts.resolvers.push_back(toFacts(ra, host));
    }

    net::SystemLookup sys;
    if (in.systemLookup) {
      sys = system[h].wait(std::max(deadline, SteadyClock::now()));
      auto& sf = facts.system[host];
      sf.finished = sys.finished;
      sf.error = sys.error;
      for (const auto& a : sys.addresses) sf.addresses.push_back(a.toString());
      sf.elapsedMs = static_cast<double>(sys.elapsed.count()) / 1000.0;
    }

    HostEvaluation ev;
    if (isLocalhostName(host)) {
      ev.addresses = sys.addresses;
      ev.source = "getaddrinfo";
    } else {
      ev = evaluateHost(hi);
    }
    auto& dnsSet = facts.dnsAnswers[host];
    for (const auto& a : ev.addresses) dnsSet.push_back(a.toString());
    // No DNS answer at all but the C library found the name (/etc/hosts): probe those.
    if (ev.addresses.empty() && !sys.addresses.empty()) {
      ev.addresses = sys.addresses;
      ev.source = "getaddrinfo";
    }
    if (!ev.addresses.empty()) ++resolvedHosts;
    for (const auto& a : ev.addresses) {
      engine::ResolvedAddress entry{host, a.toString(), family(a)};
      const bool seen = std::any_of(facts.addresses.begin(), facts.addresses.end(), [&](const auto& e) {
        return e.host == entry.host && e.address == entry.address && e.family == entry.family;
      });
      if (!seen) {
        facts.addresses.push_back(std::move(entry));
        ++totalAddresses;
      }
    }
    if (!ev.source.empty()) sources.push_back(host + " via " + ev.source);
    r.findings.insert(r.findings.end(), ev.findings.begin(), ev.findings.end());
  }
  if (in.servers.empty()) {
    r.findings.push_back({"dns.no_resolver",
                          Severity::Warning,
                          "no DNS resolver to ask: only getaddrinfo was used",
                          {},
                          "Check /etc/resolv.conf, or pass --resolver."});
  }
  facts.exchanges = jobs.size();
  facts.elapsedMs =
      static_cast<double>(
          std::chrono::duration_cast<std::chrono::microseconds>(SteadyClock::now() - start).count()) /
      1000.0;
  r.setFacts(std::move(facts));
  r.status = engine::statusFromFindings(r.findings);
  r.summary = std::to_string(totalAddresses) + " address(es) for " + std::to_string(resolvedHosts) + " of " +
              std::to_string(in.hosts.size()) + " host(s) from " + std::to_string(in.servers.size()) +
              " resolver(s)";
  if (!sources.empty()) {
    r.summary += " (";
    for (size_t i = 0; i < sources.size(); ++i) r.summary += (i ? "; " : "") + sources[i];
    r.summary += ")";
  }
  return r;
}

}  // namespace pgreach::checks::dns
