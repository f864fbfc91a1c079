// pgreach serve's pure parts: the web config subset, bcrypt, --listen, the argument
// parser, probe coalescing (minimum interval, one probe per target at a time, bounded
// concurrency) and the probe's metrics text.
#include <crypt.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <thread>

#include "app/serve.h"
#include "app/web_config.h"
#include "support/temp_dir.h"
#include "support/test_certs.h"

using namespace pgreach;
using namespace std::chrono_literals;

namespace {

std::string bcryptOf(const std::string& password) {
  char salt[CRYPT_GENSALT_OUTPUT_SIZE];
  REQUIRE(crypt_gensalt_rn("$2b$", 4, nullptr, 0, salt, sizeof salt) != nullptr);
  crypt_data data{};
  const char* h = crypt_rn(password.c_str(), salt, &data, sizeof data);
  REQUIRE(h != nullptr);
  return h;
}

}  // namespace

TEST_CASE("serve: web config subset is parsed, anything else refused with file:line", "[unit][serve]") {
  const std::string hash = bcryptOf("s3cret-pass");
  auto ok = app::parseWebConfig(
      "# exporter-toolkit web.yml\ntls_server_config:\n  cert_file: /a/tls.crt\n"
      "  key_file: \"/a/tls.key\"\nbasic_auth_users:\n  prometheus: '" +
          hash + "'\n",
      "web.yml");
  REQUIRE(ok);
  CHECK(ok->tls());
  CHECK(ok->keyFile == "/a/tls.key");
  CHECK(ok->users.at("prometheus") == hash);

  auto unknown = app::parseWebConfig("http_server_config:\n  http2: true\n", "web.yml");
  REQUIRE_FALSE(unknown);
  CHECK(unknown.error().rfind("web.yml:1: unsupported key \"http_server_config\"", 0) == 0);

  auto tlsKey = app::parseWebConfig(
      "tls_server_config:\n  cert_file: a\n  key_file: b\n  client_ca_file: c\n", "w.yml");
  REQUIRE_FALSE(tlsKey);
  CHECK(tlsKey.error().find("w.yml:4:") == 0);

  // A clear-text password pasted by mistake is refused and never quoted back.
  auto clear = app::parseWebConfig("basic_auth_users:\n  prometheus: hunter2-password\n", "w.yml");
  REQUIRE_FALSE(clear);
  CHECK(clear.error().find("w.yml:2:") == 0);
  CHECK(clear.error().find("hunter2") == std::string::npos);

  CHECK_FALSE(app::parseWebConfig("tls_server_config:\n  cert_file: a\n", "w.yml"));
  CHECK_FALSE(app::parseWebConfig("basic_auth_users: {a: b}\n", "w.yml"));
  CHECK_FALSE(app::parseWebConfig("basic_auth_users:\n  - a\n", "w.yml"));
  CHECK_FALSE(app::parseWebConfig("basic_auth_users:\n\tu: x\n", "w.yml"));
  CHECK(app::parseWebConfig("", "w.yml"));  // empty: neither TLS nor auth
}

