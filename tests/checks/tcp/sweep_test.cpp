// `pgreach sweep`: block bounds and output (src/app/sweep.*), the epoll engine on loopback
// (src/net/sweep_engine.*).
#include "app/sweep.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "support/process.h"
#include "util/fd.h"

using namespace pgreach;

namespace {

// A listener on addr:0; returns the fd and the port.
util::Fd listenOn(const char* addr, uint16_t& port) {
  util::Fd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  REQUIRE(fd.valid());
  sockaddr_in sin{};
  sin.sin_family = AF_INET;
  inet_pton(AF_INET, addr, &sin.sin_addr);
  REQUIRE(::bind(fd.get(), reinterpret_cast<sockaddr*>(&sin), sizeof sin) == 0);
  REQUIRE(::listen(fd.get(), 64) == 0);
  socklen_t len = sizeof sin;
  ::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&sin), &len);
  port = ntohs(sin.sin_port);
  return fd;
}

}  // namespace

TEST_CASE("sweep blocks: /16 is the largest, bad text is a clear error", "[unit][sweep]") {
  CHECK(app::parseSweepBlocks({"10.40.0.0/16"}).ok());
  CHECK(app::parseSweepBlocks({"10.40.2.0/24", "10.40.3.7"}).ok());
  auto big = app::parseSweepBlocks({"10.40.2.0/24", "10.0.0.0/15"});
  REQUIRE_FALSE(big.ok());
  CHECK(big.error().find("10.0.0.0/15 is larger than a /16") != std::string::npos);
  auto bad = app::parseSweepBlocks({"10.40.2.0/33"});
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().find("not a CIDR block") != std::string::npos);
  CHECK_FALSE(app::parseSweepBlocks({}).ok());
  CHECK(app::parseSweepBlocks({"fd00::/112"}).ok());
  // A /64 is what an IPv6 subnet is: no split makes it sweepable, so the message does not
  // suggest one; it names the endpoint's own addresses instead (issue 21).
  auto v6 = app::parseSweepBlocks({"fd40:0:0:2::/64"});
  REQUIRE_FALSE(v6.ok());
  CHECK(v6.error().find("fd40:0:0:2::/64 has 64 host bits and cannot be swept") != std::string::npos);
  CHECK(v6.error().find("split") == std::string::npos);
  CHECK(v6.error().find("sweep the endpoint's own addresses instead") != std::string::npos);
  CHECK(v6.error().find("Ipv6Addresses") != std::string::npos);
  CHECK(v6.error().find("pgreach sweep fd40:0:0:2::10/128") != std::string::npos);
  CHECK_FALSE(app::parseSweepBlocks({"fd00::/111"}).ok());
}

TEST_CASE("sweep classes follow the connect outcome", "[unit][sweep]") {
  CHECK(net::sweepClassOf(net::ConnectOutcome::Open) == net::SweepClass::Open);
  CHECK(net::sweepClassOf(net::ConnectOutcome::Refused) == net::SweepClass::Closed);
  CHECK(net::sweepClassOf(net::ConnectOutcome::TimedOut) == net::SweepClass::Filtered);
  CHECK(net::sweepClassOf(net::ConnectOutcome::HostUnreachable) == net::SweepClass::Unreachable);
  CHECK(net::sweepClassOf(net::ConnectOutcome::NoRoute) == net::SweepClass::Unreachable);
}

