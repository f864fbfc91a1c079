// cloud.azure.endpoint and cloud.azure.path: the private endpoint's connection, DNS
// zone link and record, and the NSG/route evaluation from the client to it.
#include "checks/cloud/cloud_common.h"
#include "checks/cloud/codes.h"
#include "checks/common/probe_targets.h"
#include "cloud/azure_eval.h"
#include "engine/registry.h"
#include "util/strings.h"

namespace pgreach::checks::cloud {
namespace {

using engine::CheckResult;
using engine::Finding;
using engine::Severity;
namespace pc = pgreach::cloud;

std::string serverName(const engine::CheckContext& ctx) {
  const std::string host = util::toLower(util::trimTrailingDot(ctx.target().primary().name()));
  for (const char* suffix : {".privatelink.postgres.database.azure.com", ".postgres.database.azure.com"}) {
    if (util::endsWith(host, suffix)) return host.substr(0, host.size() - std::string(suffix).size());
  }
  return "";
}

class AzureEndpoint final : public engine::Check {
 public:
  const engine::CheckInfo& info() const override {
    static const engine::CheckInfo kInfo = engine::withCodes(
        {kAzureEndpointId,
         engine::Stage::Cloud,
         "Private endpoint connection, private DNS zone link and A record",
         {kContextId},
         engine::Millis(20000)},
        engine::pickCodes(cloudCodes(),
                          {"cloud.azure_connection_pending", "cloud.azure_wrong_group_id",
                           "cloud.azure_zone_not_linked", "cloud.azure_record_missing",
                           "cloud.azure_record_mismatch", "cloud.azure_network_policies_disabled",
                           "cloud.azure_route_appliance", "cloud.azure_endpoint_not_verified"}));
    return kInfo;
  }

  CheckResult run(engine::CheckContext& ctx) override {
    const engine::CloudContextFacts* cloud = contextFacts(ctx);
    const auto azure = cloud ? pc::azureNetworkOf(cloud->network("azure")) : nullptr;
    if (!azure) return skipped("no Azure configuration (--azure-json DIR)");
    const pc::AzureNetwork& net = *azure;
    if (!net.has("PrivateEndpoint"))
      return skipped("no `az network private-endpoint show` export in " + cloud->exportDir("azure"));
    const ClientInfo& client = cloud->client;
    pc::AzureEndpointContext ec;
    ec.serverName = serverName(ctx);
    if (client.ip) ec.client = *client.ip, ec.clientKnown = true;
    CheckResult r;
    engine::AzureEndpointFacts facts;
    for (const auto* pe : pc::selectPrivateEndpoints(net, endpointQuery(ctx, client))) {
      for (auto& f : pc::auditAzureEndpoint(net, *pe, ec)) r.findings.push_back(toFinding(std::move(f)));
      engine::AzureEndpointFacts::Endpoint e{pe->name, pe->provisioningState, {}, {}};
      for (const auto& a : pe->addresses()) e.addresses.push_back(a.toString());
      for (const auto& c : pe->connections) e.connections.push_back({c.name, c.status, c.groupIds});
      facts.endpoints.push_back(std::move(e));
    }
    r.setFacts(std::move(facts));
    r.status = engine::statusFromFindings(r.findings);
    // Claim only what an export showed: the zone link and the A record each need their
    // own export (and the record the server's name).
    const std::string zone = pc::kAzurePostgresZone;
    std::vector<std::string> checked{"private endpoint"}, unchecked;
    if (net.has("PrivateDnsLinks"))
      checked.push_back("zone link");
    else
      unchecked.push_back("zone link (az network private-dns link vnet list -g <rg> -z " + zone +
                          " -o json)");
    if (net.has("ARecordSets") && !ec.serverName.empty())
      checked.push_back("A record");
    else
      unchecked.push_back("A record (az network private-dns record-set a list -g <rg> -z " + zone +
                          " -o json)");
    const std::string notChecked = unchecked.empty() ? "" : "; not checked: " + util::join(unchecked, ", ");
    r.summary = r.findings.empty() ? util::join(checked, ", ") + (checked.size() == 1 ? " is" : " are") +
                                         " in order" + notChecked
                                   : "private endpoint configuration has problems" + notChecked;
    if (r.findings.empty() && !unchecked.empty()) {
      // Nothing wrong in what was exported, and part of the endpoint's configuration was
      // not exported: not verified, never OK (issue 16).
      r.findings.push_back({"cloud.azure_endpoint_not_verified",
                            engine::Severity::Warning,
                            "private endpoint in order; not verified: " + util::join(unchecked, ", "),
                            {},
                            "Export the zone links and A records named here into the --azure-json folder."});
      r.status = engine::Status::Warn;
      r.stateOverride = util::ResultState::NotVerified;
    }
    return r;
  }
};

// Appliance routes are cloud.azure_route_appliance warnings of cloud.azure.endpoint.
class AzurePath final : public CloudPathCheck {
 public:
  AzurePath()
      : CloudPathCheck(
            {engine::withCodes(
                 {kAzurePathId,
                  engine::Stage::Cloud,
                  "Evaluate NSGs and routes from the client to the private endpoint",
                  {kContextId},
                  engine::Millis(20000),
                  {kDnsResolveId}},
                 engine::pickCodes(cloudCodes(),
                                   {"cloud.nsg_denied", "cloud.no_route", "cloud.route_blackhole",
                                    "cloud.route_via_appliance", "cloud.path_not_verified",
                                    "cloud.nsg_ipv6_prefix_missing", "cloud.client_family_missing"})),
             "azure", "no Azure configuration (--azure-json DIR)",
             "the client's address is unknown (--client-ip or --imds)",
             "no endpoint address (--endpoint-ip or a private endpoint in the export)",
             /*noteAppliances=*/false}) {}
};

engine::RegisterCheck<AzureEndpoint> registeredEndpoint;
engine::RegisterCheck<AzurePath> registeredPath;

}  // namespace
}  // namespace pgreach::checks::cloud
