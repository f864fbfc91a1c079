// A dual-stack VPC in real describe-vpcs output (issue 21): its associated IPv6 block is
// one of the VPC's ranges, so the DNS stage, given the export, judges AAAA answers inside
// it as inside the VPC. The files are the real examples listed in tests/data/real/SOURCES.md
// (the Amazon Keyspaces developer guide's default dual-stack VPC, the AWS CLI's
// describe-vpcs and create-vpc examples).
#include <catch2/catch.hpp>
#include <filesystem>

#include "cloud/aws_model.h"
#include "support/temp_dir.h"

using namespace pgreach;

namespace {

std::vector<std::string> vpcCidrs(const std::string& realFile, const std::string& vpcId) {
  testing::TempDir dir("pgreach-aws-v6");
  std::filesystem::copy_file(std::string(PGREACH_SOURCE_DIR) + "/tests/data/real/aws/vpcs/" + realFile,
                             dir.path / realFile);
  auto acc = cloud::loadAwsDir(dir.path.string());
  REQUIRE(acc);
  const auto* vpc = acc->vpc(vpcId);
  REQUIRE(vpc);
  std::vector<std::string> out;
  for (const auto& c : vpc->cidrs) out.push_back(c.toString());
  return out;
}

}  // namespace

TEST_CASE("describe-vpcs: a dual-stack VPC's IPv6 block is one of its ranges", "[unit][cloud][ipv6]") {
  CHECK(vpcCidrs("keyspaces-tutorial-describe-vpcs-ipv6.json", "vpc-a1234bcd") ==
        std::vector<std::string>{"111.11.0.0/16", "2600:1f18:e19:7d00::/56"});
  CHECK(vpcCidrs("describe-vpcs-ipv6-2016.json", "vpc-a45db1c0").back() == "2001:db8:1234:8800::/56");
  // create-vpc prints a block still being associated as "": no range yet, and no error.
  CHECK(vpcCidrs("create-vpc-ipv6.json", "vpc-0fc5e3406bEXAMPLE") == std::vector<std::string>{"10.0.0.0/16"});
}
