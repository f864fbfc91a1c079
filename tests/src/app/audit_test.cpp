#include <signal.h>
#include <unistd.h>
// `pgreach audit`: only cloud checks run (no DNS, no TCP), the report formats and exit
// codes are diagnose's, inputs from exports, a fake `aws` on PATH, or nothing.
#include <catch2/catch.hpp>
#include <regex>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "app/audit.h"
#include "support/process.h"
#include "support/temp_dir.h"

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
  auto r = audit({"host=pslab01.private-pg.psdb.cloud", "--aws-json", kLabAws + "nacl-no-ephemeral",
                  "--client-ip", "10.40.1.10", "--format", "json"});
  INFO(r.err);
  CHECK(r.exitCode == 2);
  auto j = nlohmann::json::parse(r.out);
  for (const auto& c : j["checks"]) CHECK(c["stage"] == "cloud");  // no DNS query, no TCP probe
  auto path = checkById(j, "cloud.aws.path");
  REQUIRE_FALSE(path.is_null());
  CHECK(path["status"] == "fail");
  CHECK(hasFinding(path, "cloud.nacl_return_denied"));
  // 2 dual-stack interfaces (4 addresses, each from the client's address of its family) x ports 5432, 6432
  CHECK(path["data"]["paths"].size() == 8);
}

TEST_CASE("pgreach audit on the healthy exports is OK, and text names the checks", "[unit][cloud]") {
  auto r = audit({"host=pslab01.private-pg.psdb.cloud", "--aws-json", kLabAws + "healthy", "--client-eni",
                  "eni-0c1e47000000000c1"});
  INFO(r.out << r.err);
  CHECK(r.exitCode == 0);
  CHECK(r.out.find("cloud.aws.path: 8 of 8 client→endpoint paths reachable (IPv4 4 of 4, IPv6 4 of 4)") !=
        std::string::npos);
}

TEST_CASE("pgreach audit: a path through an appliance is reachable, with an info finding naming it",
          "[unit][cloud]") {
  // The healthy exports, with the endpoint subnet 10.40.2.0/24 routed to a firewall ENI.
  testing::TempDir dir("pgreach-appliance");
  for (const auto& e : std::filesystem::directory_iterator(kLabAws + "healthy")) {
    std::filesystem::copy_file(e.path(), dir.path / e.path().filename());
  }
  nlohmann::json rt = nlohmann::json::parse(std::ifstream(dir.path / "describe-route-tables.json"));
  rt["RouteTables"][0]["Routes"].push_back({{"DestinationCidrBlock", "10.40.2.0/24"},
                                            {"NetworkInterfaceId", "eni-0f1a2b3c4d5e6f701"},
                                            {"State", "active"}});
  dir.write("describe-route-tables.json", rt.dump());

  auto r = audit({"host=pslab01.private-pg.psdb.cloud", "--aws-json", dir.path.string(), "--client-ip",
                  "10.40.1.10", "--format", "json"});
  INFO(r.err);
  CHECK(r.exitCode == 0);
  auto path = checkById(nlohmann::json::parse(r.out), "cloud.aws.path");
  REQUIRE_FALSE(path.is_null());
  CHECK(path["summary"] == "8 of 8 client→endpoint paths reachable (IPv4 4 of 4, IPv6 4 of 4)");
  int appliance = 0;
  for (const auto& f : path["findings"]) {
    if (f["code"] != "cloud.route_via_appliance") continue;
    ++appliance;
    CHECK(f["severity"] == "info");
    CHECK(f["summary"].get<std::string>().find("eni-0f1a2b3c4d5e6f701") != std::string::npos);
  }
  CHECK(appliance ==
        2);  // the endpoint interface in 10.40.2.0/24, on both ports; not the one in 10.40.3.0/24
}

