#include "checks/tcp/tcp_classify.h"

#include <algorithm>

#include <catch2/catch.hpp>

using namespace pgreach;
using namespace pgreach::checks::tcp;
using net::ConnectOutcome;

namespace {

net::IpAddress ip(const char* s) { return *net::IpAddress::parse(s); }

std::vector<Attempt> attempts(std::initializer_list<std::pair<ConnectOutcome, double>> list) {
  std::vector<Attempt> out;
  for (const auto& [o, ms] : list) out.push_back({o, ms, "", std::nullopt});
  return out;
}

ProbeVerdict probe(const char* addr, uint16_t port, ConnectOutcome o) {
  return decide("db.example", ip(addr), port, attempts({{o, o == ConnectOutcome::TimedOut ? 3000.0 : 1.0}}),
                nullptr);
}

const engine::Finding* find(const std::vector<engine::Finding>& fs, const std::string& code) {
  for (const auto& f : fs) {
    if (f.code == code) return &f;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("repeated opens give min/median/max connect times", "[unit][tcp]") {
  auto p = decide(
      "h", ip("10.0.0.1"), 5432,
      attempts({{ConnectOutcome::Open, 3.0}, {ConnectOutcome::Open, 1.0}, {ConnectOutcome::Open, 2.0}}),
      nullptr);
  CHECK(p.verdict == Verdict::Open);
  CHECK_FALSE(p.flaky);
  REQUIRE(p.minMs);
  CHECK(*p.minMs == Approx(1.0));
  CHECK(*p.medianMs == Approx(2.0));
  CHECK(*p.maxMs == Approx(3.0));
  CHECK(p.elapsedMs == Approx(2.0));
  CHECK(std::string(outcomeName(p.verdict)) == "open");
}

TEST_CASE("some opens and some drops is flaky, not dead", "[unit][tcp]") {
  auto p = decide(
      "h", ip("10.0.0.1"), 5432,
      attempts({{ConnectOutcome::Open, 1.0}, {ConnectOutcome::TimedOut, 3000}, {ConnectOutcome::Open, 2.0}}),
      nullptr);
  CHECK(p.verdict == Verdict::Open);
  CHECK(p.flaky);
  CHECK(p.openCount == 2);
  auto fs = findingsFor({p}, 3.0);
  const auto* f = find(fs, "tcp.flaky");
  REQUIRE(f);
  CHECK(f->severity == engine::Severity::Warning);
  CHECK(f->evidence.at(0).find("2 of 3 attempts") != std::string::npos);
  CHECK(find(fs, "tcp.silently_dropped") == nullptr);
}

TEST_CASE("loss and delay over repeated connects: tcp.unstable past 10 % or 750 ms, never for a blocked port",
          "[unit][tcp]") {
  // 10 connects: 2 timed out, 1 opened after a SYN retransmission (1003 ms): 30 % lost.
  auto lossy = decide("h", ip("10.0.0.1"), 5432,
                      attempts({{ConnectOutcome::Open, 1.0},
                                {ConnectOutcome::Open, 2.0},
                                {ConnectOutcome::TimedOut, 2000},
                                {ConnectOutcome::Open, 1003.0},
                                {ConnectOutcome::Open, 1.0},
                                {ConnectOutcome::Open, 3.0},
                                {ConnectOutcome::TimedOut, 2000},
                                {ConnectOutcome::Open, 1.0},
                                {ConnectOutcome::Open, 2.0},
                                {ConnectOutcome::Open, 1.0}}),
                      nullptr);
  const Stability s = stabilityOf(lossy.attempts);
  CHECK(s.attempts == 10);
  CHECK(s.lost == 3);
  CHECK(s.lossPercent == Approx(30.0));
  REQUIRE(s.rttAvg);
  CHECK(*s.rttMin == Approx(1.0));
  CHECK(*s.rttMax == Approx(3.0));
  CHECK(*s.rttAvg == Approx(11.0 / 7.0));
  REQUIRE(s.jitter);
  CHECK(*s.jitter == Approx((1 + 1 + 2 + 2 + 1 + 1) / 6.0));
  CHECK(s.unstable(lossy.openCount));
  auto f = unstableFinding({lossy});
  REQUIRE(f);
  CHECK(f->code == "tcp.unstable");
  CHECK(f->severity == engine::Severity::Critical);
  CHECK(
      f->evidence[0].find("10.0.0.1:5432: 10 connects, 3 lost or retransmitted (30 %), RTT min/avg/max 1.0 / "
                          "1.6 / 3.0 ms, jitter 1.3 ms") != std::string::npos);

  // 1 lost in 10 is 10 %: not past the threshold.
  auto once = decide("h", ip("10.0.0.1"), 5432,
                     attempts({{ConnectOutcome::TimedOut, 2000},
                               {ConnectOutcome::Open, 1.0},
                               {ConnectOutcome::Open, 1.0},
                               {ConnectOutcome::Open, 1.0},
                               {ConnectOutcome::Open, 1.0},
                               {ConnectOutcome::Open, 1.0},
                               {ConnectOutcome::Open, 1.0},
                               {ConnectOutcome::Open, 1.0},
                               {ConnectOutcome::Open, 1.0},
                               {ConnectOutcome::Open, 1.0}}),
                     nullptr);
  CHECK_FALSE(unstableFinding({once}));
  // Slow but whole: an 800 ms round trip is unstable by the RTT threshold.
  auto slow = decide("h", ip("10.0.0.1"), 5432,
                     attempts({{ConnectOutcome::Open, 800.0}, {ConnectOutcome::Open, 820.0}}), nullptr);
  CHECK(unstableFinding({slow}));
  // A port that never opened is blocked (silently dropped), not unstable.
  auto blocked =
      decide("h", ip("10.0.0.1"), 6432,
             attempts({{ConnectOutcome::TimedOut, 2000}, {ConnectOutcome::TimedOut, 2000}}), nullptr);
  CHECK_FALSE(unstableFinding({blocked}));
  // What triggers the measure: a connect that opened only after a retransmission.
  CHECK(showsLoss({attempts({{ConnectOutcome::Open, 1002.0}})}));
  CHECK_FALSE(showsLoss({attempts({{ConnectOutcome::Open, 2.0}}), blocked.attempts}));
}

// On a busy machine (pgreach serve running 16 probes on 2 cores) the prober's own clock
// shows connects of 1 s that the wire shows took 2 ms with one SYN: the capture decides,
// so no loss is reported that no packet shows. A SYN the wire shows twice still counts.
TEST_CASE("stability is judged by the wire for the attempts the capture saw", "[unit][tcp]") {
  auto slowClock = attempts({{ConnectOutcome::Open, 1200.0},
                             {ConnectOutcome::Open, 1100.0},
                             {ConnectOutcome::Open, 950.0},
                             {ConnectOutcome::Open, 1.0}});
  for (size_t i = 0; i < slowClock.size(); ++i) slowClock[i].localPort = static_cast<uint16_t>(40000 + i);
  using End = net::evidence::FlowEvidence::End;
  const std::vector<End> wire = {{40000, 1, 2.0}, {40001, 1, 3.0}, {40002, 1, 2.5}, {40003, 1, 1.0}};
  const Stability calm = stabilityOf(slowClock, wire);
  CHECK(calm.lost == 0);
  REQUIRE(calm.rttMax);
  CHECK(*calm.rttMax == Approx(3.0));
  CHECK_FALSE(calm.unstable(4));
  // The same attempts judged by the clock alone: 3 of 4 "retransmitted".
  CHECK(stabilityOf(slowClock).lost == 3);
  // The wire shows 2 SYNs for one attempt and missed another (judged by its clock: 1100 ms).
  const std::vector<End> lossy = {{40000, 2, 1002.0}, {40002, 1, 2.5}, {40003, 1, 1.0}};
  const Stability s = stabilityOf(slowClock, lossy);
  CHECK(s.lost == 2);
  CHECK(s.unstable(4));
  // decide() carries the wire's ends to the finding.
  net::evidence::FlowEvidence ev;
  ev.address = ip("10.0.0.1");
  ev.port = 5432;
  ev.syns = 4;
  ev.attempts = 4;
  ev.synAcks = 4;
  ev.ends = wire;
  auto p = decide("h", ip("10.0.0.1"), 5432, slowClock, &ev);
  CHECK(p.wireEnds.size() == 4);
  CHECK_FALSE(unstableFinding({p}));
  CHECK(unstableFinding({decide("h", ip("10.0.0.1"), 5432, slowClock, nullptr)}));
}

TEST_CASE("the kernel's outcomes map to verdicts and contract outcome names", "[unit][tcp]") {
  CHECK(probe("10.0.0.1", 1, ConnectOutcome::Refused).verdict == Verdict::Refused);
  CHECK(probe("10.0.0.1", 1, ConnectOutcome::TimedOut).verdict == Verdict::Dropped);
  CHECK(probe("10.0.0.1", 1, ConnectOutcome::HostUnreachable).verdict == Verdict::HostUnreachable);
  CHECK(probe("10.0.0.1", 1, ConnectOutcome::NetUnreachable).verdict == Verdict::NetUnreachable);
  CHECK(probe("10.0.0.1", 1, ConnectOutcome::NoRoute).verdict == Verdict::NoRoute);
  CHECK(std::string(outcomeName(Verdict::Dropped)) == "timeout");
  CHECK(std::string(outcomeName(Verdict::AdminProhibited)) == "admin_prohibited");
  CHECK(std::string(findingCode(Verdict::Dropped)) == "tcp.silently_dropped");
  CHECK(std::string(findingCode(Verdict::HostUnreachable)) == "tcp.icmp_host_unreachable");
  CHECK(std::string(findingCode(Verdict::NetUnreachable)) == "tcp.icmp_net_unreachable");
  CHECK(std::string(findingCode(Verdict::PortUnreachable)) == "tcp.icmp_port_unreachable");
  CHECK(std::string(findingCode(Verdict::NoRoute)) == "tcp.no_route");
  CHECK(std::string(findingCode(Verdict::LocalError)) == "tcp.local_error");
}

TEST_CASE("captured ICMP admin-prohibited turns 'No route to host' into tcp.icmp_admin_prohibited",
          "[unit][tcp]") {
  net::evidence::FlowEvidence ev;
  ev.address = ip("10.40.2.120");
  ev.port = 5432;
  ev.syns = 1;
  ev.attempts = 1;
  ev.icmp.push_back({ip("10.40.1.1"), 3, 13, net::evidence::IcmpKind::AdminProhibited});
  auto p = decide("h", ev.address, 5432, attempts({{ConnectOutcome::HostUnreachable, 0.2}}), &ev);
  CHECK(p.verdict == Verdict::AdminProhibited);
  CHECK(std::string(findingCode(p.verdict)) == "tcp.icmp_admin_prohibited");
  REQUIRE_FALSE(p.packetEvidence.empty());
  // Without the wire, the kernel's word stands.
  CHECK(decide("h", ev.address, 5432, attempts({{ConnectOutcome::HostUnreachable, 0.2}}), nullptr).verdict ==
        Verdict::HostUnreachable);
  // ICMP port unreachable arrives as ECONNREFUSED; the wire tells it from an RST.
  ev.icmp = {{ip("10.40.1.1"), 3, 3, net::evidence::IcmpKind::PortUnreachable}};
  CHECK(decide("h", ev.address, 5432, attempts({{ConnectOutcome::Refused, 0.2}}), &ev).verdict ==
        Verdict::PortUnreachable);
}

TEST_CASE("a drop on one port while others answer names that port's rule", "[unit][tcp]") {
  std::vector<ProbeVerdict> ps = {
      probe("10.40.2.120", 5432, ConnectOutcome::Open), probe("10.40.2.120", 6432, ConnectOutcome::TimedOut),
      probe("10.40.3.118", 5432, ConnectOutcome::Open), probe("10.40.3.118", 6432, ConnectOutcome::TimedOut)};
  for (auto& p : ps) p.clientAddress = "10.40.1.10";
  auto fs = findingsFor(ps, 3.0);
  const auto* f = find(fs, "tcp.silently_dropped");
  REQUIRE(f);
  CHECK(f->severity == engine::Severity::Critical);
  CHECK(f->fix.find("from the client's address 10.40.1.10 (or its subnet)") != std::string::npos);
  CHECK(f->summary.find("2 of 4") != std::string::npos);
  CHECK(f->fix.find("Port 6432 is silently dropped while port 5432 answers") != std::string::npos);
  CHECK(f->fix.find("security group") != std::string::npos);
  REQUIRE(find(fs, "tcp.open"));
}

TEST_CASE("drops on every port of every address point at routing, NACLs or endpoint state", "[unit][tcp]") {
  std::vector<ProbeVerdict> ps = {probe("10.40.2.120", 5432, ConnectOutcome::TimedOut),
                                  probe("10.40.2.120", 6432, ConnectOutcome::TimedOut),
                                  probe("10.40.3.118", 5432, ConnectOutcome::TimedOut)};
  auto fs = findingsFor(ps, 3.0);
  const auto* f = find(fs, "tcp.silently_dropped");
  REQUIRE(f);
  CHECK(f->fix.find("Every port on every address") != std::string::npos);
  CHECK(f->fix.find("route table") != std::string::npos);
  CHECK(f->fix.find("ephemeral ports 1024-65535") != std::string::npos);
  CHECK(f->fix.find("endpoint's state") != std::string::npos);
  CHECK(find(fs, "tcp.open") == nullptr);
}

TEST_CASE("a drop on one address only points at that subnet/AZ", "[unit][tcp]") {
  std::vector<ProbeVerdict> ps = {probe("10.40.2.120", 5432, ConnectOutcome::Open),
                                  probe("10.40.3.118", 5432, ConnectOutcome::TimedOut)};
  auto fs = findingsFor(ps, 3.0);
  const auto* f = find(fs, "tcp.silently_dropped");
  REQUIRE(f);
  CHECK(f->fix.find("Address 10.40.3.118 drops") != std::string::npos);
}

TEST_CASE("a refusal names the service on the port, not the firewall", "[unit][tcp]") {
  std::vector<ProbeVerdict> ps = {probe("10.40.2.120", 5432, ConnectOutcome::Open),
                                  probe("10.40.2.120", 5433, ConnectOutcome::Refused)};
  auto fs = findingsFor(ps, 3.0);
  const auto* f = find(fs, "tcp.refused");
  REQUIRE(f);
  CHECK(f->fix.find("Nothing listens on port 5433") != std::string::npos);
  CHECK(f->fix.find("never refuse") != std::string::npos);
}

TEST_CASE("a SYN-ACK on the wire with a timed-out connect blames this machine's firewall", "[unit][tcp]") {
  net::evidence::FlowEvidence ev;
  ev.address = ip("10.40.2.120");
  ev.port = 5432;
  ev.syns = 2;
  ev.attempts = 1;
  ev.synAcks = 2;
  auto p = decide("h", ev.address, 5432, attempts({{ConnectOutcome::TimedOut, 3000}}), &ev);
  CHECK(p.verdict == Verdict::Dropped);
  bool named = false;
  for (const auto& l : p.packetEvidence) named = named || l.find("local firewall") != std::string::npos;
  CHECK(named);
}

namespace {
// One failed attempt carrying the ICMP error its socket's error queue reported.
std::vector<Attempt> withSocketIcmp(ConnectOutcome o, uint8_t type, uint8_t code, const char* from) {
  net::IcmpReport r;
  r.type = type;
  r.code = code;
  r.offender = ip(from);
  return {{o, 0.3, "No route to host", r}};
}
}  // namespace

TEST_CASE("the socket error queue's ICMP 3/13 names admin-prohibited without any capture", "[unit][tcp]") {
  auto p = decide("h", ip("10.40.2.120"), 5432,
                  withSocketIcmp(ConnectOutcome::HostUnreachable, 3, 13, "10.40.1.1"), nullptr);
  CHECK(p.verdict == Verdict::AdminProhibited);
  CHECK(std::string(outcomeName(p.verdict)) == "admin_prohibited");
  CHECK(p.socketEvidence == "ICMP type 3 code 13 from 10.40.1.1 (socket error queue)");
  auto fs = findingsFor({p}, 2.0);
  const auto* f = find(fs, "tcp.icmp_admin_prohibited");
  REQUIRE(f);
  bool line = false;
  for (const auto& e : f->evidence)
    line = line || e == "  ICMP type 3 code 13 from 10.40.1.1 (socket error queue)";
  CHECK(line);

  // A real host-unreachable (3/1) stays one, with the router named in the evidence.
  auto h = decide("h", ip("10.40.2.120"), 5432,
                  withSocketIcmp(ConnectOutcome::HostUnreachable, 3, 1, "10.40.1.1"), nullptr);
  CHECK(h.verdict == Verdict::HostUnreachable);
  CHECK(h.socketEvidence == "ICMP type 3 code 1 from 10.40.1.1 (socket error queue)");
  // ICMP port unreachable arrives as ECONNREFUSED; the queue tells it from an RST.
  CHECK(decide("h", ip("10.40.2.120"), 5432, withSocketIcmp(ConnectOutcome::Refused, 3, 3, "10.40.1.1"),
               nullptr)
            .verdict == Verdict::PortUnreachable);
  // ICMPv6 1/1 (administratively prohibited) as well.
  auto v6 = withSocketIcmp(ConnectOutcome::HostUnreachable, 1, 1, "fd00::1");
  v6[0].icmp->v6 = true;
  auto p6 = decide("h", ip("fd00::5"), 5432, v6, nullptr);
  CHECK(p6.verdict == Verdict::AdminProhibited);
  CHECK(p6.socketEvidence == "ICMPv6 type 1 code 1 from fd00::1 (socket error queue)");
  // An open probe ignores a report left by an earlier failed round.
  auto mixed = withSocketIcmp(ConnectOutcome::HostUnreachable, 3, 13, "10.40.1.1");
  mixed.push_back({ConnectOutcome::Open, 1.0, "", std::nullopt});
  CHECK(decide("h", ip("10.40.2.120"), 5432, mixed, nullptr).verdict == Verdict::Open);
}

TEST_CASE("the wire still adds its evidence next to the socket's ICMP report", "[unit][tcp]") {
  net::evidence::FlowEvidence ev;
  ev.address = ip("10.40.2.120");
  ev.port = 5432;
  ev.syns = 1;
  ev.attempts = 1;
  ev.icmp.push_back({ip("10.40.1.1"), 3, 13, net::evidence::IcmpKind::AdminProhibited});
  auto p =
      decide("h", ev.address, 5432, withSocketIcmp(ConnectOutcome::HostUnreachable, 3, 13, "10.40.1.1"), &ev);
  CHECK(p.verdict == Verdict::AdminProhibited);
  CHECK_FALSE(p.socketEvidence.empty());
  CHECK_FALSE(p.packetEvidence.empty());
}

// Issue 16: the application's own resolution (getaddrinfo: /etc/hosts, nsswitch) decides.
TEST_CASE("an /etc/hosts pin to a dead address is the application's failure", "[unit][tcp]") {
  AppResolution app;
  app.host = "db.example";
  app.port = 5432;
  app.system = {ip("10.40.2.57")};
  app.dns = {ip("10.40.2.120"), ip("10.40.3.118")};
  app.hostsLines = {"/etc/hosts line 3: 10.40.2.57\tdb.example"};
  app.nsswitchHosts = "hosts: files dns";
  std::vector<ProbeVerdict> ps = {probe("10.40.2.57", 5432, ConnectOutcome::TimedOut),
                                  probe("10.40.2.57", 6432, ConnectOutcome::TimedOut),
                                  probe("10.40.2.120", 5432, ConnectOutcome::Open),
                                  probe("10.40.3.118", 5432, ConnectOutcome::Open)};
  auto f = appResolutionFinding(app, ps);
  REQUIRE(f);
  CHECK(f->code == "tcp.app_address_unreachable");
  CHECK(f->severity == engine::Severity::Critical);
  CHECK(f->summary.find("10.40.2.57") != std::string::npos);
  CHECK(f->summary.find("/etc/hosts") != std::string::npos);
  CHECK(f->summary.find("10.40.2.120, 10.40.3.118") != std::string::npos);
  CHECK(f->fix.find("/etc/hosts") != std::string::npos);
  const auto& ev = f->evidence;
  CHECK(std::find(ev.begin(), ev.end(), "/etc/hosts line 3: 10.40.2.57\tdb.example") != ev.end());
  CHECK(std::find(ev.begin(), ev.end(), "/etc/nsswitch.conf: hosts: files dns") != ev.end());

  SECTION("no /etc/hosts line: another name service is named instead") {
    app.hostsLines.clear();
    auto g = appResolutionFinding(app, ps);
    REQUIRE(g);
    CHECK(g->summary.find("as the C library resolves it") != std::string::npos);
    CHECK(g->fix.find("nsswitch") != std::string::npos);
  }
  SECTION("one of the application's addresses answers: libpq gets through, no finding") {
    app.system.push_back(ip("10.40.2.120"));
    CHECK_FALSE(appResolutionFinding(app, ps));
  }
  SECTION("getaddrinfo agrees with DNS: the per-address findings say it all") {
    app.system = app.dns;
    CHECK_FALSE(appResolutionFinding(app, ps));
  }
  SECTION("the application's address was not probed on its port: nothing is claimed") {
    app.port = 5433;
    CHECK_FALSE(appResolutionFinding(app, ps));
  }
  SECTION("an empty getaddrinfo answer is dns.system's to report") {
    app.system.clear();
    CHECK_FALSE(appResolutionFinding(app, ps));
  }
}

TEST_CASE("a stale pin is judged once, by the application finding, with its wire evidence", "[unit][tcp]") {
  AppResolution app;
  app.host = "db.example";
  app.system = {ip("10.40.2.57")};
  app.dns = {ip("10.40.2.120")};
  auto pinned = probe("10.40.2.57", 5432, ConnectOutcome::TimedOut);
  pinned.packetEvidence = {"2 SYNs to 10.40.2.57:5432, no reply"};
  std::vector<ProbeVerdict> ps = {pinned, probe("10.40.2.120", 5432, ConnectOutcome::Open)};
  auto fs = findingsWithApp({app}, ps, 3.0);
  REQUIRE_FALSE(fs.empty());
  CHECK(fs.front().code == "tcp.app_address_unreachable");
  const auto& ev = fs.front().evidence;
  CHECK(std::find(ev.begin(), ev.end(), "  wire: 2 SYNs to 10.40.2.57:5432, no reply") != ev.end());
  // No endpoint-interface fix for an address that is no endpoint's.
  CHECK_FALSE(find(fs, "tcp.silently_dropped"));
  CHECK(find(fs, "tcp.open"));
  // Without the application finding, the same probes are judged address by address.
  app.system = app.dns;
  CHECK(find(findingsWithApp({app}, ps, 3.0), "tcp.silently_dropped"));
}

TEST_CASE("a stale pin on the first of several hosts delays the application, it does not stop it",
          "[unit][tcp]") {
  AppResolution app;
  app.host = "db.example";
  app.system = {ip("10.40.2.57")};
  app.dns = {ip("10.40.2.120")};
  app.hostsLines = {"/etc/hosts line 3: 10.40.2.57 db.example"};
  auto second =
      decide("replica.example", ip("10.40.3.118"), 5432, attempts({{ConnectOutcome::Open, 1.0}}), nullptr);
  std::vector<ProbeVerdict> ps = {probe("10.40.2.57", 5432, ConnectOutcome::TimedOut), second};
  auto fs = findingsWithApp({app}, ps, 3.0);
  REQUIRE_FALSE(fs.empty());
  CHECK(fs.front().code == "tcp.app_address_unreachable");
  CHECK(fs.front().severity == engine::Severity::Warning);
  CHECK(fs.front().summary.find("tries the next host, replica.example (10.40.3.118:5432 answers)") !=
        std::string::npos);
}

namespace {
AppResolution dualStack(std::vector<net::IpAddress> order) {
  AppResolution app;
  app.host = "db.example";
  app.port = 5432;
  app.system = order;
  app.dns = order;
  return app;
}
}  // namespace

TEST_CASE("IPv6 dropped, IPv4 open, IPv6 tried first with connect_timeout: a warning with the delay",
          "[unit][tcp][ipv6]") {
  auto app = dualStack({ip("fd40:0:0:2::120"), ip("fd40:0:0:3::118"), ip("10.40.2.120"), ip("10.40.3.118")});
  std::vector<ProbeVerdict> ps = {probe("fd40:0:0:2::120", 5432, ConnectOutcome::TimedOut),
                                  probe("fd40:0:0:3::118", 5432, ConnectOutcome::TimedOut),
                                  probe("fd40:0:0:2::120", 6432, ConnectOutcome::TimedOut),
                                  probe("10.40.2.120", 5432, ConnectOutcome::Open),
                                  probe("10.40.3.118", 5432, ConnectOutcome::Open)};
  AppWait wait;
  wait.connectTimeoutS = 5;
  auto fs = findingsWithApp({app}, ps, 3.0, wait);
  REQUIRE_FALSE(fs.empty());
  const auto& f = fs.front();
  CHECK(f.code == "tcp.family_fallback");
  CHECK(f.severity == engine::Severity::Warning);
  CHECK(f.summary.find("IPv6 fails on port 5432 (timeout) while IPv4 works") != std::string::npos);
  CHECK(f.summary.find("tries IPv6 first and waits 10.0 s (2 IPv6 address(es))") != std::string::npos);
  CHECK(f.fix.find("Ipv6Ranges") != std::string::npos);
  CHECK(f.fix.find("precedence ::ffff:0:0/96 100") != std::string::npos);
  // The IPv6 addresses are judged by this finding only, on every port: no per-address
  // tcp.silently_dropped beside it.
  CHECK_FALSE(find(fs, "tcp.silently_dropped"));
  CHECK(engine::statusFromFindings(fs) == engine::Status::Warn);
}

TEST_CASE("IPv6 dropped first without connect_timeout: critical, the kernel's SYN timeout per address",
          "[unit][tcp][ipv6]") {
  auto app = dualStack({ip("fd40:0:0:2::120"), ip("10.40.2.120")});
  std::vector<ProbeVerdict> ps = {probe("fd40:0:0:2::120", 5432, ConnectOutcome::TimedOut),
                                  probe("10.40.2.120", 5432, ConnectOutcome::Open)};
  auto ff = familyFallback(app, ps, AppWait{});
  REQUIRE(ff);
  CHECK(ff->finding.severity == engine::Severity::Critical);
  CHECK(ff->finding.summary.find("waits 127.0 s") != std::string::npos);
  CHECK(ff->covered == std::vector<net::IpAddress>{ip("fd40:0:0:2::120")});
}

TEST_CASE("IPv4 tried first: the broken IPv6 path costs nothing today, still a warning naming IPv6",
          "[unit][tcp][ipv6]") {
  auto app = dualStack({ip("10.40.2.120"), ip("fd40:0:0:2::120")});
  std::vector<ProbeVerdict> ps = {probe("fd40:0:0:2::120", 5432, ConnectOutcome::TimedOut),
                                  probe("10.40.2.120", 5432, ConnectOutcome::Open)};
  auto ff = familyFallback(app, ps, AppWait{});
  REQUIRE(ff);
  CHECK(ff->finding.severity == engine::Severity::Warning);
  CHECK(ff->finding.summary.find("tries IPv4 first and connects at once") != std::string::npos);
}

TEST_CASE("no IPv6 route and IPv6 refused cost no timeout: warnings with their own fixes",
          "[unit][tcp][ipv6]") {
  auto app = dualStack({ip("fd40:0:0:2::120"), ip("10.40.2.120")});
  std::vector<ProbeVerdict> noRoute = {probe("fd40:0:0:2::120", 5432, ConnectOutcome::NoRoute),
                                       probe("10.40.2.120", 5432, ConnectOutcome::Open)};
  auto a = familyFallback(app, noRoute, AppWait{});
  REQUIRE(a);
  CHECK(a->finding.severity == engine::Severity::Warning);
  CHECK(a->finding.fix.find("Add the IPv6 route") != std::string::npos);
  std::vector<ProbeVerdict> refused = {probe("fd40:0:0:2::120", 5432, ConnectOutcome::Refused),
                                       probe("10.40.2.120", 5432, ConnectOutcome::Open)};
  auto b = familyFallback(app, refused, AppWait{});
  REQUIRE(b);
  CHECK(b->finding.severity == engine::Severity::Warning);
  CHECK(b->finding.fix.find("listen_addresses") != std::string::npos);
}

TEST_CASE("both families open, both failing, or one family only: no family finding", "[unit][tcp][ipv6]") {
  auto app = dualStack({ip("fd40:0:0:2::120"), ip("10.40.2.120")});
  CHECK_FALSE(familyFallback(app,
                             {probe("fd40:0:0:2::120", 5432, ConnectOutcome::Open),
                              probe("10.40.2.120", 5432, ConnectOutcome::Open)},
                             AppWait{}));
  CHECK_FALSE(familyFallback(app,
                             {probe("fd40:0:0:2::120", 5432, ConnectOutcome::TimedOut),
                              probe("10.40.2.120", 5432, ConnectOutcome::TimedOut)},
                             AppWait{}));
  auto v4only = dualStack({ip("10.40.2.120")});
  CHECK_FALSE(familyFallback(v4only, {probe("10.40.2.120", 5432, ConnectOutcome::TimedOut)}, AppWait{}));
}

TEST_CASE("libpq's connect_timeout and the kernel's SYN timeout as libpq meets them", "[unit][tcp][ipv6]") {
  CHECK_FALSE(libpqConnectTimeout(""));
  CHECK_FALSE(libpqConnectTimeout("0"));
  CHECK_FALSE(libpqConnectTimeout("abc"));
  CHECK(libpqConnectTimeout("1") == 2);
  CHECK(libpqConnectTimeout("10") == 10);
  CHECK(synTimeoutSeconds(6) == 127);
  CHECK(synTimeoutSeconds(2) == 7);
}
