#pragma once
// Typed facts of the cloud checks. cloud.context parses each export once and hands the
// parsed models to the endpoint and path checks, which never read the files again; the
// DNS stage, the audit command and the path renderer read the client and the verdicts
// from here instead of from `data` by key. toJson() keeps the keys the report has
// always shown for these checks.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cloud/cloud.h"
#include "cloud/path_verdict.h"
#include "engine/facts.h"
#include "net/address.h"

namespace pgreach::engine {

// Where the client sits, as cloud.context settled it.
struct CloudClient {
  std::optional<net::IpAddress> ip;  // nullopt: unknown, and no path can be evaluated
  std::string subnetId, region, az;
  std::vector<std::string> securityGroups;
  // The client's address of the other family, when its interface in an export (or this
  // host, when pgreach runs on the client) has one: the paths to the endpoint's addresses
  // of that family start there.
  std::optional<net::IpAddress> otherFamily;
  // An export lists the client's interface: a family it lacks is one the client does not
  // have (its paths cannot be taken), not one whose address is unknown.
  bool interfaceListed = false;
  // The client's address of `a`'s family, or nullopt.
  std::optional<net::IpAddress> addressFor(const net::IpAddress& a) const {
    if (ip && ip->family == a.family) return ip;
    if (otherFamily && otherFamily->family == a.family) return otherFamily;
    return std::nullopt;
  }
};

// cloud.context: the parsed exports (shared, read-only) and the client.
struct CloudContextFacts final : Facts {
  // One per cloud with exports, in registry order (cloud/registry.h). A cloud's own
  // checks reach its model through its accessor (cloud::awsAccountOf(network("aws"))).
  std::vector<std::shared_ptr<const cloud::CloudNetwork>> networks;
  std::map<std::string, std::string, std::less<>> exportDirs;  // kind -> the folder it was read from
  CloudClient client;
  std::vector<std::string> vpcCidrs;           // for the DNS stage's "inside the VPC"
  std::vector<std::string> platformResolvers;  // the cloud's own resolvers
  std::string source;                          // "flags", "imds", "<kind>-json" ("aws-json")
  std::vector<std::string> liveCommands;       // --cloud-live commands that ran
  struct Imds {
    std::string vpcId, interfaceId;
    std::vector<std::string> vpcCidrs;
  };
  std::optional<Imds> imds;  // what AWS instance metadata said, when it was asked and answered

  // The network of one kind ("aws"), or nullptr without its exports.
  const cloud::CloudNetwork* network(std::string_view kind) const;
  // The folder the exports of `kind` were read from, "" without them.
  std::string exportDir(std::string_view kind) const;

  nlohmann::json toJson() const override;
};

// cloud.aws.endpoint and cloud.azure.endpoint: the endpoints audited. cloud.correlate
// reads only their interface addresses, the same way for every cloud.
struct CloudEndpointFacts : Facts {
  virtual std::vector<std::string> addresses() const = 0;
};

struct AwsEndpointFacts final : CloudEndpointFacts {
  struct Endpoint {
    std::string id, state, serviceName;
    bool privateDnsEnabled = false;
    std::vector<std::string> subnetIds, addresses;
    // Whether the endpoint's groups admit the client, per audited port (empty when the
    // client's address is unknown).
    std::vector<std::pair<uint16_t, bool>> groupsAllowClient;
  };
  std::vector<Endpoint> endpoints;

  std::vector<std::string> addresses() const override;
  nlohmann::json toJson() const override;
};

struct AzureEndpointFacts final : CloudEndpointFacts {
  struct Connection {
    std::string name, status;
    std::vector<std::string> groupIds;
  };
  struct Endpoint {
    std::string name, provisioningState;
    std::vector<std::string> addresses;
    std::vector<Connection> connections;
  };
  std::vector<Endpoint> endpoints;

  std::vector<std::string> addresses() const override;
  nlohmann::json toJson() const override;
};

// cloud.aws.path and cloud.azure.path: one verdict per (endpoint address, port).
struct CloudPathFacts final : Facts {
  std::vector<cloud::PathVerdict> paths;

  nlohmann::json toJson() const override;
};

}  // namespace pgreach::engine
