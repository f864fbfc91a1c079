#include "checks/dns/evaluate.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>

#include "target/provider_profile.h"

namespace pgreach::checks::dns {
namespace {

using engine::Finding;
using engine::Severity;
using target::Provider;

constexpr uint32_t kLongTtlSeconds = 3600;
constexpr const char* kAzureDns = "168.63.129.16";

bool endsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string roleText(const ResolverAnswer& r) {
  switch (r.role) {
    case ResolverRole::System:
      return "system, /etc/resolv.conf";
    case ResolverRole::Extra:
      return "--resolver";
    case ResolverRole::Platform:
      return "platform resolver, from cloud.context";
  }
  return "";
}

std::string who(const ResolverAnswer& r) { return r.server.label() + " (" + roleText(r) + ")"; }

std::vector<AddressAnswer> addressesOf(const ResolverAnswer& r) {
  std::vector<AddressAnswer> out;
  for (const QueryResult* q : {&r.a, &r.aaaa}) {
    if (q->transport != net::ExchangeOutcome::Answered || !q->answer.noError()) continue;
    for (const auto& x : q->answer.addresses) out.push_back(x);
  }
  return out;
}

// True when the address is where a private connection should land: inside a VPC CIDR
// when we know them, otherwise any private range. Documentation ranges count as public.
bool isPublic(const net::IpAddress& a) { return !net::isPrivateOrLocal(a) || net::isDocumentation(a); }

bool insideVpc(const net::IpAddress& a, const std::vector<net::Cidr>& cidrs) {
  return std::any_of(cidrs.begin(), cidrs.end(), [&](const net::Cidr& c) { return c.contains(a); });
}

// Where a private connection should land: inside the VPC CIDRs when given, whatever their
// range (a VPC's IPv6 CIDR is globally routable, and BYOIP IPv4 ones can be too: an answer
// inside them is private to the VPC), else any private range. Ranges judge only addresses
// of their own family: a VPC given by its IPv4 CIDR alone says nothing about an AAAA
// answer, which is then judged as with no VPC context (a dual-stack VPC's IPv6 range left
// out of --vpc-cidr is no reason to call its endpoint outside the VPC).
bool outsideExpected(const net::IpAddress& a, const std::vector<net::Cidr>& cidrs) {
  std::vector<net::Cidr> sameFamily;
  for (const auto& c : cidrs) {
    if (c.base.family == a.family) sameFamily.push_back(c);
  }
  return sameFamily.empty() ? isPublic(a) : !insideVpc(a, sameFamily);
}

std::string cidrList(const std::vector<net::Cidr>& cidrs) {
  std::string s;
  for (const auto& c : cidrs) s += (s.empty() ? "" : ", ") + c.toString();
  return s;
}

std::string joinAddresses(const std::vector<AddressAnswer>& v) {
  std::string s;
  for (const auto& a : v) s += (s.empty() ? "" : ", ") + a.address.toString();
  return s.empty() ? "(none)" : s;
}

std::string chainText(const Classified& c) {
  std::string s;
  for (const auto& n : c.cnameChain) s += (s.empty() ? "" : " -> ") + n;
  return s;
}

const Classified* firstAnswered(const ResolverAnswer& r) {
  if (r.a.transport == net::ExchangeOutcome::Answered) return &r.a.answer;
  if (r.aaaa.transport == net::ExchangeOutcome::Answered) return &r.aaaa.answer;
  return nullptr;
}

// Provider-specific wording comes from the provider's profile (target/provider_profile.cpp).
std::string outsideFix(Provider p) {
  return "The answer is private but not inside this network's address ranges: a stale record, a private zone "
         "from another VPC/VNet, or a wrong --vpc-cidr. " +
         std::string(target::profileOf(p).dnsFixes.outsideVpc);
}

std::string nxdomainFix(Provider p) { return std::string(target::profileOf(p).dnsFixes.nxdomain); }

// Whether a CNAME of the answer passes through the provider's private zone.
bool chainThroughZone(const ResolverAnswer& r, std::string_view zone) {
  const std::string suffix = "." + std::string(zone) + ".";
  bool through = false;
  for (const QueryResult* q : {&r.a, &r.aaaa}) {
    for (const auto& n : q->answer.cnameChain) through = through || endsWith(n, suffix);
  }
  return through;
}

const char* codeFor(ResolverState s) {
  switch (s) {
    case ResolverState::Timeout:
    case ResolverState::Unreachable:
      return "dns.timeout";
    case ResolverState::ServFail:
      return "dns.servfail";
    case ResolverState::Refused:
      return "dns.refused";
    case ResolverState::Malformed:
      return "dns.malformed_answer";
    case ResolverState::TruncatedNoTcp:
      return "dns.tcp_fallback_failed";
    case ResolverState::NxDomain:
      return "dns.nxdomain";
    case ResolverState::NoData:
      return "dns.no_address";
    case ResolverState::OtherRcode:
      return "dns.error_rcode";
    case ResolverState::Addresses:
      break;
  }
  return "dns.ok";
}

std::string stateSentence(const ResolverAnswer& r, ResolverState s, const std::string& host,
                          long long timeoutMs) {
  switch (s) {
    case ResolverState::Timeout:
      return who(r) + " did not answer for " + host + " within " + std::to_string(timeoutMs) + " ms";
    case ResolverState::Unreachable:
      return who(r) + " is unreachable (" + r.a.transportDetail + ")";
    case ResolverState::ServFail:
      return who(r) + " answered SERVFAIL for " + host;
    case ResolverState::Refused:
      return who(r) + " REFUSED to answer for " + host;
    case ResolverState::Malformed: {
      const Classified* c = firstAnswered(r);
      std::string why = c && c->malformed   ? c->malformedReason
                        : c && c->cnameLoop ? "CNAME loop"
                        : c && c->cnameTooLong
                            ? "a CNAME chain longer than " + std::to_string(kMaxCnameChain) +
                                  " hops (pgreach follows at most " + std::to_string(kMaxCnameChain) +
                                  "; resolvers stop at 8 to 16)"
                            : "unreadable";
      return who(r) + " sent a malformed answer for " + host + ": " + why;
    }
    case ResolverState::TruncatedNoTcp: {
      const QueryResult& q = r.a.truncatedOverUdp && !r.a.viaTcp ? r.a : r.aaaa;
      return who(r) + " truncated its UDP answer for " + host + " and the retry over TCP failed (" +
             q.transportDetail + "): the C library gets no answer from it";
    }
    case ResolverState::NxDomain:
      return who(r) + " says " + host + " does not exist (NXDOMAIN)";
    case ResolverState::NoData:
      return who(r) + " has " + host + " but no A/AAAA record for it";
    case ResolverState::OtherRcode: {
      const Classified* c = firstAnswered(r);
      return who(r) + " answered " + (c ? c->rcodeName : std::string("an error")) + " for " + host;
    }
    case ResolverState::Addresses:
      break;
  }
  return who(r) + " answered " + joinAddresses(addressesOf(r));
}

std::string stateFix(ResolverState s, Provider p) {
  switch (s) {
    case ResolverState::Timeout:
    case ResolverState::Unreachable:
      return "The resolver does not answer: check that it runs and that UDP and TCP port 53 to it are "
             "allowed "
             "(security group / NSG / NACL, local firewall). libpq waits for it before trying the next one.";
    case ResolverState::ServFail:
      return "The resolver failed to get an answer: check its forwarding for the provider's zone "
             "(conditional forwarder / Route 53 Resolver rule / Azure DNS " +
             std::string(kAzureDns) + ") and its logs.";
    case ResolverState::Refused:
      return "The resolver refuses this client: allow the client's subnet in its access control, or use the "
             "VPC's resolver.";
    case ResolverState::Malformed:
      return "The resolver (or something in between) sent an unreadable answer: check middleboxes rewriting "
             "DNS "
             "and the resolver's software.";
    case ResolverState::TruncatedNoTcp:
      return "Allow TCP port 53 from this client to the resolver (security group / NSG / NACL, local "
             "firewall): "
             "an answer too large for UDP is asked again over TCP, and that failed here.";
    case ResolverState::NxDomain:
    case ResolverState::NoData:
      return nxdomainFix(p);
    case ResolverState::OtherRcode:
      return "Check the resolver's configuration and logs.";
    case ResolverState::Addresses:
      break;
  }
  return "";
}

std::string signature(const ResolverAnswer& r) {
  const ResolverState s = stateOf(r);
  if (s != ResolverState::Addresses) return std::string(toString(s));
  std::vector<std::string> v;
  for (const auto& a : addressesOf(r)) v.push_back(a.address.toString());
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  std::string sig;
  for (const auto& x : v) sig += (sig.empty() ? "" : ", ") + x;
  return sig;
}

}  // namespace

std::string_view toString(ResolverRole r) {
  switch (r) {
    case ResolverRole::System:
      return "system";
    case ResolverRole::Extra:
      return "extra";
    case ResolverRole::Platform:
      return "platform";
  }
  return "system";
}

std::string_view toString(ResolverState s) {
  switch (s) {
    case ResolverState::Addresses:
      return "addresses";
    case ResolverState::NoData:
      return "NODATA";
    case ResolverState::NxDomain:
      return "NXDOMAIN";
    case ResolverState::ServFail:
      return "SERVFAIL";
    case ResolverState::Refused:
      return "REFUSED";
    case ResolverState::OtherRcode:
      return "error rcode";
    case ResolverState::Malformed:
      return "malformed";
    case ResolverState::TruncatedNoTcp:
      return "truncated, TCP failed";
    case ResolverState::Timeout:
      return "timeout";
    case ResolverState::Unreachable:
      return "unreachable";
  }
  return "timeout";
}

ResolverState stateOf(const ResolverAnswer& r) {
  const bool aAnswered = r.a.transport == net::ExchangeOutcome::Answered;
  const bool aaaaAnswered = r.aaaa.transport == net::ExchangeOutcome::Answered;
  if (!aAnswered && !aaaaAnswered) {
    for (const QueryResult* q : {&r.a, &r.aaaa}) {
      if (q->transport == net::ExchangeOutcome::Refused ||
          q->transport == net::ExchangeOutcome::Unreachable) {
        return ResolverState::Unreachable;
      }
    }
    return ResolverState::Timeout;
  }
  // TC set and the TCP retry failed: the C library drops the truncated answer and gets
  // nothing from this resolver, whatever the UDP part held.
  for (const QueryResult* q : {&r.a, &r.aaaa}) {
    if (q->transport == net::ExchangeOutcome::Answered && q->truncatedOverUdp && !q->viaTcp) {
      return ResolverState::TruncatedNoTcp;
    }
  }
  if (!addressesOf(r).empty()) return ResolverState::Addresses;
  for (const QueryResult* q : {&r.a, &r.aaaa}) {
    if (q->transport == net::ExchangeOutcome::Answered &&
        (q->answer.malformed || q->answer.cnameLoop || q->answer.cnameTooLong)) {
      return ResolverState::Malformed;
    }
  }
  const Classified& c = aAnswered ? r.a.answer : r.aaaa.answer;
  switch (c.rcode) {
    case LDNS_RCODE_NOERROR:
      return ResolverState::NoData;
    case LDNS_RCODE_NXDOMAIN:
      return ResolverState::NxDomain;
    case LDNS_RCODE_SERVFAIL:
      return ResolverState::ServFail;
    case LDNS_RCODE_REFUSED:
      return ResolverState::Refused;
    default:
      return ResolverState::OtherRcode;
  }
}

bool libraryAccepts(ResolverState s) {
  return s == ResolverState::Addresses || s == ResolverState::NxDomain || s == ResolverState::NoData;
}

std::vector<std::string> digEvidence(const ResolverAnswer& r, long long timeoutMs) {
  std::vector<std::string> out;
  for (const QueryResult* q : {&r.a, &r.aaaa}) {
    const char* type = q->qtype == LDNS_RR_TYPE_AAAA ? "AAAA" : "A";
    // AAAA is shown only when it adds something: addresses, or a different outcome.
    if (q == &r.aaaa && q->transport == r.a.transport &&
        (q->transport != net::ExchangeOutcome::Answered ||
         (q->answer.addresses.empty() && q->answer.rcode == r.a.answer.rcode && !q->answer.malformed))) {
      continue;
    }
    out.push_back(";; SERVER: " + r.server.label() + " (" + roleText(r) + "), query " + type);
    if (q->transport != net::ExchangeOutcome::Answered) {
      if (q->transport == net::ExchangeOutcome::Timeout) {
        out.push_back(";; connection timed out; no servers could be reached (waited " +
                      std::to_string(timeoutMs) + " ms, UDP sent twice)");
      } else {
        out.push_back(";; " + std::string(net::toString(q->transport)) + ": " + q->transportDetail);
      }
      continue;
    }
    for (auto& l : q->answer.headerLines()) out.push_back(l);
    for (auto& l : q->answer.answerLines) out.push_back(l);
    if (q->answer.oversized) {
      out.push_back(";; ... " + std::to_string(q->answer.answerRecords - q->answer.answerLines.size()) +
                    " more records not read");
    }
    char line[120];
    std::snprintf(line, sizeof line, ";; Query time: %.0f msec%s", q->ms,
                  q->viaTcp ? " (over TCP after a truncated UDP answer)" : "");
    out.push_back(line);
  }
  return out;
}

engine::DnsResolverFacts toFacts(const ResolverAnswer& r, const std::string& host) {
  engine::DnsResolverFacts f{
      host, r.server.label(), std::string(toString(r.role)), std::string(toString(stateOf(r))), {}};
  for (const QueryResult* q : {&r.a, &r.aaaa}) {
    engine::DnsQueryFacts qf;
    qf.type = q->qtype == LDNS_RR_TYPE_AAAA ? "AAAA" : "A";
    qf.transport = std::string(net::toString(q->transport));
    qf.responseMs = q->ms;
    qf.viaTcp = q->viaTcp;
    qf.truncated = q->truncatedOverUdp;
    if (q->transport == net::ExchangeOutcome::Answered) {
      const Classified& c = q->answer;
      qf.answered = true;
      qf.rcode = c.rcodeName;
      qf.ad = c.authenticData;
      qf.aa = c.authoritative;
      qf.cnameChain = c.cnameChain;
      qf.cnameTtls = c.cnameTtls;
      qf.answers = c.answerLines;
      for (const auto& a : c.addresses) qf.addresses.push_back({a.address.toString(), a.ttl});
      if (c.malformed) qf.malformed = c.malformedReason;
    } else {
      qf.detail = q->transportDetail;
    }
    f.queries.push_back(std::move(qf));
  }
  return f;
}

HostEvaluation evaluateHost(const HostInput& in) {
  HostEvaluation ev;
  const std::string& host = in.host;

  // Which answer the C library (and so libpq) ends up with: the first system nameserver
  // whose answer it accepts. Without system resolvers, the first that accepts.
  const ResolverAnswer* used = nullptr;
  const ResolverAnswer* firstSystem = nullptr;
  std::vector<const ResolverAnswer*> skippedSystem;  // system nameservers the library gave up on
  for (const auto& r : in.resolvers) {
    if (r.role != ResolverRole::System) continue;
    if (!firstSystem) firstSystem = &r;
    if (libraryAccepts(stateOf(r))) {
      used = &r;
      break;
    }
    skippedSystem.push_back(&r);
  }
  const bool haveSystem = firstSystem != nullptr;
  if (!haveSystem) {
    for (const auto& r : in.resolvers) {
      if (libraryAccepts(stateOf(r))) {
        used = &r;
        break;
      }
    }
  }

  // 1. System nameservers that failed.
  if (haveSystem && !used) {
    const ResolverState s = stateOf(*firstSystem);
    Finding f{codeFor(s),
              Severity::Critical,
              stateSentence(*firstSystem, s, host, in.timeoutMs),
              {},
              stateFix(s, in.provider)};
    for (const auto* r : skippedSystem) {
      for (auto& l : digEvidence(*r, in.timeoutMs)) f.evidence.push_back(l);
    }
    if (skippedSystem.size() > 1)
      f.summary += " (and no other nameserver in /etc/resolv.conf answered either)";
    ev.findings.push_back(std::move(f));
  } else if (used) {
    for (const auto* r : skippedSystem) {
      const ResolverState s = stateOf(*r);
      ev.findings.push_back({codeFor(s), Severity::Warning,
                             stateSentence(*r, s, host, in.timeoutMs) + "; the C library moves on to " +
                                 used->server.label() + ", after a delay",
                             digEvidence(*r, in.timeoutMs), stateFix(s, in.provider)});
    }
  }

  // 2. The answer in use.
  if (used) {
    const ResolverState s = stateOf(*used);
    const Classified* c = firstAnswered(*used);
    if (s == ResolverState::NxDomain) {
      // A CNAME into a provider's private zone that has no record, whatever the provider
      // detected from the name: a custom name may CNAME there too.
      const target::PrivateZone* zone = nullptr;
      for (const auto& profile : target::allProfiles()) {
        const auto& z = profile.privateZone;
        if (!zone && !z.zone.empty() && chainThroughZone(*used, z.zone)) zone = &z;
      }
      if (zone) {
        ev.findings.push_back(
            {std::string(zone->nxdomainCode), Severity::Critical,
             host + " is a CNAME to " + c->finalName() + ", which does not exist for " + who(*used) +
                 ": the private DNS zone has no record for the server, or is not linked to this VNet",
             digEvidence(*used, in.timeoutMs), std::string(zone->nxdomainFix)});
      } else {
        ev.findings.push_back({"dns.nxdomain", Severity::Critical,
                               stateSentence(*used, s, host, in.timeoutMs), digEvidence(*used, in.timeoutMs),
                               nxdomainFix(in.provider)});
      }
    } else if (s == ResolverState::NoData) {
      ev.findings.push_back({"dns.no_address", Severity::Critical,
                             stateSentence(*used, s, host, in.timeoutMs), digEvidence(*used, in.timeoutMs),
                             nxdomainFix(in.provider)});
    } else {
      const auto addrs = addressesOf(*used);
      std::vector<AddressAnswer> pub, outside;
      for (const auto& a : addrs) {
        if (!outsideExpected(a.address, in.vpcCidrs)) continue;
        (isPublic(a.address) ? pub : outside).push_back(a);
      }
      if (!pub.empty()) {
        ev.findings.push_back({"dns.answer_public", Severity::Critical,
                               host + " resolves to public address(es) " + joinAddresses(pub) + " at " +
                                   who(*used) + ": the connection would leave the private network",
                               digEvidence(*used, in.timeoutMs),
                               std::string(target::profileOf(in.provider).dnsFixes.answerPublic)});
      }
      if (!outside.empty()) {
        ev.findings.push_back({"dns.answer_outside_vpc", Severity::Critical,
                               host + " resolves to " + joinAddresses(outside) +
                                   ", private but outside the VPC (" + cidrList(in.vpcCidrs) + ")",
                               digEvidence(*used, in.timeoutMs), outsideFix(in.provider)});
      }
      if (pub.empty() && outside.empty()) {
        ev.findings.push_back(
            {in.vpcCidrs.empty() ? "dns.answer_private" : "dns.answer_in_vpc", Severity::Info,
             host + " resolves to " + joinAddresses(addrs) +
                 (in.vpcCidrs.empty() ? ", private addresses"
                                      : ", inside the VPC (" + cidrList(in.vpcCidrs) + ")") +
                 ", at " + who(*used),
             digEvidence(*used, in.timeoutMs), ""});
      }
    }
  }

  // 3. Split horizon: resolvers that answered, with different answers.
  std::map<std::string, std::vector<const ResolverAnswer*>> bySig;
  std::vector<std::string> order;
  for (const auto& r : in.resolvers) {
    const ResolverState s = stateOf(r);
    if (s == ResolverState::Timeout || s == ResolverState::Unreachable) continue;
    const std::string sig = signature(r);
    if (!bySig.count(sig)) order.push_back(sig);
    bySig[sig].push_back(&r);
  }
  if (bySig.size() > 1) {
    bool wrongSide = false;
    for (const auto& r : in.resolvers) {
      for (const auto& a : addressesOf(r)) wrongSide = wrongSide || outsideExpected(a.address, in.vpcCidrs);
    }
    const Severity sev = (wrongSide || !in.vpcCidrs.empty()) ? Severity::Critical : Severity::Warning;
    Finding f{
        "dns.resolvers_disagree",
        sev,
        "resolvers disagree about " + host + " (" + std::to_string(bySig.size()) +
            " different answers): split-horizon DNS, so what works depends on which resolver is asked",
        {},
        "Make every resolver this machine may use give the same private answer: point all nameservers in "
        "/etc/resolv.conf (or the DHCP options) at the resolver that has the private zone, and remove stale "
        "records or overrides from the others."};
    if (const auto extra = target::profileOf(in.provider).dnsFixes.resolversDisagree; !extra.empty()) {
      f.fix += " " + std::string(extra);
    }
    for (const auto& sig : order) {
      for (const auto* r : bySig[sig]) f.evidence.push_back(who(*r) + ": " + sig);
    }
    for (const auto& sig : order) {
      for (auto& l : digEvidence(*bySig[sig].front(), in.timeoutMs)) f.evidence.push_back(l);
    }
    ev.findings.push_back(std::move(f));
  }

  // 4. Other resolvers that failed outright (their answers are compared above).
  for (const auto& r : in.resolvers) {
    if (r.role == ResolverRole::System) continue;
    const ResolverState s = stateOf(r);
    if (libraryAccepts(s)) continue;
    ev.findings.push_back({codeFor(s), Severity::Warning, stateSentence(r, s, host, in.timeoutMs),
                           digEvidence(r, in.timeoutMs), stateFix(s, in.provider)});
  }

  // 5. The hostname itself.
  // (Only providers with a private hostname form can have a public one.)
  if (!target::isPrivateHostname(in.provider, host)) {
    ev.findings.push_back({"dns.not_private_hostname",
                           Severity::Warning,
                           host + " is the provider's public hostname, not its private (PrivateLink) one",
                           {host},
                           std::string(target::profileOf(in.provider).dnsFixes.publicHostname)});
  }

  if (used && stateOf(*used) == ResolverState::Addresses) {
    const auto addrs = addressesOf(*used);
    const Classified* c = firstAnswered(*used);
    // 6. A provider with a private zone (Azure's privatelink): the public name must CNAME through it.
    if (const auto& zone = target::profileOf(in.provider).privateZone;
        !zone.zone.empty() && !chainThroughZone(*used, zone.zone)) {
      ev.findings.push_back(
          {std::string(zone.notInChainCode), Severity::Warning,
           host + " does not resolve through " + std::string(zone.zone) + " (chain: " + chainText(*c) + ")",
           digEvidence(*used, in.timeoutMs), std::string(zone.notInChainFix)});
    }
    // 7. Long TTLs on private answers keep stale addresses in caches.
    std::vector<std::string> longTtl;
    for (const auto& a : addrs) {
      if (!isPublic(a.address) && a.ttl > kLongTtlSeconds) {
        longTtl.push_back(a.address.toString() + " TTL " + std::to_string(a.ttl) + " s");
      }
    }
    if (!longTtl.empty()) {
      ev.findings.push_back(
          {"dns.long_ttl", Severity::Warning,
           host + " has a private answer cached for more than an hour: a changed endpoint address "
                  "stays stale that long",
           longTtl,
           "Lower the record's TTL (private endpoint records normally use 10-300 s), or flush "
           "resolver caches after changing the endpoint."});
    }
    // 8. AAAA answers with no IPv6 route: libpq tries them and gets "Network is unreachable".
    std::vector<std::string> noRoute;
    bool haveV4 = false;
    for (const auto& a : addrs) {
      if (a.address.isV4()) {
        haveV4 = true;
      } else if (!in.hasRoute(a.address)) {
        noRoute.push_back(a.address.toString());
      }
    }
    if (!noRoute.empty()) {
      ev.findings.push_back(
          {"dns.aaaa_no_ipv6_route", haveV4 ? Severity::Warning : Severity::Critical,
           host + " has AAAA answer(s) but this machine has no IPv6 route to them", noRoute,
           "Either give this machine IPv6 routing to the endpoint or remove the AAAA record "
           "(libpq tries every address and reports \"Network is unreachable\" for these)."});
    }
    if (c && c->oversized) {
      ev.findings.push_back({"dns.oversized_answer",
                             Severity::Warning,
                             who(*used) + " answered with " + std::to_string(c->answerRecords) +
                                 " records; only the first " + std::to_string(kMaxAnswerRecords) +
                                 " were read",
                             {},
                             "Check the zone for runaway records."});
    }
    for (const auto& a : addrs) ev.addresses.push_back(a.address);
    ev.source = used->server.label();
  }

  // 9. Truncation (informational: TCP retry done).
  for (const auto& r : in.resolvers) {
    if (r.a.truncatedOverUdp || r.aaaa.truncatedOverUdp) {
      ev.findings.push_back(
          {"dns.truncated", Severity::Info,
           who(r) + " truncated its UDP answer for " + host + "; it was asked again over TCP",
           digEvidence(r, in.timeoutMs), "Make sure TCP port 53 to the resolver is allowed as well as UDP."});
    }
  }

  // Nothing usable from the system: the union of what any resolver answered, so the
  // later stages still have something to probe.
  if (ev.addresses.empty()) {
    for (const auto& r : in.resolvers) {
      for (const auto& a : addressesOf(r)) {
        if (std::find(ev.addresses.begin(), ev.addresses.end(), a.address) == ev.addresses.end()) {
          ev.addresses.push_back(a.address);
        }
      }
    }
    if (!ev.addresses.empty()) ev.source = "union";
  }

  std::stable_sort(ev.findings.begin(), ev.findings.end(), [](const Finding& x, const Finding& y) {
    return static_cast<int>(x.severity) > static_cast<int>(y.severity);
  });
  return ev;
}

std::vector<engine::Finding> compareSystemWithDns(const std::string& host,
                                                  const std::vector<net::IpAddress>& system,
                                                  const std::vector<net::IpAddress>& dnsAddrs,
                                                  const std::vector<net::IpAddress>& hostsFileAddresses) {
  std::set<net::IpAddress> s(system.begin(), system.end()), d(dnsAddrs.begin(), dnsAddrs.end());
  if (s == d) return {};
  auto list = [](const std::set<net::IpAddress>& v) {
    std::string out;
    for (const auto& a : v) out += (out.empty() ? "" : ", ") + a.toString();
    return out.empty() ? std::string("(none)") : out;
  };
  std::vector<std::string> evidence{"getaddrinfo(\"" + host + "\"): " + list(s), "DNS: " + list(d)};
  if (!hostsFileAddresses.empty()) {
    std::set<net::IpAddress> h(hostsFileAddresses.begin(), hostsFileAddresses.end());
    evidence.push_back("/etc/hosts: " + list(h) + " " + host);
    return {
        {"dns.hosts_override", Severity::Warning,
         "/etc/hosts overrides " + host + ": the connection goes to " + list(h) + ", not to what DNS answers",
         evidence,
         "Remove or correct the " + host +
             " line in /etc/hosts (stale entries there outlive endpoint "
             "changes); let DNS answer the name."}};
  }
  if (s.empty()) return {};  // the system lookup failed: dns.resolve already says why
  return {{"dns.system_differs", Severity::Warning,
           "the C library resolves " + host +
               " differently from DNS (nsswitch, a local cache or another resolver)",
           evidence,
           "Check /etc/nsswitch.conf and local caches (systemd-resolved, nscd, dnsmasq): libpq uses what "
           "getaddrinfo "
           "returns."}};
}

}  // namespace pgreach::checks::dns