TEST_CASE("serve: a TLS certificate and key are read, parsed and matched before they are served",
          "[unit][serve]") {
  testing::TempDir dir("pgreach-serve-tls");
  const auto a = testing::makeTestCert("pgreach-test-a", 0xA1);
  const auto b = testing::makeTestCert("pgreach-test-b", 0xB2);
  dir.write("a.crt", a.certPem);
  dir.write("a.key", a.keyPem);
  dir.write("b.crt", b.certPem);
  dir.write("b.key", b.keyPem);
  dir.write("garbage", "-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n");
  auto cfg = [&](const std::string& cert, const std::string& key) {
    app::WebConfig w;
    w.certFile = (dir.path / cert).string();
    w.keyFile = (dir.path / key).string();
    return w;
  };
  auto ok = app::loadTlsMaterial(cfg("a.crt", "a.key"), "web.yml");
  REQUIRE(ok);
  CHECK(ok->cert == a.certPem);
  CHECK(ok->subject == "CN=pgreach-test-a");
  CHECK(ok->serial == "A1");
  CHECK(ok->digest.size() == 32);
  auto other = app::loadTlsMaterial(cfg("b.crt", "b.key"), "web.yml");
  REQUIRE(other);
  CHECK(other->digest != ok->digest);  // a rotated pair is told from the running one

  auto mismatch = app::loadTlsMaterial(cfg("a.crt", "b.key"), "web.yml");
  REQUIRE_FALSE(mismatch);
  CHECK(mismatch.error().find("web.yml: key_file ") == 0);
  CHECK(mismatch.error().find("is not the key of cert_file") != std::string::npos);
  auto missing = app::loadTlsMaterial(cfg("nope.crt", "a.key"), "web.yml");
  REQUIRE_FALSE(missing);
  CHECK(missing.error().find("web.yml: cert_file ") == 0);
  auto broken = app::loadTlsMaterial(cfg("garbage", "a.key"), "web.yml");
  REQUIRE_FALSE(broken);
  CHECK(broken.error().find("no PEM certificate") != std::string::npos);
  auto keyAsCert = app::loadTlsMaterial(cfg("a.key", "a.key"), "web.yml");
  REQUIRE_FALSE(keyAsCert);
  auto certAsKey = app::loadTlsMaterial(cfg("a.crt", "a.crt"), "web.yml");
  REQUIRE_FALSE(certAsKey);
  CHECK(certAsKey.error().find("no unencrypted PEM private key") != std::string::npos);
  // No error quotes what a file holds (the key above all).
  for (const auto* e : {&mismatch, &broken, &keyAsCert, &certAsKey}) {
    CHECK(e->error().find("PRIVATE KEY") == std::string::npos);
    CHECK(e->error().find("not base64") == std::string::npos);
  }
}

TEST_CASE("serve: bcrypt verification through libxcrypt", "[unit][serve]") {
  const std::string hash = bcryptOf("right-password");
  CHECK(app::bcryptMatches("right-password", hash));
  CHECK_FALSE(app::bcryptMatches("wrong-password", hash));
  CHECK_FALSE(app::bcryptMatches("right-password", "not-a-hash"));
  // $2y$ (htpasswd's spelling) is accepted too.
  std::string y = hash;
  y[2] = 'y';
  CHECK(app::bcryptMatches("right-password", y));
}

TEST_CASE("serve: --listen and the argument parser", "[unit][serve]") {
  auto l = app::parseListen("127.0.0.1:9187");
  REQUIRE(l);
  CHECK(l->port == 9187);
  CHECK(app::parseListen("[::1]:9187")->ipv6);
  CHECK(app::parseListen(":9187")->host.empty());
  CHECK_FALSE(app::parseListen("localhost:9187"));  // nothing is resolved
  CHECK_FALSE(app::parseListen("127.0.0.1:99999"));
  CHECK_FALSE(app::parseListen("127.0.0.1"));

  auto s = app::parseServeArgs(
      {"--config", "f.ini", "--min-interval=2s", "--timeout", "3s", "--max-concurrent", "3"});
  REQUIRE(s);
  CHECK(s->listen == "127.0.0.1:9187");  // loopback unless told
  CHECK(s->minInterval == 2s);
  CHECK(s->maxConcurrent == 3);
  CHECK(s->diagnoseArgs == std::vector<std::string>{"--timeout", "3s"});
  CHECK_FALSE(app::parseServeArgs({}));
  CHECK_FALSE(app::parseServeArgs({"--config", "f", "--max-concurrent", "0"}));
  CHECK_FALSE(app::parseServeArgs({"--config", "f", "--listen", "example.com:1"}));
}

TEST_CASE("serve: a scrape storm never multiplies probes", "[unit][serve]") {
  app::ProbeCoalescer coalescer(2, 60s);
  std::atomic<int> probes{0};
  auto probe = [&] {
    ++probes;
    std::this_thread::sleep_for(100ms);
    auto o = std::make_shared<app::ProbeOutcome>();
    o->success = true;
    return std::shared_ptr<const app::ProbeOutcome>(o);
  };
  std::vector<std::thread> scrapes;
  std::atomic<int> answered{0};
  for (int i = 0; i < 20; ++i) {
    scrapes.emplace_back([&] {
      if (coalescer.get("db", probe, 5s)) ++answered;
    });
  }
  for (auto& t : scrapes) t.join();
  CHECK(probes == 1);
  CHECK(answered == 20);
  auto stats = coalescer.takeStats();
  CHECK(stats.probes == 1);
  CHECK(stats.reused == 19);

  // A reload makes the next scrape probe afresh.
  coalescer.forgetAllBut({"db"});
  CHECK(coalescer.get("db", probe, 5s));
  CHECK(probes == 2);
  coalescer.forgetAllBut({});
  CHECK(coalescer.latest("db") == nullptr);
}

