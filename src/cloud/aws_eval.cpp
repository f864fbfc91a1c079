#include "cloud/aws_eval.h"

#include <algorithm>
#include <set>

#include "util/strings.h"

namespace pgreach::cloud {

using Finding = AuditFinding;
using Severity = AuditSeverity;

namespace {

bool protocolMatches(int ruleProto, int proto) { return ruleProto == kProtoAll || ruleProto == proto; }

bool portMatters(int proto) { return proto == kProtoTcp || proto == kProtoUdp; }

std::string hostCidr(const net::IpAddress& a) { return a.toString() + (a.isV4() ? "/32" : "/128"); }

// The first rule of `groups` (in order) that carries `protocol`/`port` in that direction and
// that `pick` accepts.
template <typename Pick>
std::optional<SgMatch> firstRule(const AwsAccount& acc, const std::vector<std::string>& groups, bool egress,
                                 int protocol, int port, Pick pick) {
  for (const auto& gid : groups) {
    const SecurityGroup* g = acc.securityGroup(gid);
    if (!g) continue;
    for (const auto& r : egress ? g->egress : g->ingress) {
      if (!protocolMatches(r.protocol, protocol)) continue;
      if (r.protocol != kProtoAll && portMatters(protocol) && !r.ports.contains(port)) continue;
      if (pick(r)) return SgMatch{g, &r};
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<SgMatch> matchSecurityGroups(const AwsAccount& acc, const std::vector<std::string>& groups,
                                           bool egress, const net::IpAddress& peer, int protocol, int port) {
  return firstRule(acc, groups, egress, protocol, port, [&](const SgRule& r) {
    bool peerOk =
        std::any_of(r.cidrs.begin(), r.cidrs.end(), [&](const net::Cidr& c) { return c.contains(peer); });
    for (size_t i = 0; !peerOk && i < r.prefixLists.size(); ++i) {
      auto pl = acc.prefixLists.find(r.prefixLists[i]);
      if (pl == acc.prefixLists.end()) continue;
      peerOk = std::any_of(pl->second.begin(), pl->second.end(),
                           [&](const net::Cidr& c) { return c.contains(peer); });
    }
    for (size_t i = 0; !peerOk && i < r.groupRefs.size(); ++i)
      peerOk = acc.addressCarriesGroup(peer, r.groupRefs[i]);
    return peerOk;
  });
}

const NaclEntry* matchNacl(const NetworkAcl& acl, bool egress, const net::IpAddress& peer, int protocol,
                           int port) {
  for (const auto& e : acl.entries) {
    if (e.egress != egress || !protocolMatches(e.protocol, protocol)) continue;
    if (e.protocol != kProtoAll && portMatters(protocol) && !e.ports.contains(port)) continue;
    if (!e.cidr.contains(peer)) continue;
    return &e;
  }
  return nullptr;
}

std::vector<NaclSegment> evaluateNaclRange(const NetworkAcl& acl, bool egress, const net::IpAddress& peer,
                                           int protocol, PortRange ports) {
  // Walk the entries in order, carving decided intervals out of what is still open.
  std::vector<PortRange> open{ports};
  std::vector<NaclSegment> out;
  for (const auto& e : acl.entries) {
    if (open.empty()) break;
    if (e.egress != egress || !protocolMatches(e.protocol, protocol) || !e.cidr.contains(peer)) continue;
    const PortRange er = (e.protocol == kProtoAll || !portMatters(protocol)) ? PortRange{} : e.ports;
    std::vector<PortRange> still;
    for (const auto& o : open) {
      const int lo = std::max(o.from, er.from), hi = std::min(o.to, er.to);
      if (lo > hi) {
        still.push_back(o);
        continue;
      }
      out.push_back({{lo, hi}, &e});
      if (o.from < lo) still.push_back({o.from, lo - 1});
      if (hi < o.to) still.push_back({hi + 1, o.to});
    }
    open = std::move(still);
  }
  for (const auto& o : open) out.push_back({o, nullptr});
  std::sort(out.begin(), out.end(),
            [](const NaclSegment& a, const NaclSegment& b) { return a.ports.from < b.ports.from; });
  return out;
}

int freeRuleNumberBelow(const NetworkAcl& acl, bool egress, int decider) {
  std::set<int> used;
  int highest = 0;
  for (const auto& e : acl.entries) {
    if (e.egress != egress) continue;
    used.insert(e.ruleNumber);
    // The default entries (32767, and 32768 for IPv6) are not rules a person numbered.
    if (e.ruleNumber < decider && e.ruleNumber < 32767) highest = std::max(highest, e.ruleNumber);
  }
  // Prefer the next round number after the rules that already come first (what a
  // person would pick), as long as it still ranks before the decider.
  const int round = (highest / 10 + 1) * 10;
  if (round < decider && round <= 32766 && !used.count(round)) return round;
  for (int n = std::min(decider, 32767) - 1; n >= 1; --n) {
    if (!used.count(n)) return n;
  }
  return 1;
}

namespace {

std::string naclDecider(const NetworkAcl& acl, const NaclEntry* e, const net::IpAddress& peer) {
  if (e) return acl.id + " " + e->describe();
  return acl.id + " rule * (" + std::string(peer.isV4() ? "32767" : "32768") + ", implicit default deny)";
}

std::string naclFix(const NetworkAcl& acl, bool egress, int decider, int protocol, PortRange ports,
                    const net::IpAddress& peer) {
  const int n = freeRuleNumberBelow(acl, egress, decider);
  std::string cmd = "aws ec2 create-network-acl-entry --network-acl-id " + acl.id + " --rule-number " +
                    std::to_string(n) + (egress ? " --egress" : " --ingress") + " --protocol " +
                    (protocol == kProtoAll   ? std::string("-1")
                     : portMatters(protocol) ? protocolName(protocol)
                                             : std::to_string(protocol));
  if (portMatters(protocol))
    cmd += " --port-range From=" + std::to_string(ports.from) + ",To=" + std::to_string(ports.to);
  cmd += (peer.isV4() ? " --cidr-block " : " --ipv6-cidr-block ") + hostCidr(peer) + " --rule-action allow";
  return cmd;
}

std::string sgFix(const std::string& groupId, bool egress, int protocol, int port,
                  const net::IpAddress& peer) {
  const std::string verb = egress ? "authorize-security-group-egress" : "authorize-security-group-ingress";
  if (peer.isV4()) {
    return "aws ec2 " + verb + " --group-id " + groupId + " --protocol " + protocolName(protocol) +
           " --port " + std::to_string(port) + " --cidr " + hostCidr(peer);
  }
  return "aws ec2 " + verb + " --group-id " + groupId +
         " --ip-permissions IpProtocol=" + protocolName(protocol) + ",FromPort=" + std::to_string(port) +
         ",ToPort=" + std::to_string(port) + ",Ipv6Ranges=[{CidrIpv6=" + hostCidr(peer) + "}]";
}

// A rule of `groups` that opens `port` to IPv4 ranges and lists no IPv6 range: what an
// IPv6 peer misses when nothing else admits it.
std::optional<SgMatch> ipv4OnlyRule(const AwsAccount& acc, const std::vector<std::string>& groups,
                                    bool egress, int protocol, int port) {
  return firstRule(acc, groups, egress, protocol, port, [](const SgRule& r) {
    const bool v4 =
        std::any_of(r.cidrs.begin(), r.cidrs.end(), [](const net::Cidr& c) { return c.base.isV4(); });
    const bool v6 =
        std::any_of(r.cidrs.begin(), r.cidrs.end(), [](const net::Cidr& c) { return !c.base.isV4(); });
    return v4 && !v6;
  });
}

std::string describeGroups(const std::vector<std::string>& groups) {
  return "aws ec2 describe-security-groups --group-ids " + util::join(groups, " ");
}

// `locate`: the export that names the interface's groups and subnet (describe-network-interfaces
// with this path's ids), for when they are unknown.
PathStep sgStep(const AwsAccount& acc, const std::vector<std::string>& groups, bool egress,
                const net::IpAddress& peer, int protocol, int port, const std::string& component,
                const char* code, const std::string& locate) {
  PathStep s;
  s.component = component;
  s.direction = "forward";
  s.resource = util::join(groups, ", ");
  if (groups.empty() || !acc.has("SecurityGroups")) {
    s.outcome = StepOutcome::Unknown;
    s.note = groups.empty() ? "no security groups known for this interface" : "no SecurityGroups export";
    s.settleWith = groups.empty() ? locate : describeGroups(groups);
    return s;
  }
  std::vector<std::string> missing;
  for (const auto& g : groups) {
    if (!acc.securityGroup(g)) missing.push_back(g);
  }
  if (auto m = matchSecurityGroups(acc, groups, egress, peer, protocol, port)) {
    s.outcome = StepOutcome::Allowed;
    s.decidedBy = m->group->id + (egress ? " egress" : " ingress") + " rule #" +
                  std::to_string(m->rule->index) + " (" + m->rule->describe() + ")";
    return s;
  }
  if (missing.size() == groups.size()) {
    s.outcome = StepOutcome::Unknown;
    s.note = "groups not in the export: " + util::join(missing, ", ");
    s.settleWith = describeGroups(missing);
    return s;
  }
  s.outcome = StepOutcome::Denied;
  s.code = code;
  s.decidedBy = "no " + std::string(egress ? "egress" : "ingress") + " rule in " + util::join(groups, ", ") +
                " allows " + protocolName(protocol) + " " + std::to_string(port) +
                (egress ? " to " : " from ") + peer.toString() +
                " (security groups allow only what a rule lists)";
  std::string fixGroup = groups.front();
  if (!peer.isV4()) {
    // The classic dual-stack miss: a rule opens the port for IPv4 ranges and has no
    // Ipv6Ranges, so the same connection over IPv6 matches nothing.
    if (const auto v4only = ipv4OnlyRule(acc, groups, egress, protocol, port)) {
      s.code = "cloud.sg_ipv6_range_missing";
      s.decidedBy = "IPv6: " + v4only->group->id + (egress ? " egress" : " ingress") + " rule #" +
                    std::to_string(v4only->rule->index) + " (" + v4only->rule->describe() +
                    ") lists IPv4 ranges only (no Ipv6Ranges), and no rule in " + util::join(groups, ", ") +
                    " allows " + protocolName(protocol) + " " + std::to_string(port) +
                    (egress ? " to " : " from ") + peer.toString();
      fixGroup = v4only->group->id;
    }
  }
  s.fix = sgFix(fixGroup, egress, protocol, port, peer);
  if (!missing.empty()) s.note = "groups not in the export: " + util::join(missing, ", ");
  return s;
}

PathStep naclStep(const AwsAccount& acc, const std::string& subnetId, bool egress, const net::IpAddress& peer,
                  int protocol, PortRange ports, const std::string& component, const std::string& direction,
                  const char* code, const std::string& locate) {
  PathStep s;
  s.component = component;
  s.direction = direction;
  const std::string describe =
      subnetId.empty()
          ? locate
          : "aws ec2 describe-network-acls --filters Name=association.subnet-id,Values=" + subnetId;
  if (!acc.has("NetworkAcls")) {
    s.outcome = StepOutcome::Unknown;
    s.note = "no NetworkAcls export";
    s.settleWith = describe;
    return s;
  }
  const NetworkAcl* acl = subnetId.empty() ? nullptr : acc.naclForSubnet(subnetId);
  if (!acl) {
    s.outcome = StepOutcome::Unknown;
    s.note = subnetId.empty() ? "subnet unknown" : "no network ACL for " + subnetId + " in the export";
    s.settleWith = describe;
    return s;
  }
  s.resource = acl->id;
  auto segs = evaluateNaclRange(*acl, egress, peer, protocol, ports);
  const NaclSegment* deny = nullptr;
  for (const auto& g : segs) {
    if (!g.allowed()) {
      deny = &g;
      break;
    }
  }
  if (!deny) {
    std::vector<std::string> by;
    for (const auto& g : segs) by.push_back(naclDecider(*acl, g.entry, peer));
    by.erase(std::unique(by.begin(), by.end()), by.end());
    s.outcome = StepOutcome::Allowed;
    s.decidedBy = util::join(by, "; ");
    return s;
  }
  s.outcome = StepOutcome::Denied;
  s.code = code;
  s.decidedBy = naclDecider(*acl, deny->entry, peer);
  if (!(ports.from == deny->ports.from && ports.to == deny->ports.to)) {
    s.decidedBy += " denies ports " + deny->ports.toString() + " of " + ports.toString();
  }
  if (!peer.isV4()) {
    // IPv6 traffic is judged by the entries with an Ipv6CidrBlock only: an IPv4 entry that
    // allows the same ports is the rule the IPv6 entry was forgotten beside.
    const NaclEntry* v4 = nullptr;
    for (const auto& e : acl->entries) {
      if (e.egress != egress || !e.allow || !e.cidr.base.isV4() || !protocolMatches(e.protocol, protocol))
        continue;
      const PortRange er = (e.protocol == kProtoAll || !portMatters(protocol)) ? PortRange{} : e.ports;
      if (er.from <= deny->ports.from && er.to >= deny->ports.to) {
        v4 = &e;
        break;
      }
    }
    if (v4 && (!deny->entry || deny->entry->ruleNumber >= 32767)) {
      s.code = "cloud.nacl_ipv6_entry_missing";
      s.decidedBy = "IPv6: " + s.decidedBy + "; IPv4 entry " + v4->describe() +
                    " allows these ports, but no IPv6 entry (Ipv6CidrBlock) does";
    }
  }
  const int decider = deny->entry ? std::min(deny->entry->ruleNumber, 32767) : 32767;
  s.fix = naclFix(*acl, egress, decider, protocol, ports, peer);
  return s;
}

PathStep routeStep(const AwsAccount& acc, const std::string& subnetId, const net::IpAddress& dest,
                   const std::string& component, const std::string& direction, const std::string& locate) {
  PathStep s;
  s.component = component;
  s.direction = direction;
  // The subnet's own table, or its VPC's main one (the association filter misses a
  // subnet that uses the main table).
  std::string describe = locate;
  if (!subnetId.empty()) {
    const Subnet* sub = acc.subnet(subnetId);
    describe = sub && !sub->vpcId.empty()
                   ? "aws ec2 describe-route-tables --filters Name=vpc-id,Values=" + sub->vpcId
                   : "aws ec2 describe-route-tables --filters Name=association.subnet-id,Values=" + subnetId;
  }
  if (!acc.has("RouteTables")) {
    s.outcome = StepOutcome::Unknown;
    s.note = "no RouteTables export";
    s.settleWith = describe;
    return s;
  }
  const RouteTable* rt = subnetId.empty() ? nullptr : acc.routeTableForSubnet(subnetId);
  if (!rt) {
    s.outcome = StepOutcome::Unknown;
    s.note = subnetId.empty() ? "subnet unknown" : "no route table (explicit or main) for " + subnetId;
    s.settleWith = describe;
    return s;
  }
  s.resource = rt->id;
  const Route* best = nullptr;
  for (const auto& r : rt->routes) {
    if (r.destination.contains(dest) && (!best || r.destination.prefix > best->destination.prefix)) best = &r;
  }
  if (!best) {
    s.outcome = StepOutcome::Denied;
    s.code = "cloud.no_route";
    s.decidedBy = rt->id + " has no " + (dest.isV4() ? "" : "IPv6 ") + "route to " + dest.toString();
    s.fix = "aws ec2 create-route --route-table-id " + rt->id +
            (dest.isV4() ? " --destination-cidr-block " : " --destination-ipv6-cidr-block ") +
            hostCidr(dest) + " --gateway-id <the peering/transit gateway toward " + dest.toString() + ">";
    return s;
  }
  const std::string routeText = rt->id + " route " + best->destination.toString() + " -> " +
                                (best->target.empty() ? std::string("?") : best->target);
  if (best->blackhole) {
    s.outcome = StepOutcome::Denied;
    s.code = "cloud.route_blackhole";
    s.decidedBy = routeText + " (blackhole: its target no longer exists)";
    s.fix =
        std::string("aws ec2 delete-route --route-table-id ") + rt->id +
        (best->destination.base.isV4() ? " --destination-cidr-block " : " --destination-ipv6-cidr-block ") +
        best->destination.toString();
    return s;
  }
  s.outcome = StepOutcome::Allowed;
  s.decidedBy = routeText + " (longest prefix match)";
  if (util::startsWith(best->target, "eni-") || util::startsWith(best->target, "i-")) {
    s.note = "traffic goes through the appliance " + best->target + "; its own filtering is not modelled";
  }
  return s;
}

std::vector<std::string> clientGroupsFor(const AwsAccount& acc, const AwsPathQuery& q,
                                         std::string& subnetId) {
  std::vector<std::string> groups = q.clientGroups;
  subnetId = q.clientSubnetId;
  if (const NetworkInterface* eni = acc.interfaceByAddress(q.client)) {
    if (groups.empty()) groups = eni->groups;
    if (subnetId.empty()) subnetId = eni->subnetId;
  }
  if (subnetId.empty()) {
    if (const Subnet* s = acc.subnetContaining(q.client)) subnetId = s->id;
  }
  return groups;
}

}  // namespace

namespace {

std::string locateByAddress(const net::IpAddress& a) {
  return "aws ec2 describe-network-interfaces --filters Name=addresses.private-ip-address,Values=" +
         a.toString();
}

// The interface VPC endpoint an address belongs to when the export lacks its network
// interfaces: the endpoints with ENIs missing from the export, narrowed to those with a
// subnet holding the address (when the subnets are exported). Only a single candidate,
// or candidates that all carry the same groups, count: never a guess between two.
const VpcEndpoint* endpointWithoutInterfaces(const AwsAccount& acc, const net::IpAddress& a) {
  std::vector<const VpcEndpoint*> candidates;
  const Subnet* holding = acc.subnetContaining(a);
  for (const auto& e : acc.endpoints) {
    if (util::toLower(e.type) != "interface" && !e.type.empty()) continue;
    const bool missingEni = std::any_of(e.networkInterfaceIds.begin(), e.networkInterfaceIds.end(),
                                        [&](const std::string& id) { return !acc.interface(id); });
    if (!missingEni) continue;
    if (holding && std::find(e.subnetIds.begin(), e.subnetIds.end(), holding->id) == e.subnetIds.end())
      continue;
    candidates.push_back(&e);
  }
  if (candidates.empty()) return nullptr;
  for (const auto* c : candidates) {
    if (c->groups != candidates.front()->groups) return nullptr;
  }
  return candidates.front();
}

}  // namespace

std::string describeMissingInterfaces(const AwsAccount& acc, const VpcEndpoint& ep) {
  std::vector<std::string> missing;
  for (const auto& id : ep.networkInterfaceIds) {
    if (!acc.interface(id)) missing.push_back(id);
  }
  if (missing.empty()) return "";
  return "aws ec2 describe-network-interfaces --network-interface-ids " + util::join(missing, " ");
}

PathVerdict evaluateAwsPath(const AwsAccount& acc, const AwsPathQuery& q) {
  PathVerdict v;
  v.client = q.client.toString();
  v.endpoint = q.endpoint.toString();
  v.port = q.port;
  std::string clientSubnet;
  const auto clientGroups = clientGroupsFor(acc, q, clientSubnet);
  std::vector<std::string> endpointGroups;
  std::string endpointSubnet;
  std::string endpointGroupsNote;
  std::string locateEndpoint = locateByAddress(q.endpoint);
  if (const NetworkInterface* eni = acc.interfaceByAddress(q.endpoint)) {
    endpointGroups = eni->groups;
    endpointSubnet = eni->subnetId;
  } else if (const VpcEndpoint* ep = endpointWithoutInterfaces(acc, q.endpoint)) {
    // describe-vpc-endpoints names the endpoint's groups: what they deny is known even
    // without the interfaces (and what they allow is evidence too).
    endpointGroups = ep->groups;
    endpointGroupsNote =
        "groups of " + ep->id + " from describe-vpc-endpoints (its interfaces are not in the export)";
    if (auto cmd = describeMissingInterfaces(acc, *ep); !cmd.empty()) locateEndpoint = cmd;
  }
  if (endpointSubnet.empty()) {
    if (const Subnet* s = acc.subnetContaining(q.endpoint)) endpointSubnet = s->id;
  }
  const std::string locateClient = locateByAddress(q.client);
  // NACLs filter at the subnet boundary: traffic inside one subnet never crosses them.
  const bool sameSubnet = !clientSubnet.empty() && clientSubnet == endpointSubnet;
  auto naclOrSkip = [&](const std::string& subnet, bool egress, const net::IpAddress& peer, PortRange ports,
                        const std::string& component, const std::string& direction, const char* code,
                        const std::string& locate) {
    if (sameSubnet) {
      PathStep s{component,
                 direction,
                 StepOutcome::NotApplicable,
                 "",
                 "",
                 "",
                 "",
                 "client and endpoint share " + subnet + ": network ACLs do not apply inside a subnet",
                 ""};
      return s;
    }
    return naclStep(acc, subnet, egress, peer, q.protocol, ports, component, direction, code, locate);
  };
  const PortRange dport{q.port, q.port};
  const PortRange ephemeral{kEphemeralFrom, kEphemeralTo};

  v.steps.push_back(sgStep(acc, clientGroups, true, q.endpoint, q.protocol, q.port,
                           "client security groups egress", "cloud.sg_egress_missing", locateClient));
  v.steps.push_back(naclOrSkip(clientSubnet, true, q.endpoint, dport, "client subnet network ACL egress",
                               "forward", "cloud.nacl_egress_denied", locateClient));
  v.steps.push_back(
      routeStep(acc, clientSubnet, q.endpoint, "client subnet route table", "forward", locateClient));
  v.steps.push_back(naclOrSkip(endpointSubnet, false, q.client, dport, "endpoint subnet network ACL ingress",
                               "forward", "cloud.nacl_ingress_denied", locateEndpoint));
  auto ingress = sgStep(acc, endpointGroups, false, q.client, q.protocol, q.port,
                        "endpoint security groups ingress", "cloud.sg_ingress_missing", locateEndpoint);
  if (!endpointGroupsNote.empty())
    ingress.note = ingress.note.empty() ? endpointGroupsNote : endpointGroupsNote + "; " + ingress.note;
  v.steps.push_back(ingress);
  v.steps.push_back(naclOrSkip(endpointSubnet, true, q.client, ephemeral,
                               "endpoint subnet network ACL egress (return)", "return",
                               "cloud.nacl_return_denied", locateEndpoint));
  v.steps.push_back(routeStep(acc, endpointSubnet, q.client, "endpoint subnet route table (return)", "return",
                              locateEndpoint));
  v.steps.push_back(naclOrSkip(clientSubnet, false, q.endpoint, ephemeral,
                               "client subnet network ACL ingress (return)", "return",
                               "cloud.nacl_return_denied", locateClient));
  return v;
}

std::string neonServiceName(std::string_view region) {
  // Neon Private Networking, endpoint service names per region (seeds/000).
  static const std::pair<const char*, const char*> kNeon[] = {
      {"us-east-1", "com.amazonaws.vpce.us-east-1.vpce-svc-0ccf08d7888526333"},
      {"us-east-2", "com.amazonaws.vpce.us-east-2.vpce-svc-0fa555394e26593be"},
      {"eu-central-1", "com.amazonaws.vpce.eu-central-1.vpce-svc-0fa74d33d011f0803"},
      {"us-west-2", "com.amazonaws.vpce.us-west-2.vpce-svc-05948d7514bcd0733"},
      {"ap-southeast-1", "com.amazonaws.vpce.ap-southeast-1.vpce-svc-045649a6862891b1e"},
      {"ap-southeast-2", "com.amazonaws.vpce.ap-southeast-2.vpce-svc-08e19a71d9651bde1"},
  };
  for (const auto& [r, s] : kNeon) {
    if (region == r) return s;
  }
  return "";
}

std::string regionFromName(std::string_view name) {
  // A region label looks like xx-word-N ("us-east-1", "ap-southeast-2", "eu-central-1").
  for (const auto& label : util::split(name, '.')) {
    auto parts = util::split(label, '-');
    if (parts.size() != 3 || parts[0].size() != 2 || parts[2].empty()) continue;
    if (!std::all_of(parts[2].begin(), parts[2].end(), [](char c) { return c >= '0' && c <= '9'; })) continue;
    static const std::set<std::string> kAreas{"us", "eu", "ap", "sa", "ca", "me", "af", "il", "mx", "cn"};
    static const std::set<std::string> kDirections{
        "east", "west", "north", "south", "central", "northeast", "southeast", "northwest", "southwest"};
    if (!kAreas.count(parts[0]) || !kDirections.count(parts[1])) continue;
    return label;
  }
  return "";
}

std::vector<net::IpAddress> endpointAddresses(const AwsAccount& acc, const VpcEndpoint& ep) {
  std::vector<net::IpAddress> out;
  for (const auto& id : ep.networkInterfaceIds) {
    if (const NetworkInterface* eni = acc.interface(id)) {
      for (const auto& a : eni->addresses) out.push_back(a);
    }
  }
  return out;
}

namespace {

// What the endpoint answers on (IpAddressType) and what its private DNS publishes
// (DnsRecordIpType) against the AAAA answers and the client's families. An export without
// the attributes (older CLIs) says nothing here: nothing is assumed.
void auditFamilies(const AwsAccount& acc, const VpcEndpoint& ep, const AwsEndpointContext& c,
                   std::vector<Finding>& out) {
  const std::string& ipType = ep.ipAddressType;
  const std::string& dnsType = ep.dnsRecordIpType;
  const std::string attrs = "describe-vpc-endpoints: " + ep.id +
                            (ipType.empty() ? "" : " IpAddressType=" + ipType) +
                            (dnsType.empty() ? "" : " DnsOptions.DnsRecordIpType=" + dnsType);
  const std::string dualStack = "aws ec2 modify-vpc-endpoint --vpc-endpoint-id " + ep.id +
                                " --ip-address-type dualstack --dns-options DnsRecordIpType=dualstack";
  const auto own = endpointAddresses(acc, ep);
  std::vector<std::string> foreignAaaa;
  for (const auto& a : c.dnsAnswers) {
    if (!a.isV4() && std::find(own.begin(), own.end(), a) == own.end()) foreignAaaa.push_back(a.toString());
  }
  if (!foreignAaaa.empty() && (ipType == "ipv4" || dnsType == "ipv4")) {
    const bool v4Endpoint = ipType == "ipv4";
    out.push_back(
        {"cloud.aaaa_not_from_endpoint",
         Severity::Warning,
         "DNS answers AAAA " + util::join(foreignAaaa, ", ") + " but endpoint " + ep.id +
             (v4Endpoint ? " answers on IPv4 only" : " publishes A records only") +
             ": the IPv6 answers lead elsewhere, and the application tries them first",
         {attrs, "AAAA answers not on the endpoint's interfaces: " + util::join(foreignAaaa, ", ")},
         v4Endpoint
             ? "Delete the AAAA record that answers for the name (it is not the endpoint's private DNS), or "
               "make the endpoint dual-stack so it publishes its own (its subnets need IPv6 ranges and the "
               "endpoint service must support IPv6): " +
                   dualStack
             : "Delete the AAAA record that answers for the name, or publish the endpoint's own AAAA "
               "records: aws ec2 modify-vpc-endpoint --vpc-endpoint-id " +
                   ep.id + " --dns-options DnsRecordIpType=dualstack"});
  }
  const bool v6Only = ipType == "ipv6" || dnsType == "ipv6";
  if (v6Only && c.clientHasIpv6 && !*c.clientHasIpv6) {
    const std::string what = ipType == "ipv6" ? "answers on IPv6 only (IpAddressType=ipv6)"
                                              : "publishes AAAA records only (DnsRecordIpType=ipv6)";
    const std::string clientFix =
        "give the client IPv6: aws ec2 associate-subnet-cidr-block --subnet-id " +
        (c.clientSubnet.empty() ? std::string("<the client's subnet>") : c.clientSubnet) +
        " --ipv6-cidr-block <a /64 of the VPC's IPv6 block>, then aws ec2 assign-ipv6-addresses "
        "--network-interface-id " +
        (c.clientInterface.empty() ? std::string("<the client's interface>") : c.clientInterface) +
        " --ipv6-address-count 1";
    out.push_back({"cloud.endpoint_ipv6_only_client_no_ipv6",
                   Severity::Critical,
                   "endpoint " + ep.id + " " + what +
                       " and the client has no IPv6 address: connections fail (`Network is unreachable`)",
                   {attrs, "the client's interface and subnet in the export carry no IPv6 address or range"},
                   ipType == "ipv6"
                       ? "Make the endpoint dual-stack: " + dualStack + "; or " + clientFix
                       : "Publish A records too: aws ec2 modify-vpc-endpoint --vpc-endpoint-id " + ep.id +
                             " --dns-options DnsRecordIpType=dualstack; or " + clientFix});
  }
}

}  // namespace

std::vector<Finding> auditAwsEndpoint(const AwsAccount& acc, const VpcEndpoint& ep,
                                      const AwsEndpointContext& c) {
  std::vector<Finding> out;
  const std::string st = ep.state;
  if (util::toLower(st) != "available") {
    Finding f{"cloud.endpoint_not_available",
              Severity::Critical,
              "VPC endpoint " + ep.id + " is " + st + ", not available: no traffic passes",
              {"describe-vpc-endpoints: " + ep.id + " State=" + st},
              ""};
    const std::string l = util::toLower(st);
    if (l == "pendingacceptance") {
      f.fix = "The provider must accept the connection: give them the endpoint id " + ep.id +
              " (Neon: `neon vpc endpoint assign " + ep.id +
              "`; PlanetScale/Heroku: their dashboard), then wait for State=available.";
    } else if (l == "rejected" || l == "failed" || l == "expired") {
      f.fix =
          "Recreate the endpoint after the provider has allowed your account: aws ec2 delete-vpc-endpoints "
          "--vpc-endpoint-ids " +
          ep.id;
    } else {
      f.fix =
          "Wait for the endpoint to become available: aws ec2 describe-vpc-endpoints --vpc-endpoint-ids " +
          ep.id;
    }
    out.push_back(std::move(f));
  }
  // Heroku connects through the endpoint's own DNS names; the others need private DNS.
  const bool needsPrivateDns = c.provider != "heroku";
  if (needsPrivateDns && ep.privateDnsEnabled && !*ep.privateDnsEnabled) {
    out.push_back(
        {"cloud.private_dns_disabled",
         Severity::Critical,
         "private DNS is off on " + ep.id + ": the provider's hostname resolves to public addresses",
         {"describe-vpc-endpoints: " + ep.id + " PrivateDnsEnabled=false"},
         "aws ec2 modify-vpc-endpoint --vpc-endpoint-id " + ep.id + " --private-dns-enabled"});
  }
  if (const Vpc* vpc = acc.vpc(ep.vpcId); vpc && needsPrivateDns) {
    if (vpc->dnsSupport && !*vpc->dnsSupport) {
      out.push_back(
          {"cloud.vpc_dns_support_disabled",
           Severity::Critical,
           "VPC " + vpc->id + " has enableDnsSupport off: private hosted zones (private DNS) do not resolve",
           {"describe-vpc-attribute: EnableDnsSupport.Value=false"},
           "aws ec2 modify-vpc-attribute --vpc-id " + vpc->id +
               " --enable-dns-support \"{\\\"Value\\\":true}\""});
    }
    if (vpc->dnsHostnames && !*vpc->dnsHostnames) {
      out.push_back(
          {"cloud.vpc_dns_hostnames_disabled",
           Severity::Critical,
           "VPC " + vpc->id + " has enableDnsHostnames off: private DNS for the endpoint does not apply",
           {"describe-vpc-attribute: EnableDnsHostnames.Value=false"},
           "aws ec2 modify-vpc-attribute --vpc-id " + vpc->id +
               " --enable-dns-hostnames \"{\\\"Value\\\":true}\""});
    }
  }
  if (c.provider == "neon") {
    const std::string svcRegion = regionFromName(ep.serviceName);
    const std::string want = neonServiceName(c.region.empty() ? svcRegion : c.region);
    if (want.empty()) {
      out.push_back({"cloud.wrong_service_name",
                     Severity::Critical,
                     "Neon has no PrivateLink service in region " + (c.region.empty() ? svcRegion : c.region),
                     {"ServiceName=" + ep.serviceName},
                     "Create the endpoint in a region Neon lists (seed: Neon Private Networking)."});
    } else if (ep.serviceName != want) {
      std::string why = !svcRegion.empty() && !c.region.empty() && svcRegion != c.region
                            ? "is for region " + svcRegion + ", the database is in " + c.region
                            : "is not Neon's service for " + (c.region.empty() ? svcRegion : c.region);
      out.push_back({"cloud.wrong_service_name",
                     Severity::Critical,
                     "endpoint " + ep.id + " service " + why,
                     {"ServiceName=" + ep.serviceName, "expected " + want},
                     "aws ec2 create-vpc-endpoint --vpc-id " + ep.vpcId +
                         " --vpc-endpoint-type Interface --service-name " + want +
                         " --subnet-ids <subnets in 2+ AZs> --security-group-ids <sg>"});
    }
  }
  std::set<std::string> azs;
  for (const auto& sid : ep.subnetIds) {
    if (const Subnet* s = acc.subnet(sid); s && !s->az.empty()) azs.insert(s->az);
  }
  for (const auto& id : ep.networkInterfaceIds) {
    if (const NetworkInterface* eni = acc.interface(id); eni && !eni->az.empty()) azs.insert(eni->az);
  }
  const std::vector<std::string> azList(azs.begin(), azs.end());
  if (ep.subnetIds.size() < 2 || (!azs.empty() && azs.size() < 2)) {
    out.push_back({"cloud.single_az",
                   Severity::Warning,
                   "endpoint " + ep.id + " has subnets in only " +
                       std::to_string(std::max<size_t>(azs.size(), ep.subnetIds.size() ? 1 : 0)) +
                       " availability zone: an AZ outage cuts the database off",
                   {"SubnetIds=" + util::join(ep.subnetIds, ","), "AZs=" + util::join(azList, ",")},
                   "aws ec2 modify-vpc-endpoint --vpc-endpoint-id " + ep.id +
                       " --add-subnet-ids <a subnet in another AZ>"});
  }
  if (!c.clientAz.empty() && !azs.empty() && !azs.count(c.clientAz)) {
    out.push_back(
        {"cloud.no_endpoint_in_client_az",
         Severity::Warning,
         "endpoint " + ep.id + " has no subnet in the client's zone " + c.clientAz + ": traffic crosses AZs",
         {"AZs=" + util::join(azList, ",")},
         "aws ec2 modify-vpc-endpoint --vpc-endpoint-id " + ep.id + " --add-subnet-ids <a subnet in " +
             c.clientAz + ">"});
  }
  auditFamilies(acc, ep, c, out);
  return out;
}

std::vector<Finding> auditEndpointGroups(const AwsAccount& acc, const VpcEndpoint& ep,
                                         const net::IpAddress& client, const std::vector<uint16_t>& ports) {
  std::vector<Finding> out;
  if (ep.groups.empty() || !acc.has("SecurityGroups") || !endpointAddresses(acc, ep).empty()) return out;
  if (!std::all_of(ep.groups.begin(), ep.groups.end(),
                   [&](const std::string& g) { return acc.securityGroup(g) != nullptr; }))
    return out;
  for (uint16_t port : ports) {
    if (matchSecurityGroups(acc, ep.groups, false, client, kProtoTcp, port)) continue;
    out.push_back(
        {"cloud.sg_ingress_missing",
         Severity::Critical,
         "the security groups of " + ep.id + " (" + util::join(ep.groups, ", ") + ") do not allow tcp " +
             std::to_string(port) + " from " + client.toString(),
         {"describe-vpc-endpoints: " + ep.id + " Groups=" + util::join(ep.groups, ","),
          "no ingress rule in " + util::join(ep.groups, ", ") + " allows tcp " + std::to_string(port) +
              " from " + client.toString() + " (security groups allow only what a rule lists)",
          "the endpoint's network interfaces are not in the export: " + describeMissingInterfaces(acc, ep)},
         sgFix(ep.groups.front(), false, kProtoTcp, port, client)});
  }
  return out;
}

}  // namespace pgreach::cloud
