// The cloud registry: AWS and Azure register themselves from their own files, a folder
// loads through the registry into the one interface, and a cloud added with one
// registration gets its --<kind>-json option without any CLI edit.
#include "cloud/registry.h"

#include <catch2/catch.hpp>

#include "cli/options.h"
#include "cloud/aws_eval.h"
#include "cloud/azure_eval.h"

using namespace pgreach;
using namespace pgreach::cloud;

namespace {

// A third cloud with nothing in it: what a new cloud's <kind>_cloud.cpp provides.
class FakeNetwork final : public CloudNetwork {
 public:
  std::string_view kind() const override { return "fake"; }
  const std::vector<ExportOutcome>& outcomes() const override { return outcomes_; }
  const std::vector<std::string>& files() const override { return files_; }
  bool inExportedSubnet(const net::IpAddress&) const override { return false; }
  void placeClient(const std::optional<net::IpAddress>&, ClientPlacement&) const override {}
  std::vector<SelectedEndpoint> selectEndpoints(const EndpointQuery&) const override { return {}; }
  PathVerdict evaluatePath(const PathQuery&) const override { return {}; }

 private:
  std::vector<ExportOutcome> outcomes_;
  std::vector<std::string> files_;
};

CloudKind fakeKind() {
  return {"fake", "Fake", "cloud audit: folder of fake exports",
          [](const std::string&) -> Expected<std::shared_ptr<const CloudNetwork>> {
            return std::shared_ptr<const CloudNetwork>(std::make_shared<const FakeNetwork>());
          }};
}

}  // namespace

TEST_CASE("AWS and Azure are registered, in kind order, with their options", "[unit][cloud]") {
  auto kinds = cloudsInOrder();
  REQUIRE(kinds.size() >= 2);
  CHECK(kinds[0]->kind == "aws");
  CHECK(kinds[0]->displayName == "AWS");
  CHECK(kinds[0]->optionName() == "aws-json");
  CHECK(kinds[0]->optionHelp == "cloud audit: folder of `aws ec2 describe-*` JSON exports");
  CHECK(kinds[1]->kind == "azure");
  CHECK(kinds[1]->displayName == "Azure");
  CHECK(kinds[1]->optionName() == "azure-json");
  CHECK(kinds[1]->optionHelp == "cloud audit: folder of `az network ...` JSON exports");
}

TEST_CASE("a folder loads through the registry into the cloud's network", "[unit][cloud]") {
  const auto* aws = clouds().find("aws");
  REQUIRE(aws);
  auto network = aws->load(std::string(PGREACH_SOURCE_DIR) + "/tests/data/cloud/aws/base");
  REQUIRE(network.ok());
  CHECK((*network)->kind() == "aws");
  CHECK_FALSE((*network)->files().empty());
  CHECK((*network)->outcomes().size() >= (*network)->files().size());
  CHECK(awsAccountOf(network->get()) != nullptr);
  CHECK(azureNetworkOf(network->get()) == nullptr);

  const auto* azure = clouds().find("azure");
  REQUIRE(azure);
  auto vnet = azure->load(std::string(PGREACH_SOURCE_DIR) + "/tests/data/cloud/azure/base");
  REQUIRE(vnet.ok());
  CHECK((*vnet)->kind() == "azure");
  CHECK(azureNetworkOf(vnet->get()) != nullptr);
  CHECK(awsAccountOf(vnet->get()) == nullptr);

  auto missing = aws->load(std::string(PGREACH_SOURCE_DIR) + "/tests/data/cloud/no-such-folder");
  CHECK_FALSE(missing.ok());
}

TEST_CASE("a registered cloud gets its --<kind>-json option, in help and parsed", "[unit][cloud][cli]") {
  util::ScopedRegistration<CloudKind> fake(clouds(), "fake", fakeKind());
  // The global help lists commands; the options are in each command's help.
  const auto help = cli::commandHelpText(cli::Command::Audit);
  CHECK(help.find("--fake-json") != std::string::npos);
  CHECK(help.find("cloud audit: folder of fake exports") != std::string::npos);
  // Kind order: aws, azure, fake.
  CHECK(help.find("--aws-json") < help.find("--azure-json"));
  CHECK(help.find("--azure-json") < help.find("--fake-json"));

  const char* argv[] = {"pgreach", "audit", "--fake-json", "/tmp/fake", "--aws-json", "/tmp/aws"};
  auto o = cli::parseOptions(6, argv);
  REQUIRE(o.ok());
  CHECK(o->exportDirs == std::map<std::string, std::string>{{"aws", "/tmp/aws"}, {"fake", "/tmp/fake"}});
}

TEST_CASE("without a registration the option is unknown", "[unit][cloud][cli]") {
  const char* argv[] = {"pgreach", "audit", "--fake-json", "/tmp/fake"};
  CHECK_FALSE(cli::parseOptions(4, argv).ok());
}
