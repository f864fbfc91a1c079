// pg.client, tcp.keepalive and tls.trust_store: the client-side checks that read only the
// connection string, the provider profile, local files and the kernel's settings. Run
// through the registry as the scheduler would, without the network.
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "checks/postgres/client_needs.h"
#include "cli/options.h"
#include "engine/registry.h"
#include "engine/scheduler.h"
#include "target/provider_profile.h"
#include "target/target.h"

using namespace pgreach;
using engine::CheckResult;

namespace {

const std::string kNeon = "ep-cool-lab-123456.vpce.us-east-1.aws.neon.tech";
const std::string kAzure = "labserver.postgres.database.azure.com";
const std::string kTrust = std::string(PGREACH_SOURCE_DIR) + "/tests/data/trust/";

CheckResult runCheck(const std::string& id, const std::string& conninfo, engine::RunConfig cfg = {}) {
  auto target = target::Target::parse(conninfo);
  REQUIRE(target.ok());
  engine::SteadyClockSource clock;
  engine::CheckContext ctx(*target, cfg, clock, clock.now() + std::chrono::seconds(5), {});
  for (auto& c : engine::Registry::instance().createAll()) {
    if (c->info().id == id) return c->run(ctx);
  }
  FAIL("no check " << id);
  return {};
}

const engine::Finding* find(const CheckResult& r, const std::string& code) {
  for (const auto& f : r.findings) {
    if (f.code == code) return &f;
  }
  return nullptr;
}

std::string joined(const engine::Finding& f) {
  std::string s = f.summary + "\n" + f.fix;
  for (const auto& e : f.evidence) s += "\n" + e;
  return s;
}

// A PEM bundle of the named files from tests/data/trust/ in a temporary file.
struct Bundle {
  std::string path;
  explicit Bundle(std::initializer_list<const char*> files) {
    char tmpl[] = "/tmp/pgreach-trust-XXXXXX";
    int fd = ::mkstemp(tmpl);
    REQUIRE(fd >= 0);
    ::close(fd);
    path = tmpl;
    std::ofstream out(path);
    for (const char* f : files) {
      std::ifstream in(kTrust + f);
      REQUIRE(in);
      out << in.rdbuf();
    }
  }
  ~Bundle() { std::remove(path.c_str()); }
};

}  // namespace

TEST_CASE("client needs: a Neon name needs SNI (14) and SCRAM (10), with the endpoint-id fix",
          "[unit][client]") {
  auto t = target::Target::parse("host=" + kNeon + " user=app dbname=appdb");
  REQUIRE(t.ok());
  const auto needs = checks::postgres::clientNeeds(*t, target::profileOf(t->provider()));
  REQUIRE(needs.size() == 2);
  CHECK(needs[0].minMajor == 10);
  CHECK(needs[1].minMajor == 14);
  CHECK(needs[1].fix.find("options=endpoint%3Dep-cool-lab-123456") != std::string::npos);
  CHECK(checks::postgres::neonEndpointId("ep-x-1-pooler.us-east-2.aws.neon.tech") == "ep-x-1");
  CHECK(checks::postgres::neonEndpointId("10.40.2.120").empty());
}

TEST_CASE("client needs: newer connection options each bring their libpq version", "[unit][client]") {
  auto t = target::Target::parse(
      "host=127.0.0.1 sslrootcert=system sslnegotiation=direct channel_binding=require "
      "sslmode=verify-full");
  REQUIRE(t.ok());
  const auto needs = checks::postgres::clientNeeds(*t, target::profileOf(t->provider()));
  std::vector<int> versions;
  for (const auto& n : needs) versions.push_back(n.minMajor);
  // channel_binding 13, sslrootcert (the keyword, 8.4: not listed) =system 16, sslnegotiation 17.
  CHECK(versions == std::vector<int>{13, 16, 17});
  auto plain = target::Target::parse("host=127.0.0.1 user=app");
  REQUIRE(plain.ok());
  CHECK(checks::postgres::clientNeeds(*plain, target::profileOf(plain->provider())).empty());
}

TEST_CASE("pg.client judges only a stated version, never pgreach's own libpq", "[unit][client]") {
  const std::string conn = "host=" + kNeon + " user=app dbname=appdb sslmode=verify-full";
  SECTION("not stated: not applicable, the needs listed") {
    auto r = runCheck("pg.client", conn);
    CHECK(r.state() == util::ResultState::NotApplicable);
    CHECK(r.summary.find("--client-libpq") != std::string::npos);
    REQUIRE(find(r, "pg.client_requirements"));
    CHECK(find(r, "pg.client_libpq_too_old") == nullptr);
  }
  SECTION("libpq 13 against a Neon proxy: critical, SNI named, both fixes") {
    engine::RunConfig cfg;
    cfg.client.libpqMajor = 13;
    auto r = runCheck("pg.client", conn, cfg);
    CHECK(r.status == engine::Status::Fail);
    const auto* f = find(r, "pg.client_libpq_too_old");
    REQUIRE(f);
    CHECK(f->summary.find("SNI") != std::string::npos);
    CHECK(f->fix.find("14 or later") != std::string::npos);
    CHECK(f->fix.find("options=endpoint%3Dep-cool-lab-123456") != std::string::npos);
    CHECK(joined(*f).find("Endpoint ID is not specified") != std::string::npos);
  }
  SECTION("libpq 16: everything this target needs") {
    engine::RunConfig cfg;
    cfg.client.libpqMajor = 16;
    auto r = runCheck("pg.client", conn, cfg);
    CHECK(r.status == engine::Status::Pass);
    CHECK(r.state() == util::ResultState::Passed);
  }
  SECTION("libpq 16 with sslnegotiation=direct: the option is unknown to it") {
    engine::RunConfig cfg;
    cfg.client.libpqMajor = 16;
    auto r = runCheck("pg.client", conn + " sslnegotiation=direct", cfg);
    const auto* f = find(r, "pg.client_libpq_too_old");
    REQUIRE(f);
    CHECK(joined(*f).find("invalid connection option \"sslnegotiation\"") != std::string::npos);
  }
}

