// pgreach serve as a real process on loopback: unconfigured targets, result reuse, the
// reports, an oversize request, a slow client, a reload with errors, basic auth, TLS,
// SIGTERM, and the target's password nowhere in what it answers or logs. Targets are
// 127.0.0.1 ports nothing listens on: no traffic leaves the machine.
#include <crypt.h>
#include <signal.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <thread>

#include "support/background.h"
#include "support/postgres.h"
#include "support/process.h"
#include "support/temp_dir.h"
#include "support/test_certs.h"

using namespace pgreach;
using namespace std::chrono_literals;

namespace {

constexpr const char* kSecret = "Serve-Secret-pw-8731";

std::string base64(const std::string& in) {
  static const char* t = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const unsigned v = (static_cast<unsigned char>(in[i]) << 16) |
                       (static_cast<unsigned char>(in[i + 1]) << 8) | static_cast<unsigned char>(in[i + 2]);
    out += {t[v >> 18], t[(v >> 12) & 63], t[(v >> 6) & 63], t[v & 63]};
  }
  if (i + 1 == in.size()) {
    const unsigned v = static_cast<unsigned char>(in[i]) << 16;
    out += {t[v >> 18], t[(v >> 12) & 63], '=', '='};
  } else if (i + 2 == in.size()) {
    const unsigned v =
        (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8);
    out += {t[v >> 18], t[(v >> 12) & 63], t[(v >> 6) & 63], '='};
  }
  return out;
}

std::string fleet(const std::vector<std::string>& names) {
  std::string ini = "timeout = 1s\ndeadline = 5s\n";
  int port = 1;
  for (const auto& n : names) {
    ini += "[target." + n + "]\nconninfo = host=127.0.0.1 port=" + std::to_string(port++) +
           " user=app dbname=appdb password=" + kSecret + " sslmode=disable\n";
  }
  return ini;
}

// Polls /metrics until `needle` appears (bounded).
bool metricsShow(uint16_t port, const std::string& needle, const std::vector<std::string>& headers = {}) {
  for (int i = 0; i < 100; ++i) {
    if (testing::httpGet(port, "/metrics", headers, 2s).body.find(needle) != std::string::npos) return true;
    std::this_thread::sleep_for(50ms);
  }
  return false;
}

}  // namespace

