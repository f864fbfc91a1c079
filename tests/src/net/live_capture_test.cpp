// The live side of the capture (src/net/capture.*) on loopback. As root the capture must
// work; without privilege it must fail with NoPermission (what tcp.capture_unavailable keys on).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pcap/pcap.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "net/capture.h"
#include "net/connect.h"
#include "net/handshake_evidence.h"
#include "util/fd.h"

using namespace pgreach;

TEST_CASE("live capture on lo sees the probe's SYN and SYN-ACK, opened before the connect",
          "[integration][capture]") {
  util::Fd l(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in sin{};
  sin.sin_family = AF_INET;
  sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(l.get(), reinterpret_cast<sockaddr*>(&sin), sizeof sin) == 0);
  REQUIRE(::listen(l.get(), 4) == 0);
  socklen_t len = sizeof sin;
  ::getsockname(l.get(), reinterpret_cast<sockaddr*>(&sin), &len);
  const uint16_t port = ntohs(sin.sin_port);
  const auto addr = *net::IpAddress::parse("127.0.0.1");
  const std::vector<net::evidence::ProbeKey> keys{{addr, port, {}}};

  net::LiveCapture cap;
  const bool opened = cap.open("any", net::evidence::bpfFilterFor(keys), 96);
  if (::geteuid() != 0) {
    CHECK_FALSE(opened);
    CHECK(cap.failure() == net::LiveCapture::Failure::NoPermission);
    return;
  }
  REQUIRE(opened);
  auto results = net::connectAll({{addr, port}}, std::chrono::milliseconds(1000));
  REQUIRE(results.at(0).outcome == net::ConnectOutcome::Open);
  REQUIRE(results.at(0).localPort != 0);
  // Another prober of the same address:port at the same time (serve's next probe).
  auto other = net::connectAll({{addr, port}}, std::chrono::milliseconds(1000));
  REQUIRE(other.at(0).outcome == net::ConnectOutcome::Open);
  REQUIRE(other.at(0).localPort != results.at(0).localPort);
  ::usleep(50000);
  auto frames = cap.stop();
  CHECK(cap.stop().empty());  // idempotent
  std::vector<net::evidence::Packet> packets;
  for (auto& f : frames) {
    if (auto p = net::evidence::decodeFrame({f.ts, f.linkType, f.bytes})) packets.push_back(*p);
    CHECK(f.bytes.size() <= 96);
  }
  // The probe's own attempt only, found by the source port connectAll reported.
  auto mine = keys;
  mine[0].clientPorts = {results.at(0).localPort};
  const auto flows = net::evidence::summarise(packets, mine);
  REQUIRE(flows.size() == 1);
  CHECK(flows[0].syns == 1);
  CHECK(flows[0].synAcks == 1);
  CHECK(flows[0].rstFromServer == 0);
  REQUIRE(flows[0].ends.size() == 1);
  CHECK(flows[0].ends[0].clientPort == results.at(0).localPort);
  CHECK(flows[0].ends[0].handshakeMs >= 0);
  CHECK(flows[0].ends[0].handshakeMs < 1000);
  // Every client: both handshakes.
  const auto both = net::evidence::summarise(packets, keys);
  CHECK(both[0].syns == 2);
  CHECK(both[0].synAcks == 2);
}

TEST_CASE("the raw ICMP fallback receives ICMP errors (root only)", "[integration][capture]") {
  net::IcmpListener icmp;
  if (::geteuid() != 0) {
    CHECK_FALSE(icmp.open());
    return;
  }
  REQUIRE(icmp.open());
  // A UDP datagram to a closed loopback port draws an ICMP port unreachable on lo.
  util::Fd u(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  sockaddr_in sin{};
  sin.sin_family = AF_INET;
  sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(u.get(), reinterpret_cast<sockaddr*>(&sin), sizeof sin) == 0);
  socklen_t len = sizeof sin;
  ::getsockname(u.get(), reinterpret_cast<sockaddr*>(&sin), &len);
  u.reset();  // now nobody listens on that port
  util::Fd s(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  REQUIRE(::sendto(s.get(), "x", 1, 0, reinterpret_cast<sockaddr*>(&sin), sizeof sin) == 1);
  ::usleep(50000);
  bool sawPortUnreachable = false;
  for (const auto& f : icmp.drain()) {
    REQUIRE(f.linkType == DLT_RAW);
    if (f.bytes.size() >= 28 && (f.bytes[0] >> 4) == 4) {
      const size_t ihl = static_cast<size_t>(f.bytes[0] & 0x0F) * 4;
      if (f.bytes.size() > ihl + 1 && f.bytes[ihl] == 3 && f.bytes[ihl + 1] == 3) sawPortUnreachable = true;
    }
  }
  CHECK(sawPortUnreachable);
}
