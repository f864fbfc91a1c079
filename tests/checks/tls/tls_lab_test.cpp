// [lab] The TLS and Postgres stages against the lab's real PostgreSQL 15 and PgBouncer:
// each scenario's root cause (stage/code) from the JSON report, as the lab's scenario
// table says (tests/support/lab_scenarios.h).
#include <unistd.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "support/lab.h"
#include "support/lab_scenarios.h"

using namespace pgreach::testing;

namespace {

nlohmann::json runJson(const std::vector<std::string>& args, ProcessResult* out = nullptr) {
  std::vector<std::string> all = {"diagnose"};
  all.insert(all.end(), args.begin(), args.end());
  all.insert(all.end(), {"--format", "json"});
  auto r = pgreachInClient(all);
  INFO(r.err);
  REQUIRE_FALSE(r.timedOut);
  if (out) *out = r;
  return nlohmann::json::parse(r.out);
}

void expectRootCause(const std::string& scenario, const std::vector<std::string>& extra = {}) {
  const std::string stage = expectedStage(scenario);
  const std::string code = expectedCode(scenario);
  labScenario(scenario);
  std::vector<std::string> args = {labConninfo(labEnv("LAB_HOST_NEON"))};
  args.insert(args.end(), extra.begin(), extra.end());
  auto report = runJson(args);
  INFO(scenario << ": " << report["root_cause"].dump());
  REQUIRE(report["root_cause"].is_object());
  CHECK(report["root_cause"]["stage"] == stage);
  CHECK(report["root_cause"]["code"] == code);
}

}  // namespace

TEST_CASE("lab healthy: TLS verified, PostgreSQL answers, verdict ok", "[lab]") {
  labScenario("healthy");
  auto report = runJson({labConninfo(labEnv("LAB_HOST_NEON"))});
  CHECK(report["root_cause"].is_null());
  const auto& hs = reportCheck(report, "tls.handshake");
  CHECK(hs["status"] == "pass");
  REQUIRE(hs["data"]["probes"].size() == 4);  // 2 IPv4 + 2 IPv6 addresses (the lab is dual-stack)
  const auto& p = hs["data"]["probes"][0];
  CHECK(p["protocol"] == "TLSv1.3");
  CHECK(p["host_matches"] == true);
  CHECK(p["sni"] == labEnv("LAB_HOST_NEON"));
  CHECK(p["chain"][0]["sha256"].get<std::string>().size() == 95);
  CHECK(p["days_until_expiry"].get<int>() > 21);
  const auto& st = reportCheck(report, "pg.startup");
  CHECK(st["status"] == "pass");
  CHECK(st["data"]["probes"][0]["responder"] == "postgresql");
  CHECK(st["data"]["probes"][0]["auth_method"].get<std::string>().find("SCRAM-SHA-256") != std::string::npos);
  CHECK(reportCheck(report, "tls.direct")["data"]["probes"][0]["direct_tls"] == "unsupported");
}

TEST_CASE("lab healthy: PgBouncer on 6432 and 5433 is recognised", "[lab]") {
  labScenario("healthy");
  auto report = runJson(
      {"host=" + labEnv("LAB_HOST_NEON") + " user=app dbname=appdb sslmode=prefer", "--ports", "6432,5433"});
  const auto& st = reportCheck(report, "pg.startup");
  REQUIRE(st["data"]["probes"].size() == 8);  // 4 addresses (2 per family) × 2 ports
  for (const auto& p : st["data"]["probes"]) {
    CHECK(p["responder"] == "pgbouncer");
    CHECK(p["tls"] == true);
  }
  bool recognised = false;
  for (const auto& f : st["findings"]) recognised = recognised || f["code"] == "pg.pgbouncer_answered";
  CHECK(recognised);
  // The lab's PgBouncers speak TLS, like the providers' poolers.
  CHECK(reportCheck(report, "tls.sslrequest")["status"] == "pass");
}

TEST_CASE("lab healthy: login with libpq and a timed SELECT 1", "[lab]") {
  labScenario("healthy");
  auto report = runJson({"postgresql://app:" + labEnv("LAB_PASSWORD") + "@" + labEnv("LAB_HOST_NEON") +
                         "/appdb?sslmode=verify-full&sslrootcert=" + labEnv("LAB_CA")});
  CHECK(report["root_cause"].is_null());
  const auto& c = reportCheck(report, "pg.connect");
  CHECK(c["status"] == "pass");
  CHECK(c["data"]["tls"] == true);
  CHECK(c["data"]["server_version"].get<std::string>().rfind("15.", 0) == 0);
  CHECK(c["data"]["select1_ms"].get<double>() >= 0.0);
}

TEST_CASE("lab tls-expired: the table's root cause", "[lab]") { expectRootCause("tls-expired"); }
TEST_CASE("lab tls-wrong-host: the table's root cause", "[lab]") { expectRootCause("tls-wrong-host"); }
TEST_CASE("lab tls-self-signed: the table's root cause", "[lab]") { expectRootCause("tls-self-signed"); }
TEST_CASE("lab tls-off: the table's root cause", "[lab]") { expectRootCause("tls-off"); }
TEST_CASE("lab tls-not-yet-valid: the table's root cause", "[lab]") { expectRootCause("tls-not-yet-valid"); }
TEST_CASE("lab no-hba: the table's root cause, found without a password", "[lab]") {
  expectRootCause("no-hba");
}

