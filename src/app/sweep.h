#pragma once
// `pgreach sweep CIDR...`: which addresses of a block answer on the Postgres ports?
// This is the command: parsing the blocks and options, rendering text and JSON. The epoll
// engine that probes is net/sweep_engine.h.
#include <chrono>
#include <functional>
#include <iosfwd>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/options.h"
#include "net/address.h"
#include "net/sweep_engine.h"
#include "util/expected.h"

namespace pgreach::app {

// Largest block a sweep takes: a /16 (65536 addresses) for IPv4, a /112 for IPv6.
inline constexpr int kMaxSweepHostBits = 16;

// Parses and bounds the blocks; the error names the offending block.
Expected<std::vector<net::Cidr>> parseSweepBlocks(const std::vector<std::string>& texts);

// Like nmap: the open ports are listed, every other state is only counted; the refused
// (closed) ones are listed too with `listRefused` (--list-refused): a /20 has thousands.
std::string renderSweepText(const net::SweepSummary& s, bool listRefused = false);
nlohmann::json sweepJson(const net::SweepSummary& s);

// The command: parses, runs, prints; returns the exit code (0 some open, 2 none, 3 bad input).
int sweep(const cli::Options& opts, std::ostream& out, std::ostream& err, bool errIsTerminal);

}  // namespace pgreach::app