TEST_CASE("tcp.keepalive: the application's first keepalive against the path's idle timeout",
          "[unit][client]") {
  const std::string conn = "host=" + kNeon + " user=app";
  SECTION("keepalives_idle=60 under AWS's 350 s: passed") {
    auto r = runCheck("tcp.keepalive", conn + " keepalives_idle=60");
    CHECK(r.status == engine::Status::Pass);
    CHECK(r.summary.find("60 s") != std::string::npos);
  }
  SECTION("keepalives_idle=600: warning citing the 350 s figure and the exact change") {
    auto r = runCheck("tcp.keepalive", conn + " keepalives_idle=600");
    const auto* f = find(r, "tcp.keepalive_after_idle_timeout");
    REQUIRE(f);
    CHECK(f->severity == engine::Severity::Warning);
    CHECK(joined(*f).find("350") != std::string::npos);
    CHECK(f->fix.find("keepalives_idle=60") != std::string::npos);
    CHECK(f->fix.find("net.ipv4.tcp_keepalive_time") != std::string::npos);
  }
  SECTION("keepalives=0: warning") {
    auto r = runCheck("tcp.keepalive", conn + " keepalives=0");
    CHECK(find(r, "tcp.keepalive_disabled"));
  }
  SECTION("no keepalives_idle: the kernel's setting decides and is named") {
    auto r = runCheck("tcp.keepalive", conn);
    std::ifstream f("/proc/sys/net/ipv4/tcp_keepalive_time");
    long sys = 0;
    f >> sys;
    REQUIRE(sys > 0);
    CHECK(r.summary.find(std::to_string(sys) + " s") != std::string::npos);
    CHECK((find(r, "tcp.keepalive_after_idle_timeout") != nullptr) == (sys >= 350));
  }
  SECTION("Azure: 240 s, said to be undocumented") {
    auto r = runCheck("tcp.keepalive", "host=" + kAzure + " keepalives_idle=300");
    const auto* f = find(r, "tcp.keepalive_after_idle_timeout");
    REQUIRE(f);
    CHECK(joined(*f).find("documents no idle timeout") != std::string::npos);
  }
  SECTION("a generic host: not applicable") {
    auto r = runCheck("tcp.keepalive", "host=127.0.0.1 keepalives_idle=6000");
    CHECK(r.state() == util::ResultState::NotApplicable);
  }
}

TEST_CASE("tls.trust_store: Azure's three documented roots in the store libpq will read", "[unit][client]") {
  const std::string base = "host=" + kAzure + " user=app sslmode=verify-full sslrootcert=";
  SECTION("all three: passed") {
    Bundle b({"DigiCert_Global_Root_G2.pem", "Microsoft_RSA_Root_Certificate_Authority_2017.pem",
              "DigiCert_Global_Root_CA.pem"});
    auto r = runCheck("tls.trust_store", base + b.path);
    CHECK(r.status == engine::Status::Pass);
    CHECK(r.summary.find("holds all 3") != std::string::npos);
  }
  SECTION(
      "a bundle from before the rotation (DigiCert Global Root CA only): warning naming the two missing") {
    Bundle b({"DigiCert_Global_Root_CA.pem"});
    auto r = runCheck("tls.trust_store", base + b.path);
    const auto* f = find(r, "tls.trust_store_missing_root");
    REQUIRE(f);
    CHECK(f->summary.find("DigiCert Global Root G2") != std::string::npos);
    CHECK(f->summary.find("Microsoft RSA Root Certificate Authority 2017") != std::string::npos);
    CHECK(f->summary.find("DigiCert Global Root CA,") == std::string::npos);
    CHECK(f->fix.find("cacerts.digicert.com/DigiCertGlobalRootG2.crt.pem") != std::string::npos);
  }
  SECTION("an unreadable file: not verified, never OK") {
    auto r = runCheck("tls.trust_store", base + "/nonexistent/ca.pem");
    CHECK(r.state() == util::ResultState::NotVerified);
  }
  SECTION("sslmode=require reads no store: not applicable") {
    auto r = runCheck("tls.trust_store", "host=" + kAzure + " sslmode=require");
    CHECK(r.state() == util::ResultState::NotApplicable);
  }
  SECTION("Neon: no documented roots, not applicable") {
    auto r = runCheck("tls.trust_store", "host=" + kNeon + " sslmode=verify-full sslrootcert=system");
    CHECK(r.state() == util::ResultState::NotApplicable);
  }
}

TEST_CASE("--client-libpq takes a major (or major.minor) version and refuses anything else",
          "[unit][client]") {
  auto parse = [](const char* v) {
    const char* argv[] = {"pgreach", "diagnose", "host=127.0.0.1", "--client-libpq", v};
    return cli::parseOptions(5, argv);
  };
  for (auto [text, major] :
       std::vector<std::pair<const char*, int>>{{"13", 13}, {"13.4", 13}, {"9.6", 9}, {" 17 ", 17}}) {
    auto o = parse(text);
    REQUIRE(o.ok());
    CHECK(o->clientLibpq == major);
  }
  for (const char* bad : {"", "x", "13.", "1e3", "6", "100", "13.4.1", "-13", "0x10", "13abc"}) {
    auto o = parse(bad);
    REQUIRE_FALSE(o.ok());
    CHECK(o.error().find("--client-libpq") != std::string::npos);
  }
}
