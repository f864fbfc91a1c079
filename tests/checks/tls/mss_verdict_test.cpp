// tls.handshake's verdict on a handshake that stalled at the default MSS, from its retries
// (checks/tls/mss_verdict.h): a path-MTU black hole is named only when the default MSS
// stalled again after a smaller one worked.
#include "checks/tls/mss_verdict.h"

#include <catch2/catch.hpp>

using namespace pgreach::checks::tls;
using pgreach::checks::OpenProbe;

namespace {

OpenProbe probe(const char* ip) {
  OpenProbe p;
  p.host = "db.example";
  p.address = *pgreach::net::IpAddress::parse(ip);
  p.port = 5432;
  return p;
}

MssTry arrived(int mss, long long ms) { return {mss, true, ms, "ProtocolError"}; }
MssTry stalled(int mss) { return {mss, false, 300, "timed out"}; }

bool evidenceHas(const pgreach::engine::Finding& f, const std::string& text) {
  for (const auto& e : f.evidence) {
    if (e.find(text) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("a smaller MSS works and the default MSS stalls again: a path-MTU black hole", "[unit][tls]") {
  const auto f = stalledHandshake(probe("10.40.2.120"), "timed out",
                                  {arrived(536, 12), arrived(1200, 11), stalled(1360), stalled(0)});
  CHECK(f.code == "tls.path_mtu_blackhole");
  CHECK(f.summary.find("completes at MSS 1200") != std::string::npos);
  CHECK(evidenceHas(f, "default MSS again: stalled again"));
  CHECK(evidenceHas(f, "largest MSS that worked: 1200 (packets of 1240 bytes over IPv4)"));
  CHECK(f.fix.find("--set-mss 1200") != std::string::npos);
  const auto v6 =
      stalledHandshake(probe("fd40:0:0:2::120"), "timed out", {arrived(536, 12), stalled(1200), stalled(0)});
  CHECK(v6.code == "tls.path_mtu_blackhole");
  CHECK(evidenceHas(v6, "(packets of 596 bytes over IPv6)"));
}

TEST_CASE("a smaller MSS works and the default MSS then completes too: a slow server, no black hole",
          "[unit][tls]") {
  const auto f =
      stalledHandshake(probe("10.40.2.120"), "timed out",
                       {arrived(536, 1300), arrived(1200, 1500), arrived(1360, 1400), arrived(0, 20)});
  CHECK(f.code == "tls.handshake_timeout");
  CHECK(f.summary.find("the server was slow, not the path MTU") != std::string::npos);
  CHECK(evidenceHas(f, "default MSS again: the server's TLS flight arrived in 20 ms"));
}

TEST_CASE("a smaller MSS works but no time is left for the default MSS again: not proven either way",
          "[unit][tls]") {
  // The deadline cut the control try: a server slow once and a path that loses large packets
  // look alike, so neither is named.
  const auto f =
      stalledHandshake(probe("10.40.2.120"), "timed out", {arrived(536, 1300), arrived(1200, 1500)});
  CHECK(f.code == "tls.handshake_timeout");
  CHECK(f.summary.find("a path-MTU black hole is not proven") != std::string::npos);
  CHECK(evidenceHas(f, "default MSS not tried again: no time left before the deadline"));
  CHECK(f.fix.find("--deadline") != std::string::npos);
}

TEST_CASE("small packets stall too: the server stalls; no retry at all: the deadline says so",
          "[unit][tls]") {
  const auto f = stalledHandshake(probe("10.40.2.120"), "timed out", {stalled(536)});
  CHECK(f.code == "tls.handshake_timeout");
  CHECK(f.summary.find("with small packets too") != std::string::npos);
  const auto none = stalledHandshake(probe("10.40.2.120"), "timed out", {});
  CHECK(none.code == "tls.handshake_timeout");
  CHECK(evidenceHas(none, "not retried with a smaller MSS: no time left before the deadline"));
}
