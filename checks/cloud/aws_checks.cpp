// cloud.aws.endpoint and cloud.aws.path: the VPC endpoint's configuration, and the
// exact evaluation of the path from the client to each endpoint interface and back.
#include "checks/cloud/cloud_common.h"
#include "checks/cloud/codes.h"
#include "checks/common/probe_targets.h"
#include "cloud/aws_eval.h"
#include "engine/registry.h"
#include "target/provider.h"
#include "util/strings.h"

namespace pgreach::checks::cloud {
namespace {

using engine::CheckResult;
using engine::Finding;
using engine::Severity;
namespace pc = pgreach::cloud;

// Whether the client has an IPv6 address: one is known, or the export lists its interface
// without one, or its subnet has no IPv6 range (nothing in it can have one); nullopt when
// nothing says.
std::optional<bool> clientHasIpv6(const pc::AwsAccount& acc, const ClientInfo& client) {
  if (!client.ip) return std::nullopt;
  if (!client.ip->isV4() || (client.otherFamily && !client.otherFamily->isV4())) return true;
  if (client.interfaceListed) return false;
  if (const auto* s = client.subnetId.empty() ? nullptr : acc.subnet(client.subnetId);
      s && s->ipv6Cidrs.empty())
    return false;
  return std::nullopt;
}

class AwsEndpoint final : public engine::Check {
 public:
  const engine::CheckInfo& info() const override {
    static const engine::CheckInfo kInfo = engine::withCodes(
        {kAwsEndpointId,
         engine::Stage::Cloud,
         "VPC endpoint state, private DNS, service name and availability zones",
         {kContextId},
         engine::Millis(20000),
         {kDnsResolveId}},
        engine::pickCodes(
            cloudCodes(),
            {"cloud.endpoint_missing", "cloud.endpoint_not_available", "cloud.private_dns_disabled",
             "cloud.vpc_dns_support_disabled", "cloud.vpc_dns_hostnames_disabled", "cloud.wrong_service_name",
             "cloud.single_az", "cloud.no_endpoint_in_client_az", "cloud.sg_ingress_missing",
             "cloud.aaaa_not_from_endpoint", "cloud.endpoint_ipv6_only_client_no_ipv6"}));
    return kInfo;
  }

  CheckResult run(engine::CheckContext& ctx) override {
    const engine::CloudContextFacts* cloud = contextFacts(ctx);
    const auto aws = cloud ? pc::awsAccountOf(cloud->network("aws")) : nullptr;
    if (!aws) return skipped("no AWS configuration (--aws-json DIR or --cloud-live)");
    const pc::AwsAccount& acc = *aws;
    if (!acc.has("VpcEndpoints"))
      return skipped("no describe-vpc-endpoints export in " + cloud->exportDir("aws"));
    const ClientInfo& client = cloud->client;
    auto eps = pc::selectVpcEndpoints(acc, endpointQuery(ctx, client));
    CheckResult r;
    if (eps.empty()) {
      r.status = engine::Status::Fail;
      r.summary = "no VPC endpoint for the database";
      r.findings.push_back({"cloud.endpoint_missing",
                            Severity::Critical,
                            "no interface VPC endpoint in the export matches the target",
                            {"endpoints in export: " + std::to_string(acc.endpoints.size())},
                            "Create an interface endpoint to the provider's endpoint service (see the "
                            "provider's PrivateLink page)."});
      return r;
    }
    pc::AwsEndpointContext ec;
    ec.provider = std::string(target::toString(ctx.target().provider()));
    ec.region = client.region;
    if (ec.region.empty()) ec.region = pc::regionFromName(ctx.target().primary().name());
    ec.clientAz = client.az;
    ec.dnsAnswers = resolvedAddresses(ctx);
    ec.clientSubnet = client.subnetId;
    if (client.ip) {
      if (const auto* eni = acc.interfaceByAddress(*client.ip)) ec.clientInterface = eni->id;
    }
    ec.clientHasIpv6 = clientHasIpv6(acc, client);
    engine::AwsEndpointFacts facts;
    for (const auto* ep : eps) {
      for (auto& f : pc::auditAwsEndpoint(acc, *ep, ec)) r.findings.push_back(toFinding(std::move(f)));
      // When the path check cannot place the endpoint (its interfaces are not in the export
      // and no --endpoint-ip), the endpoint's own groups still say what they deny.
      if (client.ip && endpointIpOptions(ctx).empty()) {
        for (auto& f : pc::auditEndpointGroups(acc, *ep, *client.ip, auditPorts(ctx)))
          r.findings.push_back(toFinding(std::move(f)));
      }
      engine::AwsEndpointFacts::Endpoint e{
          ep->id, ep->state, ep->serviceName, ep->privateDnsEnabled.value_or(false), ep->subnetIds, {}, {}};
      for (const auto& a : pc::endpointAddresses(acc, *ep)) e.addresses.push_back(a.toString());
      // Whether the endpoint's groups admit the client on each provider port (the
      // path check reports the misses with the rule and the fix).
      if (client.ip) {
        for (uint16_t port : auditPorts(ctx)) {
          e.groupsAllowClient.emplace_back(
              port,
              pc::matchSecurityGroups(acc, ep->groups, false, *client.ip, pc::kProtoTcp, port).has_value());
        }
      }
      facts.endpoints.push_back(std::move(e));
    }
    r.setFacts(std::move(facts));
    r.status = engine::statusFromFindings(r.findings);
    std::vector<std::string> ids;
    for (const auto* ep : eps) ids.push_back(ep->id + " " + ep->state);
    r.summary =
        (r.findings.empty() ? "endpoint configuration ok: " : "endpoint configuration has problems: ") +
        util::join(ids, ", ");
    return r;
  }
};

class AwsPath final : public CloudPathCheck {
 public:
  AwsPath()
      : CloudPathCheck(
            {engine::withCodes(
                 {kAwsPathId,
                  engine::Stage::Cloud,
                  "Evaluate security groups, network ACLs and routes from the client to the endpoint and "
                  "back",
                  {kContextId},
                  engine::Millis(20000),
                  {kDnsResolveId}},
                 engine::pickCodes(
                     cloudCodes(),
                     {"cloud.sg_egress_missing", "cloud.nacl_egress_denied", "cloud.no_route",
                      "cloud.route_blackhole", "cloud.nacl_ingress_denied", "cloud.sg_ingress_missing",
                      "cloud.nacl_return_denied", "cloud.route_via_appliance", "cloud.path_not_verified",
                      "cloud.sg_ipv6_range_missing", "cloud.nacl_ipv6_entry_missing",
                      "cloud.client_family_missing"})),
             "aws", "no AWS configuration (--aws-json DIR or --cloud-live)",
             "the client's address is unknown (--client-ip, --client-eni or --imds)",
             "no endpoint address (--endpoint, --endpoint-ip, or a VPC endpoint in the export)",
             /*noteAppliances=*/true}) {}
};

engine::RegisterCheck<AwsEndpoint> registeredEndpoint;
engine::RegisterCheck<AwsPath> registeredPath;

}  // namespace
}  // namespace pgreach::checks::cloud
