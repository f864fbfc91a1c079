#include "cloud/azure_model.h"

#include <algorithm>

#include "cloud/export_dir.h"
#include "util/strings.h"

namespace pgreach::cloud {

std::string NsgRule::describe() const {
  std::vector<std::string> ports;
  for (const auto& p : destinationPorts) ports.push_back(p.all() ? "*" : p.toString());
  return name + " (priority " + std::to_string(priority) + ", " + (allow ? "Allow " : "Deny ") +
         (protocol == kProtoAll ? std::string("*") : protocolName(protocol)) + " port " +
         util::join(ports, ",") + " from " + util::join(sources, ",") + " to " +
         util::join(destinations, ",") + ")";
}

std::vector<net::IpAddress> PrivateEndpoint::addresses() const {
  std::vector<net::IpAddress> out;
  for (const auto& [fqdn, ips] : dnsConfigs) {
    for (const auto& a : ips) {
      if (std::find(out.begin(), out.end(), a) == out.end()) out.push_back(a);
    }
  }
  if (out.empty()) out = nicAddresses;
  return out;
}

bool AzureNetwork::has(std::string_view kind) const {
  return std::find(loadedKinds.begin(), loadedKinds.end(), kind) != loadedKinds.end();
}

bool sameAzureId(std::string_view a, std::string_view b) {
  return !a.empty() && util::toLower(a) == util::toLower(b);
}

std::string azureIdName(std::string_view id) {
  auto parts = util::split(id, '/');
  while (!parts.empty() && parts.back().empty()) parts.pop_back();
  return parts.empty() ? std::string() : parts.back();
}

std::string azureIdSegment(std::string_view id, std::string_view kind) {
  auto parts = util::split(id, '/');
  for (size_t i = 0; i + 1 < parts.size(); ++i) {
    if (util::toLower(parts[i]) == util::toLower(kind)) return parts[i + 1];
  }
  return "";
}

const Vnet* AzureNetwork::vnetContaining(const net::IpAddress& a) const {
  for (const auto& v : vnets) {
    for (const auto& p : v.prefixes) {
      if (p.contains(a)) return &v;
    }
  }
  return nullptr;
}

std::pair<const Vnet*, const AzureSubnet*> AzureNetwork::subnetContaining(const net::IpAddress& a) const {
  std::pair<const Vnet*, const AzureSubnet*> best{nullptr, nullptr};
  int bestPrefix = -1;
  for (const auto& v : vnets) {
    for (const auto& s : v.subnets) {
      for (const auto& p : s.prefixes) {
        if (p.contains(a) && p.prefix > bestPrefix) best = {&v, &s}, bestPrefix = p.prefix;
      }
    }
  }
  return best;
}

const AzureSubnet* AzureNetwork::subnetById(const std::string& id) const {
  for (const auto& v : vnets) {
    for (const auto& s : v.subnets) {
      if (sameAzureId(s.id, id)) return &s;
    }
  }
  return nullptr;
}

const Nsg* AzureNetwork::nsgById(const std::string& id) const {
  for (const auto& n : nsgs) {
    if (sameAzureId(n.id, id) ||
        (!n.name.empty() && util::toLower(n.name) == util::toLower(azureIdName(id)) && n.id.empty()))
      return &n;
  }
  return nullptr;
}

std::vector<const Nsg*> AzureNetwork::nsgsForSubnet(const AzureSubnet& s) const {
  std::vector<const Nsg*> out;
  if (const Nsg* n = s.nsgId.empty() ? nullptr : nsgById(s.nsgId)) out.push_back(n);
  for (const auto& n : nsgs) {
    // The same NSG seen twice (`nsg list` and a NIC's effective rules) counts once.
    const bool seen = std::any_of(out.begin(), out.end(),
                                  [&](const Nsg* o) { return o == &n || sameAzureId(o->id, n.id); });
    for (const auto& sid : n.subnetIds) {
      if (sameAzureId(sid, s.id) && !seen) {
        out.push_back(&n);
        break;
      }
    }
  }
  return out;
}

const AzureRouteTable* AzureNetwork::routeTableForSubnet(const AzureSubnet& s) const {
  for (const auto& t : routeTables) {
    if (!s.routeTableId.empty() && sameAzureId(t.id, s.routeTableId)) return &t;
    for (const auto& sid : t.subnetIds) {
      if (sameAzureId(sid, s.id)) return &t;
    }
  }
  return nullptr;
}

std::vector<const Nsg*> AzureNetwork::nicNsgs() const {
  std::vector<const Nsg*> out;
  for (const auto& n : nsgs) {
    if (n.effective && n.subnetIds.empty()) out.push_back(&n);
  }
  return out;
}

namespace {

std::string idOf(const Json& obj, std::string_view key, const std::string& path) {
  const Json* o = optObject(obj, key, path);
  return o ? optString(*o, "id", fieldPath(path, key)).value_or("") : "";
}

std::vector<std::string> idsOf(const Json& obj, std::string_view key, const std::string& path) {
  std::vector<std::string> out;
  const Json* a = optArray(obj, key, path);
  if (!a) return out;
  const std::string ap = fieldPath(path, key);
  for (size_t i = 0; i < a->size(); ++i) {
    if (auto id = optString(elementObject(*a, i, ap), "id", indexPath(ap, i))) out.push_back(*id);
  }
  return out;
}

PortRange parsePortRange(const std::string& text, const std::string& where) {
  const std::string t = util::trim(text);
  if (t == "*" || t.empty()) return PortRange{};
  auto num = [&](const std::string& s) {
    char* end = nullptr;
    long v = std::strtol(s.c_str(), &end, 10);
    if (s.empty() || !end || *end || v < 0 || v > 65535)
      fail(where, "expected a port or range (5432, 1024-65535, *), got \"" + text + "\"");
    return static_cast<int>(v);
  };
  auto dash = t.find('-');
  if (dash == std::string::npos) return PortRange{num(t), num(t)};
  PortRange r{num(util::trim(t.substr(0, dash))), num(util::trim(t.substr(dash + 1)))};
  if (r.from > r.to) fail(where, "range \"" + text + "\" runs backwards");
  return r;
}

// One or many: `xPrefix` (string) and/or `xPrefixes` (array); effective rules use
// `expandedX` arrays.
std::vector<std::string> stringOrArray(const Json& r, std::string_view one, std::string_view many,
                                       const std::string& path) {
  std::vector<std::string> out = optStringArray(r, many, path);
  if (auto s = optString(r, one, path); s && !s->empty()) out.push_back(*s);
  return out;
}

std::vector<PortRange> portsOf(const Json& r, std::string_view one, std::string_view many,
                               const std::string& path) {
  std::vector<PortRange> out;
  for (const auto& s : stringOrArray(r, one, many, path))
    out.push_back(parsePortRange(s, fieldPath(path, one)));
  if (out.empty()) out.push_back(PortRange{});
  return out;
}

NsgRule parseRule(const Json& r, const std::string& path, bool effective) {
  NsgRule rule;
  rule.name = requireString(r, "name", path);
  const long long pr = requireInt(r, "priority", path);
  if (pr < 100 || pr > 65500)
    fail(fieldPath(path, "priority"),
         "expected 100-4096 (or 65000-65500 for defaults), got " + std::to_string(pr));
  rule.priority = static_cast<int>(pr);
  const std::string dir = util::toLower(requireString(r, "direction", path));
  if (dir != "inbound" && dir != "outbound")
    fail(fieldPath(path, "direction"), "expected Inbound or Outbound, got \"" + dir + "\"");
  rule.inbound = dir == "inbound";
  const std::string access = util::toLower(requireString(r, "access", path));
  if (access != "allow" && access != "deny")
    fail(fieldPath(path, "access"), "expected Allow or Deny, got \"" + access + "\"");
  rule.allow = access == "allow";
  const std::string proto = requireString(r, "protocol", path);
  auto p = parseProtocol(util::toLower(proto) == "any" ? "*" : proto);
  if (!p) {
    const std::string l = util::toLower(proto);
    if (l == "esp")
      p = 50;
    else if (l == "ah")
      p = 51;
    else
      fail(fieldPath(path, "protocol"), "expected Tcp, Udp, Icmp, * or All, got \"" + proto + "\"");
  }
  rule.protocol = *p;
  if (effective) {
    rule.sources = optStringArray(r, "expandedSourceAddressPrefix", path);
    rule.destinations = optStringArray(r, "expandedDestinationAddressPrefix", path);
  }
  if (rule.sources.empty())
    rule.sources = stringOrArray(r, "sourceAddressPrefix", "sourceAddressPrefixes", path);
  if (rule.destinations.empty())
    rule.destinations = stringOrArray(r, "destinationAddressPrefix", "destinationAddressPrefixes", path);
  if (rule.sources.empty()) rule.sources.push_back("*");
  if (rule.destinations.empty()) rule.destinations.push_back("*");
  rule.sourcePorts = portsOf(r, "sourcePortRange", "sourcePortRanges", path);
  rule.destinationPorts = portsOf(r, "destinationPortRange", "destinationPortRanges", path);
  return rule;
}

void sortRules(Nsg& n) {
  std::stable_sort(n.rules.begin(), n.rules.end(),
                   [](const NsgRule& a, const NsgRule& b) { return a.priority < b.priority; });
}

void parseNsg(AzureNetwork& net, const Json& o, const std::string& path) {
  Nsg n;
  n.name = optString(o, "name", path).value_or("");
  n.id = optString(o, "id", path).value_or("");
  n.resourceGroup = optString(o, "resourceGroup", path).value_or(azureIdSegment(n.id, "resourceGroups"));
  for (const char* key : {"securityRules", "defaultSecurityRules"}) {
    if (const Json* rs = optArray(o, key, path)) {
      const std::string rp = fieldPath(path, key);
      for (size_t i = 0; i < rs->size(); ++i)
        n.rules.push_back(parseRule(elementObject(*rs, i, rp), indexPath(rp, i), false));
    }
  }
  sortRules(n);
  n.subnetIds = idsOf(o, "subnets", path);
  n.nicIds = idsOf(o, "networkInterfaces", path);
  net.nsgs.push_back(std::move(n));
}

void parseEffective(AzureNetwork& net, const Json& o, const std::string& path) {
  const Json& value = requireArray(o, "value", path);
  const std::string vp = fieldPath(path, "value");
  for (size_t i = 0; i < value.size(); ++i) {
    const Json& e = elementObject(value, i, vp);
    const std::string ep = indexPath(vp, i);
    Nsg n;
    n.effective = true;
    const std::string nsgId = idOf(e, "networkSecurityGroup", ep);
    n.id = nsgId;
    n.name = nsgId.empty() ? "effective-" + std::to_string(i) : azureIdName(nsgId);
    n.resourceGroup = azureIdSegment(nsgId, "resourceGroups");
    if (const Json* assoc = optObject(e, "association", ep)) {
      const std::string sub = idOf(*assoc, "subnet", fieldPath(ep, "association"));
      if (!sub.empty()) n.subnetIds.push_back(sub);
      const std::string nic = idOf(*assoc, "networkInterface", fieldPath(ep, "association"));
      if (!nic.empty()) n.nicIds.push_back(nic);
    }
    const Json& rs = requireArray(e, "effectiveSecurityRules", ep);
    const std::string rp = fieldPath(ep, "effectiveSecurityRules");
    for (size_t j = 0; j < rs.size(); ++j) {
      NsgRule r = parseRule(elementObject(rs, j, rp), indexPath(rp, j), true);
      // Effective names look like "securityRules/AllowX" / "defaultSecurityRules/DenyAllInBound".
      if (auto slash = r.name.rfind('/'); slash != std::string::npos) r.name = r.name.substr(slash + 1);
      n.rules.push_back(std::move(r));
    }
    sortRules(n);
    net.nsgs.push_back(std::move(n));
  }
}

void parseVnet(AzureNetwork& net, const Json& o, const std::string& path) {
  Vnet v;
  v.name = optString(o, "name", path).value_or("");
  v.id = optString(o, "id", path).value_or("");
  v.resourceGroup = optString(o, "resourceGroup", path).value_or(azureIdSegment(v.id, "resourceGroups"));
  const Json& as = requireObject(o, "addressSpace", path);
  const std::string ap = fieldPath(path, "addressSpace");
  const Json& prefixes = requireArray(as, "addressPrefixes", ap);
  for (size_t i = 0; i < prefixes.size(); ++i) {
    const Json& p = prefixes[i];
    const std::string pp = indexPath(fieldPath(ap, "addressPrefixes"), i);
    if (!p.is_string()) fail(pp, "expected a CIDR block string, got " + describeValue(p));
    auto c = net::Cidr::parse(p.get<std::string>());
    if (!c) fail(pp, "expected a CIDR block, got " + describeValue(p));
    v.prefixes.push_back(*c);
  }
  if (const Json* subs = optArray(o, "subnets", path)) {
    const std::string sp = fieldPath(path, "subnets");
    for (size_t i = 0; i < subs->size(); ++i) {
      const Json& s = elementObject(*subs, i, sp);
      const std::string p = indexPath(sp, i);
      AzureSubnet sub;
      sub.name = optString(s, "name", p).value_or("");
      sub.id = optString(s, "id", p).value_or("");
      for (const auto& text : stringOrArray(s, "addressPrefix", "addressPrefixes", p)) {
        auto c = net::Cidr::parse(text);
        if (!c) fail(fieldPath(p, "addressPrefix"), "expected a CIDR block, got \"" + text + "\"");
        sub.prefixes.push_back(*c);
      }
      sub.nsgId = idOf(s, "networkSecurityGroup", p);
      sub.routeTableId = idOf(s, "routeTable", p);
      sub.privateEndpointNetworkPolicies = optString(s, "privateEndpointNetworkPolicies", p).value_or("");
      v.subnets.push_back(std::move(sub));
    }
  }
  net.vnets.push_back(std::move(v));
}

void parseRouteTable(AzureNetwork& net, const Json& o, const std::string& path) {
  AzureRouteTable t;
  t.name = optString(o, "name", path).value_or("");
  t.id = optString(o, "id", path).value_or("");
  t.resourceGroup = optString(o, "resourceGroup", path).value_or(azureIdSegment(t.id, "resourceGroups"));
  const Json& rs = requireArray(o, "routes", path);
  const std::string rp = fieldPath(path, "routes");
  for (size_t i = 0; i < rs.size(); ++i) {
    const Json& r = elementObject(rs, i, rp);
    const std::string p = indexPath(rp, i);
    AzureRoute route;
    route.name = optString(r, "name", p).value_or("");
    route.prefix = requireCidr(r, "addressPrefix", p);
    route.nextHopType = requireString(r, "nextHopType", p);
    route.nextHopIp = optString(r, "nextHopIpAddress", p).value_or("");
    t.routes.push_back(std::move(route));
  }
  t.subnetIds = idsOf(o, "subnets", path);
  net.routeTables.push_back(std::move(t));
}

void parsePrivateEndpoint(AzureNetwork& net, const Json& o, const std::string& path) {
  PrivateEndpoint pe;
  pe.name = optString(o, "name", path).value_or("");
  pe.id = optString(o, "id", path).value_or("");
  pe.resourceGroup = optString(o, "resourceGroup", path).value_or(azureIdSegment(pe.id, "resourceGroups"));
  pe.provisioningState = optString(o, "provisioningState", path).value_or("");
  pe.subnetId = idOf(o, "subnet", path);
  if (const Json* cs = optArray(o, "customDnsConfigs", path)) {
    const std::string cp = fieldPath(path, "customDnsConfigs");
    for (size_t i = 0; i < cs->size(); ++i) {
      const Json& c = elementObject(*cs, i, cp);
      const std::string p = indexPath(cp, i);
      std::vector<net::IpAddress> ips;
      const auto texts = optStringArray(c, "ipAddresses", p);
      for (size_t j = 0; j < texts.size(); ++j) {
        auto a = net::IpAddress::parse(texts[j]);
        if (!a)
          fail(indexPath(fieldPath(p, "ipAddresses"), j), "expected an IP address, got \"" + texts[j] + "\"");
        ips.push_back(*a);
      }
      pe.dnsConfigs.emplace_back(optString(c, "fqdn", p).value_or(""), std::move(ips));
    }
  }
  pe.nicIds = idsOf(o, "networkInterfaces", path);
  for (const char* key : {"privateLinkServiceConnections", "manualPrivateLinkServiceConnections"}) {
    const Json* cs = optArray(o, key, path);
    if (!cs) continue;
    const std::string cp = fieldPath(path, key);
    for (size_t i = 0; i < cs->size(); ++i) {
      const Json& c = elementObject(*cs, i, cp);
      const std::string p = indexPath(cp, i);
      PeConnection conn;
      conn.manual = std::string(key).rfind("manual", 0) == 0;
      conn.name = optString(c, "name", p).value_or("");
      // Some REST bodies give a connection its id and no name: its name is the id's last segment.
      if (conn.name.empty()) {
        const std::string id = optString(c, "id", p).value_or("");
        conn.name = id.substr(id.find_last_of('/') == std::string::npos ? 0 : id.find_last_of('/') + 1);
      }
      conn.groupIds = optStringArray(c, "groupIds", p);
      conn.provisioningState = optString(c, "provisioningState", p).value_or("");
      const Json& st = requireObject(c, "privateLinkServiceConnectionState", p);
      conn.status = requireString(st, "status", fieldPath(p, "privateLinkServiceConnectionState"));
      pe.connections.push_back(std::move(conn));
    }
  }
  net.privateEndpoints.push_back(std::move(pe));
}

void parseLink(AzureNetwork& net, const Json& o, const std::string& path) {
  DnsLink l;
  l.name = optString(o, "name", path).value_or("");
  const std::string id = optString(o, "id", path).value_or("");
  l.zone = azureIdSegment(id, "privateDnsZones");
  const Json& vn = requireObject(o, "virtualNetwork", path);
  l.vnetId = requireString(vn, "id", fieldPath(path, "virtualNetwork"));
  l.state = optString(o, "virtualNetworkLinkState", path).value_or("");
  l.registrationEnabled = optBool(o, "registrationEnabled", path).value_or(false);
  net.links.push_back(std::move(l));
}

void parseRecordSet(AzureNetwork& net, const Json& o, const std::string& path) {
  ARecordSet r;
  r.name = requireString(o, "name", path);
  r.fqdn = optString(o, "fqdn", path).value_or("");
  r.zone = azureIdSegment(optString(o, "id", path).value_or(""), "privateDnsZones");
  if (r.zone.empty() && !r.fqdn.empty()) {
    std::string f(util::trimTrailingDot(r.fqdn));
    if (auto dot = f.find('.'); dot != std::string::npos) r.zone = f.substr(dot + 1);
  }
  const Json& as = requireArray(o, "aRecords", path);
  const std::string ap = fieldPath(path, "aRecords");
  for (size_t i = 0; i < as.size(); ++i) {
    const std::string p = indexPath(ap, i);
    const std::string text = requireString(elementObject(as, i, ap), "ipv4Address", p);
    auto a = net::IpAddress::parse(text);
    if (!a) fail(fieldPath(p, "ipv4Address"), "expected an IPv4 address, got \"" + text + "\"");
    r.addresses.push_back(*a);
  }
  net.records.push_back(std::move(r));
}

bool isNic(const Json& o) {
  const auto type = o.find("type");
  if (type != o.end() && type->is_string())
    return util::toLower(type->get<std::string>()) == "microsoft.network/networkinterfaces";
  const auto id = o.find("id");
  return id != o.end() && id->is_string() &&
         util::toLower(id->get<std::string>()).find("/networkinterfaces/") != std::string::npos;
}

void parseNic(AzureNetwork& net, const Json& o, const std::string& path) {
  AzureNic n;
  n.id = optString(o, "id", path).value_or("");
  const Json& cs = requireArray(o, "ipConfigurations", path);
  const std::string cp = fieldPath(path, "ipConfigurations");
  for (size_t i = 0; i < cs.size(); ++i) {
    const std::string p = indexPath(cp, i);
    const Json& c = elementObject(cs, i, cp);
    const auto text = optString(c, "privateIPAddress", p);
    if (!text) continue;
    if (auto len = optInt(c, "privateIPAddressPrefixLength", p);
        len && text->find('/') != std::string::npos) {
      auto block = net::Cidr::parse(*text);
      if (!block || block->prefix != *len)
        fail(fieldPath(p, "privateIPAddress"),
             "expected a block of prefix length " + std::to_string(*len) + ", got \"" + *text + "\"");
      n.prefixes.push_back(*block);
      continue;
    }
    auto a = net::IpAddress::parse(*text);
    if (!a) fail(fieldPath(p, "privateIPAddress"), "expected an IP address, got \"" + *text + "\"");
    n.addresses.push_back(*a);
  }
  net.nics.push_back(std::move(n));
}

// The kind of an object of a known shape (after flattenArmProperties), or "".
std::string shapeOf(const Json& o) {
  if (!o.is_object()) return "";
  if (o.contains("securityRules") || o.contains("defaultSecurityRules")) return "NetworkSecurityGroup";
  if (o.contains("value") && o["value"].is_array() && !o["value"].empty() && o["value"][0].is_object() &&
      o["value"][0].contains("effectiveSecurityRules"))
    return "EffectiveSecurityRules";
  if (o.contains("privateLinkServiceConnections") || o.contains("manualPrivateLinkServiceConnections"))
    return "PrivateEndpoint";
  if (o.contains("ipConfigurations") && isNic(o)) return "NetworkInterface";
  if (o.contains("virtualNetwork")) return "PrivateDnsLinks";
  if (o.contains("aRecords")) return "ARecordSets";
  if (o.contains("routes")) return "RouteTable";
  if (o.contains("addressSpace")) return "VirtualNetwork";
  return "";
}

// Parses `o`, of kind `kind` (shapeOf); returns how many items it held.
size_t parseAs(AzureNetwork& net, const std::string& kind, const Json& o, const std::string& path) {
  if (kind == "NetworkSecurityGroup") return parseNsg(net, o, path), 1;
  if (kind == "EffectiveSecurityRules") return parseEffective(net, o, path), o["value"].size();
  if (kind == "PrivateEndpoint") return parsePrivateEndpoint(net, o, path), 1;
  if (kind == "NetworkInterface") return parseNic(net, o, path), 1;
  if (kind == "PrivateDnsLinks") return parseLink(net, o, path), 1;
  if (kind == "ARecordSets") return parseRecordSet(net, o, path), 1;
  if (kind == "RouteTable") return parseRouteTable(net, o, path), 1;
  if (kind == "VirtualNetwork") return parseVnet(net, o, path), 1;
  return 0;
}

// The shapes of aws_model.h's sibling, brought to az CLI output: `properties` lifted,
// a `{"value": [...]}` list of resources read as an array, a `create` output wrapped in
// one key ({"newVNet": {...}}, {"NewNSG": {...}}) unwrapped.
Json normalizeAzure(const Json& doc) {
  Json d = flattenArmProperties(doc);
  if (d.is_object() && shapeOf(d).empty()) {
    if (auto v = d.find("value"); v != d.end() && v->is_array() && !v->empty()) return *v;
    if (d.size() == 1 && d.begin().value().is_object() && !shapeOf(d.begin().value()).empty())
      return d.begin().value();
  }
  return d;
}

// A hint for the Azure resources that hold what pgreach reads in another export.
std::string azureRefusal(const Json& flat, const Json& original) {
  if (flat.is_object()) {
    auto text = [&](const char* key) {
      auto it = flat.find(key);
      return it != flat.end() && it->is_string() ? util::toLower(it->get<std::string>()) : std::string();
    };
    const std::string type = text("type"), id = text("id");
    if (type == "microsoft.network/virtualnetworks/subnets" ||
        (type.empty() && id.find("/subnets/") != std::string::npos && flat.contains("addressPrefix")))
      return "one subnet on its own (az network vnet subnet show): export the VNet that holds it "
             "(az network vnet show)";
    if (type == "microsoft.network/networksecuritygroups/securityrules" ||
        (type.empty() && id.find("/securityrules/") != std::string::npos))
      return "one security rule on its own: export the whole NSG (az network nsg show)";
  }
  return unknownShapeReason(original);
}

// What one file gave, as its items are read: by kind, in first-seen order, and how many
// items were of no known shape.
struct AzureFileTally {
  std::vector<std::pair<std::string, size_t>> kinds;
  size_t unknown = 0;
  size_t streamed = 0;  // items of a top-level array read one at a time (export_dir.h)
  Json first;           // the first of those, as written: it names the list when none was known

