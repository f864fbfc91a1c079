// The "done when" test of issue 20: pgreach serve in the lab's client namespace, a real
// Prometheus (Debian's) beside it on that namespace's loopback scraping /probe with the
// relabelling pattern, and the series read back from Prometheus's own HTTP API.
// Both processes are ended and the folder removed whichever way the test ends.
#include <signal.h>

#include <catch2/catch.hpp>
#include <map>
#include <nlohmann/json.hpp>
#include <thread>

#include "support/background.h"
#include "support/lab.h"
#include "support/temp_dir.h"

using namespace pgreach;
using namespace std::chrono_literals;

namespace {

// GET on the client namespace's loopback (the test itself lives in the root namespace).
std::string getInClient(const std::string& url) {
  auto r = testing::runInClient({"curl", "-sS", "--max-time", "3", "--noproxy", "*", url}, 10s);
  return r.exitCode == 0 ? r.out : std::string();
}

// The samples of `query` as name label -> value.
std::map<std::string, std::string> promQuery(const std::string& query) {
  std::map<std::string, std::string> out;
  auto j = nlohmann::json::parse(getInClient("http://127.0.0.1:19090/api/v1/query?query=" + query), nullptr,
                                 false);
  if (j.is_discarded() || j["status"] != "success") return out;
  for (const auto& s : j["data"]["result"]) {
    const std::string key = s["metric"].contains("name") ? s["metric"]["name"].get<std::string>()
                                                         : s["metric"].value("instance", "");
    out[key] = s["value"][1].get<std::string>();
  }
  return out;
}

// `query` once Prometheus holds at least `atLeast` series for it: the exporter's own job and
// the probe job are scraped on their own schedules, so one having data says nothing of the
// other (CI's ASan run asked for the exporter's series right after the probes' and got none).
// Bounded: 20 tries, 500 ms apart.
std::map<std::string, std::string> promQueryEventually(const std::string& query, size_t atLeast = 1) {
  std::map<std::string, std::string> out;
  for (int i = 0; i < 20; ++i) {
    out = promQuery(query);
    if (out.size() >= atLeast) break;
    std::this_thread::sleep_for(500ms);
  }
  return out;
}

}  // namespace

TEST_CASE("lab: Prometheus scrapes pgreach serve with the /probe pattern", "[lab][serve]") {
  testing::labScenario("healthy");
  testing::TempDir dir("pgreach-serve-lab");
  const std::string password = testing::labEnv("LAB_PASSWORD");
  REQUIRE_FALSE(password.empty());
  const std::string common = "user=app password=" + password +
                             " dbname=appdb sslmode=verify-full sslrootcert=" + testing::labEnv("LAB_CA");
  dir.write("fleet.ini",
            "timeout = 1s\nvpc-cidr = 10.40.0.0/16\n"
            "[target.neon]\nconninfo = host=" +
                testing::labEnv("LAB_HOST_NEON") + " " + common + "\n[target.closed]\nconninfo = host=" +
                testing::labEnv("LAB_HOST_NEON") + " port=5999 " + common + "\n");
  dir.write("prometheus.yml",
            "global:\n  scrape_interval: 2s\n  scrape_timeout: 2s\n"
            "scrape_configs:\n"
            "  - job_name: pgreach\n    metrics_path: /probe\n"
            "    static_configs:\n      - targets: [neon, closed]\n"
            "    relabel_configs:\n"
            "      - source_labels: [__address__]\n        target_label: __param_target\n"
            "      - source_labels: [__param_target]\n        target_label: instance\n"
            "      - target_label: __address__\n        replacement: 127.0.0.1:19187\n"
            "  - job_name: pgreach-exporter\n    static_configs:\n      - targets: ['127.0.0.1:19187']\n");
  const std::string ns = testing::clientNamespace();
  testing::Background serve(
      {"ip", "netns", "exec", ns, testing::pgreachBinary(), "serve", "--config",
       (dir.path / "fleet.ini").string(), "--listen", "127.0.0.1:19187", "--min-interval", "1s"},
      (dir.path / "serve.log").string());
  testing::Background prometheus(
      {"ip", "netns", "exec", ns, "prometheus", "--config.file=" + (dir.path / "prometheus.yml").string(),
       "--storage.tsdb.path=" + (dir.path / "data").string(), "--web.listen-address=127.0.0.1:19090",
       "--log.level=warn"},
      (dir.path / "prometheus.log").string());
  std::map<std::string, std::string> success;
  for (int i = 0; i < 60 && success.size() < 2; ++i) {
    success = promQuery("probe_success");
    if (success.size() < 2) std::this_thread::sleep_for(500ms);
  }
  INFO("serve log:\n" << serve.log() << "\nprometheus log:\n" << prometheus.log());
  REQUIRE(success.size() == 2);
  CHECK(success["neon"] == "1");
  CHECK(success["closed"] == "0");
  auto verdict = promQueryEventually("pgreach_verdict", 2);
  CHECK(verdict["neon"] == "0");
  CHECK(verdict["closed"] == "2");
  CHECK(promQuery("pgreach_check_status%7Bcheck%3D%22tls.handshake%22%7D")["neon"] == "0");
  CHECK(promQueryEventually("probe_duration_seconds", 2).size() == 2);
  CHECK_FALSE(promQueryEventually("pgreach_tls_cert_expiry_timestamp_seconds")["neon"].empty());
  CHECK(promQueryEventually("pgreach_serve_probes_total").size() == 1);
  // Why "closed" is down, as a series Prometheus stored: its root cause, on the TCP hop, by
  // a declared finding code; the healthy target has none, only findings.
  auto cause =
      promQueryEventually("pgreach_root_cause%7Bstage%3D%22tcp%22%2Ccode%3D~%22tcp%5C%5C..%2B%22%7D");
  CHECK(cause["closed"] == "1");
  CHECK(promQuery("pgreach_root_cause").count("neon") == 0);
  CHECK(promQueryEventually("pgreach_finding", 2).count("neon") == 1);
  // Everything Prometheus stored from the exporter, and the exporter's own answers, are free of the password.
  CHECK(
      getInClient("http://127.0.0.1:19090/api/v1/query?query=%7Bjob%3D~%22pgreach.*%22%7D").find(password) ==
      std::string::npos);
  CHECK(getInClient("http://127.0.0.1:19187/report?target=neon&format=json").find(password) ==
        std::string::npos);
  serve.signal(SIGTERM);
  CHECK(serve.wait(15s) == 0);
  CHECK(serve.log().find(password) == std::string::npos);
}
