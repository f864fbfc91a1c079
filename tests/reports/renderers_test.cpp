// Each renderer against a golden file. UPDATE_GOLDEN=1 rewrites them (review the diff).
#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "reports/render/render.h"
#include "reports/synthetic_facts.h"

using namespace pgreach;

namespace {

reports::Report sampleReport() {
  auto t = target::Target::parse(
      "postgresql://app:golden-secret@pslab01.private-pg.psdb.cloud:5432/appdb?sslmode=verify-full");
  REQUIRE(t.ok());
  engine::RunConfig o;
  std::vector<engine::CheckResult> checks;
  engine::CheckResult dns;
  dns.id = "dns.resolve";
  dns.stage = engine::Stage::Dns;
  dns.status = engine::Status::Pass;
  dns.durationMs = 4;
  dns.summary = "2 address(es) for 1 of 1 host(s)";
  dns.data["addresses"] = {
      {{"host", "pslab01.private-pg.psdb.cloud"}, {"address", "10.40.2.120"}, {"family", "ipv4"}}};
  checks.push_back(pgreach::testing::withSyntheticFacts(dns));
  engine::CheckResult tcp;
  tcp.id = "tcp.connect";
  tcp.stage = engine::Stage::Tcp;
  tcp.status = engine::Status::Fail;
  tcp.durationMs = 3001;
  tcp.summary = "2/4 open";
  tcp.findings.push_back(
      {"tcp.silently_dropped",
       engine::Severity::Critical,
       "2 of 4 address/port pair(s) did not answer: the SYN was silently dropped",
       {"10.40.2.120:6432 no reply within 3.0 s", "10.40.3.118:6432 no reply within 3.0 s"},
       "Allow TCP 6432 on the endpoint's security group."});
  tcp.findings.push_back({"tcp.open",
                          engine::Severity::Info,
                          "2 of 4 address/port pair(s) open",
                          {"10.40.2.120:5432 open in 0.4 ms"},
                          ""});
  checks.push_back(tcp);
  engine::CheckResult tls;
  tls.id = "tls.handshake";
  tls.stage = engine::Stage::Tls;
  tls.status = engine::Status::Skip;
  tls.summary = "blocked by tcp.connect (fail)";
  checks.push_back(tls);
  return reports::buildReport(*t, o, checks, "2026-01-02T03:04:05.678Z", 3012);
}

void compareGolden(const std::string& name, const std::string& actual) {
  const std::string path = std::string(PGREACH_SOURCE_DIR) + "/tests/golden/" + name;
  if (std::getenv("UPDATE_GOLDEN")) {
    std::ofstream(path) << actual;
    WARN("rewrote " << path);
    return;
  }
  std::ifstream in(path);
  INFO("golden file " << path << " (UPDATE_GOLDEN=1 regenerates it)");
  REQUIRE(in);
  std::stringstream expected;
  expected << in.rdbuf();
  CHECK(actual == expected.str());
}

}  // namespace

TEST_CASE("verdict, root cause and sections come from the results", "[unit][reports]") {
  auto r = sampleReport();
  CHECK(r.verdict == reports::Verdict::Critical);
  CHECK(reports::exitCode(r.verdict) == 2);
  REQUIRE(r.rootCause);
  CHECK(r.rootCause->stage == engine::Stage::Tcp);
  CHECK(r.rootCause->code == "tcp.silently_dropped");
  CHECK(r.target.ports == std::vector<uint16_t>{5432, 6432});
  CHECK(r.target.provider == "planetscale");
  CHECK(r.target.conninfo.find("golden-secret") == std::string::npos);
}

TEST_CASE("verdicts map to monitoring exit codes", "[unit][reports]") {
  using engine::Status;
  auto make = [](std::vector<Status> ss) {
    std::vector<engine::CheckResult> v;
    for (auto s : ss) {
      engine::CheckResult r;
      r.status = s;
      v.push_back(r);
    }
    return reports::computeVerdict(v);
  };
  CHECK(make({Status::Pass, Status::Skip}) == reports::Verdict::Ok);
  CHECK(make({Status::Pass, Status::Warn}) == reports::Verdict::Warning);
  CHECK(make({Status::Warn, Status::Fail, Status::Error}) == reports::Verdict::Critical);
  CHECK(make({Status::Pass, Status::Error}) == reports::Verdict::Unknown);
  CHECK(make({Status::Skip}) == reports::Verdict::Unknown);
  CHECK(reports::exitCode(reports::Verdict::Ok) == 0);
  CHECK(reports::exitCode(reports::Verdict::Warning) == 1);
  CHECK(reports::exitCode(reports::Verdict::Unknown) == 3);
}

TEST_CASE("renderers match their golden files", "[unit][reports]") {
  auto r = sampleReport();
  compareGolden("sample.txt", *reports::render(r, "text", {}));
  compareGolden("sample.md", *reports::render(r, "markdown", {}));
  compareGolden("sample.json", *reports::render(r, "json", {}));
  // Colour only when asked (the CLI asks only on a terminal).
  CHECK(reports::render(r, "text", {})->find("\033[") == std::string::npos);
  CHECK(reports::render(r, "text", {true})->find("\033[31m") != std::string::npos);
}

TEST_CASE("the JSON report carries every key of the contract", "[unit][reports]") {
  auto j = reports::toJson(sampleReport());
  for (const char* key : {"schema_version", "tool", "started_at", "duration_ms", "target", "verdict",
                          "root_cause", "checks", "sections"}) {
    CHECK(j.contains(key));
  }
  for (const char* key : {"host", "port", "ports", "provider", "dbname", "user", "conninfo"}) {
    CHECK(j["target"].contains(key));
  }
  for (const char* key : {"stage", "code", "summary", "fix"}) CHECK(j["root_cause"].contains(key));
  for (const auto& c : j["checks"]) {
    for (const char* key : {"id", "stage", "status", "duration_ms", "findings"}) CHECK(c.contains(key));
  }
  CHECK(j["target"]["conninfo"] ==
        "postgresql://app:<HIDDEN>@pslab01.private-pg.psdb.cloud:5432/appdb?sslmode=verify-full");
}
