#include "net/handshake_evidence.h"

#include <pcap/pcap.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <memory>

using namespace pgreach;
using namespace pgreach::net::evidence;

namespace {

std::string pcapPath(const std::string& name) {
  return std::string(PGREACH_SOURCE_DIR) + "/tests/data/pcap/" + name;
}

std::vector<Packet> packetsOf(const std::string& name) {
  auto frames = readPcapFile(pcapPath(name));
  REQUIRE(frames.ok());
  REQUIRE(!frames->empty());
  std::vector<Packet> out;
  for (const auto& f : *frames) {
    if (auto p = decodeFrame(f)) out.push_back(*p);
  }
  return out;
}

ProbeKey key(const char* addr, uint16_t port) { return {*net::IpAddress::parse(addr), port, {}}; }

const std::vector<ProbeKey> kLabProbes = {key("10.40.2.120", 5432), key("10.40.2.120", 5433),
                                          key("10.40.2.120", 6432), key("10.40.3.118", 5432),
                                          key("10.40.3.118", 5433), key("10.40.3.118", 6432)};

bool anyLineContains(const std::vector<std::string>& lines, const std::string& needle) {
  return std::any_of(lines.begin(), lines.end(),
                     [&](const std::string& l) { return l.find(needle) != std::string::npos; });
}

}  // namespace

TEST_CASE("healthy capture: every probe got a SYN-ACK and nothing else", "[unit][capture]") {
  const auto flows = summarise(packetsOf("healthy.pcap"), kLabProbes);
  REQUIRE(flows.size() == kLabProbes.size());
  for (const auto& f : flows) {
    INFO(f.address.toString() << ":" << f.port);
    CHECK(f.syns >= 1);
    CHECK(f.synAcks >= 1);
    CHECK(f.rstFromServer == 0);
    CHECK(f.icmp.empty());
    CHECK(f.icmpVerdict() == IcmpKind::None);
    CHECK(f.firstReplyDelay >= 0);
    CHECK(anyLineContains(f.evidence(), "SYN-ACK from"));
  }
}

TEST_CASE("sg-missing-6432 capture: 6432 SYNs retransmitted with no reply, others answered",
          "[unit][capture]") {
  for (const char* file : {"sg-missing-6432.pcap", "sg-missing-6432-sll.pcap"}) {
    INFO(file);
    const auto flows = summarise(packetsOf(file), kLabProbes);
    for (const auto& f : flows) {
      INFO(f.address.toString() << ":" << f.port);
      if (f.port == 6432) {
        CHECK(f.syns >= 2);
        CHECK(f.synRetransmissions >= 1);
        CHECK(f.synAcks == 0);
        CHECK(f.rstFromServer == 0);
        CHECK(f.icmp.empty());
        const auto ev = f.evidence();
        CHECK(anyLineContains(ev, "SYNs to " + f.address.toString() + ":6432 over"));
        CHECK(anyLineContains(ev, "no reply: dropped on the path, typically a security group or NACL"));
        CHECK(anyLineContains(ev, "retransmission"));
      } else {
        CHECK(f.synAcks >= 1);
      }
    }
  }
}

TEST_CASE("nacl-no-ephemeral capture: every SYN unanswered", "[unit][capture]") {
  const auto flows = summarise(packetsOf("nacl-no-ephemeral.pcap"), kLabProbes);
  for (const auto& f : flows) {
    CHECK(f.syns >= 1);
    CHECK(f.synAcks == 0);
    CHECK(f.rstFromServer == 0);
    CHECK(anyLineContains(f.evidence(), "ephemeral ports 1024-65535"));
  }
}

TEST_CASE("refused-5433 capture: RST from the probed address on 5433", "[unit][capture]") {
  const auto flows = summarise(packetsOf("refused-5433.pcap"), kLabProbes);
  for (const auto& f : flows) {
    INFO(f.address.toString() << ":" << f.port);
    if (f.port == 5433) {
      CHECK(f.rstFromServer >= 1);
      CHECK(f.synAcks == 0);
      CHECK(anyLineContains(f.evidence(), "RST from " + f.address.toString() + ":5433"));
    } else {
      CHECK(f.rstFromServer == 0);
      CHECK(f.synAcks >= 1);
    }
  }
}

