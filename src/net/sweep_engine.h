#pragma once
// The engine behind `pgreach sweep`: which addresses of some blocks answer on some ports.
// Every address × port is connected to concurrently by one epoll loop with a bounded
// number of sockets in flight and an optional rate limit, so thousands in flight cost a
// file descriptor each and nothing more. The command (parsing, output) is app/sweep.h.
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "net/address.h"
#include "net/connect.h"

namespace pgreach::net {

enum class SweepClass { Open, Closed, Filtered, Unreachable, Error };
SweepClass sweepClassOf(ConnectOutcome o);
const char* toString(SweepClass c);

struct SweepHit {
  IpAddress address;
  uint16_t port = 0;
  double elapsedMs = 0;
};

struct SweepSummary {
  std::vector<std::string> blocks;
  std::vector<uint16_t> ports;
  uint64_t addresses = 0;
  uint64_t probes = 0;
  uint64_t open = 0, closed = 0, filtered = 0, unreachable = 0, errors = 0;
  std::vector<SweepHit> openList, refusedList;  // sorted by address, port
  long long durationMs = 0;
  int maxInFlight = 0;
  uint64_t notStarted = 0;  // probes never started: the deadline came first
};

struct SweepSettings {
  std::vector<uint16_t> ports;
  std::chrono::milliseconds timeout{3000};
  int maxInFlight = 4096;
  double rate = 0;  // attempts per second; 0 = as fast as the in-flight bound allows
  // When set, no probe starts after it and none outlives it (a probe still in flight then
  // is filtered: it had no answer by the deadline); the rest count as not started.
  std::optional<std::chrono::steady_clock::time_point> deadline;
  // Called now and then with (done, total); may be empty.
  std::function<void(uint64_t, uint64_t)> progress;
};

// Runs the sweep. Bounded: every socket lives at most `timeout` (and not past `deadline`);
// the loop ends when every started probe has been decided.
SweepSummary runSweep(const std::vector<Cidr>& blocks, const SweepSettings& settings);

}  // namespace pgreach::net
