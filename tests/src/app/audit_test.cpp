#include <unistd.h>
// `pgreach audit`: only cloud checks run (no DNS, no TCP), the report formats and exit
// codes are diagnose's, inputs from exports, a fake `aws` on PATH, or nothing.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>

#include "app/audit.h"
#include "support/process.h"

using namespace pgreach;
using namespace std::chrono_literals;

namespace {

const std::string kSrc = PGREACH_SOURCE_DIR;
const std::string kLabAws = kSrc + "/tests/lab/cloud/aws/";

testing::ProcessResult audit(std::vector<std::string> args, const std::vector<std::string>& env = {}) {
  args.insert(args.begin(), {testing::pgreachBinary(), "audit"});
  return testing::runProcess(args, 30s, env);
}

nlohmann::json checkById(const nlohmann::json& report, const std::string& id) {
  for (const auto& c : report["checks"]) {
    if (c["id"] == id) return c;
  }
  return nullptr;
}

bool hasFinding(const nlohmann::json& check, const std::string& code) {
  if (check.is_null()) return false;
  for (const auto& f : check["findings"]) {
    if (f["code"] == code) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("audit selects only cloud checks", "[unit][cloud]") {
  CHECK(app::auditSelection({}) == std::vector<std::string>{"cloud"});
  CHECK(app::auditSelection({"dns", "tcp.connect"}) == std::vector<std::string>{"cloud"});
  CHECK(app::auditSelection({"cloud.aws.path", "tcp"}) == std::vector<std::string>{"cloud.aws.path"});
}

TEST_CASE("pgreach audit on the nacl-no-ephemeral exports: critical, cloud checks only", "[unit][cloud]") {
  auto r = audit({"host=pslab01.private-pg.psdb.cloud", "--aws-json", kLabAws + "nacl-no-ephemeral", "--client-ip",
                  "10.40.1.10", "--format", "json"});
  INFO(r.err);
  CHECK(r.exitCode == 2);
  auto j = nlohmann::json::parse(r.out);
  for (const auto& c : j["checks"]) CHECK(c["stage"] == "cloud");  // no DNS query, no TCP probe
  auto path = checkById(j, "cloud.aws.path");
  REQUIRE_FALSE(path.is_null());
  CHECK(path["status"] == "fail");
  CHECK(hasFinding(path, "cloud.nacl_return_denied"));
  CHECK(path["data"]["paths"].size() == 4);  // 2 interfaces x ports 5432, 6432
}

TEST_CASE("pgreach audit on the healthy exports is OK, and text names the checks", "[unit][cloud]") {
  auto r = audit({"host=pslab01.private-pg.psdb.cloud", "--aws-json", kLabAws + "healthy", "--client-eni",
                  "eni-0c1e47000000000c1"});
  INFO(r.out << r.err);
  CHECK(r.exitCode == 0);
  CHECK(r.out.find("cloud.aws.path: 4 of 4 client") != std::string::npos);
}

TEST_CASE("pgreach audit without inputs skips with the reason", "[unit][cloud]") {
  auto r = audit({"host=db.example.internal", "--format", "json"});
  CHECK(r.exitCode == 3);  // nothing could be judged
  auto j = nlohmann::json::parse(r.out);
  auto ctx = checkById(j, "cloud.context");
  CHECK(ctx["status"] == "skip");
  CHECK(ctx["summary"].get<std::string>().find("no cloud inputs") != std::string::npos);
}

TEST_CASE("pgreach audit on a broken export names file and field, exit 3", "[unit][cloud]") {
  auto r = audit({"host=db.example.internal", "--aws-json", kSrc + "/tests/data/cloud/malformed", "--client-ip", "10.0.0.1"});
  CHECK(r.exitCode == 3);
  CHECK(r.out.find("describe-sgs.json: SecurityGroups[3].IpPermissions[0].FromPort: expected a number, got \"abc\"") !=
        std::string::npos);
}

TEST_CASE("pgreach audit never echoes the connection password", "[unit][cloud]") {
  auto r = audit({"postgresql://app:Sup3r-Secret-pw@pslab01.private-pg.psdb.cloud/appdb", "--aws-json", kLabAws + "healthy",
                  "--client-ip", "10.40.1.10", "--format", "text,json,markdown"});
  CHECK(r.exitCode == 0);
  CHECK(r.out.find("Sup3r-Secret-pw") == std::string::npos);
  CHECK(r.err.find("Sup3r-Secret-pw") == std::string::npos);
}

TEST_CASE("--cloud-live runs the aws CLI from PATH (a fake) and audits its answers", "[unit][cloud]") {
  const std::string path = kSrc + "/tests/data/cloud/fake-aws:" + std::string(std::getenv("PATH") ? std::getenv("PATH") : "/usr/bin:/bin");
  char tmpl[] = "/tmp/pgreach-test-tmpdir-XXXXXX";
  REQUIRE(::mkdtemp(tmpl));
  const std::string tmpdir = tmpl;
  auto r = audit({"host=pslab01.private-pg.psdb.cloud", "--cloud-live", "--client-ip", "10.40.1.10", "--format", "json"},
                 {"PATH=" + path, "FAKE_AWS_DIR=" + kLabAws + "sg-missing-6432", "TMPDIR=" + tmpdir});
  INFO(r.err);
  CHECK(r.exitCode == 2);
  // The folder the CLI's answers were written to is gone when the command is over.
  CHECK(::rmdir(tmpdir.c_str()) == 0);
  auto j = nlohmann::json::parse(r.out);
  auto ctx = checkById(j, "cloud.context");
  CHECK(ctx["data"]["live_commands"].size() >= 9);  // 7 describes + 2 VPC attributes
  CHECK(hasFinding(checkById(j, "cloud.aws.path"), "cloud.sg_ingress_missing"));
}

TEST_CASE("--cloud-live kills an aws command that hangs", "[unit][cloud]") {
  const std::string path = kSrc + "/tests/data/cloud/fake-aws:" + std::string(std::getenv("PATH") ? std::getenv("PATH") : "/usr/bin:/bin");
  const auto t0 = std::chrono::steady_clock::now();
  auto r = audit({"host=pslab01.private-pg.psdb.cloud", "--cloud-live", "--cloud-cli-timeout", "200ms", "--deadline", "5s",
                  "--client-ip", "10.40.1.10", "--format", "json"},
                 {"PATH=" + path, "FAKE_AWS_DIR=" + kLabAws + "healthy", "FAKE_AWS_SLEEP=30"});
  CHECK(std::chrono::steady_clock::now() - t0 < 10s);
  CHECK(r.exitCode == 3);
  CHECK(r.out.find("timed out after") != std::string::npos);
}

TEST_CASE("without --imds no metadata service is asked; a bad --imds-endpoint is named", "[unit][cloud]") {
  auto r = audit({"host=pslab01.private-pg.psdb.cloud", "--aws-json", kLabAws + "healthy", "--format", "json"});
  auto j = nlohmann::json::parse(r.out);
  auto ctx = checkById(j, "cloud.context");
  CHECK_FALSE(ctx["data"].contains("imds"));
  CHECK_FALSE(hasFinding(ctx, "cloud.imds_unavailable"));
  CHECK(ctx["data"]["source"] != "imds");
  CHECK(ctx["data"]["platform_resolvers"] == nlohmann::json::array({"10.40.0.2"}));
  auto bad = audit({"host=pslab01.private-pg.psdb.cloud", "--aws-json", kLabAws + "healthy", "--imds", "--imds-endpoint",
                    "https://metadata.example"});
  CHECK(bad.exitCode == 3);
  CHECK(bad.out.find("--imds-endpoint: only http:// is supported") != std::string::npos);
}
