#include "checks/tls/cert_eval.h"

#include <openssl/x509_vfy.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <optional>

using namespace pgreach::checks::tls;
using pgreach::engine::Finding;
using pgreach::engine::Severity;

namespace {

constexpr long long kNow = 1800000000;  // 2027-01-15

CertJudgement healthy(const std::string& sslmode) {
  CertJudgement j;
  j.sslmode = sslmode;
  j.host = "db.example";
  j.rootCertKnown = true;
  j.rootCert = "/ca.crt";
  j.nowEpoch = kNow;
  j.handshake.outcome = pgreach::net::TlsOutcome::Ok;
  j.handshake.protocol = "TLSv1.3";
  j.handshake.protocolVersion = TLS1_3_VERSION;
  j.handshake.hostChecked = true;
  j.handshake.hostMatches = true;
  pgreach::net::CertInfo leaf;
  leaf.subject = "CN=db.example";
  leaf.issuer = "CN=Lab CA";
  leaf.sans = {"DNS:db.example"};
  leaf.notBeforeEpoch = kNow - 86400 * 30;
  leaf.notAfterEpoch = kNow + 86400 * 300;
  leaf.keyType = "EC";
  leaf.keyBits = 256;
  j.handshake.chain.push_back(leaf);
  return j;
}

// By value: callers pass judgeHandshake(...) temporaries straight in.
std::optional<Finding> find(std::vector<Finding> fs, const std::string& code) {
  auto it = std::find_if(fs.begin(), fs.end(), [&](const Finding& f) { return f.code == code; });
  if (it == fs.end()) return std::nullopt;
  return *it;
}

}  // namespace

TEST_CASE("a good certificate under verify-full gives no findings", "[unit]") {
  CHECK(judgeHandshake(healthy("verify-full")).empty());
}

TEST_CASE("expiry: expired, not yet valid, expiring soon", "[unit]") {
  auto j = healthy("verify-full");
  j.handshake.chain[0].notAfterEpoch = kNow - 86400 * 10;
  auto fs = judgeHandshake(j);
  REQUIRE(find(fs, "tls.cert_expired"));
  CHECK(find(fs, "tls.cert_expired")->severity == Severity::Critical);
  j.sslmode = "require";
  CHECK(find(judgeHandshake(j), "tls.cert_expired")->severity == Severity::Warning);

  auto soon = healthy("verify-full");
  soon.handshake.chain[0].notAfterEpoch = kNow + 86400 * 5 + 60;
  auto f = find(judgeHandshake(soon), "tls.cert_expiring");
  REQUIRE(f);
  CHECK(f->severity == Severity::Warning);
  CHECK(f->summary.find("5 days") != std::string::npos);
  soon.certWarnDays = 3;
  CHECK_FALSE(find(judgeHandshake(soon), "tls.cert_expiring"));

  auto early = healthy("verify-full");
  early.handshake.chain[0].notBeforeEpoch = kNow + 3600;
  CHECK(find(judgeHandshake(early), "tls.cert_not_yet_valid"));
}

TEST_CASE("a certificate not yet valid says which clock is likely wrong", "[unit]") {
  // An hour ahead: with this host's clock unsynchronised, this clock is the likely fault.
  auto j = healthy("verify-full");
  j.handshake.chain[0].notBeforeEpoch = kNow + 3600 + 300;
  j.clockSynchronised = false;
  auto f = find(judgeHandshake(j), "tls.cert_not_yet_valid");
  REQUIRE(f);
  CHECK(f->summary.find("1 h 5 min from now by this host's clock: this host's clock is likely behind") !=
        std::string::npos);
  CHECK(f->fix.find("timedatectl set-ntp true") != std::string::npos);
  CHECK(f->evidence.back().find("not synchronised") != std::string::npos);
  // The same certificate seen from a synchronised host: the certificate started early.
  j.clockSynchronised = true;
  f = find(judgeHandshake(j), "tls.cert_not_yet_valid");
  REQUIRE(f);
  CHECK(f->summary.find("issued or installed ahead of its start") != std::string::npos);
  // Unknown synchronisation: less than a day ahead points at this clock, more at the cert.
  j.clockSynchronised.reset();
  CHECK(find(judgeHandshake(j), "tls.cert_not_yet_valid")->summary.find("likely behind") !=
        std::string::npos);
  j.handshake.chain[0].notBeforeEpoch = kNow + 86400 * 30;
  f = find(judgeHandshake(j), "tls.cert_not_yet_valid");
  CHECK(f->summary.find("30 day(s) from now") != std::string::npos);
  CHECK(f->summary.find("ahead of its start") != std::string::npos);
}

TEST_CASE("host name: critical under verify-full, info under verify-ca, warning under require", "[unit]") {
  auto j = healthy("verify-full");
  j.handshake.hostMatches = false;
  j.handshake.chain[0].sans = {"DNS:other.example.internal"};
  auto f = find(judgeHandshake(j), "tls.cert_wrong_host");
  REQUIRE(f);
  CHECK(f->severity == Severity::Critical);
  CHECK(f->summary.find("other.example.internal") != std::string::npos);
  j.sslmode = "verify-ca";
  CHECK(find(judgeHandshake(j), "tls.cert_wrong_host")->severity == Severity::Info);
  j.sslmode = "require";
  CHECK(find(judgeHandshake(j), "tls.cert_wrong_host")->severity == Severity::Warning);
}

TEST_CASE("untrusted chain, missing trust store, weak key, old protocol", "[unit]") {
  auto j = healthy("verify-full");
  j.handshake.chain[0].selfSigned = true;
  j.handshake.verifyErrors.push_back({0, X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT, "self-signed certificate"});
  auto f = find(judgeHandshake(j), "tls.cert_untrusted");
  REQUIRE(f);
  CHECK(f->severity == Severity::Critical);
  CHECK(f->summary.find("self-signed") != std::string::npos);
  // An expired leaf also logs X509_V_ERR_CERT_HAS_EXPIRED: that is not "untrusted".
  auto e = healthy("verify-full");
  e.handshake.chain[0].notAfterEpoch = kNow - 100;
  e.handshake.verifyErrors.push_back({0, X509_V_ERR_CERT_HAS_EXPIRED, "certificate has expired"});
  auto efs = judgeHandshake(e);
  CHECK(find(efs, "tls.cert_expired"));
  CHECK_FALSE(find(efs, "tls.cert_untrusted"));
  CHECK_FALSE(find(efs, "tls.cert_invalid"));

  auto none = healthy("verify-full");
  none.rootCertKnown = false;
  CHECK(find(judgeHandshake(none), "tls.no_root_cert"));
  none.sslmode = "require";
  CHECK_FALSE(find(judgeHandshake(none), "tls.no_root_cert"));

  auto weak = healthy("verify-full");
  weak.handshake.chain[0].keyType = "RSA";
  weak.handshake.chain[0].keyBits = 1024;
  weak.handshake.protocol = "TLSv1.1";
  weak.handshake.protocolVersion = TLS1_1_VERSION;
  auto wfs = judgeHandshake(weak);
  CHECK(find(wfs, "tls.weak_key"));
  CHECK(find(wfs, "tls.old_protocol"));
}

TEST_CASE("days until expiry rounds toward the past once expired", "[unit]") {
  CHECK(daysUntil(kNow, kNow + 86400 * 2 + 5) == 2);
  CHECK(daysUntil(kNow, kNow - 1) == -1);
  CHECK(daysUntil(kNow, kNow - 86400 * 3) == -3);
}