TEST_CASE("sweep text and JSON carry the counts and the open/refused lists", "[unit][sweep]") {
  net::SweepSummary s;
  s.blocks = {"10.40.2.0/24"};
  s.ports = {5432, 6432};
  s.addresses = 256;
  s.probes = 512;
  s.open = 1;
  s.closed = 1;
  s.filtered = 510;
  s.openList = {{*net::IpAddress::parse("10.40.2.120"), 5432, 0.4}};
  s.refusedList = {{*net::IpAddress::parse("10.40.2.1"), 5432, 0.2}};
  const std::string text = app::renderSweepText(s);
  CHECK(text.find("256 address(es) x 2 port(s) = 512 probe(s)") != std::string::npos);
  CHECK(text.find("filtered     510") != std::string::npos);
  CHECK(text.find("10.40.2.120:5432") != std::string::npos);
  // Like nmap: refused ports are counted, listed only on request.
  CHECK(text.find("10.40.2.1:5432") == std::string::npos);
  CHECK(text.find("1 refused (closed) address:port pair(s) not listed (--list-refused lists them)") !=
        std::string::npos);
  const std::string full = app::renderSweepText(s, true);
  CHECK(full.find("refused (closed):\n  10.40.2.1:5432") != std::string::npos);
  CHECK(full.find("not listed") == std::string::npos);
  const auto j = app::sweepJson(s);
  CHECK(j["schema_version"] == 1);
  CHECK(j["counts"]["open"] == 1);
  CHECK(j["counts"]["filtered"] == 510);
  CHECK(j["open"][0]["address"] == "10.40.2.120");
  CHECK(j["refused"][0]["port"] == 5432);
}

TEST_CASE("sweep on loopback finds the one listener, refusals elsewhere, within the bounds",
          "[integration][sweep]") {
  uint16_t port = 0;
  auto listener = listenOn("127.0.0.5", port);
  net::SweepSettings st;
  st.ports = {port};
  st.timeout = std::chrono::milliseconds(1000);
  st.maxInFlight = 2;  // fewer slots than probes: the loop must refill them
  st.rate = 1000;
  uint64_t lastDone = 0, lastTotal = 0;
  st.progress = [&](uint64_t d, uint64_t t) { lastDone = d, lastTotal = t; };
  auto s = net::runSweep({*net::Cidr::parse("127.0.0.4/30")}, st);
  CHECK(s.probes == 4);
  CHECK(s.open == 1);
  CHECK(s.closed == 3);
  CHECK(s.filtered == 0);
  REQUIRE(s.openList.size() == 1);
  CHECK(s.openList[0].address.toString() == "127.0.0.5");
  CHECK(lastDone == 4);
  CHECK(lastTotal == 4);
  CHECK(s.durationMs < 1000);
}

TEST_CASE("pgreach sweep: exit 0 with an open port, 2 with none, 3 on bad input", "[integration][sweep]") {
  uint16_t port = 0;
  auto listener = listenOn("127.0.0.9", port);
  auto r = testing::runProcess({testing::pgreachBinary(), "sweep", "127.0.0.8/30", "--ports",
                                std::to_string(port), "--timeout", "1s", "--format", "json"},
                               std::chrono::seconds(20));
  REQUIRE(r.exitCode == 0);
  CHECK(r.err.empty());  // no progress bar when stderr is not a terminal
  auto j = nlohmann::json::parse(r.out);
  CHECK(j["counts"]["open"] == 1);
  CHECK(j["counts"]["closed"] == 3);
  CHECK(j["open"][0]["address"] == "127.0.0.9");

  listener.reset();
  auto none = testing::runProcess(
      {testing::pgreachBinary(), "sweep", "127.0.0.8/30", "--ports", std::to_string(port), "--timeout", "1s"},
      std::chrono::seconds(20));
  CHECK(none.exitCode == 2);
  CHECK(none.out.find("open         0") != std::string::npos);

  auto big = testing::runProcess({testing::pgreachBinary(), "sweep", "10.0.0.0/8"}, std::chrono::seconds(10));
  CHECK(big.exitCode == 3);
  CHECK(big.err.find("larger than a /16") != std::string::npos);
  auto garbage = testing::runProcess(
      {testing::pgreachBinary(), "sweep", "10.40.2.0/24", "--max-in-flight", "0"}, std::chrono::seconds(10));
  CHECK(garbage.exitCode == 3);
}

