// Azure behind the CloudNetwork interface (cloud/cloud.h).
#include <algorithm>

#include "cloud/azure_eval.h"

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

}  // namespace pgreach::cloud