TEST_CASE("serve: at most --max-concurrent probes run at once", "[unit][serve]") {
  app::ProbeCoalescer coalescer(2, 0ms);
  std::atomic<int> running{0}, peak{0};
  auto probe = [&] {
    const int now = ++running;
    int p = peak.load();
    while (now > p && !peak.compare_exchange_weak(p, now)) {
    }
    std::this_thread::sleep_for(50ms);
    --running;
    return std::make_shared<const app::ProbeOutcome>();
  };
  std::vector<std::thread> scrapes;
  for (int i = 0; i < 8; ++i) {
    scrapes.emplace_back([&, i] { coalescer.get("t" + std::to_string(i), probe, 5s); });
  }
  for (auto& t : scrapes) t.join();
  CHECK(peak <= 2);
  CHECK(coalescer.takeStats().probes == 8);

  // No slot in time: nullptr (the server answers 503), not an unbounded wait.
  app::ProbeCoalescer busy(1, 0ms);
  std::atomic<bool> hogging{false}, release{false};
  std::thread hog([&] {
    busy.get(
        "a",
        [&] {
          hogging = true;
          // Holds the only slot until the check below is done (bounded).
          for (int i = 0; i < 500 && !release; ++i) std::this_thread::sleep_for(10ms);
          return std::make_shared<const app::ProbeOutcome>();
        },
        5s);
  });
  for (int i = 0; i < 500 && !hogging; ++i) std::this_thread::sleep_for(10ms);
  REQUIRE(hogging);
  CHECK(busy.get("b", probe, 50ms) == nullptr);
  release = true;
  hog.join();
  CHECK(busy.takeStats().rejected == 1);
}

TEST_CASE("serve: probe metrics add probe_success and probe_duration_seconds, redacted", "[unit][serve]") {
  reports::Report r;
  r.name = "orders";
  r.target.host = "db.internal";
  r.target.port = 5432;
  r.target.dbname = "password=topsecret-value";
  r.verdict = reports::Verdict::Ok;
  util::Redactor red;
  red.addSecret("topsecret-value");
  const std::string text = app::probeMetricsText(r, red, true, 0.25);
  CHECK(text.find("pgreach_up{target=\"db.internal\",name=\"orders\"") != std::string::npos);
  CHECK(text.find("\nprobe_success 1\n") != std::string::npos);
  CHECK(text.find("\nprobe_duration_seconds 0.25\n") != std::string::npos);
  CHECK(text.find("topsecret") == std::string::npos);
}

TEST_CASE("serve: config targets are loaded with their options, bad ones refused", "[unit][serve]") {
  testing::TempDir dir("pgreach-serve");
  dir.write("ok.ini",
            "timeout = 2s\n[target.a]\nconninfo = host=127.0.0.1 port=1 password=pw-secret-1\n"
            "[target.b]\nconninfo = host=127.0.0.1 port=2\ndeadline = 5s\n");
  auto t = app::loadServeTargets((dir.path / "ok.ini").string(), {});
  REQUIRE(t);
  CHECK((*t)->order == std::vector<std::string>{"a", "b"});
  CHECK((*t)->byName.at("b").deadline == 5s);

  dir.write("bad.ini", "[target.a]\nconninfo = host=127.0.0.1 password=pw-secret-2\nnot-an-option = 1\n");
  auto bad = app::loadServeTargets((dir.path / "bad.ini").string(), {});
  REQUIRE_FALSE(bad);
  // The one config parser names the file and line of the unknown key.
  CHECK(bad.error().find("bad.ini:3") != std::string::npos);
  CHECK(bad.error().find("not-an-option") != std::string::npos);
  CHECK(bad.error().find("pw-secret-2") == std::string::npos);

  dir.write("noconn.ini", "[target.a]\ntimeout = 1s\n");
  CHECK_FALSE(app::loadServeTargets((dir.path / "noconn.ini").string(), {}));
}