TEST_CASE("icmp-admin-prohibited capture: type 3 code 13 from the router, per probe", "[unit][capture]") {
  for (const char* file : {"icmp-admin-prohibited.pcap", "icmp-admin-prohibited-sll.pcap"}) {
    INFO(file);
    const auto flows = summarise(packetsOf(file), kLabProbes);
    for (const auto& f : flows) {
      INFO(f.address.toString() << ":" << f.port);
      if (f.port == 5432) {
        REQUIRE(f.icmp.size() >= 1);
        CHECK(f.icmp[0].type == 3);
        CHECK(f.icmp[0].code == 13);
        CHECK(f.icmp[0].from.toString() == "10.40.1.1");
        CHECK(f.icmpVerdict() == IcmpKind::AdminProhibited);
        CHECK(anyLineContains(f.evidence(), "(administratively prohibited) from 10.40.1.1"));
      } else {
        CHECK(f.icmp.empty());
        CHECK(f.synAcks >= 1);
      }
    }
  }
}

TEST_CASE("ICMP kinds are named by type and code", "[unit][capture]") {
  CHECK(icmpKind(false, 3, 0) == IcmpKind::NetUnreachable);
  CHECK(icmpKind(false, 3, 1) == IcmpKind::HostUnreachable);
  CHECK(icmpKind(false, 3, 3) == IcmpKind::PortUnreachable);
  CHECK(icmpKind(false, 3, 9) == IcmpKind::AdminProhibited);
  CHECK(icmpKind(false, 3, 10) == IcmpKind::AdminProhibited);
  CHECK(icmpKind(false, 3, 13) == IcmpKind::AdminProhibited);
  CHECK(icmpKind(false, 3, 4) == IcmpKind::Other);
  CHECK(icmpKind(false, 11, 0) == IcmpKind::Other);
  CHECK(icmpKind(true, 1, 1) == IcmpKind::AdminProhibited);
  CHECK(icmpKind(true, 1, 4) == IcmpKind::PortUnreachable);
  CHECK(icmpKind(true, 1, 3) == IcmpKind::HostUnreachable);
  CHECK(icmpKind(true, 1, 0) == IcmpKind::NetUnreachable);
}

TEST_CASE("decodeFrame survives every truncation and garbage", "[unit][capture]") {
  auto frames = readPcapFile(pcapPath("icmp-admin-prohibited.pcap"));
  REQUIRE(frames.ok());
  size_t decodedWhole = 0;
  for (const auto& f : *frames) {
    if (decodeFrame(f)) ++decodedWhole;
    for (size_t len = 0; len < f.bytes.size(); ++len) {
      Frame cut = f;
      cut.bytes.resize(len);
      (void)decodeFrame(cut);  // must not crash or read past the end (ASan build checks)
    }
    Frame flipped = f;
    for (auto& b : flipped.bytes) b = static_cast<uint8_t>(b ^ 0xA5);
    (void)decodeFrame(flipped);
  }
  CHECK(decodedWhole == frames->size());
  CHECK_FALSE(decodeFrame(Frame{0, DLT_EN10MB, {}}).has_value());
  CHECK_FALSE(decodeFrame(Frame{0, 9999, std::vector<uint8_t>(64, 0x45)}).has_value());
}

TEST_CASE("readPcapFile gives a clear error for a missing or malformed file", "[unit][capture]") {
  auto missing = readPcapFile("/nonexistent/x.pcap");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().find("/nonexistent/x.pcap") != std::string::npos);
  char tmpl[] = "/tmp/pgreach-bad-pcap-XXXXXX";
  const int fd = mkstemp(tmpl);
  REQUIRE(fd >= 0);
  REQUIRE(write(fd, "not a pcap file at all", 22) == 22);
  close(fd);
  auto bad = readPcapFile(tmpl);
  CHECK_FALSE(bad.ok());
  unlink(tmpl);
}

TEST_CASE("the BPF filter names exactly the probed hosts and ports and compiles", "[unit][capture]") {
  const std::string f = bpfFilterFor(kLabProbes);
  CHECK(f.find("host 10.40.2.120") != std::string::npos);
  CHECK(f.find("host 10.40.3.118") != std::string::npos);
  CHECK(f.find("port 6432") != std::string::npos);
  CHECK(f.find("icmp[24:4] = 0x0a280278") != std::string::npos);  // 10.40.2.120 in the quoted header
  for (int link : {DLT_LINUX_SLL, DLT_EN10MB}) {
    std::unique_ptr<pcap_t, void (*)(pcap_t*)> dead(pcap_open_dead(link, 96), pcap_close);
    bpf_program prog{};
    INFO(f);
    REQUIRE(pcap_compile(dead.get(), &prog, f.c_str(), 1, PCAP_NETMASK_UNKNOWN) == 0);
    pcap_freecode(&prog);
  }
  const std::string v6 = bpfFilterFor({key("fd00::5", 5432)});
  CHECK(v6.find("icmp6") != std::string::npos);
}

