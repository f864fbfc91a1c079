#include "net/capture.h"

#include <netinet/in.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "net/capture_reserve.h"

namespace pgreach::net {

LiveCapture::~LiveCapture() { stop(); }

int LiveCapture::captureBufferFor(size_t probes) {
  constexpr size_t kMin = 256 * 1024;
  const size_t want = probes * 16 * 256;
  return static_cast<int>(std::min<size_t>(std::max(want, kMin), kDefaultBufferBytes));
}

bool LiveCapture::open(const std::string& device, const std::string& filter, int snaplen, int bufferBytes) {
  char err[PCAP_ERRBUF_SIZE] = {};
  // A handle opened before the process dropped its capabilities (net/privileges.h) is
  // already activated: only the filter remains to be set, which needs no privilege.
  PcapPtr reserved = takeReservedPcap(device.c_str(), snaplen);
  const bool wasReserved = reserved != nullptr;
  handle_ = reserved ? std::move(reserved) : PcapPtr(pcap_create(device.c_str(), err));
  if (!handle_) {
    failure_ = Failure::Other;
    error_ = err;
    return false;
  }
  if (!wasReserved) {
    pcap_set_snaplen(handle_.get(), snaplen);
    pcap_set_promisc(handle_.get(), 0);
    pcap_set_timeout(handle_.get(), 20);
    pcap_set_immediate_mode(handle_.get(), 1);
    pcap_set_buffer_size(handle_.get(), bufferBytes);
  }
  const int rc = wasReserved ? 0 : pcap_activate(handle_.get());
  if (rc < 0) {
    failure_ = (rc == PCAP_ERROR_PERM_DENIED) ? Failure::NoPermission : Failure::Other;
    error_ = pcap_geterr(handle_.get());
    handle_.reset();
    return false;
  }
  linkType_ = pcap_datalink(handle_.get());
  BpfProgram prog;
  if (pcap_compile(handle_.get(), prog.get(), filter.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0) {
    failure_ = Failure::Other;
    error_ = std::string("BPF filter: ") + pcap_geterr(handle_.get());
    handle_.reset();
    return false;
  }
  const int setRc = pcap_setfilter(handle_.get(), prog.get());
  if (setRc != 0 || pcap_setnonblock(handle_.get(), 1, err) != 0) {
    failure_ = Failure::Other;
    error_ = pcap_geterr(handle_.get());
    handle_.reset();
    return false;
  }
  reader_ = std::thread([this] { readLoop(); });
  return true;
}

void LiveCapture::drainOnce() {
  auto onPacket = [](u_char* user, const pcap_pkthdr* h, const u_char* bytes) {
    auto* self = reinterpret_cast<LiveCapture*>(user);
    std::lock_guard<std::mutex> lock(self->mutex_);
    if (self->frames_.size() >= kMaxFrames) return;
    CapturedFrame f;
    f.ts = static_cast<double>(h->ts.tv_sec) + static_cast<double>(h->ts.tv_usec) / 1e6;
    f.linkType = self->linkType_;
    f.bytes.assign(bytes, bytes + h->caplen);
    self->frames_.push_back(std::move(f));
  };
  // Non-blocking: returns at once with what is queued (bounded per call).
  for (int i = 0; i < 64; ++i) {
    const int n = pcap_dispatch(handle_.get(), 256, onPacket, reinterpret_cast<u_char*>(this));
    if (n <= 0) break;
  }
}

void LiveCapture::readLoop() {
  const int fd = pcap_get_selectable_fd(handle_.get());
  while (!stopping_.load()) {
    if (fd >= 0) {
      pollfd pfd{fd, POLLIN, 0};
      ::poll(&pfd, 1, 20);
    } else {
      ::usleep(20000);
    }
    drainOnce();
  }
}

std::vector<CapturedFrame> LiveCapture::stop() {
  if (!handle_) return {};
  stopping_.store(true);
  pcap_breakloop(handle_.get());
  if (reader_.joinable()) reader_.join();
  drainOnce();  // what arrived between the last poll and now
  handle_.reset();
  std::lock_guard<std::mutex> lock(mutex_);
  return std::move(frames_);
}

bool IcmpListener::open() {
  fd_ = takeReservedIcmpSocket();  // opened before the capabilities were dropped, if at all
  if (!fd_.valid()) fd_ = Fd(::socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMP));
  return fd_.valid();
}

std::vector<CapturedFrame> IcmpListener::drain() {
  std::vector<CapturedFrame> out;
  if (!fd_.valid()) return out;
  uint8_t buf[256];
  for (int i = 0; i < 10000; ++i) {
    const ssize_t n = ::recv(fd_.get(), buf, sizeof buf, 0);
    if (n <= 0) break;
    timeval tv{};
    ::gettimeofday(&tv, nullptr);
    CapturedFrame f;
    f.ts = static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6;
    f.linkType = DLT_RAW;
    f.bytes.assign(buf, buf + n);
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace pgreach::net