TEST_CASE("lab auth-failed → postgres/pg.auth_failed", "[lab]") {
  labScenario("auth-failed");
  auto report = runJson({"postgresql://app:" + labEnv("LAB_PASSWORD") + "@" + labEnv("LAB_HOST_NEON") +
                         "/appdb?sslmode=verify-full&sslrootcert=" + labEnv("LAB_CA")});
  REQUIRE(report["root_cause"].is_object());
  CHECK(report["root_cause"]["stage"] == "postgres");
  CHECK(report["root_cause"]["code"] == "pg.auth_failed");
}

TEST_CASE("lab tarpit → tls/tls.no_response within the timeout", "[lab]") {
  labScenario("tarpit");
  ProcessResult r;
  auto report = runJson({labConninfo(labEnv("LAB_HOST_NEON")), "--ports", "5433", "--timeout", "2s"}, &r);
  REQUIRE(report["root_cause"].is_object());
  CHECK(report["root_cause"]["stage"] == "tls");
  CHECK(report["root_cause"]["code"] == "tls.no_response");
  CHECK(r.elapsed <= std::chrono::milliseconds(3000));  // timeout + 1 s
}

TEST_CASE("lab mtu-blackhole → tls.path_mtu_blackhole, proven by a smaller MSS, with the largest that worked",
          "[lab]") {
  labScenario("mtu-blackhole");
  auto report = runJson({labConninfo(labEnv("LAB_HOST_NEON")), "--ports", "5432", "--timeout", "2s"});
  labScenario("healthy");
  INFO(report["root_cause"].dump());
  REQUIRE(report["root_cause"].is_object());
  CHECK(report["root_cause"]["stage"] == expectedStage("mtu-blackhole"));
  CHECK(report["root_cause"]["code"] == expectedCode("mtu-blackhole"));
  // 1200 + 40 fits the hop's 1240 bytes, 1360 + 40 does not.
  const std::string evidence = reportCheck(report, "tls.handshake")["findings"].dump();
  CHECK(evidence.find("largest MSS that worked: 1200") != std::string::npos);
  CHECK(evidence.find("MSS 1360: stalled too") != std::string::npos);
  // TCP and SSLRequest pass: the fault is not named at an earlier stage.
  CHECK(reportCheck(report, "tcp.connect")["status"] == "pass");
}

TEST_CASE("lab: channel_binding=require through the real PgBouncer names the pooler, not the password",
          "[lab]") {
  labScenario("healthy");
  auto report = runJson({labConninfo(labEnv("LAB_HOST_PLANETSCALE"),
                                     "port=6432 channel_binding=require password=" + labEnv("LAB_PASSWORD")),
                         "--ports", "6432"});
  INFO(report["root_cause"].dump());
  REQUIRE(report["root_cause"].is_object());
  CHECK(report["root_cause"]["code"] == "pg.channel_binding_unsupported");
  // libpq's own words, as the application would print them, are the evidence.
  CHECK(reportCheck(report, "pg.connect")["findings"].dump().find(
            "channel binding is required, but server did not offer") != std::string::npos);
}

TEST_CASE("lab auth-failed: the password never appears in any output", "[lab]") {
  labScenario("auth-failed");
  const std::string secret = "pl-Sekr3t-" + std::to_string(::getpid());
  for (const std::string& password : std::vector<std::string>{labEnv("LAB_PASSWORD"), secret}) {
    const std::string uri = "postgresql://app:" + password + "@" + labEnv("LAB_HOST_NEON") +
                            "/appdb?sslmode=verify-full&sslrootcert=" + labEnv("LAB_CA");
    for (const char* format : {"text", "json", "markdown"}) {
      auto r = pgreachInClient({"diagnose", uri, "--format", format, "-v"});
      INFO(format);
      REQUIRE_FALSE(r.timedOut);
      CHECK(r.exitCode == 2);
      CHECK(r.out.find("pg.auth_failed") != std::string::npos);
      CHECK(r.out.find(password) == std::string::npos);
      CHECK(r.err.find(password) == std::string::npos);
    }
  }
}

TEST_CASE("lab healthy with sslnegotiation=direct: PostgreSQL 15 refuses direct TLS, libpq 15 cannot do it",
          "[lab]") {
  labScenario("healthy");
  auto report = runJson({"postgresql://app:" + labEnv("LAB_PASSWORD") + "@" + labEnv("LAB_HOST_NEON") +
                         "/appdb?sslmode=verify-full&sslnegotiation=direct&sslrootcert=" + labEnv("LAB_CA")});
  REQUIRE(report["root_cause"].is_object());
  CHECK(report["root_cause"]["code"] == "tls.direct_unsupported");
  const auto& direct = reportCheck(report, "tls.direct");
  CHECK(direct["status"] == "fail");
  CHECK(direct["data"]["direct_tls_requested"] == true);
  const auto& connect = reportCheck(report, "pg.connect");
  CHECK(connect["status"] == "pass");  // libpq fell back to SSLRequest
  bool noted = false;
  for (const auto& f : connect["findings"]) noted = noted || f["code"] == "pg.libpq_no_direct_tls";
  CHECK(noted);
}