TEST_CASE("the handshake pcap keeps SYN/SYN-ACK/RST/ICMP only, no payload, snaplen <= 96",
          "[unit][capture]") {
  auto frames = readPcapFile(pcapPath("healthy.pcap"));
  REQUIRE(frames.ok());
  size_t withPayloadOrPureAck = 0;
  for (const auto& f : *frames) {
    auto p = decodeFrame(f);
    if (p && !p->isIcmp && (p->hasPayload || !(p->tcpFlags & (kTcpSyn | kTcpRst)))) ++withPayloadOrPureAck;
  }
  REQUIRE(withPayloadOrPureAck > 0);  // the tcpdump capture has ACKs/FINs to leave out
  char tmpl[] = "/tmp/pgreach-hs-XXXXXX";
  const int fd = mkstemp(tmpl);
  REQUIRE(fd >= 0);
  close(fd);
  auto written = writeHandshakePcap(tmpl, *frames, 200);
  REQUIRE(written.ok());
  auto back = readPcapFile(tmpl);
  unlink(tmpl);
  REQUIRE(back.ok());
  CHECK(static_cast<int>(back->size()) == *written);
  CHECK(*written >= 12);  // 6 SYNs + 6 SYN-ACKs at least
  for (const auto& f : *back) {
    CHECK(f.bytes.size() <= 96);
    auto p = decodeFrame(f);
    REQUIRE(p);
    if (!p->isIcmp) {
      CHECK_FALSE(p->hasPayload);
      CHECK((p->tcpFlags & (kTcpSyn | kTcpRst)) != 0);
    }
  }
}

TEST_CASE("a packet seen on two interfaces counts once; a real retransmission twice", "[unit][capture]") {
  Packet syn;
  syn.src = *net::IpAddress::parse("10.40.1.10");
  syn.dst = *net::IpAddress::parse("10.40.2.120");
  syn.srcPort = 40000;
  syn.dstPort = 6432;
  syn.tcpFlags = kTcpSyn;
  Packet copy = syn, retrans = syn;
  syn.ts = 100.0;
  copy.ts = 100.0002;  // the same SYN on the bridge after the veth
  retrans.ts = 101.0;  // the kernel's retransmission one second later
  const auto flows = summarise({syn, copy, retrans}, {key("10.40.2.120", 6432)});
  REQUIRE(flows.size() == 1);
  CHECK(flows[0].syns == 2);
  CHECK(flows[0].attempts == 1);
  CHECK(flows[0].synRetransmissions == 1);
  CHECK(withoutDuplicates({syn, copy, retrans}).size() == 2);
}

TEST_CASE("a server resending its SYN-ACK and replies from another address are flagged", "[unit][capture]") {
  Packet syn;
  syn.ts = 1.0;
  syn.src = *net::IpAddress::parse("10.40.1.10");
  syn.dst = *net::IpAddress::parse("10.40.2.120");
  syn.srcPort = 40001;
  syn.dstPort = 5432;
  syn.tcpFlags = kTcpSyn;
  Packet synAck;
  synAck.src = syn.dst;
  synAck.dst = syn.src;
  synAck.srcPort = 5432;
  synAck.dstPort = 40001;
  synAck.tcpFlags = kTcpSyn | kTcpAck;
  Packet again = synAck, other = synAck;
  synAck.ts = 1.001;
  again.ts = 2.001;
  other.ts = 2.5;
  other.src = *net::IpAddress::parse("10.40.9.9");
  const auto flows = summarise({syn, synAck, again, other}, {key("10.40.2.120", 5432)});
  REQUIRE(flows.size() == 1);
  CHECK(flows[0].synAcks == 2);
  CHECK(flows[0].synAckRetransmissions == 1);
  CHECK(flows[0].repliesFromOther == 1);
  const auto ev = flows[0].evidence();
  CHECK(anyLineContains(ev, "our ACK did not reach it"));
  CHECK(anyLineContains(ev, "asymmetric routing or NAT"));
}

