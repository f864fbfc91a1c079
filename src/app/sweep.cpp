#include "app/sweep.h"
#include "util/json_dump.h"

#include <cstdio>
#include <ostream>

#include "util/strings.h"

namespace pgreach::app {

Expected<std::vector<net::Cidr>> parseSweepBlocks(const std::vector<std::string>& texts) {
  std::vector<net::Cidr> out;
  if (texts.empty()) return makeError("sweep: give at least one CIDR block");
  for (const auto& t : texts) {
    auto c = net::Cidr::parse(t);
    if (!c) return makeError("sweep: \"" + t + "\" is not a CIDR block (e.g. 10.40.2.0/24)");
    const int hostBits = (c->base.isV4() ? 32 : 128) - c->prefix;
    if (hostBits > kMaxSweepHostBits && c->base.isV4()) {
      return makeError("sweep: " + c->toString() + " is larger than a /" +
                       std::to_string(32 - kMaxSweepHostBits) + " (" + std::to_string(kMaxSweepHostBits) +
                       " host bits at most); split it into smaller blocks");
    }
    if (hostBits > kMaxSweepHostBits) {
      // An IPv6 subnet is a /64: 2^64 addresses, which no sweep (and no split into /112s,
      // 2^48 of them) can cover. The addresses worth probing are known elsewhere.
      return makeError("sweep: " + c->toString() + " has " + std::to_string(hostBits) +
                       " host bits and cannot be swept (an IPv6 subnet holds 2^" + std::to_string(hostBits) +
                       " addresses; " + std::to_string(kMaxSweepHostBits) +
                       " host bits at most, a /112): sweep the endpoint's own addresses instead, each as a "
                       "/128 (its AAAA answers, `dig AAAA HOST`, or the Ipv6Addresses of its network "
                       "interfaces, `aws ec2 describe-network-interfaces --network-interface-ids eni-...`), "
                       "e.g. pgreach sweep " +
                       c->at(0x10).toString() + "/128");
    }
    out.push_back(*c);
  }
  return out;
}

namespace {
std::string hitLabel(const net::SweepHit& h) {
  const std::string a = h.address.toString();
  return (h.address.isV4() ? a : "[" + a + "]") + ":" + std::to_string(h.port);
}
}  // namespace

std::string renderSweepText(const net::SweepSummary& s, bool listRefused) {
  std::string out;
  char line[256];
  std::vector<std::string> ports;
  for (auto p : s.ports) ports.push_back(std::to_string(p));
  std::snprintf(line, sizeof line,
                "sweep %s, ports %s: %llu address(es) x %zu port(s) = %llu probe(s) in %.1f s\n\n",
                util::join(s.blocks, " ").c_str(), util::join(ports, ",").c_str(),
                static_cast<unsigned long long>(s.addresses), s.ports.size(),
                static_cast<unsigned long long>(s.probes), static_cast<double>(s.durationMs) / 1000.0);
  out += line;
  if (s.notStarted > 0) {
    std::snprintf(line, sizeof line, "cut by --deadline: %llu probe(s) not started (not verified)\n\n",
                  static_cast<unsigned long long>(s.notStarted));
    out += line;
  }
  const std::pair<const char*, uint64_t> rows[] = {{"open", s.open},
                                                   {"closed", s.closed},
                                                   {"filtered", s.filtered},
                                                   {"unreachable", s.unreachable},
                                                   {"error", s.errors}};
  out += "  state        count\n";
  for (const auto& [name, count] : rows) {
    if (std::string(name) == "error" && count == 0) continue;
    std::snprintf(line, sizeof line, "  %-11s  %llu\n", name, static_cast<unsigned long long>(count));
    out += line;
  }
  auto list = [&](const char* title, const std::vector<net::SweepHit>& hits) {
    if (hits.empty()) return;
    out += std::string("\n") + title + ":\n";
    for (const auto& h : hits) {
      std::snprintf(line, sizeof line, "  %-45s %.1f ms\n", hitLabel(h).c_str(), h.elapsedMs);
      out += line;
    }
  };
  list("open", s.openList);
  if (listRefused) {
    list("refused (closed)", s.refusedList);
  } else if (!s.refusedList.empty()) {
    std::snprintf(line, sizeof line,
                  "\n%zu refused (closed) address:port pair(s) not listed (--list-refused lists them)\n",
                  s.refusedList.size());
    out += line;
  }
  return out;
}

nlohmann::json sweepJson(const net::SweepSummary& s) {
  auto hits = [](const std::vector<net::SweepHit>& v) {
    nlohmann::json a = nlohmann::json::array();
    for (const auto& h : v)
      a.push_back({{"address", h.address.toString()}, {"port", h.port}, {"elapsed_ms", h.elapsedMs}});
    return a;
  };
  return {{"schema_version", 1},
          {"command", "sweep"},
          {"blocks", s.blocks},
          {"ports", s.ports},
          {"addresses", s.addresses},
          {"probes", s.probes},
          {"duration_ms", s.durationMs},
          {"max_in_flight", s.maxInFlight},
          {"not_started", s.notStarted},
          {"counts",
           {{"open", s.open},
            {"closed", s.closed},
            {"filtered", s.filtered},
            {"unreachable", s.unreachable},
            {"error", s.errors}}},
          {"open", hits(s.openList)},
          {"refused", hits(s.refusedList)}};
}

int sweep(const cli::Options& opts, std::ostream& out, std::ostream& err, bool errIsTerminal) {
  constexpr int kBadInput = 3;
  auto blocks = parseSweepBlocks(opts.sweepCidrs);
  if (!blocks) {
    err << "pgreach: " << blocks.error() << "\n";
    return kBadInput;
  }
  bool json = false;
  for (const auto& f : opts.formats) {
    if (f == "json")
      json = true;
    else if (f != "text") {
      err << "pgreach: sweep: --format must be text or json\n";
      return kBadInput;
    }
  }
  net::SweepSettings settings;
  settings.ports = opts.ports.empty() ? std::vector<uint16_t>{5432, 5433, 6432} : opts.ports;
  settings.timeout = opts.probeTimeout;
  settings.maxInFlight = opts.maxInFlight;
  settings.rate = opts.rate;
  // A sweep's natural length is probes / rate; --deadline, when given, cuts it there.
  if (opts.deadlineGiven) settings.deadline = std::chrono::steady_clock::now() + opts.deadline;
  if (errIsTerminal) {
    settings.progress = [&err](uint64_t done, uint64_t total) {
      const int width = 30;
      const int filled =
          total ? static_cast<int>(static_cast<double>(done) / static_cast<double>(total) * width) : width;
      err << "\r[" << std::string(static_cast<size_t>(filled), '#')
          << std::string(static_cast<size_t>(width - filled), ' ') << "] " << done << "/" << total
          << (done == total ? "\n" : "") << std::flush;
    };
  }
  const net::SweepSummary s = net::runSweep(*blocks, settings);
  if (json)
    out << util::dumpJson(sweepJson(s), 2) << "\n";
  else
    out << renderSweepText(s, opts.listRefused);
  out << std::flush;
  // Cut short with nothing open: what was not probed is not verified.
  constexpr int kNotVerified = 3;
  if (s.open == 0 && s.notStarted > 0) return kNotVerified;
  return s.open > 0 ? 0 : 2;
}

}  // namespace pgreach::app
