#include "net/sweep_engine.h"

#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <deque>
#include <thread>

#include "util/fd.h"

namespace pgreach::net {
namespace {

using SteadyClock = std::chrono::steady_clock;

double msSince(SteadyClock::time_point t) {
  return std::chrono::duration<double, std::milli>(SteadyClock::now() - t).count();
}

// More sockets than the soft limit allows would fail with EMFILE; raise it to the hard
// limit and keep a margin for everything else the process has open.
int boundedInFlight(int wanted) {
  rlimit rl{};
  if (::getrlimit(RLIMIT_NOFILE, &rl) != 0) return std::min(wanted, 512);
  if (rl.rlim_cur < rl.rlim_max) {
    rlimit raised = rl;
    raised.rlim_cur = rl.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) rl = raised;
  }
  const long long room = static_cast<long long>(rl.rlim_cur == RLIM_INFINITY ? 1 << 20 : rl.rlim_cur) - 64;
  return static_cast<int>(std::max<long long>(1, std::min<long long>(wanted, room)));
}

struct Slot {
  util::Fd fd;
  uint64_t probe = 0;
  uint32_t generation = 0;
  SteadyClock::time_point started;
  bool busy = false;
};

}  // namespace

SweepClass sweepClassOf(ConnectOutcome o) {
  switch (o) {
    case ConnectOutcome::Open:
      return SweepClass::Open;
    case ConnectOutcome::Refused:
      return SweepClass::Closed;
    case ConnectOutcome::TimedOut:
      return SweepClass::Filtered;
    case ConnectOutcome::HostUnreachable:
    case ConnectOutcome::NetUnreachable:
    case ConnectOutcome::NoRoute:
      return SweepClass::Unreachable;
    case ConnectOutcome::LocalError:
      return SweepClass::Error;
  }
  return SweepClass::Error;
}

const char* toString(SweepClass c) {
  switch (c) {
    case SweepClass::Open:
      return "open";
    case SweepClass::Closed:
      return "closed";
    case SweepClass::Filtered:
      return "filtered";
    case SweepClass::Unreachable:
      return "unreachable";
    case SweepClass::Error:
      return "error";
  }
  return "error";
}