TEST_CASE("serve: probes only configured targets, reuses results, survives bad requests and reloads",
          "[integration][serve]") {
  testing::TempDir dir("pgreach-serve");
  dir.write("fleet.ini", fleet({"refused"}));
  const uint16_t port = testing::freeLoopbackPort();
  testing::Background serve(
      {testing::pgreachBinary(), "serve", "--config", (dir.path / "fleet.ini").string(), "--listen",
       "127.0.0.1:" + std::to_string(port), "--min-interval", "60s", "--client-timeout", "1s"},
      (dir.path / "serve.log").string());
  REQUIRE(testing::waitHealthy(port, 10s));
  INFO(serve.log());
  CHECK(testing::httpGet(port, "/-/ready").status == 200);

  // No SSRF: a name the config does not hold is refused and nothing is probed.
  auto unknown = testing::httpGet(port, "/probe?target=evil.example.com");
  CHECK(unknown.status == 404);
  CHECK(unknown.body.find("only runs the [target.NAME] sections") != std::string::npos);
  CHECK(testing::httpGet(port, "/probe").status == 400);
  CHECK(testing::httpGet(port, "/probe?target=nope").body.find("\"nope\"") != std::string::npos);
  CHECK(testing::httpGet(port, "/metrics").body.find("pgreach_serve_probes_total 0\n") != std::string::npos);
  CHECK(testing::httpGet(port, "/report?target=refused").status == 404);  // no probe yet

  auto probe = testing::httpGet(port, "/probe?target=refused");
  REQUIRE(probe.status == 200);
  CHECK(probe.headers.find("text/plain; version=0.0.4") != std::string::npos);
  CHECK(probe.body.find("\nprobe_success 0\n") != std::string::npos);
  CHECK(probe.body.find("probe_duration_seconds ") != std::string::npos);
  CHECK(probe.body.find("pgreach_up{target=\"127.0.0.1\",name=\"refused\",port=\"1\"") != std::string::npos);
  CHECK(probe.body.find("pgreach_verdict{") != std::string::npos);
  // A scrape storm reuses the result: still one probe.
  for (int i = 0; i < 5; ++i) CHECK(testing::httpGet(port, "/probe?target=refused").body == probe.body);
  auto metrics = testing::httpGet(port, "/metrics").body;
  CHECK(metrics.find("pgreach_serve_probes_total 1\n") != std::string::npos);
  CHECK(metrics.find("pgreach_serve_probe_reused_total 5\n") != std::string::npos);
  CHECK(metrics.find("pgreach_serve_build_info{version=") != std::string::npos);
  CHECK(metrics.find("process_open_fds ") != std::string::npos);

  auto json = testing::httpGet(port, "/report?target=refused&format=json");
  REQUIRE(json.status == 200);
  auto j = nlohmann::json::parse(json.body, nullptr, false);
  REQUIRE_FALSE(j.is_discarded());
  CHECK(j["verdict"] == "critical");
  auto html = testing::httpGet(port, "/report?target=refused&format=html");
  CHECK(html.status == 200);
  CHECK(html.headers.find("text/html") != std::string::npos);
  auto md = testing::httpGet(port, "/report?target=refused&format=markdown");
  CHECK(md.status == 200);
  CHECK(testing::httpGet(port, "/report?target=refused&format=exe").status == 400);
  CHECK(testing::httpRaw(port,
                         "POST /probe?target=refused HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc", 5s)
            .status == 405);

  // An oversize request (64 KiB of headers) is refused, and the server goes on.
  auto big = testing::httpGet(port, "/-/healthy", {"X-Big: " + std::string(64 * 1024, 'a')});
  CHECK((big.status == 431 || big.status == 413 || big.status == 414));
  auto longUrl = testing::httpGet(port, "/probe?target=" + std::string(40 * 1024, 'b'));
  CHECK((longUrl.status == 414 || longUrl.status == 431 || longUrl.status == 413));

  // A slow client (half a request, then silence) is disconnected after --client-timeout
  // while other clients are served.
  {
    std::thread slow([&] {
      const auto start = std::chrono::steady_clock::now();
      auto r = testing::httpRaw(port, "GET /-/healthy HTTP/1.1\r\nHost: x\r\n", 8s);
      const auto took = std::chrono::steady_clock::now() - start;
      CHECK(r.status == 0);
      CHECK(took < 6s);  // closed by the server, not by our 8 s limit
    });
    std::this_thread::sleep_for(200ms);
    CHECK(testing::httpGet(port, "/-/healthy", {}, 2s).status == 200);
    slow.join();
  }

  // A reload with errors keeps the running config and says why.
  dir.write("fleet.ini", "[target.refused]\nconninfo = host=127.0.0.1 password=" + std::string(kSecret) +
                             "\nno-such-option = 1\n");
  serve.signal(SIGHUP);
  CHECK(metricsShow(port, "pgreach_serve_config_reloads_total{result=\"failure\"} 1"));
  CHECK(metricsShow(port, "pgreach_serve_config_last_reload_successful 0"));
  CHECK(testing::httpGet(port, "/probe?target=refused").status == 200);
  // A good one replaces it.
  dir.write("fleet.ini", fleet({"refused", "second"}));
  serve.signal(SIGHUP);
  CHECK(metricsShow(port, "pgreach_serve_config_reloads_total{result=\"success\"} 1"));
  CHECK(metricsShow(port, "pgreach_serve_targets 2"));
  CHECK(testing::httpGet(port, "/probe?target=second").status == 200);

  // Nothing the server says or logs holds the password.
  for (const auto* path :
       {"/metrics", "/probe?target=refused", "/probe?target=second", "/report?target=refused&format=json",
        "/report?target=refused&format=html", "/report?target=refused&format=markdown"}) {
    INFO(path);
    CHECK(testing::httpGet(port, path).body.find(kSecret) == std::string::npos);
  }

  serve.signal(SIGTERM);
  CHECK(serve.wait(15s) == 0);
  const std::string log = serve.log();
  CHECK(log.find("reload refused") != std::string::npos);
  CHECK(log.find("no-such-option") != std::string::npos);
  CHECK(log.find("stopped") != std::string::npos);
  CHECK(log.find(kSecret) == std::string::npos);
}

