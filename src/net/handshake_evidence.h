#pragma once
// Packet evidence for TCP probes: a pure summariser over captured packets (from a pcap
// file or a live capture) that tells, per address:port, how many SYNs left, whether a
// SYN-ACK, an RST or an ICMP error came back and from whom. No I/O here except the
// pcap-file reader, so the logic is tested on committed .pcap files.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "net/address.h"
#include "util/expected.h"

namespace pgreach::net::evidence {

// One captured frame as libpcap hands it over: the link type says how to find the IP header.
struct Frame {
  double ts = 0;     // seconds (any epoch; only differences matter)
  int linkType = 0;  // DLT_* of the capture
  std::vector<uint8_t> bytes;
};

// What a frame says once decoded. Frames that are neither TCP nor ICMP(v6) destination
// unreachable do not decode.
struct Packet {
  double ts = 0;
  net::IpAddress src, dst;
  bool isIcmp = false;
  // TCP
  uint16_t srcPort = 0, dstPort = 0;
  uint8_t tcpFlags = 0;  // FIN 0x01 SYN 0x02 RST 0x04 PSH 0x08 ACK 0x10
  bool hasPayload = false;
  // ICMP destination unreachable (v4 type 3, v6 type 1) and the TCP packet it quotes
  uint8_t icmpType = 0, icmpCode = 0;
  net::IpAddress quotedSrc, quotedDst;
  uint16_t quotedSrcPort = 0, quotedDstPort = 0;
};

inline constexpr uint8_t kTcpFin = 0x01, kTcpSyn = 0x02, kTcpRst = 0x04, kTcpAck = 0x10;

// Decodes one frame; nullopt for anything malformed, truncated or irrelevant. Never reads
// past the buffer.
std::optional<Packet> decodeFrame(const Frame& f);

// ICMP verdicts, named by kind.
enum class IcmpKind { None, NetUnreachable, HostUnreachable, PortUnreachable, AdminProhibited, Other };
IcmpKind icmpKind(bool v6, uint8_t type, uint8_t code);
const char* icmpKindName(IcmpKind k);  // "host unreachable", "administratively prohibited"...

struct IcmpSeen {
  net::IpAddress from;  // the router (or host) that sent it
  uint8_t type = 0, code = 0;
  IcmpKind kind = IcmpKind::None;
};

// Everything the wire showed about one probed address:port.
struct FlowEvidence {
  net::IpAddress address;
  uint16_t port = 0;
  int syns = 0;                // SYNs the client sent (all attempts, with retransmissions)
  int attempts = 0;            // distinct client source ports = connection attempts
  int synRetransmissions = 0;  // syns - attempts
  double firstSyn = 0, lastSyn = 0;
  int synAcks = 0;                // SYN-ACKs from the probed address
  int synAckRetransmissions = 0;  // the server sent the same SYN-ACK again: our ACK did not reach it
  int rstFromServer = 0;          // RST from the probed address (refusal)
  int rstFromClient = 0;          // our RST/close (normal after an open probe)
  int repliesFromOther = 0;       // SYN-ACK/RST for this port from an address we did not probe
  std::vector<IcmpSeen> icmp;
  double firstReplyDelay = -1;  // seconds from first SYN to first SYN-ACK/RST/ICMP, -1 if none
  // Per attempt (client source port), as the wire timed it: the kernel's timestamps, which a
  // busy machine does not delay the way it delays the prober's own clock.
  struct End {
    uint16_t clientPort = 0;
    int syns = 0;             // more than 1: the SYN was retransmitted
    double handshakeMs = -1;  // first SYN to first SYN-ACK, -1 when none came
  };
  std::vector<End> ends;
  const End* end(uint16_t clientPort) const;

  // The strongest ICMP kind seen (admin-prohibited beats host/net/port), None if none.
  IcmpKind icmpVerdict() const;
  // Human evidence lines ("3 SYNs to 10.40.2.120:6432 over 3.0 s, no reply: ...").
  std::vector<std::string> evidence() const;
};

struct ProbeKey {
  net::IpAddress address;
  uint16_t port = 0;
  // The source ports of this probe's own attempts. When given, only their packets count:
  // another prober of the same address:port at the same time (pgreach serve runs probes
  // side by side) is not this probe's retransmission, SYN-ACK or ICMP error. Empty: every
  // client (a pcap file read afterwards).
  std::vector<uint16_t> clientPorts;
};

// Drops copies of one packet seen on several interfaces (same headers within 5 ms).
std::vector<Packet> withoutDuplicates(const std::vector<Packet>& packets);

// Summarises packets for the probed address:ports, from the client's point of view
// (the client is whoever sends the SYNs). Result is in `probes` order.
std::vector<FlowEvidence> summarise(const std::vector<Packet>& packets, const std::vector<ProbeKey>& probes);

// A pcap file as frames (libpcap's offline reader; works on files from tcpdump too).
Expected<std::vector<Frame>> readPcapFile(const std::string& path);

// Writes the handshake packets only (SYN, SYN-ACK, RST, ICMP errors; nothing carrying
// payload), truncated to `snaplen` (at most 96).
Expected<int> writeHandshakePcap(const std::string& path, const std::vector<Frame>& frames, int snaplen = 96);

// A BPF filter for exactly these address:ports plus ICMP errors quoting them.
std::string bpfFilterFor(const std::vector<ProbeKey>& probes);

}  // namespace pgreach::net::evidence
