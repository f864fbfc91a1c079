// The DNS stage against the lab's real unbound resolvers: each DNS scenario must end with
// root cause stage dns and the code the lab's scenario table gives it
// (tests/support/lab_scenarios.h).
#include <catch2/catch.hpp>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "support/lab.h"
#include "support/lab_scenarios.h"

using pgreach::testing::expectedCode;
using pgreach::testing::labEnv;
using pgreach::testing::labScenario;
using pgreach::testing::pgreachInClient;

namespace {

struct Run {
  nlohmann::json report;
  long long dnsStageMs = 0;  // the DNS checks' durations added up (they run one after another)
  long long wallMs = 0;
};

Run diagnose(const std::string& host, std::vector<std::string> extra = {}) {
  const std::string conninfo = "host=" + host + " user=" + labEnv("LAB_USER") +
                               " dbname=" + labEnv("LAB_DB") +
                               " sslmode=verify-full sslrootcert=" + labEnv("LAB_CA") + " connect_timeout=3";
  std::vector<std::string> args{"diagnose", conninfo, "--format", "json", "--vpc-cidr", "10.40.0.0/16"};
  args.insert(args.end(), extra.begin(), extra.end());
  auto p = pgreachInClient(args);
  INFO("stdout:\n" << p.out << "\nstderr:\n" << p.err);
  REQUIRE_FALSE(p.timedOut);
  Run r;
  r.wallMs = p.elapsed.count();
  REQUIRE_NOTHROW(r.report = nlohmann::json::parse(p.out));
  for (const auto& c : r.report["checks"]) {
    if (c.value("stage", "") == "dns") r.dnsStageMs += c.value("duration_ms", 0LL);
  }
  return r;
}

std::string rootCode(const Run& r) {
  const auto& rc = r.report["root_cause"];
  return rc.is_object() ? rc.value("code", "") : "";
}
std::string rootStage(const Run& r) {
  const auto& rc = r.report["root_cause"];
  return rc.is_object() ? rc.value("stage", "") : "";
}

const nlohmann::json* check(const Run& r, const std::string& id) {
  for (const auto& c : r.report["checks"]) {
    if (c.value("id", "") == id) return &c;
  }
  return nullptr;
}

void expectRoot(const Run& r, const std::string& code) {
  INFO(r.report.dump(2));
  CHECK(rootStage(r) == "dns");
  CHECK(rootCode(r) == code);
}

}  // namespace

TEST_CASE("lab dns: healthy resolves every provider name inside the VPC", "[lab]") {
  labScenario("healthy");
  for (const char* key : {"LAB_HOST_NEON", "LAB_HOST_PLANETSCALE", "LAB_HOST_AZURE", "LAB_HOST_HEROKU"}) {
    auto r = diagnose(labEnv(key));
    INFO(key << ": " << r.report.dump(2));
    const auto* c = check(r, "dns.resolve");
    REQUIRE(c);
    CHECK((*c)["status"] == "pass");
    CHECK((*c)["data"]["addresses"].size() >= 1);
    CHECK(rootStage(r) != "dns");
    // The application's resolution (getaddrinfo) agrees with DNS, and that is said once.
    const auto* sys = check(r, "dns.system");
    REQUIRE(sys);
    CHECK((*sys)["summary"].get<std::string>().find("the same as DNS for 1 host(s)") != std::string::npos);
  }
}

TEST_CASE("lab dns: dns-public", "[lab]") {
  labScenario("dns-public");
  expectRoot(diagnose(labEnv("LAB_HOST_NEON")), expectedCode("dns-public"));
  expectRoot(diagnose(labEnv("LAB_HOST_AZURE")), expectedCode("dns-public"));
}

TEST_CASE("lab dns: dns-nxdomain", "[lab]") {
  labScenario("dns-nxdomain");
  expectRoot(diagnose(labEnv("LAB_HOST_NEON")), expectedCode("dns-nxdomain"));
}

TEST_CASE("lab dns: dns-servfail", "[lab]") {
  labScenario("dns-servfail");
  expectRoot(diagnose(labEnv("LAB_HOST_NEON")), expectedCode("dns-servfail"));
}

TEST_CASE("lab dns: dns-silent costs one timeout", "[lab]") {
  labScenario("dns-silent");
  // The silent system resolver plus a working --resolver: still one timeout in all.
  auto r = diagnose(labEnv("LAB_HOST_NEON"), {"--timeout", "1s", "--resolver", labEnv("LAB_RESOLVER2")});
  expectRoot(r, expectedCode("dns-silent"));
  WARN("dns-silent: DNS stage " << r.dnsStageMs << " ms with --timeout 1s (whole run " << r.wallMs << " ms)");
  CHECK(r.dnsStageMs <= 1000 + 500);
  CHECK(r.dnsStageMs >= 900);  // it did wait for the silent one

  auto r2 = diagnose(labEnv("LAB_HOST_NEON"), {"--timeout", "2s"});
  expectRoot(r2, expectedCode("dns-silent"));
  WARN("dns-silent: DNS stage " << r2.dnsStageMs << " ms with --timeout 2s");
  CHECK(r2.dnsStageMs <= 2000 + 500);
}

