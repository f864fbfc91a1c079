#pragma once
// `pgreach sweep CIDR...`: which addresses of a block answer on the Postgres ports?
// Every address × port is connected to concurrently by one epoll loop with a bounded
// number of sockets in flight and an optional rate limit, so thousands in flight cost a
// file descriptor each and nothing more.
#include <chrono>
#include <functional>
#include <iosfwd>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/options.h"
#include "util/expected.h"
#include "net/address.h"
#include "net/connect.h"

namespace pgreach::app {

// Largest block a sweep takes: a /16 (65536 addresses) for IPv4, a /112 for IPv6.
inline constexpr int kMaxSweepHostBits = 16;

// Parses and bounds the blocks; the error names the offending block.
Expected<std::vector<net::Cidr>> parseSweepBlocks(const std::vector<std::string>& texts);

enum class SweepClass { Open, Closed, Filtered, Unreachable, Error };
SweepClass sweepClassOf(net::ConnectOutcome o);
const char* toString(SweepClass c);

struct SweepHit {
  net::IpAddress address;
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
};

struct SweepSettings {
  std::vector<uint16_t> ports;
  std::chrono::milliseconds timeout{3000};
  int maxInFlight = 4096;
  double rate = 0;  // attempts per second; 0 = as fast as the in-flight bound allows
  // Called now and then with (done, total); may be empty.
  std::function<void(uint64_t, uint64_t)> progress;
};

// Runs the sweep. Bounded: every socket lives at most `timeout`; the loop ends when every
// probe has been decided.
SweepSummary runSweep(const std::vector<net::Cidr>& blocks, const SweepSettings& settings);

std::string renderSweepText(const SweepSummary& s);
nlohmann::json sweepJson(const SweepSummary& s);

// The command: parses, runs, prints; returns the exit code (0 some open, 2 none, 3 bad input).
int sweep(const cli::Options& opts, std::ostream& out, std::ostream& err, bool errIsTerminal);

}  // namespace pgreach::app
