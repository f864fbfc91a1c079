#pragma once
// One interface for a cloud's parsed exports: what files were read, where the client
// sits, which endpoints the run is about, and the verdict of the path from the client to
// one of them. AWS (aws_cloud.cpp) and Azure (azure_cloud.cpp) implement it over their
// models, so cloud.context, the path check and endpoint selection are written once for
// every cloud; cloud/registry.h says how a cloud's folder is loaded into one.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cloud/export_shapes.h"
#include "cloud/path_verdict.h"
#include "cloud/ports.h"
#include "net/address.h"

namespace pgreach::cloud {

// What picks the endpoints to audit, from the run's options and the probes.
struct EndpointQuery {
  std::vector<std::string> ids;           // --endpoint: ids or names, as the cloud spells them
  std::vector<net::IpAddress> addresses;  // --endpoint-ip, else what DNS resolved
  std::string host;                       // the target host, lower case, no trailing dot
  std::optional<net::IpAddress> client;   // where the client is, to narrow a last-resort pick
};

// An endpoint to audit and the addresses a client reaches it on.
struct SelectedEndpoint {
  std::string id;
  std::vector<net::IpAddress> addresses;
  // When `addresses` is empty: why, and which export would add them ("" when unknown).
  std::string noAddressHint;
};

struct PathQuery {
  net::IpAddress client;
  net::IpAddress endpoint;
  int port = 5432;
  int protocol = kProtoTcp;
  // Where the client sits when the export does not list it (instance metadata); a cloud
  // that knows the client from its export ignores these.
  std::vector<std::string> clientGroups;
  std::string clientSubnetId;
};

// Where the client sits in one cloud's export, as cloud.context settles it. A cloud fills
// only what is still empty (what the flags and instance metadata said wins) and appends
// its own network's ranges and resolvers.
struct ClientPlacement {
  std::string subnetId, az;
  std::vector<std::string> securityGroups;
  std::vector<std::string> cidrs;      // the client's network ranges (all exported ones when unknown)
  std::vector<std::string> resolvers;  // the cloud's own DNS resolvers for that network
  // The addresses (every family) of the client's interface when an export lists it, and
  // whether one does: then a family missing here is one the client does not have; without
  // it, the client's address of the other family is unknown.
  std::vector<net::IpAddress> interfaceAddresses;
  bool interfaceListed = false;
};

// "IPv4" or "IPv6": how findings name an address family.
inline const char* familyName(const net::IpAddress& a) { return a.isV4() ? "IPv4" : "IPv6"; }

class CloudNetwork {
 public:
  virtual ~CloudNetwork() = default;
  // "aws", "azure": the check ids' middle part (cloud.aws.path).
  virtual std::string_view kind() const = 0;
  // Called by cloud.context to list the export: every file, read (what it held) or
  // ignored (why), in name order; and the names of the files read.
  virtual const std::vector<ExportOutcome>& outcomes() const = 0;
  virtual const std::vector<std::string>& files() const = 0;
  // Called by cloud.context when nothing else named the client: whether this local
  // address lies in a subnet of the export.
  virtual bool inExportedSubnet(const net::IpAddress& a) const = 0;
  // Called by cloud.context once the client's address is settled (nullopt: unknown), for
  // each cloud in registry order: fills what the export says about where it sits.
  virtual void placeClient(const std::optional<net::IpAddress>& client, ClientPlacement& p) const = 0;
  // Called by the endpoint and path checks: the endpoints `q` names, in export order,
  // each once. An empty result means none matched.
  virtual std::vector<SelectedEndpoint> selectEndpoints(const EndpointQuery& q) const = 0;
  // Called by the path check for every (endpoint address, port): each component the
  // traffic crosses, both ways where the cloud filters return traffic.
  virtual PathVerdict evaluatePath(const PathQuery& q) const = 0;

 protected:
  CloudNetwork() = default;
  CloudNetwork(const CloudNetwork&) = default;
  CloudNetwork& operator=(const CloudNetwork&) = default;
};

}  // namespace pgreach::cloud