TEST_CASE("pgreach sweep text lists open ports and counts the refused, --list-refused lists them",
          "[integration][sweep]") {
  uint16_t port = 0;
  auto listener = listenOn("127.0.0.9", port);
  const std::vector<std::string> base{
      testing::pgreachBinary(), "sweep", "127.0.0.8/30", "--ports", std::to_string(port), "--timeout", "1s"};
  auto r = testing::runProcess(base, std::chrono::seconds(20));
  REQUIRE(r.exitCode == 0);
  CHECK(r.out.find("127.0.0.9:" + std::to_string(port)) != std::string::npos);
  CHECK(r.out.find("127.0.0.8:" + std::to_string(port)) == std::string::npos);
  CHECK(r.out.find("3 refused (closed) address:port pair(s) not listed (--list-refused lists them)") !=
        std::string::npos);

  auto withFlag = base;
  withFlag.push_back("--list-refused");
  auto full = testing::runProcess(withFlag, std::chrono::seconds(20));
  REQUIRE(full.exitCode == 0);
  CHECK(full.out.find("refused (closed):\n  127.0.0.8:" + std::to_string(port)) != std::string::npos);

  // JSON is unchanged: it always carries both lists.
  withFlag.insert(withFlag.end(), {"--format", "json"});
  auto json = testing::runProcess(withFlag, std::chrono::seconds(20));
  auto j = nlohmann::json::parse(json.out);
  CHECK(j["refused"].size() == 3);
  CHECK(j["open"].size() == 1);
}

TEST_CASE("sweep --rate spaces the connection attempts", "[integration][sweep]") {
  uint16_t port = 0;
  auto listener = listenOn("127.0.0.1", port);
  net::SweepSettings st;
  st.ports = {port};
  st.timeout = std::chrono::milliseconds(1000);
  st.rate = 100;  // 32 attempts at 100/s: the last starts at ~310 ms
  const auto t0 = std::chrono::steady_clock::now();
  auto s = net::runSweep({*net::Cidr::parse("127.0.1.0/27")}, st);
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
  CHECK(s.probes == 32);
  CHECK(s.open + s.closed == 32);
  CHECK(ms >= 300);
  CHECK(ms < 1500);
}

TEST_CASE("sweep --deadline cuts a long sweep: what was not started is counted, exit 3 with nothing open",
          "[integration][sweep]") {
  // 256 probes at 10 a second would take 25 s; the deadline ends it after ~1 s. All on
  // loopback (127.0.2.0/24, a port nothing listens on: refused at once).
  auto r = testing::runProcess({testing::pgreachBinary(), "sweep", "127.0.2.0/24", "--ports", "1", "--rate",
                                "10", "--deadline", "1s", "--format", "json"},
                               std::chrono::seconds(20));
  CHECK(r.exitCode == 3);
#if !defined(__SANITIZE_ADDRESS__)
  CHECK(r.elapsed < std::chrono::milliseconds(1500));
#endif
  auto j = nlohmann::json::parse(r.out);
  const uint64_t notStarted = j["not_started"].get<uint64_t>();
  CHECK(notStarted > 200);
  CHECK(j["counts"]["closed"].get<uint64_t>() + notStarted == 256);
  auto text = testing::runProcess({testing::pgreachBinary(), "sweep", "127.0.2.0/24", "--ports", "1",
                                   "--rate", "10", "--deadline", "500ms"},
                                  std::chrono::seconds(20));
  CHECK(text.out.find("cut by --deadline: ") != std::string::npos);
  CHECK(text.out.find("probe(s) not started (not verified)") != std::string::npos);
}

TEST_CASE("sweep handles IPv6 blocks", "[integration][sweep]") {
  util::Fd fd(::socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0));
  REQUIRE(fd.valid());
  sockaddr_in6 sin6{};
  sin6.sin6_family = AF_INET6;
  sin6.sin6_addr = in6addr_loopback;
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&sin6), sizeof sin6) != 0) {
    WARN("no IPv6 loopback here; the IPv6 sweep path is not exercised");
    CHECK(app::parseSweepBlocks({"::1/128"}).ok());
    return;
  }
  REQUIRE(::listen(fd.get(), 4) == 0);
  socklen_t len = sizeof sin6;
  ::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&sin6), &len);
  net::SweepSettings st;
  st.ports = {ntohs(sin6.sin6_port)};
  st.timeout = std::chrono::milliseconds(1000);
  auto s = net::runSweep({*net::Cidr::parse("::1/128")}, st);
  CHECK(s.probes == 1);
  CHECK(s.open == 1);
  REQUIRE(s.openList.size() == 1);
  CHECK(app::renderSweepText(s).find("[::1]:") != std::string::npos);
}
