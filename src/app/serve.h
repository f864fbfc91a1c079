#pragma once
// `pgreach serve --config fleet.ini`: a Prometheus exporter in the blackbox_exporter
// style. Prometheus scrapes /probe?target=NAME for each [target.NAME] of the config (never
// a host taken from the URL) and gets the series of `--format prometheus` plus
// probe_success and probe_duration_seconds; /metrics describes the exporter itself;
// /report?target=NAME&format=html|json|markdown is the evidence behind the last probe.
// The HTTP server is libmicrohttpd (docs/SERVE.md says why).
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <ostream>
#include <string>
#include <vector>

#include "cli/options.h"
#include "reports/report/report.h"
#include "util/expected.h"
#include "util/redact.h"

namespace pgreach::app {

struct ServeSettings {
  std::string configPath;
  std::string listen = "127.0.0.1:9187";           // loopback unless told otherwise
  std::string webConfigPath;                       // --web-config: TLS and basic auth
  int maxConcurrent = 8;                           // probes running at once
  std::chrono::milliseconds minInterval{10000};    // a target is probed at most this often
  std::chrono::milliseconds clientTimeout{10000};  // an idle or slow client is dropped
  // Prometheus keeps one connection per scraped target: 500 targets are 500 connections.
  unsigned connectionLimit = 2048;
  std::vector<std::string> diagnoseArgs;  // any other option, applied to every target
  bool help = false;
};

// Pure: the command line after `serve`.
Expected<ServeSettings> parseServeArgs(const std::vector<std::string>& args);
std::string serveHelpText();  // the CLI's (cli::commandHelpText(Command::Serve))

// "127.0.0.1:9187", "[::1]:9187", ":9187" (every address: only when asked for).
struct ListenAddress {
  std::string host;  // "" = every address
  uint16_t port = 0;
  bool ipv6 = false;
};
Expected<ListenAddress> parseListen(const std::string& text);

// The targets of a config, each with its options resolved and its conninfo checked.
struct ServeTargets {
  std::map<std::string, cli::Options> byName;
  std::vector<std::string> order;  // as in the file
};
Expected<std::shared_ptr<const ServeTargets>> loadServeTargets(const std::string& path,
                                                               const std::vector<std::string>& cliArgs);

// What one probe produced, shared read-only between the scrapes that reuse it.
struct ProbeOutcome {
  reports::Report report;
  util::Redactor redactor;
  double durationSeconds = 0;
  bool success = false;
  std::string prometheus;  // rendered and redacted, with probe_success and probe_duration_seconds
};

// The Prometheus text of a probe: the prometheus format's series for the report, then
// probe_success and probe_duration_seconds. Redacted.
std::string probeMetricsText(const reports::Report& report, const util::Redactor& redactor, bool success,
                             double durationSeconds);

// Coalesces probes: one target is probed at most once per `minInterval`; a scrape that
// comes while the target is being probed waits for that probe instead of starting
// another; at most `maxConcurrent` probes run at once. Thread-safe.
class ProbeCoalescer {
 public:
  using Probe = std::function<std::shared_ptr<const ProbeOutcome>()>;
  struct Stats {
    unsigned long long probes = 0, failures = 0, reused = 0, rejected = 0;
    int inFlight = 0;
    std::vector<double> durations;  // of the probes since the last call (for a histogram)
  };
  ProbeCoalescer(int maxConcurrent, std::chrono::milliseconds minInterval);

  // The latest outcome for `name`, probing with `probe` when it is older than minInterval.
  // Waits at most `waitLimit` for a slot or a running probe; nullptr when that runs out.
  std::shared_ptr<const ProbeOutcome> get(const std::string& name, const Probe& probe,
                                          std::chrono::milliseconds waitLimit);
  // The latest outcome without probing (nullptr when none yet).
  std::shared_ptr<const ProbeOutcome> latest(const std::string& name) const;
  // A reload: results of targets no longer configured go; the others probe afresh.
  void forgetAllBut(const std::vector<std::string>& names);
  // Waits (bounded) until no probe runs; false when `limit` ran out first.
  bool waitIdle(std::chrono::milliseconds limit);
  Stats takeStats();

 private:
  struct Slot {
    bool running = false;
    std::shared_ptr<const ProbeOutcome> last;
    std::chrono::steady_clock::time_point lastAt;
  };
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::map<std::string, Slot> slots_;
  int maxConcurrent_;
  std::chrono::milliseconds minInterval_;
  Stats stats_;
};

// Runs the exporter until SIGTERM or SIGINT; SIGHUP reloads the config and the web config,
// the TLS certificate and key included (new connections get a rotated certificate; a pair
// that cannot be used keeps the running one). `args` are the arguments after `serve`.
int runServe(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace pgreach::app