  void add(const std::string& kind, size_t n) {
    for (auto& [k, count] : kinds) {
      if (k == kind) return void(count += n);
    }
    kinds.emplace_back(kind, n);
  }
};

// One item of a list (after flattenArmProperties), at `i`.
void mergeAzureItem(AzureNetwork& net, AzureFileTally& t, const Json& flat, size_t i) {
  if (!flat.is_object()) fail(indexPath("", i), "expected an object, got " + describeValue(flat));
  const std::string k = shapeOf(flat);
  if (k.empty())
    ++t.unknown;
  else
    t.add(k, parseAs(net, k, flat, indexPath("", i)));
}

// Merges the document of `fileName` (what is left of it when its top-level array was
// streamed: `t` holds what those items gave) and records what the file held.
Expected<bool> mergeAzureFile(AzureNetwork& net, const std::string& fileName, const Json& original,
                              AzureFileTally& t) {
  return namingFile(fileName, [&] {
    const Json doc = normalizeAzure(original);
    if (doc.is_array()) {
      if (doc.empty() && t.streamed == 0) {
        const std::string lower = util::toLower(fileName);
        if (lower.find("link") != std::string::npos)
          t.add("PrivateDnsLinks", 0);
        else if (lower.find("record") != std::string::npos)
          t.add("ARecordSets", 0);
      }
      for (size_t i = 0; i < doc.size(); ++i) mergeAzureItem(net, t, doc[i], i);
      // Items of a list pgreach does not read are named, not dropped without a word.
      if (!t.kinds.empty() && t.unknown > 0) t.kinds.emplace_back("UnknownItems", t.unknown);
    } else if (doc.is_object() && doc.contains("value") && doc["value"].is_array() && doc["value"].empty()) {
      // The effective NSGs of a NIC without any NSG (az network nic list-effective-nsg).
      t.add("EffectiveSecurityRules", 0);
    } else if (auto k = shapeOf(doc); !k.empty()) {
      t.add(k, parseAs(net, k, doc, ""));
    }
    if (t.kinds.empty()) {
      net.ignoredFiles.push_back(fileName);
      net.outcomes.push_back(
          {fileName,
           {},
           t.streamed > 0 ? unknownShapeReason(Json::array({t.first})) : azureRefusal(doc, original)});
      return false;
    }
    for (const auto& [k, n] : t.kinds) {
      if (k != "UnknownItems" && !net.has(k)) net.loadedKinds.push_back(k);
    }
    net.files.push_back(fileName + " (" + t.kinds.front().first + ")");
    net.outcomes.push_back({fileName, t.kinds, ""});
    return true;
  });
}

}  // namespace

Expected<bool> mergeAzureExport(AzureNetwork& net, const std::string& fileName, const Json& original) {
  AzureFileTally t;
  return mergeAzureFile(net, fileName, original, t);
}

void linkEndpointNics(AzureNetwork& net) {
  for (auto& pe : net.privateEndpoints) {
    pe.nicAddresses.clear();
    for (const auto& nicId : pe.nicIds) {
      for (const auto& nic : net.nics) {
        if (!sameAzureId(nic.id, nicId)) continue;
        for (const auto& a : nic.addresses) {
          if (std::find(pe.nicAddresses.begin(), pe.nicAddresses.end(), a) == pe.nicAddresses.end())
            pe.nicAddresses.push_back(a);
        }
      }
    }
  }
}

Expected<AzureNetwork> loadAzureDir(const std::string& dir) {
  AzureNetwork net;
  // `az ... list` prints one top-level array: its items are read one at a time.
  AzureFileTally tally;
  auto r = forEachExport(
      dir, {""},
      [&](const std::string& name, const std::string&, size_t i, const Json& item) {
        return namingFile(name, [&] {
          if (tally.streamed++ == 0) tally.first = item;
          mergeAzureItem(net, tally, flattenArmProperties(item), i);
          return true;
        });
      },
      nullptr,
      [&](const std::string& name, const Json& doc) {
        auto merged = mergeAzureFile(net, name, doc, tally);
        tally = AzureFileTally();
        return merged;
      },
      [&](const std::string& name, const std::string& reason) {
        net.ignoredFiles.push_back(name);
        net.outcomes.push_back({name, {}, reason});
      });
  if (!r) return makeError(r.error());
  linkEndpointNics(net);
  return net;
}

}  // namespace pgreach::cloud