TEST_CASE("pgreach audit judges each family from the client's address of that family",
          "[unit][cloud][ipv6]") {
  // The lab's exports are dual-stack: the client's interface and the endpoint's carry an
  // IPv6 address each. One change per case, in a copy.
  auto copyHealthy = [](testing::TempDir& dir) {
    for (const auto& e : std::filesystem::directory_iterator(kLabAws + "healthy"))
      std::filesystem::copy_file(e.path(), dir.path / e.path().filename());
  };
  auto eniFile = [](testing::TempDir& dir) {
    return nlohmann::json::parse(std::ifstream(dir.path / "describe-network-interfaces.json"));
  };
  auto run = [](const testing::TempDir& dir) {
    return audit({"host=pslab01.private-pg.psdb.cloud", "--aws-json", dir.path.string(), "--client-ip",
                  "10.40.1.10", "--format", "json"});
  };

  SECTION("an IPv4-only client: the endpoint's IPv6 addresses are paths it does not take") {
    testing::TempDir dir("pgreach-v4-client");
    copyHealthy(dir);
    auto enis = eniFile(dir);
    enis["NetworkInterfaces"][0]["Ipv6Addresses"] = nlohmann::json::array();  // the client's
    dir.write("describe-network-interfaces.json", enis.dump());
    auto r = run(dir);
    INFO(r.out << r.err);
    CHECK(r.exitCode == 0);
    auto path = checkById(nlohmann::json::parse(r.out), "cloud.aws.path");
    CHECK(path["summary"] ==
          "4 of 4 client→endpoint paths reachable; IPv6 paths not taken: the client has no IPv6 address");
  }
  SECTION("an IPv6-only endpoint for an IPv4-only client: no path, said by both checks") {
    testing::TempDir dir("pgreach-v6-only");
    copyHealthy(dir);
    auto enis = eniFile(dir);
    enis["NetworkInterfaces"][0]["Ipv6Addresses"] = nlohmann::json::array();
    for (int i : {1, 2}) {
      enis["NetworkInterfaces"][i].erase("PrivateIpAddress");
      enis["NetworkInterfaces"][i].erase("PrivateIpAddresses");
    }
    dir.write("describe-network-interfaces.json", enis.dump());
    auto eps = nlohmann::json::parse(std::ifstream(dir.path / "describe-vpc-endpoints.json"));
    eps["VpcEndpoints"][0]["IpAddressType"] = "ipv6";
    eps["VpcEndpoints"][0]["DnsOptions"]["DnsRecordIpType"] = "ipv6";
    dir.write("describe-vpc-endpoints.json", eps.dump());
    auto r = run(dir);
    INFO(r.out << r.err);
    CHECK(r.exitCode == 2);
    auto j = nlohmann::json::parse(r.out);
    auto path = checkById(j, "cloud.aws.path");
    CHECK(hasFinding(path, "cloud.client_family_missing"));
    CHECK(path["summary"] ==
          "no client→endpoint path: the endpoint answers on IPv6 only, which the client has "
          "no address of");
    CHECK(hasFinding(checkById(j, "cloud.aws.endpoint"), "cloud.endpoint_ipv6_only_client_no_ipv6"));
  }
  SECTION("v6-dropped: the endpoint SG names the IPv4 range only") {
    auto r = audit({"host=pslab01.private-pg.psdb.cloud", "--aws-json", kLabAws + "v6-dropped", "--client-ip",
                    "10.40.1.10", "--format", "json"});
    INFO(r.out << r.err);
    CHECK(r.exitCode == 2);
    auto path = checkById(nlohmann::json::parse(r.out), "cloud.aws.path");
    CHECK(path["summary"] == "4 of 8 client→endpoint paths reachable (IPv4 4 of 4, IPv6 0 of 4)");
    int v6 = 0;
    for (const auto& f : path["findings"]) {
      CHECK(f["code"] == "cloud.sg_ipv6_range_missing");
      CHECK(f["summary"].get<std::string>().rfind("IPv6: fd40:0:0:1::10 -> ", 0) == 0);
      CHECK(f["fix"].get<std::string>().find("Ipv6Ranges=[{CidrIpv6=fd40:0:0:1::10/128}]") !=
            std::string::npos);
      ++v6;
    }
    CHECK(v6 == 4);
  }
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
  auto r = audit({"host=db.example.internal", "--aws-json", kSrc + "/tests/data/cloud/malformed",
                  "--client-ip", "10.0.0.1"});
  CHECK(r.exitCode == 3);
  CHECK(
      r.out.find(
          "describe-sgs.json: SecurityGroups[3].IpPermissions[0].FromPort: expected a number, got \"abc\"") !=
      std::string::npos);
}

TEST_CASE("pgreach audit never echoes the connection password", "[unit][cloud]") {
  // One format per stream: each format is its own run.
  for (const char* format : {"text", "json", "markdown"}) {
    INFO(format);
    auto r = audit({"postgresql://app:Sup3r-Secret-pw@pslab01.private-pg.psdb.cloud/appdb", "--aws-json",
                    kLabAws + "healthy", "--client-ip", "10.40.1.10", "--format", format});
    CHECK(r.exitCode == 0);
    CHECK(r.out.find("Sup3r-Secret-pw") == std::string::npos);
    CHECK(r.err.find("Sup3r-Secret-pw") == std::string::npos);
  }
}

