#pragma once
// A live libpcap capture that runs beside a batch of probes. It is opened (and its BPF
// filter installed) before the first SYN leaves, so nothing is missed; a reader thread
// drains it without blocking, and stop() ends it with pcap_breakloop.
//
// Interface choice: we capture on "any" (DLT_LINUX_SLL) rather than looking up the
// interface the route uses. The BPF filter already names exactly the probed hosts and
// ports, so "any" sees the same packets, needs no route lookup, and keeps working when
// the addresses of one target sit behind different interfaces (two ENIs, v4 and v6).
#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "net/handles.h"
#include "util/expected.h"

namespace pgreach::net {

struct CapturedFrame {
  double ts = 0;
  int linkType = 0;
  std::vector<uint8_t> bytes;
};

// Bytes kept per packet by tcp.connect's capture (and the handle reserved for it before
// privileges are dropped, which must match). An ICMPv6 error quoting our SYN needs the
// cooked header (20), the IPv6 header (40), ICMPv6 (8), the quoted IPv6 header (40) and
// the quoted ports (4): 112. At 96 ICMPv6 errors were cut short and never became evidence.
inline constexpr int kHandshakeSnaplen = 128;

class LiveCapture {
 public:
  // Why open() failed: no permission is expected (not root, no CAP_NET_RAW) and becomes
  // an info finding; anything else is reported as a local error.
  enum class Failure { None, NoPermission, Other };

  LiveCapture() = default;
  ~LiveCapture();
  LiveCapture(const LiveCapture&) = delete;
  LiveCapture& operator=(const LiveCapture&) = delete;

  // Opens `device` ("any") with a small snaplen and `filter`, and starts the reader.
  // `bufferBytes` is the kernel ring (libpcap's default is 2 MB, all of it resident while the
  // capture is open); size it to the probes being captured (see captureBufferFor()).
  bool open(const std::string& device, const std::string& filter, int snaplen = 96,
            int bufferBytes = kDefaultBufferBytes);

  static constexpr int kDefaultBufferBytes = 2 * 1024 * 1024;
  // A ring for `probes` handshakes: 16 frames of up to 256 bytes each (SYN, retransmissions,
  // answer, ICMP), between 256 kB and libpcap's 2 MB default. The reader drains every 20 ms.
  static int captureBufferFor(size_t probes);
  Failure failure() const { return failure_; }
  const std::string& error() const { return error_; }

  // Stops the reader (after one last drain) and returns everything captured. Idempotent.
  std::vector<CapturedFrame> stop();

 private:
  void readLoop();
  void drainOnce();

  PcapPtr handle_;
  int linkType_ = 0;
  std::thread reader_;
  std::atomic<bool> stopping_{false};
  std::mutex mutex_;
  std::vector<CapturedFrame> frames_;
  Failure failure_ = Failure::None;
  std::string error_;
  static constexpr size_t kMaxFrames = 200000;  // bounded memory whatever the traffic
};

// A raw ICMP socket that collects ICMP errors (the fallback when pcap cannot open but we
// are privileged). Frames come back as raw IPv4 (DLT_RAW).
class IcmpListener {
 public:
  bool open();
  std::vector<CapturedFrame> drain();

 private:
  Fd fd_;
};

}  // namespace pgreach::net
