// End to end: the real pgreach binary against a real PostgreSQL 15 on loopback.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>

#include "support/postgres.h"
#include "support/process.h"

using namespace pgreach::testing;
using nlohmann::json;

namespace {
ProcessResult runPgreach(std::vector<std::string> args) {
  args.insert(args.begin(), pgreachBinary());
  return runProcess(args, std::chrono::seconds(60));
}
const json* findCheck(const json& report, const std::string& id) {
  for (const auto& c : report["checks"]) {
    if (c["id"] == id) return &c;
  }
  return nullptr;
}
// The scheduler marks a finding code its check does not declare with engine.undeclared_code.
void checkCodesDeclared(const json& report) {
  for (const auto& c : report["checks"]) {
    for (const auto& f : c["findings"]) CHECK(f["code"] != "engine.undeclared_code");
  }
}
}  // namespace

TEST_CASE("diagnose a real PostgreSQL on loopback: exit 0, tcp.connect passes", "[integration]") {
  LocalPostgres pg;
  auto r = runPgreach(
      {"diagnose",
       "host=127.0.0.1 port=" + std::to_string(pg.port()) + " user=app dbname=appdb sslmode=disable",
       "--format", "json", "--only", "tcp", "--timeout", "2s"});
  INFO(r.out << r.err);
  REQUIRE(r.exitCode == 0);
  auto report = json::parse(r.out);
  checkCodesDeclared(report);
  CHECK(report["verdict"] == "ok");
  CHECK(report["root_cause"].is_null());
  const json* tcp = findCheck(report, "tcp.connect");
  REQUIRE(tcp);
  CHECK((*tcp)["status"] == "pass");
  CHECK((*tcp)["data"]["probes"][0]["outcome"] == "open");
}

TEST_CASE("diagnose a closed loopback port: exit 2, root cause tcp refused", "[integration]") {
  const uint16_t closed = freeLoopbackPort();
  auto r = runPgreach({"diagnose", "postgresql://app@127.0.0.1:" + std::to_string(closed) + "/appdb",
                       "--format", "json", "--only", "tcp", "--timeout", "2s"});
  INFO(r.out << r.err);
  REQUIRE(r.exitCode == 2);
  auto report = json::parse(r.out);
  checkCodesDeclared(report);
  CHECK(report["verdict"] == "critical");
  CHECK(report["root_cause"]["stage"] == "tcp");
  CHECK(report["root_cause"]["code"] == "tcp.refused");
}

TEST_CASE("a password in the target appears in no output of any format", "[integration][redaction]") {
  const std::string secret = "Sup3r-Secret-Passw0rd";
  const uint16_t closed = freeLoopbackPort();
  const std::vector<std::string> targets = {
      "postgresql://app:" + secret + "@127.0.0.1:" + std::to_string(closed) + "/appdb?sslmode=require",
      "host=127.0.0.1 port=" + std::to_string(closed) + " user=app password=" + secret,
      "host=127.0.0.1 port=" + std::to_string(closed) + " password=" + secret + " colour=bad",  // malformed
  };
  for (const auto& t : targets) {
    for (const char* format : {"text", "json", "markdown"}) {
      auto r = runPgreach({"diagnose", t, "--format", format, "-v", "--timeout", "1s"});
      INFO(format << ": " << r.out << r.err);
      CHECK(r.exitCode != -1);
      CHECK(r.out.find(secret) == std::string::npos);
      CHECK(r.err.find(secret) == std::string::npos);
    }
  }
}

TEST_CASE("bad input: one clear line on stderr and exit 3", "[integration]") {
  struct Case {
    std::vector<std::string> args;
    std::string mention;
  };
  const std::vector<Case> cases = {
      {{"diagnose", "host=x colour=blue"}, "malformed connection string"},
      {{"diagnose", "postgresql://h:99999999/db"}, "connection string"},
      {{"diagnose", "host=x", "--bogus-option"}, "bogus-option"},
      {{"diagnose", "host=x", "--config", "/nonexistent/pgreach.ini"}, "/nonexistent/pgreach.ini"},
      {{"diagnose", "host=x", "--timeout", "soon"}, "--timeout"},
      {{"diagnose", "host=x", "--ports", "70000"}, "--ports"},
      {{"diagnose", "host=x", "--vpc-cidr", "10.0.0.0/99"}, "--vpc-cidr"},
      {{"diagnose", "host=x", "--format", "pdf"}, "--format"},
      {{"diagnose", "host=x", "--provider", "oracle"}, "--provider"},
      {{"diagnose", "host=x", "--only", "nosuchcheck"}, "nosuchcheck"},
      {{"frobnicate"}, "unknown command"},
  };
  for (const auto& c : cases) {
    auto r = runPgreach(c.args);
    INFO(c.args.back() << " -> " << r.err);
    CHECK(r.exitCode == 3);
    CHECK(r.out.empty());
    CHECK(r.err.find(c.mention) != std::string::npos);
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  }
}

TEST_CASE("--output writes the report atomically; --config supplies options", "[integration]") {
  char tmpl[] = "/tmp/pgreach-it-out-XXXXXX";
  REQUIRE(::mkdtemp(tmpl));
  const std::string dir = tmpl;
  const uint16_t closed = freeLoopbackPort();
  {
    std::ofstream ini(dir + "/pgreach.ini");
    ini << "# cron has no PG* environment: everything is explicit\n"
        << "conninfo = host=127.0.0.1 port=" << closed << " user=app\n"
        << "format = json\n"
        << "timeout = 1s\n"
        << "only = tcp\n";
  }
  auto r = runPgreach({"diagnose", "--config", dir + "/pgreach.ini", "--output", dir + "/report.json"});
  INFO(r.err);
  CHECK(r.exitCode == 2);
  CHECK(r.out.empty());
  std::ifstream in(dir + "/report.json");
  REQUIRE(in);
  auto report = json::parse(in);
  CHECK(report["root_cause"]["code"] == "tcp.refused");
  CHECK(report["schema_version"] == 2);
  runProcess({"rm", "-rf", dir}, std::chrono::seconds(5));
}

TEST_CASE("pgreach checks lists every registered check, also as JSON", "[integration]") {
  auto text = runPgreach({"checks"});
  CHECK(text.exitCode == 0);
  CHECK(text.out.find("tcp.connect") != std::string::npos);
  auto js = runPgreach({"checks", "--json"});
  REQUIRE(js.exitCode == 0);
  auto list = json::parse(js.out);
  bool found = false;
  for (const auto& c : list) {
    if (c["id"] == "tcp.connect") {
      found = true;
      CHECK(c["stage"] == "tcp");
      CHECK(c["depends_on"] == json::array({"dns.resolve"}));
    }
    // Each check lists the codes it can emit.
    REQUIRE(c["codes"].is_array());
    CHECK_FALSE(c["codes"].empty());
    for (const auto& code : c["codes"]) {
      CHECK(code["code"].get<std::string>().find('.') != std::string::npos);
      CHECK_FALSE(code["title"].get<std::string>().empty());
    }
  }
  CHECK(found);
  auto help = runPgreach({"--help"});
  CHECK(help.exitCode == 0);
  CHECK(help.out.find("Exit codes") != std::string::npos);
  auto version = runPgreach({"--version"});
  CHECK(version.out.rfind("pgreach ", 0) == 0);
}
