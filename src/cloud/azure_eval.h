#pragma once
// Exact evaluation of the Azure path from a client address to a private endpoint:
// NSGs by ascending priority, first match wins, stateful (no return check); for
// traffic leaving the client the NIC rules apply before the subnet's, arriving at the
// endpoint the subnet's before the NIC's. Service tags: VirtualNetwork = the VNet's
// address space, AzureLoadBalancer = 168.63.129.16, Internet = outside the VNet and not
// private. Routes: user routes over system routes at equal length, longest prefix wins,
// the private endpoint's own /32 system route included.
#include <memory>
#include <string>
#include <vector>

#include "cloud/audit_finding.h"
#include "cloud/azure_model.h"
#include "cloud/cloud.h"
#include "cloud/path_verdict.h"
#include "cloud/registry.h"

namespace pgreach::cloud {

struct NsgDecision {
  const NsgRule* rule = nullptr;  // nullptr: no rule matched (only with incomplete exports)
  bool allowed() const { return rule && rule->allow; }
};

// `vnetPrefixes` resolve the VirtualNetwork tag.
NsgDecision evaluateNsg(const Nsg& nsg, bool inbound, const net::IpAddress& src, const net::IpAddress& dst,
                        int protocol, int dstPort, const std::vector<net::Cidr>& vnetPrefixes);
// Whether an address matches one NSG address prefix ("*", CIDR, address or service tag).
bool nsgPrefixMatches(const std::string& prefix, const net::IpAddress& a,
                      const std::vector<net::Cidr>& vnetPrefixes);
// The highest free priority below `decider` within 100-4096, or 0 when none is free.
int freeNsgPriorityBelow(const Nsg& nsg, bool inbound, int decider);

struct AzurePathQuery {
  net::IpAddress client;
  net::IpAddress endpoint;
  int port = 5432;
  int protocol = kProtoTcp;
};
PathVerdict evaluateAzurePath(const AzureNetwork& net, const AzurePathQuery& q);

struct AzureEndpointContext {
  std::string serverName;  // "labserver" from labserver.postgres.database.azure.com; "" = unknown
  net::IpAddress client;
  bool clientKnown = false;
};
inline constexpr const char* kAzurePostgresZone = "privatelink.postgres.database.azure.com";
std::vector<AuditFinding> auditAzureEndpoint(const AzureNetwork& net, const PrivateEndpoint& pe,
                                             const AzureEndpointContext& c);

// The private endpoints to audit: those q.ids name (by name or resource id), every one
// when q.ids is empty.
std::vector<const PrivateEndpoint*> selectPrivateEndpoints(const AzureNetwork& net, const EndpointQuery& q);
// The network behind the CloudNetwork interface (azure_cloud.cpp).
std::shared_ptr<const CloudNetwork> azureNetwork(std::shared_ptr<const AzureNetwork> net);
// The network behind `network` when it is Azure's, else null: what the Azure-only check
// (cloud.azure.endpoint) reads beyond the interface.
std::shared_ptr<const AzureNetwork> azureNetworkOf(const CloudNetwork* network);

// Azure in the cloud registry (registry.cpp): --azure-json and how its folder loads (azure_cloud.cpp).
CloudKind azureCloud();

}  // namespace pgreach::cloud
