// Exports are read with bounded memory whatever they hold (issue 17): the lists pgreach
// reads are taken one item at a time, everything else counts against a cap of what is
// held at once, a file too big to read whole is parsed from disk, and one runaway value
// is refused. Before, a 200 MB export under a key pgreach does not read grew the run to
// 1.15 GB and still ended OK.
#include <catch2/catch.hpp>
#include <fstream>
#include <string>

#include "cloud/aws_model.h"
#include "cloud/azure_model.h"
#include "support/process.h"
#include "support/temp_dir.h"

using namespace pgreach;
using pgreach::testing::pgreachBinary;
using pgreach::testing::runProcess;

namespace {

// `count` copies of `item`, comma-separated, written straight to `out`.
void repeat(std::ofstream& out, const std::string& item, size_t count) {
  for (size_t i = 0; i < count; ++i) out << (i ? "," : "") << item;
}

constexpr const char* kGroup =
    R"({"GroupId": "sg-1", "VpcId": "vpc-1", "GroupName": "g", "IpPermissions": [], "IpPermissionsEgress": []})";

}  // namespace

TEST_CASE("an export holding too much outside the lists pgreach reads is refused by name", "[unit][cloud]") {
  testing::TempDir tmp("pgreach-export-limits");
  {
    // 3 million small numbers under an unknown key: about 6 MB of text, but held as a
    // DOM it passes the 128 MB estimate. The VPC before it is valid.
    std::ofstream out(tmp.path / "describe-vpcs.json");
    out << R"({"Vpcs": [{"VpcId": "vpc-1", "CidrBlock": "10.0.0.0/16"}], "Junk": [)";
    repeat(out, "0", 3'000'000);
    out << "]}";
  }
  auto acc = cloud::loadAwsDir(tmp.path.string());
  REQUIRE_FALSE(acc);
  CHECK(acc.error().find("describe-vpcs.json: holds more than 128 MB of JSON outside the lists") !=
        std::string::npos);
}

TEST_CASE("a long list pgreach reads item by item is never held whole", "[unit][cloud]") {
  testing::TempDir tmp("pgreach-export-limits");
  {
    // A top-level `az ... list` array of 1.2 million items: as a DOM it would pass the
    // cap, read one at a time it holds one. None has a shape pgreach reads: the file is
    // listed as ignored, with the first item's keys, like a small one.
    std::ofstream out(tmp.path / "list.json");
    out << "[";
    repeat(out, R"({"k": "v"})", 1'200'000);
    out << "]";
  }
  auto net = cloud::loadAzureDir(tmp.path.string());
  REQUIRE(net);
  REQUIRE(net->outcomes.size() == 1);
  CHECK(net->outcomes[0].file == "list.json");
  CHECK(net->outcomes[0].reason.find("keys of the first: k") != std::string::npos);
}

TEST_CASE("an Azure list read item by item gives what the whole document gave", "[unit][cloud]") {
  testing::TempDir tmp("pgreach-export-limits");
  const std::string list = R"([
    {"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/nsg1",
     "name": "nsg1", "properties": {"securityRules": [], "defaultSecurityRules": []}},
    {"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v1",
     "name": "v1", "properties": {"addressSpace": {"addressPrefixes": ["10.1.0.0/16"]}, "subnets": []}},
    {"name": "other", "type": "Microsoft.Compute/virtualMachines"}
  ])";
  std::ofstream(tmp.path / "mixed.json") << list;
  auto streamed = cloud::loadAzureDir(tmp.path.string());
  REQUIRE(streamed);
  cloud::AzureNetwork whole;
  REQUIRE(cloud::mergeAzureExport(whole, "mixed.json", nlohmann::json::parse(list)));
  REQUIRE(streamed->outcomes.size() == 1);
  CHECK(streamed->outcomes[0].contents == whole.outcomes[0].contents);
  CHECK(streamed->files == whole.files);
  CHECK(streamed->nsgs.size() == 1);
  CHECK(streamed->vnets.size() == 1);
  // A bad item names its place, as the whole-document reader does.
  std::ofstream(tmp.path / "mixed.json", std::ios::trunc) << R"([{"name": "x"}, 7])";
  auto bad = cloud::loadAzureDir(tmp.path.string());
  REQUIRE_FALSE(bad);
  CHECK(bad.error() == "mixed.json: [1]: expected an object, got 7");
}

