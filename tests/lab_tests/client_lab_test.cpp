// [lab] The client-side checks against the lab: the application's libpq stated too old for
// the Neon proxy (issue 18's "client too old" scenario, emulated with --client-libpq since
// the lab's only libpq is 15), the client namespace's keepalives (net.ipv4.tcp_keepalive_time
// = 60, set by lab.sh) against the path's idle timeout, and Azure's three roots in the lab's
// CA bundle. Each is also turned the other way, so the healthy run is not OK by accident.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "support/lab.h"

using namespace pgreach::testing;

namespace {

nlohmann::json diagnoseJson(const std::vector<std::string>& args, int* exitCode = nullptr) {
  std::vector<std::string> all = {"diagnose"};
  all.insert(all.end(), args.begin(), args.end());
  all.insert(all.end(), {"--format", "json", "--skip", "cloud"});
  auto r = pgreachInClient(all);
  INFO(r.err);
  REQUIRE_FALSE(r.timedOut);
  if (exitCode) *exitCode = r.exitCode;
  return nlohmann::json::parse(r.out);
}

}  // namespace

TEST_CASE("lab client too old: --client-libpq 13 against the Neon name is the root cause, with both fixes",
          "[lab][client]") {
  labScenario("healthy");
  int exitCode = -1;
  auto report = diagnoseJson({labConninfo(labEnv("LAB_HOST_NEON")), "--client-libpq", "13"}, &exitCode);
  INFO(report["root_cause"].dump());
  CHECK(exitCode == 2);
  REQUIRE(report["root_cause"].is_object());
  CHECK(report["root_cause"]["code"] == "pg.client_libpq_too_old");
  const std::string fix = report["root_cause"]["fix"];
  CHECK(fix.find("14 or later") != std::string::npos);
  CHECK(fix.find("options=endpoint%3D") != std::string::npos);
  // The same run with the application's libpq 16 is OK, and pg.client says why.
  auto ok = diagnoseJson({labConninfo(labEnv("LAB_HOST_NEON")), "--client-libpq", "16"}, &exitCode);
  CHECK(exitCode == 0);
  CHECK(reportCheck(ok, "pg.client")["state"] == "passed");
}

TEST_CASE(
    "lab keepalives: the client namespace's 60 s passes, keepalives_idle=400 warns with the 350 s figure",
    "[lab][client]") {
  labScenario("healthy");
  auto report = diagnoseJson({labConninfo(labEnv("LAB_HOST_NEON"))});
  const auto& ka = reportCheck(report, "tcp.keepalive");
  CHECK(ka["state"] == "passed");
  CHECK(ka["summary"].get<std::string>().find("60 s") != std::string::npos);
  int exitCode = -1;
  auto warned = diagnoseJson({labConninfo(labEnv("LAB_HOST_NEON"), "keepalives_idle=400")}, &exitCode);
  CHECK(exitCode == 1);
  CHECK(warned["verdict"] == "warning");
  const auto& w = reportCheck(warned, "tcp.keepalive");
  REQUIRE(w["findings"].size() == 1);
  CHECK(w["findings"][0]["code"] == "tcp.keepalive_after_idle_timeout");
  CHECK(w["findings"][0].dump().find("350") != std::string::npos);
}

TEST_CASE("lab Azure trust store: the lab bundle holds Azure's three roots; the bare lab CA lacks them",
          "[lab][client]") {
  labScenario("healthy");
  auto report = diagnoseJson({labConninfo(labEnv("LAB_HOST_AZURE"))});
  CHECK(reportCheck(report, "tls.trust_store")["state"] == "passed");
  CHECK(reportCheck(report, "tls.handshake")["state"] == "passed");
  // The lab CA alone (the first certificate of the bundle) verifies today's chain, and
  // lacks the roots Azure rotates to: tls.handshake passes, tls.trust_store warns.
  std::string bare = labEnv("LAB_CA");
  bare = bare.substr(0, bare.rfind('/')) + "/ca.crt";
  auto warned = diagnoseJson({"host=" + labEnv("LAB_HOST_AZURE") + " user=" + labEnv("LAB_USER") +
                              " dbname=" + labEnv("LAB_DB") + " sslmode=verify-full sslrootcert=" + bare});
  CHECK(reportCheck(warned, "tls.handshake")["state"] == "passed");
  const auto& ts = reportCheck(warned, "tls.trust_store");
  REQUIRE(ts["findings"].size() == 1);
  CHECK(ts["findings"][0]["code"] == "tls.trust_store_missing_root");
  CHECK(warned["verdict"] == "warning");
}