TEST_CASE("lab dns: dns-disagree", "[lab]") {
  labScenario("dns-disagree");
  auto r = diagnose(labEnv("LAB_HOST_NEON"), {"--resolver", "10.40.0.3"});
  expectRoot(r, expectedCode("dns-disagree"));
  const auto* c = check(r, "dns.resolve");
  REQUIRE(c);
  // The first nameserver in resolv.conf is what the connection uses.
  bool hasGood = false, hasStale = false;
  for (const auto& a : (*c)["data"]["addresses"]) {
    hasGood = hasGood || a["address"] == labEnv("LAB_ENDPOINT_IP_A");
    hasStale = hasStale || a["address"] == labEnv("LAB_WRONG_IP");
  }
  CHECK(hasGood);
  CHECK_FALSE(hasStale);
}

TEST_CASE("lab dns: azure-chain-broken", "[lab]") {
  labScenario("azure-chain-broken");
  auto r = diagnose(labEnv("LAB_HOST_AZURE"));
  expectRoot(r, expectedCode("azure-chain-broken"));
  const auto* c = check(r, "dns.resolve");
  REQUIRE(c);
  bool sawCname = false;
  for (const auto& f : (*c)["findings"]) {
    for (const auto& line : f["evidence"]) {
      sawCname =
          sawCname || line.get<std::string>().find(
                          "IN CNAME labserver.privatelink.postgres.database.azure.com.") != std::string::npos;
    }
  }
  CHECK(sawCname);
  labScenario("healthy");
}

namespace {
// Adds a line to the client namespace's /etc/hosts (ip netns exec mounts
// /etc/netns/<ns>/hosts over it) and puts the original back when it goes out of scope.
class HostsLine {
 public:
  explicit HostsLine(const std::string& line)
      : path_("/etc/netns/" + pgreach::testing::clientNamespace() + "/hosts") {
    std::ifstream in(path_);
    REQUIRE(in);
    std::ostringstream s;
    s << in.rdbuf();
    original_ = s.str();
    std::ofstream out(path_, std::ios::app);
    out << line << "\n";
  }
  ~HostsLine() { std::ofstream(path_, std::ios::trunc) << original_; }
  HostsLine(const HostsLine&) = delete;
  HostsLine& operator=(const HostsLine&) = delete;

 private:
  std::string path_;
  std::string original_;
};
}  // namespace

TEST_CASE("lab dns: an /etc/hosts entry overriding the name is reported by dns.system", "[lab]") {
  labScenario("healthy");
  const std::string host = labEnv("LAB_HOST_NEON");
  HostsLine override(labEnv("LAB_WRONG_IP") + " " + host);
  auto r = diagnose(host, {"--only", "dns"});
  const auto* c = check(r, "dns.system");
  REQUIRE(c);
  INFO(c->dump(2));
  CHECK((*c)["status"] == "warn");
  bool found = false;
  for (const auto& f : (*c)["findings"]) found = found || f["code"] == "dns.hosts_override";
  CHECK(found);
  // DNS itself is fine: the override is a warning, not the root cause.
  CHECK((*check(r, "dns.resolve"))["status"] == "pass");
}

// Issue 16: judge the path the application takes. /etc/hosts pins the name to a stale
// address while DNS is healthy: psql fails, and pgreach must say so (not "reachable
// with warnings") and name the hosts line and the DNS answer it hides.
TEST_CASE("lab: hosts-pinned: psql and pgreach agree, and the root cause names the /etc/hosts line",
          "[lab]") {
  labScenario("hosts-pinned");
  const std::string host = labEnv("LAB_HOST_NEON");
  const std::string wrong = labEnv("LAB_WRONG_IP");
  const std::string conninfo = "host=" + host + " user=" + labEnv("LAB_USER") +
                               " password=" + labEnv("LAB_PASSWORD") + " dbname=" + labEnv("LAB_DB") +
                               " sslmode=verify-full sslrootcert=" + labEnv("LAB_CA") + " connect_timeout=3";
  auto psql = pgreach::testing::runInClient({"/usr/bin/psql", conninfo, "-Atc", "select 1"});
  INFO("psql: " << psql.out << psql.err);
  CHECK(psql.exitCode != 0);
  CHECK(psql.err.find("timeout expired") != std::string::npos);

  auto r = diagnose(host, {"--timeout", "2s"});
  INFO(r.report.dump(2));
  CHECK(r.report["verdict"] == "critical");
  CHECK(rootCode(r) == expectedCode("hosts-pinned"));
  const auto& rc = r.report["root_cause"];
  const std::string summary = rc.value("summary", "");
  CHECK(summary.find("/etc/hosts") != std::string::npos);
  CHECK(summary.find(wrong) != std::string::npos);
  CHECK(summary.find(labEnv("LAB_ENDPOINT_IP_A")) != std::string::npos);  // the DNS answer it hides
  bool hostsLine = false;
  const auto* tcp = check(r, "tcp.connect");
  REQUIRE(tcp);
  for (const auto& f : (*tcp)["findings"]) {
    if (f["code"] != "tcp.app_address_unreachable") continue;
    for (const auto& e : f["evidence"]) {
      const std::string line = e.get<std::string>();
      hostsLine =
          hostsLine || (line.rfind("/etc/hosts line ", 0) == 0 && line.find(wrong) != std::string::npos);
    }
  }
  CHECK(hostsLine);
  labScenario("healthy");
}
