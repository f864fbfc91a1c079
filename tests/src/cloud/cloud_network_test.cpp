// Both clouds behind cloud::CloudNetwork, on the fixture exports: endpoint selection by
// id, by address and by host name, and a path evaluated through the interface giving the
// cloud's own evaluator's verdict.
#include <catch2/catch.hpp>

#include "cloud/aws_eval.h"
#include "cloud/azure_eval.h"

using namespace pgreach;
using namespace pgreach::cloud;

namespace {

std::shared_ptr<const AwsAccount> awsBase() {
  auto acc = loadAwsDir(std::string(PGREACH_SOURCE_DIR) + "/tests/data/cloud/aws/base");
  REQUIRE(acc.ok());
  return std::make_shared<const AwsAccount>(std::move(*acc));
}

std::shared_ptr<const AzureNetwork> azureBase() {
  auto net = loadAzureDir(std::string(PGREACH_SOURCE_DIR) + "/tests/data/cloud/azure/base");
  REQUIRE(net.ok());
  return std::make_shared<const AzureNetwork>(std::move(*net));
}

net::IpAddress ip(const char* s) { return *net::IpAddress::parse(s); }

std::vector<std::string> texts(const std::vector<net::IpAddress>& as) {
  std::vector<std::string> out;
  for (const auto& a : as) out.push_back(a.toString());
  return out;
}

}  // namespace

TEST_CASE("AWS behind CloudNetwork: endpoints by id, address, host name, and the client's VPC",
          "[unit][cloud]") {
  auto acc = awsBase();
  auto network = awsNetwork(acc);
  CHECK(network->kind() == "aws");

  EndpointQuery byId;
  byId.ids = {"vpce-0neon"};
  auto eps = network->selectEndpoints(byId);
  REQUIRE(eps.size() == 1);
  CHECK(eps[0].id == "vpce-0neon");
  CHECK(texts(eps[0].addresses) == std::vector<std::string>{"10.0.2.20", "2600:1f18:1:2::20", "10.0.3.30"});

  EndpointQuery unknownId;
  unknownId.ids = {"vpce-missing"};
  unknownId.addresses = {ip("10.0.3.30")};  // ids that match nothing fall through to addresses
  CHECK(network->selectEndpoints(unknownId).size() == 1);

  EndpointQuery byHost;
  byHost.host = "ep-test-123456.vpce.us-east-1.aws.neon.tech";
  CHECK(network->selectEndpoints(byHost).size() == 1);

  EndpointQuery byClient;  // last resort: interface endpoints in the client's VPC
  byClient.client = ip("10.0.1.10");
  CHECK(network->selectEndpoints(byClient).size() == 1);
  CHECK(selectVpcEndpoints(*acc, byClient).front()->id == "vpce-0neon");
}

TEST_CASE("a path through CloudNetwork is the cloud's own verdict", "[unit][cloud]") {
  auto acc = awsBase();
  auto network = awsNetwork(acc);
  PathQuery q;
  q.client = ip("10.0.1.10");
  q.endpoint = ip("10.0.2.20");
  q.port = 5432;
  AwsPathQuery a;
  a.client = q.client;
  a.endpoint = q.endpoint;
  a.port = q.port;
  CHECK(network->evaluatePath(q).toJson() == evaluateAwsPath(*acc, a).toJson());
  // A client the export lists keeps its own groups: what instance metadata says is ignored.
  PathQuery withGroups = q;
  withGroups.clientGroups = {"sg-does-not-exist"};
  CHECK(network->evaluatePath(withGroups).toJson() == evaluateAwsPath(*acc, a).toJson());

  auto net = azureBase();
  auto azure = azureNetwork(net);
  CHECK(azure->kind() == "azure");
  PathQuery z;
  z.client = ip("10.1.1.10");
  z.endpoint = ip("10.1.2.4");
  z.port = 5432;
  AzurePathQuery b;
  b.client = z.client;
  b.endpoint = z.endpoint;
  b.port = z.port;
  CHECK(azure->evaluatePath(z).toJson() == evaluateAzurePath(*net, b).toJson());
}

TEST_CASE("Azure behind CloudNetwork: every private endpoint, or those named by name or id",
          "[unit][cloud]") {
  auto azure = azureNetwork(azureBase());
  auto all = azure->selectEndpoints({});
  REQUIRE(all.size() == 1);
  CHECK(texts(all[0].addresses) == std::vector<std::string>{"10.1.2.4"});
  CHECK(all[0].noAddressHint.empty());

  EndpointQuery byName;
  byName.ids = {"pg-pe"};
  CHECK(azure->selectEndpoints(byName).size() == 1);
  EndpointQuery byId;  // resource ids compare case-insensitively
  byId.ids = {
      "/SUBSCRIPTIONS/0000/resourceGroups/rg-test/providers/Microsoft.Network/privateEndpoints/pg-pe"};
  CHECK(azure->selectEndpoints(byId).size() == 1);
  EndpointQuery other;
  other.ids = {"another-pe"};
  CHECK(azure->selectEndpoints(other).empty());
}
