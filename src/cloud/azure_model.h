#pragma once
// The Azure network model the audit evaluates, loaded from `az ...` JSON exports
// (DOMAIN.md section 5), recognised by shape whatever the files are called:
//   az network nsg show                  object with securityRules / defaultSecurityRules
//   az network nic list-effective-nsg    object with value[].effectiveSecurityRules
//   az network private-endpoint show     object with privateLinkServiceConnections
//                                        (or manualPrivateLinkServiceConnections)
//   az network private-dns link vnet list    array of objects with virtualNetwork
//   az network private-dns record-set a list array of objects with aRecords
//   az network route-table show          object with routes
//   az network vnet show                 object with addressSpace.addressPrefixes
// `list` outputs (arrays of any of these objects) work too. An empty array carries no
// shape: it counts as a link list when the file name contains "link" and as a record
// list when it contains "record" (an empty link list is how "zone not linked" looks).
// ARM REST bodies (`az rest`, the portal's JSON view) are read too: `properties` is
// lifted into its object at every depth, `{"value": [...]}` lists are read as arrays,
// and `{"value": []}` is the effective-NSG list of a NIC without an NSG (read, zero
// NSGs). `create` output wrapped in one key (`{"newVNet": {...}}`) is unwrapped. Other
// files are listed as ignored, with the reason (outcomes).
#include <optional>
#include <string>
#include <vector>

#include "cloud/export_shapes.h"
#include "cloud/json_fields.h"
#include "cloud/ports.h"
#include "net/address.h"
#include "util/expected.h"

namespace pgreach::cloud {

struct NsgRule {
  std::string name;
  int priority = 0;
  bool inbound = true;
  bool allow = false;
  int protocol = kProtoAll;
  std::vector<std::string> sources, destinations;  // CIDRs, addresses, "*" or service tags
  std::vector<PortRange> sourcePorts, destinationPorts;
  std::string describe() const;  // "AllowPostgres (priority 200, Allow Tcp 5432 from 10.40.0.0/16)"
};

struct Nsg {
  std::string name, id, resourceGroup;
  bool effective = false;      // from list-effective-nsg
  std::vector<NsgRule> rules;  // custom and default, sorted by priority
  std::vector<std::string> subnetIds, nicIds;
};

struct AzureSubnet {
  std::string name, id;
  std::vector<net::Cidr> prefixes;
  std::string nsgId, routeTableId;
  std::string privateEndpointNetworkPolicies;  // "Enabled", "Disabled", "NetworkSecurityGroupEnabled", ...
};

struct Vnet {
  std::string name, id, resourceGroup;
  std::vector<net::Cidr> prefixes;
  std::vector<AzureSubnet> subnets;
};

struct AzureRoute {
  std::string name;
  net::Cidr prefix;
  std::string nextHopType, nextHopIp;
};

struct AzureRouteTable {
  std::string name, id, resourceGroup;
  std::vector<AzureRoute> routes;
  std::vector<std::string> subnetIds;
};

struct PeConnection {
  std::string name, status, provisioningState;
  std::vector<std::string> groupIds;
  bool manual = false;
};

struct PrivateEndpoint {
  std::string name, id, resourceGroup, provisioningState, subnetId;
  std::vector<std::pair<std::string, std::vector<net::IpAddress>>> dnsConfigs;  // fqdn → addresses
  std::vector<PeConnection> connections;
  std::vector<std::string> nicIds;           // networkInterfaces[].id
  std::vector<net::IpAddress> nicAddresses;  // from those NICs' exports (loadAzureDir)
  // customDnsConfigs addresses, else (an endpoint in a DNS zone group lists none) its NICs'.
  std::vector<net::IpAddress> addresses() const;
};

// `az network nic show` / `nic list`: only what locates a private endpoint's address.
struct AzureNic {
  std::string id;
  std::vector<net::IpAddress> addresses;  // ipConfigurations[].privateIPAddress
  // An ipConfiguration given a block (privateIPAddressPrefixLength, "172.20.2.16/28"):
  // kept apart, since a block is not an address an endpoint answers on.
  std::vector<net::Cidr> prefixes;
};

struct DnsLink {
  std::string name, zone, vnetId, state;
  bool registrationEnabled = false;
};

struct ARecordSet {
  std::string name, zone, fqdn;
  std::vector<net::IpAddress> addresses;
};

class AzureNetwork {
 public:
  std::vector<Vnet> vnets;
  std::vector<Nsg> nsgs;
  std::vector<AzureRouteTable> routeTables;
  std::vector<PrivateEndpoint> privateEndpoints;
  std::vector<DnsLink> links;
  std::vector<ARecordSet> records;
  std::vector<AzureNic> nics;
  std::vector<std::string> loadedKinds, files, ignoredFiles;
  std::vector<ExportOutcome> outcomes;  // every file, read or ignored, in name order

  bool has(std::string_view kind) const;
  const Vnet* vnetContaining(const net::IpAddress& a) const;
  // The most specific subnet holding `a`, with its VNet.
  std::pair<const Vnet*, const AzureSubnet*> subnetContaining(const net::IpAddress& a) const;
  const AzureSubnet* subnetById(const std::string& id) const;
  const Nsg* nsgById(const std::string& id) const;
  // NSGs applied to a subnet: by the VNet's subnet.networkSecurityGroup or the NSG's subnets[].
  std::vector<const Nsg*> nsgsForSubnet(const AzureSubnet& s) const;
  const AzureRouteTable* routeTableForSubnet(const AzureSubnet& s) const;
  // Effective-rule sets not tied to a subnet: taken as the client NIC's.
  std::vector<const Nsg*> nicNsgs() const;
};

// Resource ids compare case-insensitively in Azure.
bool sameAzureId(std::string_view a, std::string_view b);
// The last path segment of a resource id, and the segment after `kind` ("privateDnsZones").
std::string azureIdName(std::string_view id);
std::string azureIdSegment(std::string_view id, std::string_view kind);

Expected<bool> mergeAzureExport(AzureNetwork& net, const std::string& fileName, const Json& doc);
// Fills each private endpoint's nicAddresses from the NICs loaded (files come in any order).
void linkEndpointNics(AzureNetwork& net);
Expected<AzureNetwork> loadAzureDir(const std::string& dir);

}  // namespace pgreach::cloud
