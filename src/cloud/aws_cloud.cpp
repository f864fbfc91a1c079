// AWS behind the CloudNetwork interface (cloud/cloud.h).
#include <algorithm>

#include "cloud/aws_eval.h"
#include "util/strings.h"

namespace pgreach::cloud {

std::vector<const VpcEndpoint*> selectVpcEndpoints(const AwsAccount& acc, const EndpointQuery& q) {
  std::vector<const VpcEndpoint*> out;
  auto add = [&](const VpcEndpoint* e) {
    if (e && std::find(out.begin(), out.end(), e) == out.end()) out.push_back(e);
  };
  for (const auto& id : q.ids) add(acc.endpoint(id));
  if (!out.empty()) return out;
  for (const auto& a : q.addresses) {
    const auto* eni = acc.interfaceByAddress(a);
    if (!eni) continue;
    for (const auto& e : acc.endpoints) {
      if (std::find(e.networkInterfaceIds.begin(), e.networkInterfaceIds.end(), eni->id) !=
          e.networkInterfaceIds.end())
        add(&e);
    }
  }
  if (!out.empty()) return out;
  for (const auto& e : acc.endpoints) {
    for (const auto& n : e.dnsNames) {
      if (!q.host.empty() && util::toLower(util::trimTrailingDot(n)) == q.host) add(&e);
    }
  }
  if (!out.empty()) return out;
  std::string vpc;
  if (q.client) {
    if (const auto* eni = acc.interfaceByAddress(*q.client))
      vpc = eni->vpcId;
    else if (const auto* s = acc.subnetContaining(*q.client))
      vpc = s->vpcId;
  }
  for (const auto& e : acc.endpoints) {
    if (util::toLower(e.type) == "interface" && (vpc.empty() || e.vpcId == vpc)) add(&e);
  }
  return out;
}

namespace {

class AwsNetwork final : public CloudNetwork {
 public:
  explicit AwsNetwork(std::shared_ptr<const AwsAccount> acc) : acc_(std::move(acc)) {}

  std::string_view kind() const override { return "aws"; }

  std::vector<SelectedEndpoint> selectEndpoints(const EndpointQuery& q) const override {
    std::vector<SelectedEndpoint> out;
    for (const auto* ep : selectVpcEndpoints(*acc_, q)) {
      SelectedEndpoint s{ep->id, endpointAddresses(*acc_, *ep), ""};
      // The endpoint's address lives on its network interfaces: say which are missing.
      if (s.addresses.empty()) {
        if (auto cmd = describeMissingInterfaces(*acc_, *ep); !cmd.empty()) {
          s.noAddressHint = "the network interfaces of VPC endpoint " + ep->id +
                            " are not in the export, so its addresses are unknown: add `" + cmd +
                            " --output json` (or give --endpoint-ip)";
        }
      }
      out.push_back(std::move(s));
    }
    return out;
  }

  PathVerdict evaluatePath(const PathQuery& q) const override {
    // The client's groups and subnet from instance metadata count only for an interface
    // the export lacks.
    AwsPathQuery a = q;
    if (acc_->interfaceByAddress(q.client)) a.clientGroups.clear(), a.clientSubnetId.clear();
    return evaluateAwsPath(*acc_, a);
  }

 private:
  std::shared_ptr<const AwsAccount> acc_;
};

}  // namespace

std::shared_ptr<const CloudNetwork> awsNetwork(std::shared_ptr<const AwsAccount> acc) {
  return std::make_shared<const AwsNetwork>(std::move(acc));
}

}  // namespace pgreach::cloud