SweepSummary runSweep(const std::vector<Cidr>& blocks, const SweepSettings& settings) {
  SweepSummary s;
  for (const auto& b : blocks) {
    s.blocks.push_back(b.toString());
    s.addresses += b.size();
  }
  s.ports = settings.ports;
  const uint64_t nPorts = settings.ports.size();
  s.probes = s.addresses * nPorts;
  const int maxInFlight = boundedInFlight(settings.maxInFlight);
  s.maxInFlight = maxInFlight;
  const auto begin = SteadyClock::now();
  if (s.probes == 0) return s;

  // Probe i → (block, offset, port) without materialising the list.
  std::vector<uint64_t> blockStart;
  uint64_t acc = 0;
  for (const auto& b : blocks) blockStart.push_back(acc), acc += b.size();
  auto probeAt = [&](uint64_t i, IpAddress& addr, uint16_t& port) {
    const uint64_t a = i / nPorts;
    port = settings.ports[i % nPorts];
    size_t k =
        static_cast<size_t>(std::upper_bound(blockStart.begin(), blockStart.end(), a) - blockStart.begin()) -
        1;
    addr = blocks[k].at(a - blockStart[k]);
  };

  uint64_t done = 0;
  auto record = [&](uint64_t probe, ConnectOutcome o, double elapsedMs) {
    ++done;
    IpAddress addr;
    uint16_t port = 0;
    switch (sweepClassOf(o)) {
      case SweepClass::Open:
        ++s.open;
        probeAt(probe, addr, port);
        s.openList.push_back({addr, port, elapsedMs});
        break;
      case SweepClass::Closed:
        ++s.closed;
        probeAt(probe, addr, port);
        s.refusedList.push_back({addr, port, elapsedMs});
        break;
      case SweepClass::Filtered:
        ++s.filtered;
        break;
      case SweepClass::Unreachable:
        ++s.unreachable;
        break;
      case SweepClass::Error:
        ++s.errors;
        break;
    }
  };

  util::Fd ep(::epoll_create1(EPOLL_CLOEXEC));
  if (!ep.valid()) {
    for (uint64_t i = 0; i < s.probes; ++i) record(i, ConnectOutcome::LocalError, 0);
    return s;
  }
  std::vector<Slot> slots(static_cast<size_t>(maxInFlight));
  std::vector<uint32_t> freeSlots;
  for (int i = maxInFlight - 1; i >= 0; --i) freeSlots.push_back(static_cast<uint32_t>(i));
  // The timeout is the same for every socket, so deadlines expire in start order: a FIFO.
  struct Pending {
    uint32_t slot;
    uint32_t generation;
    SteadyClock::time_point deadline;
  };
  std::deque<Pending> fifo;
  std::vector<epoll_event> events(1024);
  uint64_t next = 0;
  int inFlight = 0;
  auto lastProgress = begin;

  auto finish = [&](uint32_t k, ConnectOutcome o) {
    Slot& sl = slots[k];
    const double el = msSince(sl.started);
    if (o == ConnectOutcome::Open) {
      // Close with RST: no TIME_WAIT pile-up, and the server forgets us at once.
      linger lg{1, 0};
      ::setsockopt(sl.fd.get(), SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    }
    sl.fd.reset();  // closing also removes it from the epoll set
    sl.busy = false;
    ++sl.generation;
    freeSlots.push_back(k);
    --inFlight;
    record(sl.probe, o, el);
  };

  uint64_t total = s.probes;  // lowered to what was started once the deadline passes
  while (done < total) {
    const auto now = SteadyClock::now();
    if (settings.deadline && now >= *settings.deadline && next < total) {
      s.notStarted = total - next;
      total = next;
      if (done >= total) break;
    }
    // Start as many as the bounds allow.
    while (next < total && inFlight < maxInFlight) {
      if (settings.rate > 0) {
        const auto due =
            begin + std::chrono::duration_cast<SteadyClock::duration>(
                        std::chrono::duration<double>(static_cast<double>(next) / settings.rate));
        if (due > SteadyClock::now()) break;
      }
      IpAddress addr;
      uint16_t port = 0;
      probeAt(next, addr, port);
      const uint64_t probe = next++;
      const auto started = SteadyClock::now();
      util::Fd fd(::socket(addr.family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
      if (!fd.valid()) {
        record(probe, ConnectOutcome::LocalError, 0);
        continue;
      }
      sockaddr_storage ss;
      const socklen_t len = addr.toSockaddr(port, ss);
      if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&ss), len) == 0) {
        record(probe, ConnectOutcome::Open, msSince(started));
        continue;
      }
      if (errno != EINPROGRESS) {
        record(probe, classifyConnectErrno(errno, true), msSince(started));
        continue;
      }
      const uint32_t k = freeSlots.back();
      freeSlots.pop_back();
      Slot& sl = slots[k];
      epoll_event ev{};
      ev.events = EPOLLOUT;
      ev.data.u64 = (static_cast<uint64_t>(sl.generation) << 32) | k;
      if (::epoll_ctl(ep.get(), EPOLL_CTL_ADD, fd.get(), &ev) != 0) {
        freeSlots.push_back(k);
        record(probe, ConnectOutcome::LocalError, 0);
        continue;
      }
      sl.fd = std::move(fd);
      sl.probe = probe;
      sl.started = started;
      sl.busy = true;
      ++inFlight;
      const auto expires = started + settings.timeout;
      fifo.push_back({k, sl.generation, settings.deadline ? std::min(expires, *settings.deadline) : expires});
    }
    if (done >= total) break;

    // Sleep until the next event, the next deadline or the next rate slot (≤ 100 ms).
    auto wakeAt = now + std::chrono::milliseconds(100);
    if (!fifo.empty()) wakeAt = std::min(wakeAt, fifo.front().deadline);
    if (settings.deadline) wakeAt = std::min(wakeAt, *settings.deadline);
    if (settings.rate > 0 && next < total && inFlight < maxInFlight) {
      wakeAt = std::min(
          wakeAt, begin + std::chrono::duration_cast<SteadyClock::duration>(
                              std::chrono::duration<double>(static_cast<double>(next) / settings.rate)));
    }
    const auto waitUs =
        std::chrono::duration_cast<std::chrono::microseconds>(wakeAt - SteadyClock::now()).count();
    const int waitMs = waitUs <= 0 ? 0 : static_cast<int>((waitUs + 999) / 1000);
    const int n = ::epoll_wait(ep.get(), events.data(), static_cast<int>(events.size()), waitMs);
    for (int e = 0; e < n; ++e) {
      const uint32_t k = static_cast<uint32_t>(events[static_cast<size_t>(e)].data.u64 & 0xFFFFFFFFu);
      const uint32_t gen = static_cast<uint32_t>(events[static_cast<size_t>(e)].data.u64 >> 32);
      if (k >= slots.size() || !slots[k].busy || slots[k].generation != gen) continue;
      int err = 0;
      socklen_t elen = sizeof err;
      ::getsockopt(slots[k].fd.get(), SOL_SOCKET, SO_ERROR, &err, &elen);
      finish(k, classifyConnectErrno(err, false));
    }
    const auto after = SteadyClock::now();
    while (!fifo.empty() && fifo.front().deadline <= after) {
      const Pending p = fifo.front();
      fifo.pop_front();
      if (slots[p.slot].busy && slots[p.slot].generation == p.generation)
        finish(p.slot, ConnectOutcome::TimedOut);
    }
    // Drop stale FIFO heads (already finished) so the wake-up time stays meaningful.
    while (!fifo.empty() && (!slots[fifo.front().slot].busy ||
                             slots[fifo.front().slot].generation != fifo.front().generation)) {
      fifo.pop_front();
    }
    if (settings.progress && after - lastProgress >= std::chrono::milliseconds(100)) {
      settings.progress(done, s.probes);
      lastProgress = after;
    }
  }
  if (settings.progress) settings.progress(done, total);
  auto byAddr = [](const SweepHit& a, const SweepHit& b) {
    return a.address == b.address ? a.port < b.port : a.address < b.address;
  };
  std::sort(s.openList.begin(), s.openList.end(), byAddr);
  std::sort(s.refusedList.begin(), s.refusedList.end(), byAddr);
  s.durationMs = static_cast<long long>(msSince(begin));
  return s;
}

}  // namespace pgreach::net
