#include "cloud/azure_eval.h"

#include <algorithm>
#include <set>

#include "util/strings.h"

namespace pgreach::cloud {

using Finding = AuditFinding;
using Severity = AuditSeverity;

bool nsgPrefixMatches(const std::string& prefix, const net::IpAddress& a,
                      const std::vector<net::Cidr>& vnetPrefixes) {
  const std::string p = util::toLower(util::trim(prefix));
  if (p == "*" || p == "any") return true;
  auto inVnet = [&] {
    return std::any_of(vnetPrefixes.begin(), vnetPrefixes.end(),
                       [&](const net::Cidr& c) { return c.contains(a); });
  };
  if (p == "virtualnetwork") return inVnet();
  if (p == "azureloadbalancer") return a == *net::IpAddress::parse("168.63.129.16");
  if (p == "internet") return !inVnet() && !net::isPrivateOrLocal(a);
  auto c = net::Cidr::parse(prefix);
  return c && c->contains(a);  // other service tags (Storage, Sql...) never hold a VNet client
}

NsgDecision evaluateNsg(const Nsg& nsg, bool inbound, const net::IpAddress& src, const net::IpAddress& dst,
                        int protocol, int dstPort, const std::vector<net::Cidr>& vnetPrefixes) {
  for (const auto& r : nsg.rules) {
    if (r.inbound != inbound) continue;
    if (r.protocol != kProtoAll && r.protocol != protocol) continue;
    if (std::none_of(r.destinationPorts.begin(), r.destinationPorts.end(),
                     [&](const PortRange& p) { return p.contains(dstPort); }))
      continue;
    // Source ports are the client's ephemeral ones: a rule limited to some source ports
    // matches only part of the connections; count it as matching only when it covers
    // the whole ephemeral range.
    if (std::none_of(r.sourcePorts.begin(), r.sourcePorts.end(),
                     [](const PortRange& p) { return p.from <= 1024 && p.to >= 65535; }))
      continue;
    if (std::none_of(r.sources.begin(), r.sources.end(),
                     [&](const std::string& s) { return nsgPrefixMatches(s, src, vnetPrefixes); }))
      continue;
    if (std::none_of(r.destinations.begin(), r.destinations.end(),
                     [&](const std::string& d) { return nsgPrefixMatches(d, dst, vnetPrefixes); }))
      continue;
    return NsgDecision{&r};
  }
  return NsgDecision{};
}

int freeNsgPriorityBelow(const Nsg& nsg, bool inbound, int decider) {
  std::set<int> used;
  for (const auto& r : nsg.rules) {
    if (r.inbound == inbound) used.insert(r.priority);
  }
  for (int p = std::min(decider - 1, 4096); p >= 100; --p) {
    if (!used.count(p)) return p;
  }
  return 0;
}

namespace {

std::string hostCidr(const net::IpAddress& a) { return a.toString() + (a.isV4() ? "/32" : "/128"); }

// A custom Allow rule of `nsg` for the port and protocol whose address prefixes (on the
// client's side and the endpoint's) are all IPv4 CIDRs: the rule an IPv6 connection misses.
const NsgRule* ipv4OnlyAllow(const Nsg& nsg, bool inbound, const AzurePathQuery& q) {
  auto v4Only = [](const std::vector<std::string>& prefixes) {
    bool any = false;
    for (const auto& p : prefixes) {
      auto c = net::Cidr::parse(p);
      if (!c) return false;  // "*" and service tags cover both families
      if (!c->base.isV4()) return false;
      any = true;
    }
    return any;
  };
  for (const auto& r : nsg.rules) {
    if (r.inbound != inbound || !r.allow || r.priority >= 65000) continue;
    if (r.protocol != kProtoAll && r.protocol != q.protocol) continue;
    if (std::none_of(r.destinationPorts.begin(), r.destinationPorts.end(),
                     [&](const PortRange& p) { return p.contains(q.port); }))
      continue;
    if (v4Only(r.sources) || v4Only(r.destinations)) return &r;
  }
  return nullptr;
}

PathStep nsgStep(const std::vector<const Nsg*>& nsgs, bool inbound, const AzurePathQuery& q,
                 const std::vector<net::Cidr>& vnetPrefixes, const std::string& component) {
  PathStep s;
  s.component = component;
  s.direction = "forward";
  if (nsgs.empty()) {
    s.outcome = StepOutcome::NotApplicable;
    s.note = "no network security group applies";
    return s;
  }
  std::vector<std::string> allowedBy;
  for (const Nsg* n : nsgs) {
    auto d = evaluateNsg(*n, inbound, q.client, q.endpoint, q.protocol, q.port, vnetPrefixes);
    if (d.allowed()) {
      allowedBy.push_back(n->name + " " + d.rule->describe());
      continue;
    }
    s.resource = n->name;
    if (!d.rule) {
      // Exports without defaultSecurityRules: Azure's DenyAll at 65500 decides.
      s.decidedBy =
          n->name + " default " + (inbound ? "DenyAllInBound" : "DenyAllOutBound") + " (priority 65500)";
    } else {
      s.decidedBy = n->name + " " + d.rule->describe();
    }
    s.outcome = StepOutcome::Denied;
    s.code = "cloud.nsg_denied";
    const bool v6 = !q.client.isV4();
    if (v6) {
      // The dual-stack miss: an Allow rule for the port, ranked before the rule that denied
      // the IPv6 connection, names IPv4 prefixes only.
      const NsgRule* v4only = ipv4OnlyAllow(*n, inbound, q);
      if (v4only && v4only->priority < (d.rule ? d.rule->priority : 65500)) {
        s.code = "cloud.nsg_ipv6_prefix_missing";
        s.decidedBy = "IPv6: " + s.decidedBy + "; " + v4only->describe() +
                      " allows the port for IPv4 prefixes only (no IPv6 prefix)";
      }
    }
    const int decider = d.rule ? d.rule->priority : 65500;
    const std::string rg = n->resourceGroup.empty() ? "<resource-group>" : n->resourceGroup;
    const std::string dir = inbound ? "Inbound" : "Outbound";
    const std::string create = [&](int prio) {
      return "az network nsg rule create --resource-group " + rg + " --nsg-name " + n->name +
             " --name allow-postgres-" + (v6 ? "ipv6-" : "") + std::to_string(q.port) + " --priority " +
             std::to_string(prio) + " --direction " + dir + " --access Allow --protocol " +
             (q.protocol == kProtoTcp ? "Tcp" : "*") + " --source-address-prefixes " + hostCidr(q.client) +
             " --source-port-ranges '*' --destination-address-prefixes " + hostCidr(q.endpoint) +
             " --destination-port-ranges " + std::to_string(q.port);
    }(0);
    const int prio = freeNsgPriorityBelow(*n, inbound, decider);
    if (prio > 0) {
      s.fix = util::replaceAll(create, "--priority 0", "--priority " + std::to_string(prio));
    } else {
      // Nothing ranks above a rule at priority 100: move it down first.
      s.fix = "az network nsg rule update --resource-group " + rg + " --nsg-name " + n->name + " --name " +
              (d.rule ? d.rule->name : "<rule>") + " --priority 101 && " +
              util::replaceAll(create, "--priority 0", "--priority 100");
    }
    return s;
  }
  s.outcome = StepOutcome::Allowed;
  s.decidedBy = util::join(allowedBy, "; ");
  return s;
}

bool policiesApplyNsg(const AzureSubnet& s) {
  const std::string p = util::toLower(s.privateEndpointNetworkPolicies);
  return p == "enabled" || p == "networksecuritygroupenabled";
}

}  // namespace

PathVerdict evaluateAzurePath(const AzureNetwork& net, const AzurePathQuery& q) {
  PathVerdict v;
  v.client = q.client.toString();
  v.endpoint = q.endpoint.toString();
  v.port = q.port;
  auto [clientVnet, clientSubnet] = net.subnetContaining(q.client);
  const PrivateEndpoint* pe = nullptr;
  for (const auto& p : net.privateEndpoints) {
    auto a = p.addresses();
    if (std::find(a.begin(), a.end(), q.endpoint) != a.end()) pe = &p;
  }
  const AzureSubnet* epSubnet = pe ? net.subnetById(pe->subnetId) : nullptr;
  const Vnet* epVnet = nullptr;
  if (!epSubnet) std::tie(epVnet, epSubnet) = net.subnetContaining(q.endpoint);
  if (!epVnet) epVnet = net.vnetContaining(q.endpoint);
  std::vector<net::Cidr> vnetPrefixes;
  for (const Vnet* vn : {clientVnet, epVnet}) {
    if (vn) vnetPrefixes.insert(vnetPrefixes.end(), vn->prefixes.begin(), vn->prefixes.end());
  }

  // Leaving the client: NIC rules (effective-NSG exports), then the subnet's NSG. Without
  // an effective-NSG export nobody looked at the NIC: not verified, not "no NSG applies".
  {
    auto s = nsgStep(net.nicNsgs(), false, q, vnetPrefixes, "client NIC network security group outbound");
    if (!net.has("EffectiveSecurityRules")) {
      s = PathStep{};
      s.component = "client NIC network security group outbound";
      s.direction = "forward";
      s.outcome = StepOutcome::Unknown;
      s.note = "no effective-NSG export for the client's NIC";
      std::string nicId;
      for (const auto& n : net.nics) {
        if (std::find(n.addresses.begin(), n.addresses.end(), q.client) != n.addresses.end()) nicId = n.id;
      }
      s.resource = nicId.empty() ? "" : azureIdName(nicId);
      s.settleWith = nicId.empty() ? "az network nic list-effective-nsg --resource-group <client-rg> --name "
                                     "<the NIC holding " +
                                         q.client.toString() + "> -o json"
                                   : "az network nic list-effective-nsg --ids " + nicId + " -o json";
    }
    v.steps.push_back(s);
  }
  {
    std::vector<const Nsg*> subnetNsgs;
    if (clientSubnet) subnetNsgs = net.nsgsForSubnet(*clientSubnet);
    auto s = nsgStep(subnetNsgs, false, q, vnetPrefixes, "client subnet network security group outbound");
    if (!clientSubnet) {
      s.outcome = StepOutcome::Unknown, s.note = "the client's subnet is not in the VNet export";
      s.settleWith = "az network vnet list -o json";
    }
    v.steps.push_back(s);
  }
  // Route from the client's subnet.
  {
    PathStep s;
    s.component = "client subnet route table";
    s.direction = "forward";
    const AzureRouteTable* rt = clientSubnet ? net.routeTableForSubnet(*clientSubnet) : nullptr;
    const AzureRoute* best = nullptr;
    if (rt) {
      s.resource = rt->name;
      for (const auto& r : rt->routes) {
        if (r.prefix.contains(q.endpoint) && (!best || r.prefix.prefix > best->prefix.prefix)) best = &r;
      }
    }
    // System routes: the private endpoint's /32 (InterfaceEndpoint) and the VNet space.
    int systemLen = -1;
    std::string systemWhat;
    if (pe)
      systemLen = q.endpoint.isV4() ? 32 : 128,
      systemWhat = "system route " + hostCidr(q.endpoint) + " -> InterfaceEndpoint";
    else {
      for (const auto& c : vnetPrefixes) {
        if (c.contains(q.endpoint) && c.prefix > systemLen)
          systemLen = c.prefix, systemWhat = "system route " + c.toString() + " -> VnetLocal";
      }
    }
    if (!clientVnet) {
      // No exported VNet holds the client: neither its routes nor the system routes Azure
      // gives a VNet (the endpoint's /32) are known to apply to it.
      s.outcome = StepOutcome::Unknown;
      s.note = "the client is not in an exported VNet (peering, VPN or on-premises paths are not modelled)";
      s.settleWith = "az network vnet list -o json";
    } else if (best && best->prefix.prefix >= systemLen) {
      const std::string hop = best->nextHopType + (best->nextHopIp.empty() ? "" : " " + best->nextHopIp);
      s.decidedBy = rt->name + " route " + best->name + " " + best->prefix.toString() + " -> " + hop;
      const std::string type = util::toLower(best->nextHopType);
      if (type == "none") {
        s.outcome = StepOutcome::Denied;
        s.code = "cloud.route_blackhole";
        s.decidedBy += " (next hop None drops the traffic)";
        s.fix = "az network route-table route delete --resource-group " + rt->resourceGroup +
                " --route-table-name " + rt->name + " --name " + best->name;
      } else if (type == "internet" && net::isPrivateOrLocal(q.endpoint)) {
        s.outcome = StepOutcome::Denied;
        s.code = "cloud.no_route";
        s.decidedBy += " (a private address sent to the Internet)";
        s.fix = "az network route-table route delete --resource-group " + rt->resourceGroup +
                " --route-table-name " + rt->name + " --name " + best->name;
      } else {
        s.outcome = StepOutcome::Allowed;
        if (type == "virtualappliance")
          s.note =
              "traffic goes through the appliance " + best->nextHopIp + "; its own filtering is not modelled";
      }
    } else if (systemLen >= 0) {
      s.outcome = StepOutcome::Allowed;
      s.decidedBy = systemWhat;
    } else {
      s.outcome = StepOutcome::Denied;
      s.code = "cloud.no_route";
      s.decidedBy = "no route from " + clientVnet->name + " to " + q.endpoint.toString();
      s.fix = "Peer the VNets or route " + hostCidr(q.endpoint) + " through the gateway that reaches it";
    }
    v.steps.push_back(s);
  }
  // Arriving at the endpoint: its subnet's NSG, only when network policies are on.
  {
    std::vector<const Nsg*> nsgs;
    if (epSubnet) nsgs = net.nsgsForSubnet(*epSubnet);
    // Effective rules exported for the endpoint's subnet.
    auto s = nsgStep(nsgs, true, q, vnetPrefixes, "endpoint subnet network security group inbound");
    if (!epSubnet) {
      s.outcome = StepOutcome::Unknown;
      s.note = "the endpoint's subnet is not in the VNet export";
      const std::string::size_type cut =
          pe ? util::toLower(pe->subnetId).find("/subnets/") : std::string::npos;
      s.settleWith = cut != std::string::npos
                         ? "az network vnet show --ids " + pe->subnetId.substr(0, cut) + " -o json"
                         : "az network vnet list -o json";
    } else if (!nsgs.empty() && !policiesApplyNsg(*epSubnet) &&
               !epSubnet->privateEndpointNetworkPolicies.empty()) {
      s.outcome = StepOutcome::NotApplicable;
      s.code.clear();
      s.fix.clear();
      s.note = "privateEndpointNetworkPolicies is " + epSubnet->privateEndpointNetworkPolicies + " on " +
               epSubnet->name + ": its NSG does not filter private endpoint traffic";
    }
    v.steps.push_back(s);
  }
  return v;
}

std::vector<Finding> auditAzureEndpoint(const AzureNetwork& net, const PrivateEndpoint& pe,
                                        const AzureEndpointContext& c) {
  std::vector<Finding> out;
  const std::string rg = pe.resourceGroup.empty() ? "<resource-group>" : pe.resourceGroup;
  if (!pe.provisioningState.empty() && util::toLower(pe.provisioningState) != "succeeded") {
    out.push_back({"cloud.azure_connection_pending",
                   Severity::Critical,
                   "private endpoint " + pe.name + " is " + pe.provisioningState + ", not provisioned",
                   {"provisioningState=" + pe.provisioningState},
                   "az network private-endpoint show --resource-group " + rg + " --name " + pe.name +
                       " (wait for Succeeded, or recreate it if Failed)"});
  }
  if (pe.connections.empty()) {
    out.push_back({"cloud.azure_connection_pending",
                   Severity::Critical,
                   "private endpoint " + pe.name + " has no private link connection",
                   {},
                   "Recreate the private endpoint against the server."});
  }
  bool groupOk = false;
  for (const auto& conn : pe.connections) {
    if (std::find(conn.groupIds.begin(), conn.groupIds.end(), "postgresqlServer") != conn.groupIds.end())
      groupOk = true;
    const bool approved = util::toLower(conn.status) == "approved";
    const bool provisioned =
        conn.provisioningState.empty() || util::toLower(conn.provisioningState) == "succeeded";
    if (!approved || !provisioned) {
      // A connection without a name (some REST bodies) is named by its endpoint.
      const std::string connName = conn.name.empty() ? "of private endpoint " + pe.name : conn.name;
      out.push_back({"cloud.azure_connection_pending",
                     Severity::Critical,
                     "private link connection " + connName + " is " + conn.status +
                         (provisioned ? "" : " (provisioning " + conn.provisioningState + ")") +
                         ": no traffic passes",
                     {"privateLinkServiceConnectionState.status=" + conn.status,
                      conn.manual ? "a manual-approval connection" : "an auto-approved connection"},
                     util::toLower(conn.status) == "rejected"
                         ? "Delete and recreate the private endpoint, then have the server owner approve it."
                         : "The server owner approves it: az postgres flexible-server "
                           "private-endpoint-connection approve --resource-group <server-rg> --server-name "
                           "<server> --name <connection> --description approved"});
    }
  }
  if (!pe.connections.empty() && !groupOk) {
    out.push_back(
        {"cloud.azure_wrong_group_id",
         Severity::Critical,
         "private endpoint " + pe.name + " is not for a PostgreSQL server (group id is not postgresqlServer)",
         {},
         "Recreate the endpoint with --group-id postgresqlServer."});
  }
  // The zone must be linked to the client's VNet.
  const Vnet* clientVnet = c.clientKnown ? net.vnetContaining(c.client) : nullptr;
  if (net.has("PrivateDnsLinks")) {
    bool linked = false;
    std::string stateSeen;
    for (const auto& l : net.links) {
      if (!l.zone.empty() && util::toLower(l.zone) != kAzurePostgresZone) continue;
      const bool vnetMatch = clientVnet ? sameAzureId(l.vnetId, clientVnet->id) : true;
      if (!vnetMatch) continue;
      if (util::toLower(l.state) == "completed" || l.state.empty())
        linked = true;
      else
        stateSeen = l.state;
    }
    if (!linked) {
      const std::string vnetRef = clientVnet ? clientVnet->id : "<the client's VNet id>";
      out.push_back({"cloud.azure_zone_not_linked",
                     Severity::Critical,
                     std::string("zone ") + kAzurePostgresZone + " is not linked" +
                         (stateSeen.empty() ? "" : " (link " + stateSeen + ")") + " to " +
                         (clientVnet ? clientVnet->name : std::string("the client's VNet")) +
                         ": the server name resolves to its public address",
                     {std::to_string(net.links.size()) + " link(s) in the export"},
                     std::string("az network private-dns link vnet create --resource-group ") + rg +
                         " --zone-name " + kAzurePostgresZone + " --name " +
                         (clientVnet ? clientVnet->name : std::string("client")) +
                         "-link --virtual-network " + vnetRef + " --registration-enabled false"});
    }
  }
  if (net.has("ARecordSets") && !c.serverName.empty()) {
    const ARecordSet* rec = nullptr;
    for (const auto& r : net.records) {
      if (util::toLower(r.name) == util::toLower(c.serverName) &&
          (r.zone.empty() || util::toLower(r.zone) == kAzurePostgresZone))
        rec = &r;
    }
    const auto peAddrs = pe.addresses();
    if (!rec) {
      out.push_back({"cloud.azure_record_missing",
                     Severity::Critical,
                     std::string("no A record ") + c.serverName + " in " + kAzurePostgresZone,
                     {},
                     std::string("az network private-dns record-set a add-record --resource-group ") + rg +
                         " --zone-name " + kAzurePostgresZone + " --record-set-name " + c.serverName +
                         " --ipv4-address " +
                         (peAddrs.empty() ? std::string("<endpoint address>") : peAddrs.front().toString())});
    } else if (!peAddrs.empty()) {
      const bool match =
          std::any_of(rec->addresses.begin(), rec->addresses.end(), [&](const net::IpAddress& a) {
            return std::find(peAddrs.begin(), peAddrs.end(), a) != peAddrs.end();
          });
      if (!match) {
        std::vector<std::string> got;
        for (const auto& a : rec->addresses) got.push_back(a.toString());
        out.push_back({"cloud.azure_record_mismatch",
                       Severity::Critical,
                       "A record " + rec->name + " points at " + util::join(got, ",") +
                           ", not the private endpoint " + peAddrs.front().toString(),
                       {},
                       std::string("az network private-dns record-set a add-record --resource-group ") + rg +
                           " --zone-name " + kAzurePostgresZone + " --record-set-name " + rec->name +
                           " --ipv4-address " + peAddrs.front().toString() +
                           " (and remove the stale address)"});
      }
    }
  }
  if (const AzureSubnet* s = net.subnetById(pe.subnetId)) {
    const std::string p = util::toLower(s->privateEndpointNetworkPolicies);
    if (!net.nsgsForSubnet(*s).empty() && (p == "disabled" || p == "routetableenabled")) {
      out.push_back({"cloud.azure_network_policies_disabled",
                     Severity::Info,
                     "network policies are " + s->privateEndpointNetworkPolicies + " on " + s->name +
                         ": its NSG rules do not apply to the private endpoint",
                     {},
                     ""});
    }
  }
  // A user route that sends the endpoint's address to an appliance.
  for (const auto& a : pe.addresses()) {
    for (const auto& t : net.routeTables) {
      for (const auto& r : t.routes) {
        if (r.prefix.contains(a) && util::toLower(r.nextHopType) == "virtualappliance") {
          out.push_back({"cloud.azure_route_appliance",
                         Severity::Warning,
                         "route " + r.name + " in " + t.name + " sends " + a.toString() + " (" +
                             r.prefix.toString() + ") to the appliance " + r.nextHopIp +
                             ": it must forward PostgreSQL and see the return traffic",
                         {},
                         "Allow TCP 5432 through the appliance, or route " + hostCidr(a) +
                             " directly (delete the route)."});
        }
      }
    }
  }
  return out;
}

}  // namespace pgreach::cloud
