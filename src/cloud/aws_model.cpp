#include "cloud/aws_model.h"

#include <algorithm>
#include <cctype>

#include "cloud/aws_sg_fast.h"
#include "cloud/export_dir.h"
#include "util/strings.h"

namespace pgreach::cloud {

std::string SgRule::describe() const {
  std::string s = protocolName(protocol);
  if (protocol == kProtoTcp || protocol == kProtoUdp) s += " " + ports.toString();
  std::vector<std::string> peers;
  for (const auto& c : cidrs) peers.push_back(c.toString());
  for (const auto& p : prefixLists) peers.push_back(p);
  for (const auto& g : groupRefs) peers.push_back(g);
  return s + " " + util::join(peers, ", ");
}

std::string NaclEntry::describe() const {
  std::string s =
      "rule " + (ruleNumber >= 32767 ? std::string("*") + " (" + std::to_string(ruleNumber) + ", default)"
                                     : std::to_string(ruleNumber));
  s += allow ? " allow " : " deny ";
  s += protocolName(protocol);
  if (protocol == kProtoTcp || protocol == kProtoUdp) s += " " + ports.toString();
  return s + " " + cidr.toString();
}

size_t AwsAccount::AddressHash::operator()(const net::IpAddress& a) const {
  // FNV-1a over the address bytes.
  size_t h = 1469598103934665603ull ^ static_cast<size_t>(a.family);
  for (uint8_t b : a.bytes) h = (h ^ b) * 1099511628211ull;
  return h;
}

bool AwsAccount::has(std::string_view kind) const {
  return std::find(loadedKinds.begin(), loadedKinds.end(), kind) != loadedKinds.end();
}

void AwsAccount::index() {
  vpcIdx_.clear(), subnetIdx_.clear(), sgIdx_.clear(), eniIdx_.clear(), vpceIdx_.clear();
  naclBySubnet_.clear(), rtBySubnet_.clear(), mainRtByVpc_.clear(), eniByAddr_.clear();
  for (size_t i = 0; i < vpcs.size(); ++i) vpcIdx_.emplace(vpcs[i].id, i);
  for (size_t i = 0; i < subnets.size(); ++i) subnetIdx_.emplace(subnets[i].id, i);
  for (size_t i = 0; i < securityGroups.size(); ++i) sgIdx_.emplace(securityGroups[i].id, i);
  for (size_t i = 0; i < interfaces.size(); ++i) {
    eniIdx_.emplace(interfaces[i].id, i);
    for (const auto& a : interfaces[i].addresses) eniByAddr_.emplace(a, i);
  }
  for (size_t i = 0; i < endpoints.size(); ++i) vpceIdx_.emplace(endpoints[i].id, i);
  for (size_t i = 0; i < networkAcls.size(); ++i) {
    for (const auto& s : networkAcls[i].subnetIds) naclBySubnet_[s] = i;
  }
  for (size_t i = 0; i < routeTables.size(); ++i) {
    for (const auto& s : routeTables[i].subnetIds) rtBySubnet_[s] = i;
    if (routeTables[i].main) mainRtByVpc_[routeTables[i].vpcId] = i;
  }
}

namespace {
template <typename T>
const T* lookup(const std::unordered_map<std::string, size_t>& idx, const std::vector<T>& v,
                const std::string& id) {
  auto it = idx.find(id);
  return it == idx.end() ? nullptr : &v[it->second];
}
}  // namespace

const Vpc* AwsAccount::vpc(const std::string& id) const { return lookup(vpcIdx_, vpcs, id); }
const Subnet* AwsAccount::subnet(const std::string& id) const { return lookup(subnetIdx_, subnets, id); }
const SecurityGroup* AwsAccount::securityGroup(const std::string& id) const {
  return lookup(sgIdx_, securityGroups, id);
}
const NetworkInterface* AwsAccount::interface(const std::string& id) const {
  return lookup(eniIdx_, interfaces, id);
}
const VpcEndpoint* AwsAccount::endpoint(const std::string& id) const {
  return lookup(vpceIdx_, endpoints, id);
}
const NetworkAcl* AwsAccount::naclForSubnet(const std::string& subnetId) const {
  auto it = naclBySubnet_.find(subnetId);
  if (it != naclBySubnet_.end()) return &networkAcls[it->second];
  // A subnet with no explicit association uses its VPC's default ACL.
  const Subnet* s = subnet(subnetId);
  if (!s) return nullptr;
  for (const auto& a : networkAcls) {
    if (a.isDefault && a.vpcId == s->vpcId) return &a;
  }
  return nullptr;
}
const RouteTable* AwsAccount::routeTableForSubnet(const std::string& subnetId) const {
  auto it = rtBySubnet_.find(subnetId);
  if (it != rtBySubnet_.end()) return &routeTables[it->second];
  const Subnet* s = subnet(subnetId);
  if (!s) return nullptr;
  auto m = mainRtByVpc_.find(s->vpcId);
  return m == mainRtByVpc_.end() ? nullptr : &routeTables[m->second];
}
const NetworkInterface* AwsAccount::interfaceByAddress(const net::IpAddress& a) const {
  auto it = eniByAddr_.find(a);
  return it == eniByAddr_.end() ? nullptr : &interfaces[it->second];
}
const Subnet* AwsAccount::subnetContaining(const net::IpAddress& a) const {
  const Subnet* best = nullptr;
  int bestPrefix = -1;
  for (const auto& s : subnets) {
    if (s.cidr && s.cidr->contains(a) && s.cidr->prefix > bestPrefix) best = &s, bestPrefix = s.cidr->prefix;
    for (const auto& c : s.ipv6Cidrs) {
      if (c.contains(a) && c.prefix > bestPrefix) best = &s, bestPrefix = c.prefix;
    }
  }
  return best;
}
bool AwsAccount::addressCarriesGroup(const net::IpAddress& a, const std::string& groupId) const {
  const NetworkInterface* eni = interfaceByAddress(a);
  return eni && std::find(eni->groups.begin(), eni->groups.end(), groupId) != eni->groups.end();
}

namespace {

int requireProtocol(const Json& obj, std::string_view key, const std::string& path) {
  const std::string text = requireString(obj, key, path);
  auto p = parseProtocol(text);
  if (!p)
    fail(fieldPath(path, key), "expected a protocol (tcp, udp, icmp, -1 or a number), got \"" + text + "\"");
  return *p;
}

int portValue(const Json& obj, std::string_view key, const std::string& path, int fallback) {
  auto v = optInt(obj, key, path);
  if (!v) return fallback;
  if (*v < -1 || *v > 65535)
    fail(fieldPath(path, key), "expected a port (0-65535), got " + std::to_string(*v));
  return static_cast<int>(*v);
}

std::vector<SgRule> parsePermissions(const Json& group, std::string_view key, const std::string& path) {
  std::vector<SgRule> rules;
  const Json* arr = optArray(group, key, path);
  if (!arr) return rules;
  const std::string ap = fieldPath(path, key);
  for (size_t i = 0; i < arr->size(); ++i) {
    const Json& p = elementObject(*arr, i, ap);
    const std::string pp = indexPath(ap, i);
    SgRule r;
    r.index = i;
    r.protocol = requireProtocol(p, "IpProtocol", pp);
    if (r.protocol == kProtoTcp || r.protocol == kProtoUdp) {
      r.ports.from = portValue(p, "FromPort", pp, 0);
      r.ports.to = portValue(p, "ToPort", pp, 65535);
      if (r.ports.from == -1) r.ports = PortRange{};
      if (r.ports.from > r.ports.to) fail(fieldPath(pp, "ToPort"), "is below FromPort");
    }
    auto eachObject = [&](std::string_view k, auto fn) {
      const Json* a = optArray(p, k, pp);
      if (!a) return;
      const std::string kp = fieldPath(pp, k);
      for (size_t j = 0; j < a->size(); ++j) fn(elementObject(*a, j, kp), indexPath(kp, j));
    };
    eachObject("IpRanges", [&](const Json& o, const std::string& op) {
      r.cidrs.push_back(requireCidr(o, "CidrIp", op));
    });
    eachObject("Ipv6Ranges", [&](const Json& o, const std::string& op) {
      r.cidrs.push_back(requireCidr(o, "CidrIpv6", op));
    });
    eachObject("PrefixListIds", [&](const Json& o, const std::string& op) {
      r.prefixLists.push_back(requireString(o, "PrefixListId", op));
    });
    eachObject("UserIdGroupPairs", [&](const Json& o, const std::string& op) {
      r.groupRefs.push_back(requireString(o, "GroupId", op));
    });
    rules.push_back(std::move(r));
  }
  return rules;
}

void parseSecurityGroup(AwsAccount& acc, const Json& g, size_t i) {
  const std::string path = indexPath("SecurityGroups", i);
  SecurityGroup sg;
  sg.id = requireString(g, "GroupId", path);
  sg.name = optString(g, "GroupName", path).value_or("");
  sg.vpcId = optString(g, "VpcId", path).value_or("");
  sg.ingress = parsePermissions(g, "IpPermissions", path);
  sg.egress = parsePermissions(g, "IpPermissionsEgress", path);
  acc.securityGroups.push_back(std::move(sg));
}

void parseNetworkAcl(AwsAccount& acc, const Json& a, size_t i) {
  const std::string path = indexPath("NetworkAcls", i);
  NetworkAcl acl;
  acl.id = requireString(a, "NetworkAclId", path);
  acl.vpcId = optString(a, "VpcId", path).value_or("");
  acl.isDefault = optBool(a, "IsDefault", path).value_or(false);
  if (const Json* as = optArray(a, "Associations", path)) {
    const std::string ap = fieldPath(path, "Associations");
    for (size_t j = 0; j < as->size(); ++j) {
      if (auto s = optString(elementObject(*as, j, ap), "SubnetId", indexPath(ap, j)))
        acl.subnetIds.push_back(*s);
    }
  }
  const Json& es = requireArray(a, "Entries", path);
  const std::string ep = fieldPath(path, "Entries");
  for (size_t j = 0; j < es.size(); ++j) {
    const Json& e = elementObject(es, j, ep);
    const std::string pp = indexPath(ep, j);
    NaclEntry n;
    const long long rn = requireInt(e, "RuleNumber", pp);
    if (rn < 1 || rn > 32768)
      fail(fieldPath(pp, "RuleNumber"),
           "expected 1-32766 (or 32767/32768 for the default), got " + std::to_string(rn));
    n.ruleNumber = static_cast<int>(rn);
    n.protocol = requireProtocol(e, "Protocol", pp);
    n.egress = requireBool(e, "Egress", pp);
    const std::string action = util::toLower(requireString(e, "RuleAction", pp));
    if (action != "allow" && action != "deny")
      fail(fieldPath(pp, "RuleAction"), "expected allow or deny, got \"" + action + "\"");
    n.allow = action == "allow";
    auto v4 = optCidr(e, "CidrBlock", pp);
    auto v6 = optCidr(e, "Ipv6CidrBlock", pp);
    if (!v4 && !v6) fail(fieldPath(pp, "CidrBlock"), "missing (neither CidrBlock nor Ipv6CidrBlock)");
    n.cidr = v4 ? *v4 : *v6;
    if (const Json* pr = optObject(e, "PortRange", pp)) {
      const std::string prp = fieldPath(pp, "PortRange");
      n.ports.from = portValue(*pr, "From", prp, 0);
      n.ports.to = portValue(*pr, "To", prp, 65535);
      if (n.ports.from > n.ports.to) fail(fieldPath(prp, "To"), "is below From");
    }
    acl.entries.push_back(n);
  }
  std::stable_sort(acl.entries.begin(), acl.entries.end(), [](const NaclEntry& x, const NaclEntry& y) {
    return x.egress != y.egress ? x.egress < y.egress : x.ruleNumber < y.ruleNumber;
  });
  acc.networkAcls.push_back(std::move(acl));
}

void parseSubnet(AwsAccount& acc, const Json& s, size_t i) {
  const std::string path = indexPath("Subnets", i);
  Subnet sub;
  sub.id = requireString(s, "SubnetId", path);
  sub.vpcId = optString(s, "VpcId", path).value_or("");
  sub.az = optString(s, "AvailabilityZone", path).value_or("");
  sub.cidr = optCidr(s, "CidrBlock", path);
  if (const Json* a = optArray(s, "Ipv6CidrBlockAssociationSet", path)) {
    const std::string ap = fieldPath(path, "Ipv6CidrBlockAssociationSet");
    for (size_t j = 0; j < a->size(); ++j) {
      if (auto c = optCidr(elementObject(*a, j, ap), "Ipv6CidrBlock", indexPath(ap, j)))
        sub.ipv6Cidrs.push_back(*c);
    }
  }
  acc.subnets.push_back(std::move(sub));
}

void parseVpc(AwsAccount& acc, const Json& v, size_t i) {
  const std::string path = indexPath("Vpcs", i);
  Vpc vpc;
  vpc.id = requireString(v, "VpcId", path);
  if (auto c = optCidr(v, "CidrBlock", path)) vpc.cidrs.push_back(*c);
  if (const Json* a = optArray(v, "CidrBlockAssociationSet", path)) {
    const std::string ap = fieldPath(path, "CidrBlockAssociationSet");
    for (size_t j = 0; j < a->size(); ++j) {
      auto c = requireCidr(elementObject(*a, j, ap), "CidrBlock", indexPath(ap, j));
      if (std::none_of(vpc.cidrs.begin(), vpc.cidrs.end(),
                       [&](const net::Cidr& x) { return x.toString() == c.toString(); }))
        vpc.cidrs.push_back(c);
    }
  }
  // A dual-stack VPC's IPv6 block(s), after the IPv4 ones: an AAAA answer inside them is
  // inside the VPC. One whose Ipv6CidrBlockState is being or has been disassociated (or
  // failed) no longer belongs to the VPC.
  if (const Json* a = optArray(v, "Ipv6CidrBlockAssociationSet", path)) {
    const std::string ap = fieldPath(path, "Ipv6CidrBlockAssociationSet");
    for (size_t j = 0; j < a->size(); ++j) {
      const Json& o = elementObject(*a, j, ap);
      const std::string op = indexPath(ap, j);
      std::string state = "associated";
      if (const Json* st = optObject(o, "Ipv6CidrBlockState", op))
        state = optString(*st, "State", fieldPath(op, "Ipv6CidrBlockState")).value_or("associated");
      if (state != "associated" && state != "associating") continue;
      // create-vpc prints an associating block as "" until AWS has assigned it.
      if (optString(o, "Ipv6CidrBlock", op).value_or("").empty()) continue;
      if (auto c = optCidr(o, "Ipv6CidrBlock", op)) vpc.cidrs.push_back(*c);
    }
  }
  // Attributes may have been merged before the Vpcs file was read.
  auto existing =
      std::find_if(acc.vpcs.begin(), acc.vpcs.end(), [&](const Vpc& x) { return x.id == vpc.id; });
  if (existing != acc.vpcs.end()) {
    existing->cidrs = std::move(vpc.cidrs);
  } else {
    acc.vpcs.push_back(std::move(vpc));
  }
}

void parseVpcAttribute(AwsAccount& acc, const Json& doc) {
  const std::string vpcId = optString(doc, "VpcId", "").value_or("");
  const bool support = doc.contains("EnableDnsSupport");
  const Json& attr = requireObject(doc, support ? "EnableDnsSupport" : "EnableDnsHostnames", "");
  const bool value = requireBool(attr, "Value", support ? "EnableDnsSupport" : "EnableDnsHostnames");
  Vpc* target = nullptr;
  for (auto& v : acc.vpcs) {
    if (v.id == vpcId || vpcId.empty()) target = &v;
  }
  if (!target) {
    acc.vpcs.push_back(Vpc{vpcId, {}, {}, {}});
    target = &acc.vpcs.back();
  }
  (support ? target->dnsSupport : target->dnsHostnames) = value;
}

void parseRouteTable(AwsAccount& acc, const Json& t, size_t i) {
  const std::string path = indexPath("RouteTables", i);
  RouteTable rt;
  rt.id = requireString(t, "RouteTableId", path);
  rt.vpcId = optString(t, "VpcId", path).value_or("");
  if (const Json* as = optArray(t, "Associations", path)) {
    const std::string ap = fieldPath(path, "Associations");
    for (size_t j = 0; j < as->size(); ++j) {
      const Json& a = elementObject(*as, j, ap);
      if (optBool(a, "Main", indexPath(ap, j)).value_or(false)) rt.main = true;
      if (auto s = optString(a, "SubnetId", indexPath(ap, j))) rt.subnetIds.push_back(*s);
    }
  }
  if (const Json* rs = optArray(t, "Routes", path)) {
    const std::string rp = fieldPath(path, "Routes");
    for (size_t j = 0; j < rs->size(); ++j) {
      const Json& r = elementObject(*rs, j, rp);
      const std::string pp = indexPath(rp, j);
      auto v4 = optCidr(r, "DestinationCidrBlock", pp);
      auto v6 = optCidr(r, "DestinationIpv6CidrBlock", pp);
      if (!v4 && !v6) {
        // Prefix-list destinations (DestinationPrefixListId) are not modelled; skip.
        if (optString(r, "DestinationPrefixListId", pp)) continue;
        fail(fieldPath(pp, "DestinationCidrBlock"), "missing");
      }
      Route route;
      route.destination = v4 ? *v4 : *v6;
      for (const char* k :
           {"GatewayId", "NatGatewayId", "TransitGatewayId", "NetworkInterfaceId", "InstanceId",
            "VpcPeeringConnectionId", "LocalGatewayId", "CarrierGatewayId", "EgressOnlyInternetGatewayId"}) {
        if (auto v = optString(r, k, pp); v && route.target.empty()) route.target = *v;
      }
      route.blackhole = util::toLower(optString(r, "State", pp).value_or("active")) == "blackhole";
      rt.routes.push_back(route);
    }
  }
  acc.routeTables.push_back(std::move(rt));
}

void parseInterface(AwsAccount& acc, const Json& n, size_t i) {
  const std::string path = indexPath("NetworkInterfaces", i);
  NetworkInterface eni;
  eni.id = requireString(n, "NetworkInterfaceId", path);
  eni.type = optString(n, "InterfaceType", path).value_or("interface");
  eni.subnetId = optString(n, "SubnetId", path).value_or("");
  eni.vpcId = optString(n, "VpcId", path).value_or("");
  eni.az = optString(n, "AvailabilityZone", path).value_or("");
  if (const Json* gs = optArray(n, "Groups", path)) {
    const std::string gp = fieldPath(path, "Groups");
    for (size_t j = 0; j < gs->size(); ++j)
      eni.groups.push_back(requireString(elementObject(*gs, j, gp), "GroupId", indexPath(gp, j)));
  }
  auto addAddress = [&](const std::string& text, const std::string& where) {
    auto a = net::IpAddress::parse(text);
    if (!a) fail(where, "expected an IP address, got \"" + text + "\"");
    if (std::find(eni.addresses.begin(), eni.addresses.end(), *a) == eni.addresses.end())
      eni.addresses.push_back(*a);
  };
  if (auto p = optString(n, "PrivateIpAddress", path)) addAddress(*p, fieldPath(path, "PrivateIpAddress"));
  // The primary IPv6 address, printed on its own by newer CLIs (also in Ipv6Addresses).
  if (auto p = optString(n, "Ipv6Address", path); p && !p->empty())
    addAddress(*p, fieldPath(path, "Ipv6Address"));
  if (const Json* ps = optArray(n, "PrivateIpAddresses", path)) {
    const std::string pp = fieldPath(path, "PrivateIpAddresses");
    for (size_t j = 0; j < ps->size(); ++j) {
      const std::string ep = indexPath(pp, j);
      if (auto a = optString(elementObject(*ps, j, pp), "PrivateIpAddress", ep))
        addAddress(*a, fieldPath(ep, "PrivateIpAddress"));
    }
  }
  if (const Json* ps = optArray(n, "Ipv6Addresses", path)) {
    const std::string pp = fieldPath(path, "Ipv6Addresses");
    for (size_t j = 0; j < ps->size(); ++j) {
      const std::string ep = indexPath(pp, j);
      if (auto a = optString(elementObject(*ps, j, pp), "Ipv6Address", ep))
        addAddress(*a, fieldPath(ep, "Ipv6Address"));
    }
  }
  acc.interfaces.push_back(std::move(eni));
}

void parseEndpoint(AwsAccount& acc, const Json& e, size_t i) {
  const std::string path = indexPath("VpcEndpoints", i);
  VpcEndpoint ep;
  ep.id = requireString(e, "VpcEndpointId", path);
  ep.type = optString(e, "VpcEndpointType", path).value_or("Interface");
  ep.vpcId = optString(e, "VpcId", path).value_or("");
  // VPC Lattice endpoints (Resource, ServiceNetwork) name a resource configuration or
  // service network instead of a service: no ServiceName to match, nothing missing.
  const bool lattice = ep.type == "Resource" || ep.type == "ServiceNetwork";
  ep.serviceName =
      lattice ? optString(e, "ServiceName", path).value_or("") : requireString(e, "ServiceName", path);
  ep.state = requireString(e, "State", path);
  ep.privateDnsEnabled = optBool(e, "PrivateDnsEnabled", path);
  // create-vpc-endpoint prints Lattice endpoints' type in upper case ("IPV4").
  ep.ipAddressType = util::toLower(optString(e, "IpAddressType", path).value_or(""));
  if (const Json* d = optObject(e, "DnsOptions", path))
    ep.dnsRecordIpType =
        util::toLower(optString(*d, "DnsRecordIpType", fieldPath(path, "DnsOptions")).value_or(""));
  ep.subnetIds = optStringArray(e, "SubnetIds", path);
  ep.networkInterfaceIds = optStringArray(e, "NetworkInterfaceIds", path);
  if (const Json* gs = optArray(e, "Groups", path)) {
    const std::string gp = fieldPath(path, "Groups");
    for (size_t j = 0; j < gs->size(); ++j)
      ep.groups.push_back(requireString(elementObject(*gs, j, gp), "GroupId", indexPath(gp, j)));
  }
  if (const Json* ds = optArray(e, "DnsEntries", path)) {
    const std::string dp = fieldPath(path, "DnsEntries");
    for (size_t j = 0; j < ds->size(); ++j) {
      if (auto n = optString(elementObject(*ds, j, dp), "DnsName", indexPath(dp, j)))
        ep.dnsNames.push_back(*n);
    }
  }
  acc.endpoints.push_back(std::move(ep));
}

// get-managed-prefix-list-entries prints only Entries[]{Cidr, Description}.
void parsePrefixList(AwsAccount& acc, const std::string& fileName, const Json& doc) {
  std::string id = optString(doc, "PrefixListId", "").value_or("");
  if (id.empty()) {
    if (fileName.rfind("pl-", 0) != 0) {
      fail("Entries",
           "a prefix-list export needs a \"PrefixListId\" key or a file name starting with the id "
           "(pl-....json)");
    }
    size_t end = 3;
    while (end < fileName.size() && std::isalnum(static_cast<unsigned char>(fileName[end]))) ++end;
    id = fileName.substr(0, end);
  }
  const Json& arr = requireArray(doc, "Entries", "");
  auto& list = acc.prefixLists[id];
  for (size_t i = 0; i < arr.size(); ++i)
    list.push_back(requireCidr(elementObject(arr, i, "Entries"), "Cidr", indexPath("Entries", i)));
}

// Every list a describe-* command prints, with the parser of one element (an object,
// checked by the caller). Parsed as the file streams in (export_dir.h), or from the DOM.
struct ListKind {
  const char* key;
  void (*element)(AwsAccount&, const Json&, size_t);
};
constexpr ListKind kLists[] = {{"SecurityGroups", parseSecurityGroup},
                               {"NetworkAcls", parseNetworkAcl},
                               {"Subnets", parseSubnet},
                               {"Vpcs", parseVpc},
                               {"VpcEndpoints", parseEndpoint},
                               {"NetworkInterfaces", parseInterface},
                               {"RouteTables", parseRouteTable}};

// What one object of a list is, by the keys that make it one: the list key, or "".
// (A mutation's output such as associate-subnet-cidr-block's {"SubnetId", ...} names a
// resource without describing it, and is not taken for one.)
std::string bareKind(const Json& o) {
  if (!o.is_object()) return "";
  auto has = [&](const char* k) { return o.contains(k); };
  if (has("GroupId") && (has("IpPermissions") || has("IpPermissionsEgress"))) return "SecurityGroups";
  if (has("NetworkAclId") && has("Entries")) return "NetworkAcls";
  if (has("RouteTableId") && has("Routes")) return "RouteTables";
  if (has("VpcEndpointId") && (has("ServiceName") || has("VpcEndpointType"))) return "VpcEndpoints";
  if (has("NetworkInterfaceId") && (has("PrivateIpAddress") || has("SubnetId"))) return "NetworkInterfaces";
  if (has("SubnetId") && has("VpcId") && (has("CidrBlock") || has("Ipv6CidrBlockAssociationSet")))
    return "Subnets";
  if (has("VpcId") && (has("CidrBlock") || has("CidrBlockAssociationSet"))) return "Vpcs";
  return "";
}

// The CLI's list shape for the other shapes users paste (aws_model.h); `doc` itself when
// it already is one or is of no known shape.
Json normalizeAws(const Json& doc) {
  if (doc.is_array()) {
    const std::string kind = doc.empty() ? "" : bareKind(doc.front());
    if (kind.empty()) return doc;
    for (const auto& e : doc) {
      if (bareKind(e) != kind) return doc;
    }
    return Json{{kind, doc}};
  }
  if (!doc.is_object()) return doc;
  for (const auto& l : kLists) {
    if (doc.contains(l.key)) return doc;
  }
  if (doc.size() == 1 && doc.begin().value().is_object()) {
    // create-* output: {"NetworkAcl": {...}}, {"Subnet": {...}}, {"VpcEndpoint": {...}}.
    const std::string key = doc.begin().key();
    const Json& inner = doc.begin().value();
    for (const auto& l : kLists) {
      if (key + "s" == l.key) return Json{{l.key, Json::array({inner})}};
    }
    if (auto kind = bareKind(inner); !kind.empty()) return Json{{kind, Json::array({inner})}};
    return doc;
  }
  if (auto kind = bareKind(doc); !kind.empty()) return Json{{kind, Json::array({doc})}};
  return doc;
}

// Parses a whole-file export into `acc`: its kind and how many items it held ("" for an
// unknown shape). `streamed` counts the elements of this file already merged as they
// streamed in, by list key.
std::pair<std::string, size_t> mergeKnown(AwsAccount& acc, const std::string& fileName, const Json& doc,
                                          const std::map<std::string, size_t>& streamed) {
  for (const auto& l : kLists) {
    if (!doc.contains(l.key)) continue;
    const Json& arr = requireArray(doc, l.key, "");
    for (size_t i = 0; i < arr.size(); ++i) l.element(acc, elementObject(arr, i, l.key), i);
    auto s = streamed.find(l.key);
    return {l.key, arr.size() + (s == streamed.end() ? 0 : s->second)};
  }
  for (const char* attr : {"EnableDnsSupport", "EnableDnsHostnames"}) {
    if (doc.contains(attr)) return parseVpcAttribute(acc, doc), std::pair<std::string, size_t>{attr, 1};
  }
  if (doc.contains("Entries")) {
    parsePrefixList(acc, fileName, doc);
    return {"PrefixListEntries", doc["Entries"].size()};
  }
  return {"", 0};
}

// A hint for the AWS outputs that hold what pgreach reads in another form.
std::string awsRefusal(const Json& doc) {
  if (doc.is_object()) {
    if (doc.contains("SecurityGroupRules"))
      return "security group rules one by one (describe-security-group-rules), which pgreach does not "
             "read: export aws ec2 describe-security-groups";
    if (doc.contains("PrefixLists"))
      return "the list of prefix lists without their entries: export aws ec2 "
             "get-managed-prefix-list-entries --prefix-list-id pl-... for each";
  }
  return unknownShapeReason(doc);
}

Expected<bool> mergeAwsFile(AwsAccount& acc, const std::string& fileName, const Json& doc,
                            const std::map<std::string, size_t>& streamed) {
  return namingFile(fileName, [&] {
    const Json normal = normalizeAws(doc);
    const auto [kind, count] = mergeKnown(acc, fileName, normal, streamed);
    if (kind.empty()) {
      acc.ignoredFiles.push_back(fileName);
      acc.outcomes.push_back({fileName, {}, awsRefusal(doc)});
      return false;
    }
    if (!acc.has(kind)) acc.loadedKinds.push_back(kind);
    acc.files.push_back(fileName + " (" + kind + ")");
    acc.outcomes.push_back({fileName, {{kind, count}}, ""});
    return true;
  });
}

}  // namespace

Expected<bool> mergeAwsExport(AwsAccount& acc, const std::string& fileName, const Json& doc) {
  return mergeAwsFile(acc, fileName, doc, {});
}

Expected<AwsAccount> loadAwsDir(const std::string& dir) {
  AwsAccount acc;
  std::vector<std::string> streamed;  // the files' list arrays are read element by element
  for (const auto& l : kLists) streamed.emplace_back(l.key);
  std::map<std::string, size_t> streamedCounts;  // of the file being read, by list key
  auto r = forEachExport(
      dir, streamed,
      [&](const std::string& name, const std::string& key, size_t i, const Json& e) {
        return namingFile(name, [&] {
          for (const auto& l : kLists) {
            if (key != l.key) continue;
            if (!e.is_object()) fail(indexPath(l.key, i), "expected an object, got " + describeValue(e));
            l.element(acc, e, i);
            ++streamedCounts[key];
          }
          return true;
        });
      },
      [&](const std::string& name, std::string_view text) -> Expected<bool> {
        // Security groups are most of the bytes: read well-formed ones without a DOM
        // (aws_sg_fast.h); anything unusual falls through to the exact reader.
        const size_t before = acc.securityGroups.size();
        if (text.find("\"SecurityGroups\"") == std::string::npos ||
            !parseSecurityGroupsFast(text, acc.securityGroups)) {
          return false;
        }
        return mergeAwsFile(acc, name, Json{{"SecurityGroups", Json::array()}},
                            {{"SecurityGroups", acc.securityGroups.size() - before}});
      },
      [&](const std::string& name, const Json& doc) {
        auto merged = mergeAwsFile(acc, name, doc, streamedCounts);
        streamedCounts.clear();
        return merged;
      },
      [&](const std::string& name, const std::string& reason) {
        acc.ignoredFiles.push_back(name);
        acc.outcomes.push_back({name, {}, reason});
      });
  if (!r) return makeError(r.error());
  acc.index();
  return acc;
}

}  // namespace pgreach::cloud
