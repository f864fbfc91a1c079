#pragma once
// Exact evaluation of the AWS path between a client address and an endpoint interface
// address, both ways: client SG egress, client subnet NACL egress, route, endpoint
// subnet NACL ingress, endpoint SG ingress; then the return: endpoint subnet NACL
// egress to the client's ephemeral ports and client subnet NACL ingress. SGs are
// stateful (no return check); NACLs are stateless, first match by ascending rule number.
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "cloud/audit_finding.h"
#include "cloud/aws_model.h"
#include "cloud/cloud.h"
#include "cloud/path_verdict.h"
#include "cloud/registry.h"

namespace pgreach::cloud {

inline constexpr int kEphemeralFrom = 1024;
inline constexpr int kEphemeralTo = 65535;

// The rule of a set of security groups that lets the traffic through.
struct SgMatch {
  const SecurityGroup* group = nullptr;
  const SgRule* rule = nullptr;
};
// `peer` is the remote address (source for ingress, destination for egress).
std::optional<SgMatch> matchSecurityGroups(const AwsAccount& acc, const std::vector<std::string>& groups,
                                           bool egress, const net::IpAddress& peer, int protocol, int port);

// The entry that decides one packet, or nullptr for the implicit default deny.
const NaclEntry* matchNacl(const NetworkAcl& acl, bool egress, const net::IpAddress& peer, int protocol,
                           int port);

// The decision for every port of a range: consecutive segments with their deciding entry.
struct NaclSegment {
  PortRange ports;
  const NaclEntry* entry = nullptr;  // nullptr = implicit default deny
  bool allowed() const { return entry && entry->allow; }
};
std::vector<NaclSegment> evaluateNaclRange(const NetworkAcl& acl, bool egress, const net::IpAddress& peer,
                                           int protocol, PortRange ports);

// A free rule number below `decider` in the same direction (the smallest change that
// takes precedence over it).
int freeRuleNumberBelow(const NetworkAcl& acl, bool egress, int decider);

// The cloud-neutral query (cloud.h); clientGroups / clientSubnetId say where a client
// the export does not list sits (e.g. --client-ip of such a host); empty = look it up.
using AwsPathQuery = PathQuery;

PathVerdict evaluateAwsPath(const AwsAccount& acc, const AwsPathQuery& q);

// Endpoint configuration findings (state, private DNS, VPC DNS attributes, service
// name, AZ coverage, and per family: AAAA answers an IPv4-only endpoint did not publish,
// an IPv6-only endpoint or AAAA-only private DNS for a client without IPv6).
// The read-only command that exports the endpoint's network interfaces the export lacks
// ("aws ec2 describe-network-interfaces --network-interface-ids eni-..."), or "" when it
// has them all.
std::string describeMissingInterfaces(const AwsAccount& acc, const VpcEndpoint& ep);

struct AwsEndpointContext {
  AwsEndpointContext() = default;
  AwsEndpointContext(std::string p, std::string r, std::string az)
      : provider(std::move(p)), region(std::move(r)), clientAz(std::move(az)) {}
  std::string provider;  // "neon", "planetscale", "heroku", "generic"
  std::string region;    // from the hostname or the instance; "" = unknown
  std::string clientAz;  // "" = unknown
  // Per family (issue 21): what the target's name resolved to, and whether the client has
  // an IPv6 address (nullopt: unknown), with its interface and subnet ids when known (for
  // the fix).
  std::vector<net::IpAddress> dnsAnswers;
  std::optional<bool> clientHasIpv6;
  std::string clientInterface, clientSubnet;
};
std::vector<AuditFinding> auditAwsEndpoint(const AwsAccount& acc, const VpcEndpoint& ep,
                                           const AwsEndpointContext& c);
// Called when the path check cannot place the endpoint (its network interfaces are not in
// the export and no --endpoint-ip): the endpoint's own groups (describe-vpc-endpoints'
// Groups) still say what they deny. A cloud.sg_ingress_missing per port they do not allow
// from `client`; nothing when the interfaces are exported or a group is not.
std::vector<AuditFinding> auditEndpointGroups(const AwsAccount& acc, const VpcEndpoint& ep,
                                              const net::IpAddress& client,
                                              const std::vector<uint16_t>& ports);

// Neon's endpoint service for a region (seed 000), or "" when the region is not listed.
std::string neonServiceName(std::string_view region);
// Region from an AWS-style name: "ep-x.vpce.us-east-1.aws.neon.tech" → "us-east-1",
// "com.amazonaws.vpce.us-east-1.vpce-svc-..." → "us-east-1".
std::string regionFromName(std::string_view name);

// The endpoint's interface addresses.
std::vector<net::IpAddress> endpointAddresses(const AwsAccount& acc, const VpcEndpoint& ep);

// The VPC endpoints to audit: q.ids, else those owning one of q.addresses, else those
// whose DnsEntries name q.host, else every interface endpoint in the client's VPC (or
// in the export).
std::vector<const VpcEndpoint*> selectVpcEndpoints(const AwsAccount& acc, const EndpointQuery& q);
// The account behind the CloudNetwork interface (aws_cloud.cpp).
std::shared_ptr<const CloudNetwork> awsNetwork(std::shared_ptr<const AwsAccount> acc);
// The account behind `network` when it is AWS's, else null: what the AWS-only checks
// (cloud.aws.endpoint) and options (--client-eni) read beyond the interface.
std::shared_ptr<const AwsAccount> awsAccountOf(const CloudNetwork* network);

// AWS in the cloud registry (registry.cpp): --aws-json and how its folder loads (aws_cloud.cpp).
CloudKind awsCloud();

}  // namespace pgreach::cloud
