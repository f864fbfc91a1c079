// `pgreach audit` on export folders nothing in which can be read: never OK. cloud.context
// is not verified with an error status, so the verdict is UNKNOWN (exit 3), and every file
// is listed with why it was ignored, in every format.
#include <catch2/catch.hpp>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "support/process.h"
#include "support/temp_dir.h"

using namespace pgreach;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

const fs::path kReal = fs::path(PGREACH_SOURCE_DIR) / "tests" / "data" / "real";

testing::ProcessResult audit(const std::string& flag, const fs::path& dir, const std::string& format) {
  return testing::runProcess({testing::pgreachBinary(), "audit", "host=127.0.0.1", flag, dir.string(),
                              "--client-ip", "10.0.1.10", "--endpoint-ip", "10.0.2.20", "--format", format},
                             30s);
}

nlohmann::json contextOf(const std::string& out) {
  auto j = nlohmann::json::parse(out);
  for (const auto& c : j["checks"]) {
    if (c["id"] == "cloud.context") return c;
  }
  FAIL("no cloud.context in the report");
  return nullptr;
}

void copyReal(const testing::TempDir& dir, const std::string& rel) {
  fs::copy_file(kReal / rel, dir.path / fs::path(rel).filename());
}

}  // namespace

TEST_CASE("audit: an Azure folder of shapes pgreach does not read is UNKNOWN, exit 3", "[unit][cloud]") {
  testing::TempDir dir("pgreach-unusable");
  // Real files (SOURCES.md) of kinds pgreach does not read, and a note beside them.
  copyReal(dir, "azure/effective-routes/rest-NetworkInterfaceEffectiveRouteTableList.json");
  copyReal(dir, "azure/nsg-rule/rest-NetworkSecurityGroupRuleGet.json");
  copyReal(dir, "azure/resource-group/docs-cli-group-create.json");
  dir.write("notes.txt", "exported on Monday\n");
  auto r = audit("--azure-json", dir.path, "json");
  INFO(r.err);
  CHECK(r.exitCode == 3);
  auto ctx = contextOf(r.out);
  CHECK(ctx["status"] == "error");
  CHECK(ctx["state"] == "not_verified");
  REQUIRE(ctx["data"]["export_files"].size() == 4);
  for (const auto& f : ctx["data"]["export_files"]) {
    CHECK(f["cloud"] == "azure");
    CHECK(f["read"] == false);
    CHECK_FALSE(f["reason"].get<std::string>().empty());
  }
  CHECK(ctx["data"]["ignored_files"].size() == 4);
  bool unusable = false;
  for (const auto& f : ctx["findings"]) unusable = unusable || f["code"] == "cloud.exports_unusable";
  CHECK(unusable);

  auto text = audit("--azure-json", dir.path, "text");
  CHECK(text.exitCode == 3);
  CHECK(text.out.rfind("PGREACH UNKNOWN", 0) == 0);
  CHECK(text.out.find("docs-cli-group-create.json: ignored: an Azure resource of type "
                      "Microsoft.Resources/resourceGroups") != std::string::npos);
  for (const char* format : {"markdown", "html"}) {
    INFO(format);
    auto other = audit("--azure-json", dir.path, format);
    CHECK(other.exitCode == 3);
    CHECK(other.out.find("rest-NetworkSecurityGroupRuleGet.json: ignored: one security rule on its own") !=
          std::string::npos);
  }
}

TEST_CASE("audit: an AWS folder of shapes pgreach does not read is UNKNOWN, exit 3", "[unit][cloud]") {
  testing::TempDir dir("pgreach-unusable");
  copyReal(dir, "aws/security-group-rules/describe-security-group-rules-ipv6.json");
  copyReal(dir, "aws/load-balancers/create-load-balancer-nlb.json");
  copyReal(dir, "aws/subnets/associate-subnet-cidr-block-ipv6.json");
  auto r = audit("--aws-json", dir.path, "json");
  INFO(r.err);
  CHECK(r.exitCode == 3);
  auto ctx = contextOf(r.out);
  CHECK(ctx["status"] == "error");
  CHECK(ctx["state"] == "not_verified");
  REQUIRE(ctx["data"]["export_files"].size() == 3);
  CHECK(ctx["data"]["export_files"][0]["read"] == false);
}

TEST_CASE("audit: an empty export folder is UNKNOWN, exit 3", "[unit][cloud]") {
  testing::TempDir dir("pgreach-unusable");
  auto r = audit("--aws-json", dir.path, "text");
  CHECK(r.exitCode == 3);
  CHECK(r.out.find("the folder holds no file") != std::string::npos);
}

TEST_CASE("audit: a real vnet create output is read, and listed as read", "[unit][cloud]") {
  testing::TempDir dir("pgreach-usable");
  copyReal(dir, "azure/vnet/docs-cli-vnet-create-newVNet.json");
  copyReal(dir, "azure/resource-group/docs-cli-group-create.json");
  auto r = audit("--azure-json", dir.path, "json");
  INFO(r.err);
  auto ctx = contextOf(r.out);
  CHECK(ctx["status"] != "error");
  REQUIRE(ctx["data"]["export_files"].size() == 2);
  CHECK(ctx["data"]["export_files"][1]["file"] == "docs-cli-vnet-create-newVNet.json");
  CHECK(ctx["data"]["export_files"][1]["contents"][0]["kind"] == "VirtualNetwork");
  CHECK(ctx["data"]["export_files"][1]["contents"][0]["count"] == 1);
  // The verdict on a lone VNet (a path of unknown steps) belongs to the path-verdict work
  // of issue 16 item 1; here only the listing is asserted.
}
