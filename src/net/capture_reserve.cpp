#include "net/capture_reserve.h"

#include <netinet/in.h>
#include <pcap/pcap.h>
#include <sys/socket.h>

#include <memory>
#include <mutex>
#include <string>

#include "net/capture.h"
#include "net/handles.h"

namespace pgreach::net {
namespace {

struct Reserve {
  std::mutex mutex;
  std::string device;
  int snaplen = 0;
  PcapPtr pcapHandle;
  Fd icmp;
};

Reserve& reserve() {
  static Reserve r;
  return r;
}

}  // namespace

bool reservePcap(const char* device, int snaplen) {
  char err[PCAP_ERRBUF_SIZE] = {};
  PcapPtr h(pcap_create(device, err));
  if (!h) return false;
  // The same settings as LiveCapture::open.
  pcap_set_snaplen(h.get(), snaplen);
  pcap_set_promisc(h.get(), 0);
  pcap_set_timeout(h.get(), 20);
  pcap_set_immediate_mode(h.get(), 1);
  // Reserved before the probes are known: the ring a single diagnose needs (see
  // LiveCapture::captureBufferFor), not libpcap's 2 MB default.
  pcap_set_buffer_size(h.get(), LiveCapture::captureBufferFor(0));
  if (pcap_activate(h.get()) < 0) return false;
  // Nothing passes until tcp.connect installs the filter naming its probes. Not
  // optimised: the optimiser refuses a filter that "rejects all packets", which is the point.
  BpfProgram prog;
  if (pcap_compile(h.get(), prog.get(), "ip and not ip", 0, PCAP_NETMASK_UNKNOWN) != 0) return false;
  if (pcap_setfilter(h.get(), prog.get()) != 0) return false;
  auto& r = reserve();
  std::lock_guard<std::mutex> lock(r.mutex);
  r.device = device;
  r.snaplen = snaplen;
  r.pcapHandle = std::move(h);
  return true;
}

bool reserveIcmpSocket() {
  util::Fd fd(::socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMP));
  if (!fd.valid()) return false;
  auto& r = reserve();
  std::lock_guard<std::mutex> lock(r.mutex);
  r.icmp = std::move(fd);
  return true;
}

PcapPtr takeReservedPcap(const char* device, int snaplen) {
  auto& r = reserve();
  std::lock_guard<std::mutex> lock(r.mutex);
  if (!r.pcapHandle || r.device != device || r.snaplen != snaplen) return nullptr;
  return std::move(r.pcapHandle);
}

Fd takeReservedIcmpSocket() {
  auto& r = reserve();
  std::lock_guard<std::mutex> lock(r.mutex);
  return std::move(r.icmp);
}

}  // namespace pgreach::net