TEST_CASE("serve: basic auth from web.yml, TLS, and a web config with errors", "[integration][serve]") {
  testing::TempDir dir("pgreach-serve");
  dir.write("fleet.ini", fleet({"refused"}));
  char salt[CRYPT_GENSALT_OUTPUT_SIZE];
  REQUIRE(crypt_gensalt_rn("$2y$", 5, nullptr, 0, salt, sizeof salt) != nullptr);
  crypt_data data{};
  const std::string hash = crypt_rn("right-pass", salt, &data, sizeof data);
  auto key =
      testing::runProcess({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                           "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1", "-keyout",
                           (dir.path / "tls.key").string(), "-out", (dir.path / "tls.crt").string()},
                          20s);
  REQUIRE(key.exitCode == 0);

  SECTION("basic auth") {
    dir.write("web.yml", "basic_auth_users:\n  prometheus: " + hash + "\n");
    const uint16_t port = testing::freeLoopbackPort();
    testing::Background serve(
        {testing::pgreachBinary(), "serve", "--config", (dir.path / "fleet.ini").string(), "--listen",
         "127.0.0.1:" + std::to_string(port), "--web-config", (dir.path / "web.yml").string()},
        (dir.path / "serve.log").string());
    REQUIRE(testing::waitHealthy(port, 10s));  // liveness stays open (for a supervisor)
    INFO(serve.log());
    auto none = testing::httpGet(port, "/metrics");
    CHECK(none.status == 401);
    CHECK(none.headers.find("WWW-Authenticate: Basic realm=\"pgreach\"") != std::string::npos);
    CHECK(testing::httpGet(port, "/metrics", {"Authorization: Basic " + base64("prometheus:wrong")}).status ==
          401);
    CHECK(
        testing::httpGet(port, "/metrics", {"Authorization: Basic " + base64("nobody:right-pass")}).status ==
        401);
    CHECK(testing::httpGet(port, "/probe?target=refused").status == 401);
    const std::string good = "Authorization: Basic " + base64("prometheus:right-pass");
    CHECK(testing::httpGet(port, "/metrics", {good}).status == 200);
    CHECK(testing::httpGet(port, "/probe?target=refused", {good}).status == 200);
    serve.signal(SIGTERM);
    CHECK(serve.wait(15s) == 0);
    CHECK(serve.log().find("right-pass") == std::string::npos);
  }
  SECTION("TLS") {
    dir.write("web.yml", "tls_server_config:\n  cert_file: " + (dir.path / "tls.crt").string() +
                             "\n  key_file: " + (dir.path / "tls.key").string() + "\n");
    const uint16_t port = testing::freeLoopbackPort();
    testing::Background serve(
        {testing::pgreachBinary(), "serve", "--config", (dir.path / "fleet.ini").string(), "--listen",
         "127.0.0.1:" + std::to_string(port), "--web-config", (dir.path / "web.yml").string()},
        (dir.path / "serve.log").string());
    const std::string url = "https://127.0.0.1:" + std::to_string(port) + "/-/healthy";
    testing::ProcessResult r;
    for (int i = 0; i < 50 && r.exitCode != 0; ++i) {
      r = testing::runProcess({"curl", "-sS", "--max-time", "3", "--noproxy", "*", "--cacert",
                               (dir.path / "tls.crt").string(), url},
                              5s);
      if (r.exitCode != 0) std::this_thread::sleep_for(100ms);
    }
    INFO(r.err << serve.log());
    CHECK(r.exitCode == 0);
    CHECK(r.out == "Healthy\n");
    CHECK(testing::httpGet(port, "/-/healthy", {}, 3s).status == 0);  // plain HTTP gets no answer
  }
  SECTION("a web config with an unknown key is refused at start with file:line") {
    dir.write("web.yml",
              "basic_auth_users:\n  prometheus: " + hash + "\nhttp_server_config:\n  http2: false\n");
    auto r =
        testing::runProcess({testing::pgreachBinary(), "serve", "--config", (dir.path / "fleet.ini").string(),
                             "--listen", "127.0.0.1:" + std::to_string(testing::freeLoopbackPort()),
                             "--web-config", (dir.path / "web.yml").string()},
                            10s);
    CHECK(r.exitCode == 3);
    CHECK(r.err.find("web.yml:3: unsupported key \"http_server_config\"") != std::string::npos);
  }
}

namespace {

// GET over HTTPS with curl, not verifying the certificate (the test reads which one was
// served separately, with presentedCert).
std::string httpsGet(uint16_t port, const std::string& path, int maxSeconds = 3) {
  auto r = testing::runProcess({"curl", "-sk", "--max-time", std::to_string(maxSeconds), "--noproxy", "*",
                                "https://127.0.0.1:" + std::to_string(port) + path},
                               std::chrono::seconds(maxSeconds + 2));
  return r.exitCode == 0 ? r.out : std::string();
}

bool httpsMetricsShow(uint16_t port, const std::string& needle) {
  for (int i = 0; i < 100; ++i) {
    if (httpsGet(port, "/metrics").find(needle) != std::string::npos) return true;
    std::this_thread::sleep_for(100ms);
  }
  return false;
}

// Polls until the server presents the certificate named `cn` (bounded).
testing::PresentedCert waitForCert(uint16_t port, const std::string& cn) {
  testing::PresentedCert c;
  for (int i = 0; i < 100; ++i) {
    c = testing::presentedCert(port, 2000);
    if (c.ok && c.cn == cn) break;
    std::this_thread::sleep_for(100ms);
  }
  return c;
}

}  // namespace

