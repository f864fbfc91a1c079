// Azure behind the CloudNetwork interface (cloud/cloud.h).
#include <algorithm>

#include "cloud/azure_eval.h"
#include "cloud/registry.h"

namespace pgreach::cloud {

std::vector<const PrivateEndpoint*> selectPrivateEndpoints(const AzureNetwork& net, const EndpointQuery& q) {
  std::vector<const PrivateEndpoint*> out;
  for (const auto& pe : net.privateEndpoints) {
    if (q.ids.empty() || std::find(q.ids.begin(), q.ids.end(), pe.name) != q.ids.end() ||
        std::any_of(q.ids.begin(), q.ids.end(), [&](const std::string& i) { return sameAzureId(i, pe.id); }))
      out.push_back(&pe);
  }
  return out;
}

namespace {

class AzureCloudNetwork final : public CloudNetwork {
 public:
  explicit AzureCloudNetwork(std::shared_ptr<const AzureNetwork> net) : net_(std::move(net)) {}

  std::string_view kind() const override { return "azure"; }
  const std::vector<ExportOutcome>& outcomes() const override { return net_->outcomes; }
  const std::vector<std::string>& files() const override { return net_->files; }
  const std::shared_ptr<const AzureNetwork>& model() const { return net_; }

  bool inExportedSubnet(const net::IpAddress& a) const override { return net_->subnetContaining(a).second; }

  // The subnet holding the client's address; the ranges of its VNet, or of every exported
  // VNet when it is in none; Azure DNS, which every VNet reaches at 168.63.129.16.
  void placeClient(const std::optional<net::IpAddress>& ip, ClientPlacement& p) const override {
    if (ip && p.subnetId.empty()) {
      if (auto [vn, sn] = net_->subnetContaining(*ip); sn) p.subnetId = sn->id;
    }
    const Vnet* vn = ip ? net_->vnetContaining(*ip) : nullptr;
    for (const auto& v : net_->vnets) {
      if (vn && &v != vn) continue;
      for (const auto& c : v.prefixes) p.cidrs.push_back(c.toString());
    }
    p.resolvers.push_back("168.63.129.16");
  }

  std::vector<SelectedEndpoint> selectEndpoints(const EndpointQuery& q) const override {
    std::vector<SelectedEndpoint> out;
    for (const auto* pe : selectPrivateEndpoints(*net_, q)) {
      SelectedEndpoint s{pe->id, pe->addresses(), ""};
      if (s.addresses.empty() && !pe->nicIds.empty()) {
        s.noAddressHint =
            "private endpoint " + pe->name +
            " lists no address (no customDnsConfigs, as with a DNS zone group) and its NIC is not in the "
            "export: add `az network nic show --ids " +
            pe->nicIds.front() + " -o json`";
      }
      out.push_back(std::move(s));
    }
    return out;
  }

  PathVerdict evaluatePath(const PathQuery& q) const override {
    AzurePathQuery a;
    a.client = q.client;
    a.endpoint = q.endpoint;
    a.port = q.port;
    a.protocol = q.protocol;
    return evaluateAzurePath(*net_, a);
  }

 private:
  std::shared_ptr<const AzureNetwork> net_;
};

}  // namespace

std::shared_ptr<const CloudNetwork> azureNetwork(std::shared_ptr<const AzureNetwork> net) {
  return std::make_shared<const AzureCloudNetwork>(std::move(net));
}

std::shared_ptr<const AzureNetwork> azureNetworkOf(const CloudNetwork* network) {
  const auto* azure = dynamic_cast<const AzureCloudNetwork*>(network);
  return azure ? azure->model() : nullptr;
}

CloudKind azureCloud() {
  return {"azure", "Azure", "cloud audit: folder of `az network ...` JSON exports",
          [](const std::string& dir) -> Expected<std::shared_ptr<const CloudNetwork>> {
            auto net = loadAzureDir(dir);
            if (!net) return makeError(net.error());
            return azureNetwork(std::make_shared<const AzureNetwork>(std::move(*net)));
          }};
}

}  // namespace pgreach::cloud