TEST_CASE("decodeFrame and summarise on random frames: no crash, bounded", "[unit][capture]") {
  uint32_t state = 12345;
  auto rnd = [&] { return state = state * 1664525u + 1013904223u; };
  const int links[] = {DLT_EN10MB, DLT_LINUX_SLL, DLT_RAW, DLT_NULL, 276 /* SLL2 */};
  std::vector<Packet> decoded;
  for (int i = 0; i < 20000; ++i) {
    Frame f;
    f.linkType = links[rnd() % 5];
    f.bytes.resize(rnd() % 120);
    for (auto& b : f.bytes) b = static_cast<uint8_t>(rnd() >> 24);
    // Make the IP version nibble plausible half of the time so the deeper paths run.
    const size_t off = f.linkType == DLT_EN10MB      ? 14
                       : f.linkType == DLT_LINUX_SLL ? 16
                       : f.linkType == 276           ? 20
                       : f.linkType == DLT_NULL      ? 4
                                                     : 0;
    if (f.bytes.size() > off && (rnd() & 1)) f.bytes[off] = (rnd() & 1) ? 0x45 : 0x60;
    if (auto p = decodeFrame(f)) decoded.push_back(*p);
  }
  const auto flows = summarise(decoded, {key("10.40.2.120", 5432)});
  CHECK(flows.size() == 1);
}

namespace {
Packet tcpPacket(double ts, const char* src, uint16_t sport, const char* dst, uint16_t dport, uint8_t flags) {
  Packet p;
  p.ts = ts;
  p.src = *net::IpAddress::parse(src);
  p.dst = *net::IpAddress::parse(dst);
  p.srcPort = sport;
  p.dstPort = dport;
  p.tcpFlags = flags;
  return p;
}
}  // namespace

// pgreach serve runs probes side by side: two probes of 10.40.2.120:5432 capture each
// other's handshakes. With the probe's own source ports given, the other's retransmitted
// SYN, its SYN-ACKs and the ICMP error quoting it are not this probe's evidence.
TEST_CASE("summarise counts only the probe's own attempts when their ports are given", "[unit][capture]") {
  const uint8_t syn = kTcpSyn, synAck = kTcpSyn | kTcpAck;
  std::vector<Packet> wire = {
      tcpPacket(10.000, "10.40.1.10", 40001, "10.40.2.120", 5432, syn),     // ours
      tcpPacket(10.002, "10.40.2.120", 5432, "10.40.1.10", 40001, synAck),  // 2 ms
      tcpPacket(10.100, "10.40.1.10", 40077, "10.40.2.120", 5432, syn),     // the other probe's
      tcpPacket(11.100, "10.40.1.10", 40077, "10.40.2.120", 5432, syn),     // ... retransmitted
      tcpPacket(11.105, "10.40.2.120", 5432, "10.40.1.10", 40077, synAck),
  };
  Packet icmp;
  icmp.ts = 11.2;
  icmp.isIcmp = true;
  icmp.src = *net::IpAddress::parse("10.40.0.1");
  icmp.dst = *net::IpAddress::parse("10.40.1.10");
  icmp.icmpType = 3;
  icmp.icmpCode = 13;
  icmp.quotedSrc = icmp.dst;
  icmp.quotedDst = *net::IpAddress::parse("10.40.2.120");
  icmp.quotedSrcPort = 40077;
  icmp.quotedDstPort = 5432;
  wire.push_back(icmp);

  ProbeKey mine = key("10.40.2.120", 5432);
  mine.clientPorts = {40001};
  const auto flows = summarise(wire, {mine});
  REQUIRE(flows.size() == 1);
  const auto& f = flows[0];
  CHECK(f.syns == 1);
  CHECK(f.attempts == 1);
  CHECK(f.synRetransmissions == 0);
  CHECK(f.synAcks == 1);
  CHECK(f.icmp.empty());
  REQUIRE(f.ends.size() == 1);
  CHECK(f.ends[0].clientPort == 40001);
  CHECK(f.ends[0].syns == 1);
  CHECK(f.ends[0].handshakeMs == Approx(2.0).margin(0.01));
  CHECK(f.end(40077) == nullptr);

  // Without ports (a pcap file read afterwards) every client counts, as before.
  const auto all = summarise(wire, {key("10.40.2.120", 5432)});
  CHECK(all[0].syns == 3);
  CHECK(all[0].attempts == 2);
  CHECK(all[0].icmp.size() == 1);
  REQUIRE(all[0].end(40077) != nullptr);
  CHECK(all[0].end(40077)->syns == 2);
  CHECK(all[0].end(40077)->handshakeMs == Approx(1005.0).margin(0.01));
}
