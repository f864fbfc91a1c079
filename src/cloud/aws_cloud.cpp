// AWS behind the CloudNetwork interface (cloud/cloud.h).
#include <algorithm>

#include "cloud/aws_eval.h"
#include "cloud/registry.h"
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

// The VPC resolver at the primary CIDR's base + 2. 169.254.169.253 is the same Route 53
// Resolver at a link-local address: only named when base + 2 is unknown, so one service
// is not asked (and judged) twice.
std::vector<std::string> awsResolvers(const Vpc* vpc) {
  if (vpc && !vpc->cidrs.empty() && vpc->cidrs.front().base.isV4() && vpc->cidrs.front().size() > 2) {
    return {vpc->cidrs.front().at(2).toString()};
  }
  return {"169.254.169.253"};
}

class AwsNetwork final : public CloudNetwork {
 public:
  explicit AwsNetwork(std::shared_ptr<const AwsAccount> acc) : acc_(std::move(acc)) {}

  std::string_view kind() const override { return "aws"; }
  const std::vector<ExportOutcome>& outcomes() const override { return acc_->outcomes; }
  const std::vector<std::string>& files() const override { return acc_->files; }
  const std::shared_ptr<const AwsAccount>& account() const { return acc_; }

  bool inExportedSubnet(const net::IpAddress& a) const override { return acc_->subnetContaining(a); }

  // The client's interface (its subnet, groups and zone), else the subnet holding its
  // address; the ranges of its VPC, or of every exported VPC when it is in none.
  void placeClient(const std::optional<net::IpAddress>& ip, ClientPlacement& p) const override {
    const Vpc* vpc = nullptr;
    if (ip) {
      if (const auto* eni = acc_->interfaceByAddress(*ip)) {
        if (!p.interfaceListed) p.interfaceAddresses = eni->addresses, p.interfaceListed = true;
        if (p.subnetId.empty()) p.subnetId = eni->subnetId;
        if (p.securityGroups.empty()) p.securityGroups = eni->groups;
        if (p.az.empty()) p.az = eni->az;
        vpc = acc_->vpc(eni->vpcId);
      }
      if (const auto* s = p.subnetId.empty() ? acc_->subnetContaining(*ip) : acc_->subnet(p.subnetId)) {
        if (p.subnetId.empty()) p.subnetId = s->id;
        if (p.az.empty()) p.az = s->az;
        if (!vpc) vpc = acc_->vpc(s->vpcId);
      }
    }
    if (vpc) {
      for (const auto& c : vpc->cidrs) p.cidrs.push_back(c.toString());
    } else {
      for (const auto& v : acc_->vpcs)
        for (const auto& c : v.cidrs) p.cidrs.push_back(c.toString());
    }
    const auto r = awsResolvers(vpc ? vpc : (acc_->vpcs.empty() ? nullptr : &acc_->vpcs.front()));
    p.resolvers.insert(p.resolvers.end(), r.begin(), r.end());
  }

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

std::shared_ptr<const AwsAccount> awsAccountOf(const CloudNetwork* network) {
  const auto* aws = dynamic_cast<const AwsNetwork*>(network);
  return aws ? aws->account() : nullptr;
}

CloudKind awsCloud() {
  return {"aws", "AWS", "cloud audit: folder of `aws ec2 describe-*` JSON exports",
          [](const std::string& dir) -> Expected<std::shared_ptr<const CloudNetwork>> {
            auto acc = loadAwsDir(dir);
            if (!acc) return makeError(acc.error());
            return awsNetwork(std::make_shared<const AwsAccount>(std::move(*acc)));
          }};
}

}  // namespace pgreach::cloud