TEST_CASE("--cloud-live runs the aws CLI from PATH (a fake) and audits its answers", "[unit][cloud]") {
  const std::string path = kSrc + "/tests/data/cloud/fake-aws:" +
                           std::string(std::getenv("PATH") ? std::getenv("PATH") : "/usr/bin:/bin");
  char tmpl[] = "/tmp/pgreach-test-tmpdir-XXXXXX";
  REQUIRE(::mkdtemp(tmpl));
  const std::string tmpdir = tmpl;
  auto r = audit(
      {"host=pslab01.private-pg.psdb.cloud", "--cloud-live", "--client-ip", "10.40.1.10", "--format", "json"},
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
  const std::string path = kSrc + "/tests/data/cloud/fake-aws:" +
                           std::string(std::getenv("PATH") ? std::getenv("PATH") : "/usr/bin:/bin");
  const auto t0 = std::chrono::steady_clock::now();
  auto r = audit({"host=pslab01.private-pg.psdb.cloud", "--cloud-live", "--cloud-cli-timeout", "200ms",
                  "--deadline", "5s", "--client-ip", "10.40.1.10", "--format", "json"},
                 {"PATH=" + path, "FAKE_AWS_DIR=" + kLabAws + "healthy", "FAKE_AWS_SLEEP=30"});
  // Two timeouts, then the other commands are not started: well under 7 x 200 ms + overhead.
  CHECK(std::chrono::steady_clock::now() - t0 < 10s);
  CHECK(r.exitCode == 3);
  CHECK(r.out.find("aws ec2 describe-vpcs --output json: timed out after") != std::string::npos);
  CHECK(
      r.out.find(
          "aws ec2 describe-security-groups --output json: not run: the two commands before it timed out") !=
      std::string::npos);
}

TEST_CASE("without --imds no metadata service is asked; a bad --imds-endpoint is named", "[unit][cloud]") {
  auto r =
      audit({"host=pslab01.private-pg.psdb.cloud", "--aws-json", kLabAws + "healthy", "--format", "json"});
  auto j = nlohmann::json::parse(r.out);
  auto ctx = checkById(j, "cloud.context");
  CHECK_FALSE(ctx["data"].contains("imds"));
  CHECK_FALSE(hasFinding(ctx, "cloud.imds_unavailable"));
  CHECK(ctx["data"]["source"] != "imds");
  CHECK(ctx["data"]["platform_resolvers"] == nlohmann::json::array({"10.40.0.2"}));
  auto bad = audit({"host=pslab01.private-pg.psdb.cloud", "--aws-json", kLabAws + "healthy", "--imds",
                    "--imds-endpoint", "https://metadata.example"});
  CHECK(bad.exitCode == 3);
  CHECK(bad.out.find("--imds-endpoint: only http:// is supported") != std::string::npos);
}

namespace {

const std::string kLabAzure = kSrc + "/tests/lab/cloud/azure/";
const std::string kAzureHost = "host=labserver.postgres.database.azure.com";

std::string fakeAzPath() {
  return "PATH=" + kSrc + "/tests/data/cloud/fake-az:" +
         std::string(std::getenv("PATH") ? std::getenv("PATH") : "/usr/bin:/bin");
}

// A private $TMPDIR per run: --cloud-live must leave it empty (rmdir succeeds).
struct TempDir {
  std::string path;
  TempDir() {
    char tmpl[] = "/tmp/pgreach-test-az-XXXXXX";
    if (::mkdtemp(tmpl)) path = tmpl;
  }
  ~TempDir() {
    if (!path.empty()) std::system(("rm -rf '" + path + "'").c_str());
  }
  bool emptyAndRemoved() {
    if (::rmdir(path.c_str()) != 0) return false;
    path.clear();
    return true;
  }
};

// "cloud.azure.path=fail:cloud.nsg_denied,..." per cloud.azure.* check: what the verdict rests on.
std::vector<std::string> azureOutcome(const nlohmann::json& report) {
  std::vector<std::string> out;
  for (const auto& c : report["checks"]) {
    const std::string id = c["id"];
    if (id.rfind("cloud.azure.", 0) != 0) continue;
    std::string s = id + "=" + c["status"].get<std::string>() + ":";
    for (const auto& f : c["findings"]) s += f["code"].get<std::string>() + ",";
    out.push_back(s);
  }
  return out;
}

std::vector<std::string> lines(const std::string& file) {
  std::ifstream in(file);
  std::vector<std::string> out;
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

}  // namespace

TEST_CASE("--cloud-live runs read-only az list commands (a fake az) and audits like --azure-json",
          "[unit][cloud]") {
  for (const std::string scenario : {"healthy", "sg-missing-6432", "azure-chain-broken", "azure-pending"}) {
    INFO(scenario);
    TempDir tmp;
    REQUIRE_FALSE(tmp.path.empty());
    const std::string log = tmp.path + "-argv.log";
    auto live = audit(
        {kAzureHost, "--cloud-live", "--client-ip", "10.40.1.10", "--format", "json"},
        {fakeAzPath(), "FAKE_AZ_DIR=" + kLabAzure + scenario, "FAKE_AZ_LOG=" + log, "TMPDIR=" + tmp.path});
    auto file = audit(
        {kAzureHost, "--azure-json", kLabAzure + scenario, "--client-ip", "10.40.1.10", "--format", "json"});
    INFO(live.err);
    CHECK(live.exitCode == file.exitCode);
    auto lj = nlohmann::json::parse(live.out), fj = nlohmann::json::parse(file.out);
    CHECK(lj["verdict"] == fj["verdict"]);
    CHECK(azureOutcome(lj) == azureOutcome(fj));
    CHECK(azureOutcome(lj).size() == 2);
    auto ctx = checkById(lj, "cloud.context");
    // 5 lists + links + records of the one zone + the NIC list (no NIC holds the client here).
    CHECK(ctx["data"]["live_commands"].size() == 8);
    for (const auto& f : ctx["findings"]) {
      if (f["code"] == "cloud.live_command_failed") {
        CHECK(f["severity"] == "info");
        CHECK(f["summary"] ==
              "no network interface with 10.40.1.10 in az network nic list: its NIC-level NSG is not "
              "evaluated");
      }
    }
    // Only read-only verbs: every call is `az network ... list` with JSON output.
    const auto calls = lines(log);
    CHECK(calls.size() == 8);
    for (const auto& c : calls) {
      INFO(c);
      CHECK(c.rfind("network ", 0) == 0);
      CHECK(c.find(" list ") != std::string::npos);
      CHECK(c.find(" -o json") != std::string::npos);
      for (const char* verb :
           {" create", " delete", " update", " set ", " add", " remove", " show-", " login"})
        CHECK(c.find(verb) == std::string::npos);
    }
    ::unlink(log.c_str());
    CHECK(tmp.emptyAndRemoved());  // the exports folder went with the command
  }
}

TEST_CASE("--cloud-live --azure-resource-group narrows the lists, not the zone list", "[unit][cloud]") {
  TempDir tmp;
  const std::string log = tmp.path + "-argv.log";
  auto r = audit(
      {kAzureHost, "--cloud-live", "--azure-resource-group", "pgreach-lab-rg", "--client-ip", "10.40.1.10"},
      {fakeAzPath(), "FAKE_AZ_DIR=" + kLabAzure + "healthy", "FAKE_AZ_LOG=" + log, "TMPDIR=" + tmp.path});
  // The fake az lists no NIC holding the client, so no effective-NSG export: the client NIC
  // step is not verified and the audit says WARNING (it said OK, counting "unknown" as open).
  CHECK(r.exitCode == 1);
  for (const auto& c : lines(log)) {
    INFO(c);
    const bool zoneList = c.find("private-dns zone list") != std::string::npos;
    const bool zoneScoped = c.find(" -z ") != std::string::npos || c.find(" --ids ") != std::string::npos;
    CHECK((c.find("--resource-group pgreach-lab-rg") != std::string::npos) == (!zoneList && !zoneScoped));
  }
  ::unlink(log.c_str());
  CHECK(tmp.emptyAndRemoved());
}

TEST_CASE("--cloud-live kills an az command that hangs, and says so", "[unit][cloud]") {
  TempDir tmp;
  const auto t0 = std::chrono::steady_clock::now();
  auto r = audit({kAzureHost, "--cloud-live", "--cloud-cli-timeout", "200ms", "--deadline", "5s",
                  "--client-ip", "10.40.1.10", "--format", "json"},
                 {fakeAzPath(), "FAKE_AZ_DIR=" + kLabAzure + "healthy", "FAKE_AZ_SLEEP=30",
                  "FAKE_AZ_PIDS=" + tmp.path + "-pids", "TMPDIR=" + tmp.path});
  CHECK(std::chrono::steady_clock::now() - t0 < 10s);
  // What the CLI started dies with it (the process group is killed), not only the CLI.
  const auto pids = lines(tmp.path + "-pids");
  // Two timeouts in a row: the API is out of reach, the other commands are not started.
  CHECK(pids.size() == 2);
  for (const auto& p : pids) {
    bool gone = false;
    for (int i = 0; i < 100 && !gone; ++i) {
      gone = ::kill(std::stoi(p), 0) != 0;
      if (!gone) std::this_thread::sleep_for(20ms);
    }
    CHECK(gone);
  }
  ::unlink((tmp.path + "-pids").c_str());
  CHECK(r.exitCode == 3);  // nothing collected: nothing judged
  auto ctx = checkById(nlohmann::json::parse(r.out), "cloud.context");
  CHECK(ctx["status"] == "error");
  const std::string summary = ctx["summary"];
  CHECK(summary.find(
            "az network private-endpoint list -o json --only-show-errors: timed out after 200 ms (killed)") !=
        std::string::npos);
  CHECK(
      summary.find(
          "az network nsg list -o json --only-show-errors: not run: the two commands before it timed out") !=
      std::string::npos);
  CHECK(tmp.emptyAndRemoved());
}

TEST_CASE("--cloud-live: an az answer that is not JSON names the command", "[unit][cloud]") {
  TempDir tmp;
  auto r = audit(
      {kAzureHost, "--cloud-live", "--client-ip", "10.40.1.10", "--format", "json"},
      {fakeAzPath(), "FAKE_AZ_DIR=" + kLabAzure + "healthy", "FAKE_AZ_BROKEN=nsg", "TMPDIR=" + tmp.path});
  INFO(r.out);
  CHECK(r.exitCode == 1);  // the rest is audited; the missing NSGs make it a warning, not OK
  auto ctx = checkById(nlohmann::json::parse(r.out), "cloud.context");
  bool named = false;
  for (const auto& f : ctx["findings"]) {
    const std::string s = f["summary"];
    if (f["code"] == "cloud.live_command_failed" && f["severity"] == "warning" &&
        s.find("az network nsg list -o json --only-show-errors: the answer is not valid JSON") !=
            std::string::npos)
      named = true;
  }
  CHECK(named);
  CHECK(tmp.emptyAndRemoved());
}

TEST_CASE("--cloud-live without the CLIs names what is missing", "[unit][cloud]") {
  auto none = audit({"host=db.example.internal", "--cloud-live", "--client-ip", "10.0.0.1"},
                    {"PATH=/nonexistent-pgreach-path"});
  CHECK(none.exitCode == 3);
  CHECK(none.out.find("neither the aws nor the az CLI is installed") != std::string::npos);
  auto azure =
      audit({kAzureHost, "--cloud-live", "--client-ip", "10.0.0.1"}, {"PATH=/nonexistent-pgreach-path"});
  CHECK(azure.exitCode == 3);
  CHECK(azure.out.find("the az CLI is not installed (not found on PATH), needed for the Azure host") !=
        std::string::npos);
}

TEST_CASE("--cloud-live: a failing az command is named, the password never is", "[unit][cloud]") {
  TempDir tmp;
  const std::string log = tmp.path + "-argv.log";
  auto r = audit({"postgresql://app:Az-Sup3r-Secret@labserver.postgres.database.azure.com/appdb",
                  "--cloud-live", "--client-ip", "10.40.1.10", "--format", "text"},
                 {fakeAzPath(), "FAKE_AZ_DIR=" + kLabAzure + "healthy", "FAKE_AZ_FAIL=vnet",
                  "FAKE_AZ_LOG=" + log, "TMPDIR=" + tmp.path, "PGPASSWORD=Az-Sup3r-Secret"});
  CHECK(r.out.find("az network vnet list -o json --only-show-errors: exit 1: ERROR: Please run 'az login'") !=
        std::string::npos);
  CHECK(r.out.find("Az-Sup3r-Secret") == std::string::npos);
  CHECK(r.err.find("Az-Sup3r-Secret") == std::string::npos);
  for (const auto& c : lines(log)) CHECK(c.find("Az-Sup3r-Secret") == std::string::npos);
  ::unlink(log.c_str());
  CHECK(tmp.emptyAndRemoved());
}

TEST_CASE("--cloud-live: an empty az list is said, not silently skipped", "[unit][cloud]") {
  TempDir tmp;
  auto r = audit({kAzureHost, "--cloud-live", "--client-ip", "10.40.1.10", "--format", "json"},
                 {fakeAzPath(), "FAKE_AZ_DIR=" + kLabAzure + "healthy", "FAKE_AZ_EMPTY=private-endpoint",
                  "TMPDIR=" + tmp.path});
  auto j = nlohmann::json::parse(r.out);
  auto ctx = checkById(j, "cloud.context");
  bool said = false;
  for (const auto& f : ctx["findings"]) {
    if (f["summary"] == "az network private-endpoint list -o json --only-show-errors: listed nothing")
      said = true;
  }
  CHECK(said);
  CHECK(checkById(j, "cloud.azure.endpoint")["status"] == "skip");
  CHECK(tmp.emptyAndRemoved());
}

TEST_CASE("--cloud-live reads the client NIC's effective NSG: a NIC-level deny is found", "[unit][cloud]") {
  TempDir tmp;
  const std::string log = tmp.path + "-argv.log";
  auto r =
      audit({kAzureHost, "--cloud-live", "--client-ip", "10.40.1.10", "--format", "json"},
            {fakeAzPath(), "FAKE_AZ_DIR=" + kLabAzure + "healthy", "FAKE_AZ_LOG=" + log, "TMPDIR=" + tmp.path,
             "FAKE_AZ_EFFECTIVE=" + kSrc + "/tests/data/cloud/azure-live/effective-nic-deny-6432.json"});
  INFO(r.out);
  CHECK(r.exitCode == 2);  // the healthy exports, but the client's NIC NSG drops 6432
  auto j = nlohmann::json::parse(r.out);
  auto path = checkById(j, "cloud.azure.path");
  REQUIRE(hasFinding(path, "cloud.nsg_denied"));
  bool nicDeny = false;
  for (const auto& f : path["findings"]) {
    const std::string s = f.dump();
    if (s.find("client NIC network security group outbound") != std::string::npos &&
        s.find("DenyPgBouncerOut") != std::string::npos)
      nicDeny = true;
  }
  CHECK(nicDeny);
  const auto calls = lines(log);
  CHECK(calls.size() == 9);
  CHECK(calls.back().rfind("network nic list-effective-nsg --ids /subscriptions/", 0) == 0);
  CHECK(calls.back().find("/networkInterfaces/client-vm-nic -o json") != std::string::npos);
  ::unlink(log.c_str());
  CHECK(tmp.emptyAndRemoved());
}

TEST_CASE("--cloud-live: an endpoint in a DNS zone group (no customDnsConfigs) gets its address from its NIC",
          "[unit][cloud]") {
  TempDir tmp;
  const std::string data = kSrc + "/tests/data/cloud/azure-live/";
  auto live = audit({kAzureHost, "--cloud-live", "--client-ip", "10.40.1.10", "--format", "json"},
                    {fakeAzPath(), "FAKE_AZ_DIR=" + kLabAzure + "healthy", "TMPDIR=" + tmp.path,
                     "FAKE_AZ_ENDPOINTS=" + data + "zone-group-endpoints.json",
                     "FAKE_AZ_NICS=" + data + "zone-group-nics.json"});
  auto file = audit(
      {kAzureHost, "--azure-json", kLabAzure + "healthy", "--client-ip", "10.40.1.10", "--format", "json"});
  INFO(live.out);
  CHECK(live.exitCode == file.exitCode);
  auto lj = nlohmann::json::parse(live.out), fj = nlohmann::json::parse(file.out);
  CHECK(azureOutcome(lj) == azureOutcome(fj));
  // Not "pass": no effective-NSG export for the client's NIC, so that step is not verified.
  CHECK(checkById(lj, "cloud.azure.path")["status"] == "warn");
  CHECK(checkById(lj, "cloud.azure.path")["state"] == "not_verified");
  CHECK(checkById(lj, "cloud.azure.endpoint")["data"].dump().find("10.40.2.120") != std::string::npos);

  // Without the NIC the path cannot be evaluated, and the skip says which export is missing.
  auto bare = audit({kAzureHost, "--cloud-live", "--client-ip", "10.40.1.10", "--format", "json"},
                    {fakeAzPath(), "FAKE_AZ_DIR=" + kLabAzure + "healthy", "TMPDIR=" + tmp.path,
                     "FAKE_AZ_ENDPOINTS=" + data + "zone-group-endpoints.json"});
  auto path = checkById(nlohmann::json::parse(bare.out), "cloud.azure.path");
  CHECK(path["status"] == "skip");
  CHECK(path["summary"].get<std::string>().find(
            "its NIC is not in the export: add `az network nic show --ids /subscriptions/") !=
        std::string::npos);
  CHECK(tmp.emptyAndRemoved());
}

// The audit rows of the README's "Verdicts" table, one test each.
namespace {
const std::string kCloudData = kSrc + "/tests/data/cloud/";
const std::string kPsHost = "host=pslab01.private-pg.psdb.cloud";
}  // namespace

TEST_CASE("verdicts: audit where some path steps are unknown is WARNING, naming the missing exports",
          "[unit][cloud]") {
  // Route tables, security groups, subnets and the endpoint; no NACLs, no interfaces. This
  // said "2 of 2 client→endpoint paths reachable", PGREACH OK, exit 0.
  auto r = audit({kPsHost, "--aws-json", kCloudData + "aws-partial", "--client-ip", "10.40.1.10",
                  "--endpoint-ip", "10.40.2.120", "--format", "json"});
  INFO(r.out << r.err);
  CHECK(r.exitCode == 1);
  auto j = nlohmann::json::parse(r.out);
  CHECK(j["verdict"] == "warning");
  auto path = checkById(j, "cloud.aws.path");
  CHECK(path["status"] == "warn");
  CHECK(path["state"] == "not_verified");
  CHECK(path["summary"].get<std::string>().find("0 of ") == 0);
  for (const auto& p : path["data"]["paths"]) {
    CHECK(p["reachable"] == false);
    CHECK(p["state"] == "not_verified");
  }
  REQUIRE(hasFinding(path, "cloud.path_not_verified"));
  for (const auto& f : path["findings"]) {
    if (f["code"] != "cloud.path_not_verified") continue;
    const std::string fix = f["fix"];
    CHECK(fix.find("aws ec2 describe-network-acls --filters "
                   "Name=association.subnet-id,Values=subnet-0c1e4700000000001") != std::string::npos);
    CHECK(fix.find("aws ec2 describe-network-acls --filters "
                   "Name=association.subnet-id,Values=subnet-0e9a0000000000a02") != std::string::npos);
    CHECK(fix.find("aws ec2 describe-network-interfaces --filters "
                   "Name=addresses.private-ip-address,Values=10.40.1.10") != std::string::npos);
    CHECK(f["summary"].get<std::string>().find("client subnet network ACL egress") == std::string::npos);
    bool named = false;
    for (const auto& e : f["evidence"])
      named = named || e.get<std::string>().find("not evaluated: client subnet network ACL egress") == 0;
    CHECK(named);
  }
  // No section rests on it as ok: the section with the path check is not verified.
  bool sectionNotVerified = false;
  for (const auto& s : j["sections"]) {
    for (const auto& id : s["check_ids"]) {
      if (id == "cloud.aws.path") {
        CHECK(s["state"] == "not_verified");
        sectionNotVerified = true;
      }
    }
  }
  CHECK(sectionNotVerified);

  auto text = audit({kPsHost, "--aws-json", kCloudData + "aws-partial", "--client-ip", "10.40.1.10",
                     "--endpoint-ip", "10.40.2.120"});
  INFO(text.out);
  CHECK(text.out.rfind("PGREACH WARNING - not verified: cloud.aws.path: 0 of ", 0) == 0);
  CHECK(text.out.find("[not verified] cloud.aws.path") != std::string::npos);
  CHECK(text.out.find("reachable with warnings") == std::string::npos);
  auto nagios = audit({kPsHost, "--aws-json", kCloudData + "aws-partial", "--client-ip", "10.40.1.10",
                       "--endpoint-ip", "10.40.2.120", "--format", "nagios"});
  CHECK(nagios.out.rfind("PGREACH WARNING - not verified", 0) == 0);
  auto junit = audit({kPsHost, "--aws-json", kCloudData + "aws-partial", "--client-ip", "10.40.1.10",
                      "--endpoint-ip", "10.40.2.120", "--format", "junit"});
  CHECK(junit.out.find("<skipped message=\"not verified: 0 of ") != std::string::npos);
  auto prom = audit({kPsHost, "--aws-json", kCloudData + "aws-partial", "--client-ip", "10.40.1.10",
                     "--endpoint-ip", "10.40.2.120", "--format", "prometheus"});
  CHECK(std::regex_search(prom.out,
                          std::regex(R"(\npgreach_verdict\{target="pslab01\.private-pg\.psdb\.cloud",)"
                                     R"(port="5432",dbname="[^"]*"\} 1\n)")));
  CHECK(prom.out.find("check=\"cloud.aws.path\",stage=\"cloud\"} 0") != std::string::npos);
  auto md = audit({kPsHost, "--aws-json", kCloudData + "aws-partial", "--client-ip", "10.40.1.10",
                   "--endpoint-ip", "10.40.2.120", "--format", "markdown"});
  CHECK(md.out.find("## ⚠️ Check security groups (not verified)") != std::string::npos);
  CHECK(md.out.find("| `cloud.aws.path` | ⚠️ not verified |") != std::string::npos);
  auto html = audit({kPsHost, "--aws-json", kCloudData + "aws-partial", "--client-ip", "10.40.1.10",
                     "--endpoint-ip", "10.40.2.120", "--format", "html"});
  CHECK(html.out.find(">not verified</span> Check security groups</h2>") != std::string::npos);
}

TEST_CASE("verdicts: audit where every decisive step is unknown is UNKNOWN, exit 3", "[unit][cloud]") {
  // Real exports (tests/data/real/SOURCES.md): two interfaces with their groups, nothing
  // else. Both are in one subnet (no NACL applies); groups and routes are not exported.
  auto r = audit({"host=db.example.internal", "--aws-json", kSrc + "/tests/data/real/aws/network-interfaces",
                  "--client-ip", "10.0.1.17", "--endpoint-ip", "10.0.1.149", "--format", "json"});
  INFO(r.out << r.err);
  CHECK(r.exitCode == 3);
  auto j = nlohmann::json::parse(r.out);
  CHECK(j["verdict"] == "unknown");
  auto coverage = checkById(j, "cloud.coverage");
  CHECK(hasFinding(coverage, "cloud.nothing_evaluated"));
  // It names the exports that would settle the steps.
  CHECK(coverage.dump().find("export: aws ec2 describe-security-groups --group-ids sg-8637d3e3") !=
        std::string::npos);
  auto path = checkById(j, "cloud.aws.path");
  CHECK(path["state"] == "not_verified");
  CHECK(path.dump().find("aws ec2 describe-security-groups --group-ids sg-8637d3e3") != std::string::npos);
}

TEST_CASE("verdicts: audit with no usable file is UNKNOWN, exit 3", "[unit][cloud]") {
  testing::TempDir dir("pgreach-unusable");
  dir.write("vnet-create.json", R"({"newVNet": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]}}})");
  dir.write("other.json", R"({"Something": []})");
  for (const char* flag : {"--aws-json", "--azure-json"}) {
    INFO(flag);
    auto r = audit({"host=db.example.internal", flag, dir.path.string(), "--client-ip", "10.0.0.4",
                    "--endpoint-ip", "10.0.0.5", "--format", "json"});
    INFO(r.out << r.err);
    CHECK(r.exitCode == 3);
  }
  // Real ARM REST bodies (`properties` nested, as `az rest` prints them; SOURCES.md): until
  // the loader reads that shape nothing in them is usable, and the audit must not say OK.
  auto rest = audit({kAzureHost, "--azure-json", kSrc + "/tests/data/real/azure/private-endpoint",
                     "--client-ip", "10.0.0.4", "--format", "json"});
  INFO(rest.out << rest.err);
  CHECK(rest.exitCode >= 1);
  CHECK(rest.out.find("\"verdict\": \"ok\"") == std::string::npos);
}

TEST_CASE("verdicts: audit with only --client-ip and no endpoint is UNKNOWN, exit 3", "[unit][cloud]") {
  // Route tables only (real export): no endpoint in the data, none given.
  auto r = audit({"host=db.example.internal", "--aws-json", kSrc + "/tests/data/real/aws/route-tables",
                  "--client-ip", "10.0.0.4", "--format", "json"});
  INFO(r.out << r.err);
  CHECK(r.exitCode == 3);
  auto j = nlohmann::json::parse(r.out);
  CHECK(j["verdict"] == "unknown");
  CHECK(checkById(j, "cloud.aws.path")["status"] == "skip");
}

TEST_CASE("verdicts: a denial the endpoint's own groups prove is CRITICAL without its interfaces",
          "[unit][cloud]") {
  // The VPC endpoint's Groups allow only 443; its network interfaces are not exported.
  SECTION("with --endpoint-ip: the path check reports it") {
    auto r = audit({kPsHost, "--aws-json", kCloudData + "aws-no-enis-443", "--client-ip", "10.40.1.10",
                    "--endpoint-ip", "10.40.2.120", "--format", "json"});
    INFO(r.out << r.err);
    CHECK(r.exitCode == 2);
    auto j = nlohmann::json::parse(r.out);
    CHECK(j["verdict"] == "critical");
    auto path = checkById(j, "cloud.aws.path");
    CHECK(path["status"] == "fail");
    CHECK(hasFinding(path, "cloud.sg_ingress_missing"));
    // Reported once: the endpoint check leaves it to the path check.
    CHECK_FALSE(hasFinding(checkById(j, "cloud.aws.endpoint"), "cloud.sg_ingress_missing"));
  }
  SECTION("without an address: the endpoint check reports it, the path skip names the ENIs") {
    auto r = audit({kPsHost, "--aws-json", kCloudData + "aws-no-enis-443", "--client-ip", "10.40.1.10",
                    "--format", "json"});
    INFO(r.out << r.err);
    CHECK(r.exitCode == 2);
    auto j = nlohmann::json::parse(r.out);
    CHECK(hasFinding(checkById(j, "cloud.aws.endpoint"), "cloud.sg_ingress_missing"));
    auto path = checkById(j, "cloud.aws.path");
    CHECK(path["status"] == "skip");
    CHECK(path["state"] == "not_verified");
    const std::string summary = path["summary"];
    CHECK(summary.find("no endpoint address") == std::string::npos);
    CHECK(summary.find("aws ec2 describe-network-interfaces --network-interface-ids eni-0e9a00000000002a0 "
                       "eni-0e9b00000000003b0") != std::string::npos);
    // The playbook's security-group step shows the denial, not "not verified" or ok.
    bool sgSection = false;
    for (const auto& s : j["sections"]) {
      if (s["title"] != "Check security groups") continue;
      sgSection = true;
      CHECK(s["status"] == "fail");
      CHECK(s["state"] == "failed");
    }
    CHECK(sgSection);
  }
}

TEST_CASE("verdicts: azure endpoint summary claims only what its exports showed", "[unit][cloud]") {
  testing::TempDir dir("pgreach-azure-partial");
  for (const char* f : {"nsg.json", "private-endpoint.json", "route-table.json", "vnet.json"})
    std::filesystem::copy_file(kLabAzure + "healthy/" + f, dir.path / f);
  auto r =
      audit({kAzureHost, "--azure-json", dir.path.string(), "--client-ip", "10.40.1.10", "--format", "json"});
  INFO(r.out << r.err);
  auto j = nlohmann::json::parse(r.out);
  const std::string summary = checkById(j, "cloud.azure.endpoint")["summary"];
  CHECK(summary.find("zone link and record are in order") == std::string::npos);
  CHECK(summary.rfind("private endpoint is in order; not checked: zone link (", 0) == 0);
  CHECK(summary.find("A record (") != std::string::npos);
  // What was not exported leaves the endpoint check not verified, with a finding naming it.
  auto endpoint = checkById(j, "cloud.azure.endpoint");
  CHECK(endpoint["state"] == "not_verified");
  CHECK(endpoint["status"] == "warn");
  CHECK(endpoint.dump().find("cloud.azure_endpoint_not_verified") != std::string::npos);
  // No effective-NSG export for the client's NIC: the path is not verified, not OK.
  CHECK(r.exitCode == 1);
  auto path = checkById(j, "cloud.azure.path");
  CHECK(path["state"] == "not_verified");
  CHECK(path.dump().find("az network nic list-effective-nsg") != std::string::npos);
}

TEST_CASE("pgreach audit writes --output-dir and --bundle like diagnose (it ignored them before)",
          "[unit][cloud]") {
  testing::TempDir out("pgreach-audit-outputs");
  const std::string dir = (out.path / "reports").string(), bundle = (out.path / "ticket.tar.gz").string();
  auto r = audit({"host=pslab01.private-pg.psdb.cloud", "--aws-json", kLabAws + "nacl-no-ephemeral",
                  "--client-ip", "10.40.1.10", "--format", "json", "--format", "markdown", "--output-dir",
                  dir, "--bundle", bundle});
  INFO(r.out << r.err);
  CHECK(r.exitCode == 2);
  CHECK(std::filesystem::is_regular_file(dir + "/report.json"));
  CHECK(std::filesystem::is_regular_file(dir + "/report.md"));
  CHECK(std::filesystem::is_regular_file(bundle));
  // stdout keeps the one line cron logs (as diagnose does with --output-dir).
  CHECK(r.out.rfind("PGREACH CRITICAL", 0) == 0);
  auto report = nlohmann::json::parse(std::ifstream(dir + "/report.json"));
  CHECK(hasFinding(checkById(report, "cloud.aws.path"), "cloud.nacl_return_denied"));

  // A name that holds the target's password is refused, as diagnose refuses it.
  auto secret =
      audit({"host=pslab01.private-pg.psdb.cloud password=Audit9Secret", "--aws-json", kLabAws + "healthy",
             "--client-ip", "10.40.1.10", "-o", (out.path / "Audit9Secret.txt").string()});
  CHECK(secret.exitCode == 3);
  CHECK(secret.err.find("the name contains the target's password") != std::string::npos);
  CHECK((secret.out + secret.err).find("Audit9Secret") == std::string::npos);
  CHECK_FALSE(std::filesystem::exists(out.path / "Audit9Secret.txt"));
}

TEST_CASE("audit --endpoint needs no host: the endpoint stands in for it", "[unit][cloud]") {
  // Issue 19: `pgreach audit --endpoint vpce-... --client-ip ...` refused to run without a
  // host ("no host in the connection string or PGHOST"), though the audit finds the
  // endpoint by its id. No PGHOST/PGHOSTADDR/PGSERVICE either, as on a bare shell.
  auto run = [](std::vector<std::string> args) {
    args.insert(args.begin(), {"env", "-u", "PGHOST", "-u", "PGHOSTADDR", "-u", "PGSERVICE",
                               testing::pgreachBinary(), "audit", "--aws-json", kLabAws + "sg-missing-6432",
                               "--client-ip", "10.40.1.10", "--ports", "5432,6432"});
    return testing::runProcess(args, 30s);
  };
  auto r = run({"--endpoint", "vpce-0abc123def4567890", "--format", "json"});
  INFO(r.out << r.err);
  CHECK(r.err.find("no host") == std::string::npos);
  REQUIRE(r.exitCode == 2);  // the missing 6432 rule, found from the endpoint alone
  auto j = nlohmann::json::parse(r.out);
  CHECK(j["target"].dump().find("vpce-0abc123def4567890") != std::string::npos);
  CHECK(hasFinding(checkById(j, "cloud.aws.path"), "cloud.sg_ingress_missing"));

  auto byIp = run({"--endpoint-ip", "10.40.2.120"});
  INFO(byIp.out << byIp.err);
  CHECK(byIp.exitCode == 2);

  // Without an endpoint a host is still needed, and the error says so.
  auto none = run({});
  CHECK(none.exitCode == 3);
  CHECK(none.err.find("no host") != std::string::npos);
}