TEST_CASE("serve: SIGHUP serves a rotated TLS certificate; one that cannot be used keeps the running one",
          "[integration][serve]") {
  testing::TempDir dir("pgreach-serve-rotate");
  dir.write("fleet.ini", fleet({"refused"}));
  const auto a = testing::makeTestCert("pgreach-serve-a", 0xA1);
  const auto b = testing::makeTestCert("pgreach-serve-b", 0xB2);
  const auto c = testing::makeTestCert("pgreach-serve-c", 0xC3);
  dir.write("tls.crt", a.certPem);
  dir.write("tls.key", a.keyPem);
  auto webYml = [&](const std::string& cert, const std::string& key) {
    dir.write("web.yml", "tls_server_config:\n  cert_file: " + (dir.path / cert).string() +
                             "\n  key_file: " + (dir.path / key).string() + "\n");
  };
  webYml("tls.crt", "tls.key");
  const uint16_t port = testing::freeLoopbackPort();
  testing::Background serve({testing::pgreachBinary(), "serve", "--config", (dir.path / "fleet.ini").string(),
                             "--listen", "127.0.0.1:" + std::to_string(port), "--web-config",
                             (dir.path / "web.yml").string(), "--client-timeout", "1s"},
                            (dir.path / "serve.log").string());
  INFO(serve.log());
  auto first = waitForCert(port, "pgreach-serve-a");
  REQUIRE(first.ok);
  CHECK(first.serial == 0xA1);

  // certbot's way: new content at the same paths, then SIGHUP.
  dir.write("tls.crt", b.certPem);
  dir.write("tls.key", b.keyPem);
  serve.signal(SIGHUP);
  auto rotated = waitForCert(port, "pgreach-serve-b");
  CHECK(rotated.cn == "pgreach-serve-b");
  CHECK(rotated.serial == 0xB2);
  CHECK(httpsMetricsShow(port, "pgreach_serve_config_reloads_total{result=\"success\"} 1\n"));
  CHECK(httpsMetricsShow(port, "pgreach_serve_config_last_reload_successful 1\n"));
  CHECK(httpsGet(port, "/-/healthy") == "Healthy\n");

  // A certificate file that does not parse: the reload is refused, B stays.
  dir.write("tls.crt", "-----BEGIN CERTIFICATE-----\ntruncated by a failed copy\n");
  serve.signal(SIGHUP);
  CHECK(httpsMetricsShow(port, "pgreach_serve_config_reloads_total{result=\"failure\"} 1\n"));
  CHECK(httpsMetricsShow(port, "pgreach_serve_config_last_reload_successful 0\n"));
  auto kept = testing::presentedCert(port);
  CHECK(kept.cn == "pgreach-serve-b");
  CHECK(kept.serial == 0xB2);

  // Half a rotation (the new certificate, the old key): refused too, B stays.
  dir.write("tls.crt", c.certPem);
  serve.signal(SIGHUP);
  CHECK(httpsMetricsShow(port, "pgreach_serve_config_reloads_total{result=\"failure\"} 2\n"));
  CHECK(testing::presentedCert(port).cn == "pgreach-serve-b");

  // cert-manager's way: new paths in the web config.
  dir.write("c.crt", c.certPem);
  dir.write("c.key", c.keyPem);
  webYml("c.crt", "c.key");
  serve.signal(SIGHUP);
  auto moved = waitForCert(port, "pgreach-serve-c");
  CHECK(moved.cn == "pgreach-serve-c");
  CHECK(moved.serial == 0xC3);
  CHECK(httpsMetricsShow(port, "pgreach_serve_config_last_reload_successful 1\n"));
  CHECK(httpsGet(port, "/probe?target=refused", 20).find("probe_success 0") != std::string::npos);

  serve.signal(SIGTERM);
  CHECK(serve.wait(15s) == 0);
  const std::string log = serve.log();
  CHECK(log.find("no PEM certificate") != std::string::npos);
  CHECK(log.find("is not the key of cert_file") != std::string::npos);
  CHECK(log.find("CN=pgreach-serve-c") != std::string::npos);
  CHECK(log.find("PRIVATE KEY") == std::string::npos);
  CHECK(log.find(kSecret) == std::string::npos);
}