TEST_CASE("an export too big to read whole is parsed from the file, and a runaway value is refused",
          "[unit][cloud]") {
  testing::TempDir tmp("pgreach-export-limits");
  // Past the 64 MB read whole: 9 runs of 8 MB of blanks, each ended by a value.
  const std::string padding(8u * 1024 * 1024, ' ');
  auto write = [&](const std::string& tail) {
    std::ofstream out(tmp.path / "describe-security-groups.json", std::ios::trunc);
    out << R"({"Padding": [)";
    for (int i = 0; i < 9; ++i) out << (i ? "," : "") << padding << "0";
    out << "]," << tail;
  };
  write(std::string(R"("SecurityGroups": [)") + kGroup + "]}");
  auto acc = cloud::loadAwsDir(tmp.path.string());
  INFO((acc ? "" : acc.error()));
  REQUIRE(acc);
  CHECK(acc->securityGroups.size() == 1);

  // The same size, broken at the end: named as not JSON, like a small file.
  write(R"("SecurityGroups": [)");
  auto broken = cloud::loadAwsDir(tmp.path.string());
  REQUIRE_FALSE(broken);
  CHECK(broken.error().find("describe-security-groups.json: not valid JSON (") == 0);
  // Only blanks: the file is empty.
  std::ofstream(tmp.path / "describe-security-groups.json", std::ios::trunc)
      << padding << padding << padding << padding << padding << padding << padding << padding << padding;
  auto blank = cloud::loadAwsDir(tmp.path.string());
  REQUIRE_FALSE(blank);
  CHECK(blank.error() == "describe-security-groups.json: not valid JSON (the file is empty)");

  // One string of 70 MB: the read stops 16 MB into it.
  {
    std::ofstream out(tmp.path / "describe-security-groups.json", std::ios::trunc);
    out << R"({"SecurityGroups": [], "Description": ")" << std::string(70u * 1024 * 1024, 'a') << "\"}";
  }
  auto runaway = cloud::loadAwsDir(tmp.path.string());
  REQUIRE_FALSE(runaway);
  CHECK(runaway.error() ==
        "describe-security-groups.json: more than 16 MB without a complete value: not read");
}

TEST_CASE("a 200 MB export under a key pgreach does not read: refused by name, memory bounded",
          "[integration]") {
  testing::TempDir tmp("pgreach-export-limits");
  {
    // 200 strings of 1 MB: more than the cap holds, each shorter than one runaway value.
    std::ofstream out(tmp.path / "describe-vpcs.json");
    out << R"({"Vpcs": [{"VpcId": "vpc-1", "CidrBlock": "10.0.0.0/16"}], "Unknown": [)";
    const std::string item = "\"" + std::string(1024 * 1024, 'x') + "\"";
    repeat(out, item, 200);
    out << "]}";
  }
  auto r = runProcess({pgreachBinary(), "audit", "host=127.0.0.1", "--aws-json", tmp.path.string(),
                       "--client-ip", "10.0.1.10", "--endpoint-ip", "10.0.2.20", "--deadline", "20s"},
                      std::chrono::seconds(60));
  CHECK(r.exitCode == 3);
  CHECK(r.out.find("PGREACH UNKNOWN") != std::string::npos);
  CHECK(r.out.find("describe-vpcs.json: holds more than 128 MB") != std::string::npos);
#if !defined(__SANITIZE_ADDRESS__)
  // The cap (128 MB held) and the 1 MB read buffer, not the file's 200 MB nor its DOM.
  CHECK(r.maxRssKb < 200 * 1024);
#endif
}
