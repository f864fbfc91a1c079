#include "net/handshake_evidence.h"

#include <pcap/pcap.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <set>

#include "net/handles.h"
#include "util/atomic_file.h"

namespace pgreach::net::evidence {
namespace {

// Bounds on what a file may make us hold: a hostile or huge file is refused, not read forever.
constexpr size_t kMaxFramesRead = 2'000'000;

uint16_t be16(const uint8_t* p) { return static_cast<uint16_t>((p[0] << 8) | p[1]); }

net::IpAddress v4At(const uint8_t* p) {
  net::IpAddress a;
  a.family = AF_INET;
  std::memcpy(a.bytes.data(), p, 4);
  return a;
}

net::IpAddress v6At(const uint8_t* p) {
  net::IpAddress a;
  a.family = AF_INET6;
  std::memcpy(a.bytes.data(), p, 16);
  return a;
}

// Where the IP header starts for this link type, and which IP version the link says it
// carries (0 = look at the version nibble). -1 = not decodable.
struct LinkOffset {
  long offset = -1;
};

LinkOffset ipOffset(int linkType, const uint8_t* p, size_t len) {
  switch (linkType) {
    case DLT_EN10MB: {
      if (len < 14) return {};
      size_t off = 12;
      uint16_t type = be16(p + off);
      while ((type == 0x8100 || type == 0x88a8) && len >= off + 6) {  // VLAN tags
        off += 4;
        type = be16(p + off);
      }
      if (type != 0x0800 && type != 0x86dd) return {};
      return {static_cast<long>(off + 2)};
    }
    case DLT_LINUX_SLL: {
      if (len < 16) return {};
      const uint16_t type = be16(p + 14);
      if (type != 0x0800 && type != 0x86dd) return {};
      return {16};
    }
#ifdef DLT_LINUX_SLL2
    case DLT_LINUX_SLL2: {
      if (len < 20) return {};
      const uint16_t type = be16(p);
      if (type != 0x0800 && type != 0x86dd) return {};
      return {20};
    }
#endif
    case DLT_NULL:
      return len >= 4 ? LinkOffset{4} : LinkOffset{};
    case DLT_RAW:
#ifdef DLT_IPV4
    case DLT_IPV4:
#endif
#ifdef DLT_IPV6
    case DLT_IPV6:
#endif
      return {0};
    default:
      // LINKTYPE_RAW (101) is what pcap files say for raw IP on some systems.
      if (linkType == 101) return {0};
      return {};
  }
}

// Reads the TCP ports of a quoted (inner) packet; false if too short.
bool quotedPorts(const uint8_t* p, size_t len, uint16_t& sport, uint16_t& dport) {
  if (len < 4) return false;
  sport = be16(p);
  dport = be16(p + 2);
  return true;
}

bool decodeTcp(const uint8_t* p, size_t capLen, size_t wireLen, Packet& out) {
  if (capLen < 14) return false;  // ports, seq, ack, offset and flags
  out.srcPort = be16(p);
  out.dstPort = be16(p + 2);
  const size_t hdr = static_cast<size_t>(p[12] >> 4) * 4;
  out.tcpFlags = p[13];
  if (hdr < 20) return false;
  out.hasPayload = wireLen > hdr;
  return true;
}

}  // namespace

std::optional<Packet> decodeFrame(const Frame& f) {
  const uint8_t* p = f.bytes.data();
  const size_t len = f.bytes.size();
  const auto lo = ipOffset(f.linkType, p, len);
  if (lo.offset < 0 || static_cast<size_t>(lo.offset) >= len) return std::nullopt;
  const uint8_t* ip = p + lo.offset;
  const size_t ipLen = len - static_cast<size_t>(lo.offset);
  Packet out;
  out.ts = f.ts;
  const int version = ip[0] >> 4;
  if (version == 4) {
    if (ipLen < 20) return std::nullopt;
    const size_t ihl = static_cast<size_t>(ip[0] & 0x0F) * 4;
    if (ihl < 20 || ihl > ipLen) return std::nullopt;
    const size_t total = be16(ip + 2);
    if (total < ihl) return std::nullopt;
    if ((be16(ip + 6) & 0x1FFF) != 0) return std::nullopt;  // a later fragment: no L4 header
    out.src = v4At(ip + 12);
    out.dst = v4At(ip + 16);
    const uint8_t proto = ip[9];
    const uint8_t* l4 = ip + ihl;
    const size_t l4Cap = ipLen - ihl;
    if (proto == 6) {
      if (!decodeTcp(l4, l4Cap, total - ihl, out)) return std::nullopt;
      return out;
    }
    if (proto == 1) {
      if (l4Cap < 8 + 20) return std::nullopt;
      out.isIcmp = true;
      out.icmpType = l4[0];
      out.icmpCode = l4[1];
      if (out.icmpType != 3) return std::nullopt;  // only destination unreachable matters here
      const uint8_t* q = l4 + 8;
      const size_t qLen = l4Cap - 8;
      if ((q[0] >> 4) != 4) return std::nullopt;
      const size_t qihl = static_cast<size_t>(q[0] & 0x0F) * 4;
      if (qihl < 20 || qihl > qLen || q[9] != 6) return std::nullopt;
      out.quotedSrc = v4At(q + 12);
      out.quotedDst = v4At(q + 16);
      if (!quotedPorts(q + qihl, qLen - qihl, out.quotedSrcPort, out.quotedDstPort)) return std::nullopt;
      return out;
    }
    return std::nullopt;
  }
  if (version == 6) {
    if (ipLen < 40) return std::nullopt;
    const size_t payloadLen = be16(ip + 4);
    out.src = v6At(ip + 8);
    out.dst = v6At(ip + 24);
    const uint8_t next = ip[6];
    const uint8_t* l4 = ip + 40;
    const size_t l4Cap = ipLen - 40;
    if (next == 6) {
      if (!decodeTcp(l4, l4Cap, payloadLen, out)) return std::nullopt;
      return out;
    }
    if (next == 58) {
      if (l4Cap < 8 + 40) return std::nullopt;
      out.isIcmp = true;
      out.icmpType = l4[0];
      out.icmpCode = l4[1];
      if (out.icmpType != 1) return std::nullopt;
      const uint8_t* q = l4 + 8;
      if ((q[0] >> 4) != 6 || q[6] != 6) return std::nullopt;
      out.quotedSrc = v6At(q + 8);
      out.quotedDst = v6At(q + 24);
      if (!quotedPorts(q + 40, l4Cap - 48, out.quotedSrcPort, out.quotedDstPort)) return std::nullopt;
      return out;
    }
  }
  return std::nullopt;
}

IcmpKind icmpKind(bool v6, uint8_t type, uint8_t code) {
  if (!v6) {
    if (type != 3) return IcmpKind::Other;
    switch (code) {
      case 0:
      case 6:
      case 11:
        return IcmpKind::NetUnreachable;
      case 1:
      case 7:
      case 12:
        return IcmpKind::HostUnreachable;
      case 3:
        return IcmpKind::PortUnreachable;
      case 9:
      case 10:
      case 13:
        return IcmpKind::AdminProhibited;
      default:
        return IcmpKind::Other;
    }
  }
  if (type != 1) return IcmpKind::Other;
  switch (code) {
    case 0:
      return IcmpKind::NetUnreachable;  // no route to destination
    case 1:
    case 5:
    case 6:
      return IcmpKind::AdminProhibited;  // prohibited, ingress policy, reject route
    case 3:
      return IcmpKind::HostUnreachable;
    case 4:
      return IcmpKind::PortUnreachable;
    default:
      return IcmpKind::Other;
  }
}

const char* icmpKindName(IcmpKind k) {
  switch (k) {
    case IcmpKind::NetUnreachable:
      return "network unreachable";
    case IcmpKind::HostUnreachable:
      return "host unreachable";
    case IcmpKind::PortUnreachable:
      return "port unreachable";
    case IcmpKind::AdminProhibited:
      return "administratively prohibited";
    case IcmpKind::Other:
      return "other unreachable";
    case IcmpKind::None:
      break;
  }
  return "none";
}

IcmpKind FlowEvidence::icmpVerdict() const {
  // Admin-prohibited names a rule; it wins over the generic kinds.
  static const IcmpKind kOrder[] = {IcmpKind::AdminProhibited, IcmpKind::PortUnreachable,
                                    IcmpKind::HostUnreachable, IcmpKind::NetUnreachable, IcmpKind::Other};
  for (IcmpKind k : kOrder) {
    for (const auto& i : icmp) {
      if (i.kind == k) return k;
    }
  }
  return IcmpKind::None;
}

namespace {
std::string label(const net::IpAddress& a, uint16_t port) {
  return (a.isV4() ? a.toString() : "[" + a.toString() + "]") + ":" + std::to_string(port);
}
std::string twoDecimals(double v) {
  char b[32];
  std::snprintf(b, sizeof b, "%.2f", v);
  return b;
}
std::string oneDecimal(double v) {
  char b[32];
  std::snprintf(b, sizeof b, "%.1f", v);
  return b;
}
}  // namespace

std::vector<std::string> FlowEvidence::evidence() const {
  std::vector<std::string> out;
  const std::string where = label(address, port);
  const std::string synText = std::to_string(syns) + (syns == 1 ? " SYN" : " SYNs");
  const std::string attemptText =
      attempts > 1 ? " in " + std::to_string(attempts) + " attempts" : std::string();
  if (syns == 0) {
    out.push_back("no SYN to " + where +
                  " was seen on the wire: the kernel refused to send it (no route) or the "
                  "capture missed it");
  }
  const std::string delay =
      firstReplyDelay >= 0 ? " after " + twoDecimals(firstReplyDelay * 1000.0) + " ms" : "";
  if (synAcks > 0) {
    out.push_back("SYN-ACK from " + where + delay + " (" + synText + attemptText + ")");
    if (synAckRetransmissions > 0) {
      out.push_back("the server sent its SYN-ACK " + std::to_string(synAckRetransmissions) +
                    " more time(s): our ACK did not reach it, so packets from the client are lost after the "
                    "first one (asymmetric path or a stateful device dropping them)");
    }
  }
  if (rstFromServer > 0) {
    out.push_back("RST from " + where + delay + " in answer to " + synText + attemptText +
                  ": the host is up and nothing listens on port " + std::to_string(port));
  }
  for (const auto& i : icmp) {
    const bool v6 = !i.from.isV4();
    out.push_back(std::string(v6 ? "ICMPv6" : "ICMP") + " type " + std::to_string(i.type) + " code " +
                  std::to_string(i.code) + " (" + icmpKindName(i.kind) + ") from " + i.from.toString() +
                  " about " + where + delay + ": " +
                  (i.kind == IcmpKind::AdminProhibited ? "a firewall or ACL on the path rejects this traffic"
                                                       : "a router on the path cannot deliver it"));
  }
  if (repliesFromOther > 0) {
    out.push_back(std::to_string(repliesFromOther) + " reply(ies) for port " + std::to_string(port) +
                  " came from an address that was not probed: asymmetric routing or NAT on the path");
  }
  if (syns > 0 && synAcks == 0 && rstFromServer == 0 && icmp.empty()) {
    std::string line =
        synText + " to " + where + " over " + oneDecimal(lastSyn - firstSyn) + " s" + attemptText;
    if (synRetransmissions > 0) line += " (" + std::to_string(synRetransmissions) + " retransmission(s))";
    line += ", no reply: dropped on the path, typically a security group or NACL";
    out.push_back(line);
    out.push_back(
        "from the client a dropped SYN and a dropped SYN-ACK look the same: check the inbound rule for "
        "port " +
        std::to_string(port) + " and the return path to ephemeral ports 1024-65535");
  }
  return out;
}

std::vector<Packet> withoutDuplicates(const std::vector<Packet>& packets) {
  // A capture on "any" sees a packet once per interface it crosses (a veth and a bridge,
  // a VLAN and its parent): the same header within a few milliseconds is one packet. Real
  // SYN retransmissions are at least ~1 s apart, so they survive.
  constexpr double kSameWithin = 0.005;
  std::vector<Packet> out;
  out.reserve(packets.size());
  for (const auto& p : packets) {
    bool dup = false;
    for (auto it = out.rbegin(); it != out.rend() && p.ts - it->ts <= kSameWithin; ++it) {
      if (it->src == p.src && it->dst == p.dst && it->isIcmp == p.isIcmp && it->srcPort == p.srcPort &&
          it->dstPort == p.dstPort && it->tcpFlags == p.tcpFlags && it->icmpType == p.icmpType &&
          it->icmpCode == p.icmpCode && it->quotedSrcPort == p.quotedSrcPort &&
          it->quotedDstPort == p.quotedDstPort && it->ts <= p.ts) {
        dup = true;
        break;
      }
    }
    if (!dup) out.push_back(p);
  }
  return out;
}

const FlowEvidence::End* FlowEvidence::end(uint16_t clientPort) const {
  for (const auto& x : ends) {
    if (x.clientPort == clientPort) return &x;
  }
  return nullptr;
}

std::vector<FlowEvidence> summarise(const std::vector<Packet>& rawPackets,
                                    const std::vector<ProbeKey>& probes) {
  const std::vector<Packet> packets = withoutDuplicates(rawPackets);
  std::vector<FlowEvidence> out;
  out.reserve(probes.size());
  for (const auto& key : probes) {
    FlowEvidence e;
    e.address = key.address;
    e.port = key.port;
    const auto ours = [&key](uint16_t clientPort) {
      return key.clientPorts.empty() ||
             std::find(key.clientPorts.begin(), key.clientPorts.end(), clientPort) != key.clientPorts.end();
    };
    std::set<std::pair<net::IpAddress, uint16_t>> clientEnds;  // (client address, source port)
    std::map<uint16_t, std::pair<double, size_t>> firstSynOf;  // client port -> (ts, index in ends)
    bool any = false;
    for (const auto& p : packets) {
      if (p.isIcmp || p.dst != key.address || p.dstPort != key.port || !ours(p.srcPort)) continue;
      if ((p.tcpFlags & kTcpSyn) && !(p.tcpFlags & kTcpAck)) {
        ++e.syns;
        clientEnds.insert({p.src, p.srcPort});
        auto it = firstSynOf.find(p.srcPort);
        if (it == firstSynOf.end()) {
          it = firstSynOf.emplace(p.srcPort, std::make_pair(p.ts, e.ends.size())).first;
          e.ends.push_back({p.srcPort, 0, -1});
        }
        ++e.ends[it->second.second].syns;
        if (!any) e.firstSyn = p.ts;
        e.lastSyn = p.ts;
        any = true;
      } else if (p.tcpFlags & kTcpRst) {
        ++e.rstFromClient;
      }
    }
    e.attempts = static_cast<int>(clientEnds.size());
    e.synRetransmissions = e.syns - e.attempts;
    std::map<std::pair<net::IpAddress, uint16_t>, int> synAcksPerEnd;
    auto noteReply = [&](double ts) {
      if (e.syns > 0 && e.firstReplyDelay < 0) e.firstReplyDelay = std::max(0.0, ts - e.firstSyn);
    };
    for (const auto& p : packets) {
      if (p.isIcmp) {
        if (p.quotedDst == key.address && p.quotedDstPort == key.port && ours(p.quotedSrcPort)) {
          e.icmp.push_back({p.src, p.icmpType, p.icmpCode, icmpKind(!p.src.isV4(), p.icmpType, p.icmpCode)});
          noteReply(p.ts);
        }
        continue;
      }
      if (p.srcPort != key.port || !clientEnds.count({p.dst, p.dstPort})) continue;
      const bool synAck = (p.tcpFlags & kTcpSyn) && (p.tcpFlags & kTcpAck);
      const bool rst = (p.tcpFlags & kTcpRst) != 0;
      if (!synAck && !rst) continue;
      if (p.src != key.address) {
        ++e.repliesFromOther;
        continue;
      }
      if (synAck) {
        ++e.synAcks;
        if (++synAcksPerEnd[{p.dst, p.dstPort}] > 1) ++e.synAckRetransmissions;
        noteReply(p.ts);
        const auto first = firstSynOf.find(p.dstPort);
        if (first != firstSynOf.end() && e.ends[first->second.second].handshakeMs < 0)
          e.ends[first->second.second].handshakeMs = std::max(0.0, p.ts - first->second.first) * 1000.0;
      } else if (e.synAcks == 0) {
        ++e.rstFromServer;  // an RST before any SYN-ACK is a refusal; after one it is a close
        noteReply(p.ts);
      }
    }
    out.push_back(std::move(e));
  }
  return out;
}

Expected<std::vector<Frame>> readPcapFile(const std::string& path) {
  char err[PCAP_ERRBUF_SIZE] = {};
  net::PcapPtr p(pcap_open_offline(path.c_str(), err));
  if (!p) return makeError("cannot read pcap file " + path + ": " + err);
  const int link = pcap_datalink(p.get());
  std::vector<Frame> frames;
  pcap_pkthdr* hdr = nullptr;
  const u_char* data = nullptr;
  int rc;
  while ((rc = pcap_next_ex(p.get(), &hdr, &data)) == 1) {
    if (frames.size() >= kMaxFramesRead)
      return makeError(path + ": more than 2000000 packets; refusing to read on");
    Frame f;
    f.ts = static_cast<double>(hdr->ts.tv_sec) + static_cast<double>(hdr->ts.tv_usec) / 1e6;
    f.linkType = link;
    f.bytes.assign(data, data + hdr->caplen);
    frames.push_back(std::move(f));
  }
  if (rc == -1) return makeError(path + ": " + pcap_geterr(p.get()));
  return frames;
}

Expected<int> writeHandshakePcap(const std::string& path, const std::vector<Frame>& frames, int snaplen) {
  snaplen = std::min(std::max(snaplen, 64), 96);
  const int link = frames.empty() ? DLT_LINUX_SLL : frames.front().linkType;
  net::PcapPtr dead(pcap_open_dead(link, snaplen));
  if (!dead) return makeError("pcap_open_dead failed");
  // The capture is assembled in memory and written like every other output
  // (util::writeFileAtomically): pcap_dump_open would follow a symbolic link planted at
  // the path, or write into a device, as root.
  char* buffer = nullptr;
  size_t size = 0;
  std::FILE* memory = ::open_memstream(&buffer, &size);
  if (!memory) return makeError("cannot write " + path + ": out of memory");
  // Declared before the dumper, so it frees the buffer after the dumper closed the stream.
  struct FreeBuffer {
    char*& p;
    ~FreeBuffer() { std::free(p); }
  } freeBuffer{buffer};
  net::PcapDumperPtr dumper(pcap_dump_fopen(dead.get(), memory));
  if (!dumper) {
    std::fclose(memory);
    return makeError("cannot write " + path + ": " + pcap_geterr(dead.get()));
  }
  int written = 0;
  for (const auto& f : frames) {
    if (f.linkType != link) continue;
    auto pkt = decodeFrame(f);
    if (!pkt) continue;
    if (!pkt->isIcmp) {
      const bool handshake = (pkt->tcpFlags & (kTcpSyn | kTcpRst)) != 0;
      if (!handshake || pkt->hasPayload) continue;
    }
    pcap_pkthdr h{};
    const double whole = static_cast<double>(static_cast<long long>(f.ts));
    h.ts.tv_sec = static_cast<time_t>(whole);
    h.ts.tv_usec = static_cast<suseconds_t>((f.ts - whole) * 1e6);
    h.len = static_cast<bpf_u_int32>(f.bytes.size());
    h.caplen = static_cast<bpf_u_int32>(std::min<size_t>(f.bytes.size(), static_cast<size_t>(snaplen)));
    pcap_dump(reinterpret_cast<u_char*>(dumper.get()), &h, f.bytes.data());
    ++written;
  }
  if (pcap_dump_flush(dumper.get()) != 0) return makeError("cannot write " + path);
  dumper.reset();  // closes the memory stream: buffer and size are final now
  if (auto w = util::writeFileAtomically(path, std::string(buffer, size)); !w) return makeError(w.error());
  return written;
}

std::string bpfFilterFor(const std::vector<ProbeKey>& probes) {
  std::map<net::IpAddress, std::set<uint16_t>> byHost;
  for (const auto& p : probes) byHost[p.address].insert(p.port);
  std::vector<std::string> parts;
  bool anyV6 = false;
  for (const auto& [addr, ports] : byHost) {
    std::string ps;
    for (uint16_t port : ports)
      ps += (ps.empty() ? "" : " or ") + std::string("port ") + std::to_string(port);
    parts.push_back("(tcp and host " + addr.toString() + " and (" + ps + "))");
    if (addr.isV4()) {
      char hex[16];
      std::snprintf(hex, sizeof hex, "0x%02x%02x%02x%02x", addr.bytes[0], addr.bytes[1], addr.bytes[2],
                    addr.bytes[3]);
      // icmp[24:4] is the destination of the quoted IP header (8 bytes of ICMP header + 16).
      parts.push_back(std::string("(icmp and icmp[0] = 3 and icmp[24:4] = ") + hex + ")");
    } else {
      anyV6 = true;
    }
  }
  if (anyV6) parts.push_back("(icmp6 and ip6[40] = 1)");
  std::string f;
  for (const auto& p : parts) f += (f.empty() ? "" : " or ") + p;
  return f.empty() ? "tcp and not tcp" : f;
}

}  // namespace pgreach::net::evidence
