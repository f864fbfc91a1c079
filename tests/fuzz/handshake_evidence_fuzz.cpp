// Captured frames from anywhere (a hostile network, a corrupt pcap): decodeFrame over
// each, then the duplicate filter and the per-probe summary with its evidence lines.
// Input: records of [link selector byte][length, 2 bytes big-endian][frame bytes].
// Property: no crash, no read past a frame, no hang.
#include <pcap/dlt.h>

#include <cstddef>
#include <cstdint>
#include <vector>

#include "net/handshake_evidence.h"

namespace capture = pgreach::net::evidence;
namespace net = pgreach::net;

namespace {

int linkFor(uint8_t b) {
  switch (b % 6) {
    case 0:
      return DLT_EN10MB;
    case 1:
      return DLT_LINUX_SLL;
    case 2:
      return 276;  // DLT_LINUX_SLL2
    case 3:
      return DLT_RAW;
    case 4:
      return DLT_NULL;
    default:
      return 101;  // LINKTYPE_RAW as written in files
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<net::evidence::Packet> packets;
  size_t i = 0;
  double ts = 0;
  while (i + 3 <= size && packets.size() < 256) {
    net::evidence::Frame f;
    f.linkType = linkFor(data[i]);
    size_t len = (size_t(data[i + 1]) << 8) | data[i + 2];
    i += 3;
    if (len > size - i) len = size - i;
    f.bytes.assign(data + i, data + i + len);  // exact size, so ASan sees any over-read
    i += len;
    f.ts = ts;
    ts += (data[i - 1] % 4) * 0.5;  // i >= 3 here
    if (auto p = net::evidence::decodeFrame(f)) packets.push_back(*p);
  }
  // Probe every destination seen plus the lab endpoint, as the TCP stage would.
  std::vector<net::evidence::ProbeKey> probes;
  if (auto a = net::IpAddress::parse("10.40.2.120")) probes.push_back({*a, 5432, {}});
  for (const auto& p : packets) {
    if (probes.size() >= 8) break;
    if (!p.isIcmp)
      probes.push_back({p.dst, p.dstPort, {}});
    else
      probes.push_back({p.quotedDst, p.quotedDstPort, {}});
  }
  auto unique = net::evidence::withoutDuplicates(packets);
  for (const auto& ev : net::evidence::summarise(unique, probes)) {
    (void)ev.icmpVerdict();
    (void)net::evidence::icmpKindName(ev.icmpVerdict());
    (void)ev.evidence();
  }
  (void)net::evidence::bpfFilterFor(probes);
  return 0;
}
