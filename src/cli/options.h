#pragma once
// The command line, parsed once into an immutable struct that is passed down.
// No global variables_map: everything a check may read is here.
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "cli/config_file.h"
#include "util/expected.h"
#include "util/threshold.h"

namespace pgreach::cli {

// Serve is listed and has its help here like every command; its own options are parsed
// by the app (app/serve.h), since they configure a server rather than a run.
enum class Command { Diagnose, Checks, Help, Version, Sweep, Audit, Serve, Explain };

struct Options {
  Command command = Command::Diagnose;
  // Command::Help: whose help (`pgreach sweep --help`, `pgreach help sweep`); none = the list of commands.
  std::optional<Command> helpTopic;
  std::string conninfo;  // as given (may hold a password: never print it)
  bool conninfoGiven = false;
  std::string provider;  // "" = detect from the hostname
  std::vector<uint16_t> ports;
  std::vector<std::string> vpcCidrs;
  std::vector<std::string> resolvers;
  std::chrono::milliseconds probeTimeout{3000};
  std::chrono::milliseconds deadline{30000};
  bool deadlineGiven = false;     // --deadline was given (sweep has no deadline otherwise)
  std::vector<std::string> only;  // check ids or stage names
  std::vector<std::string> skip;
  std::vector<std::string> formats{"text"};
  std::string output;  // file; "" = stdout
  std::string configFile;
  bool color = true;  // still only when stdout is a terminal; off with --no-color, NO_COLOR, TERM=dumb
  int verbosity = 0;
  bool json = false;  // `pgreach checks --json`
  int maxParallel = 16;
  // --- tcp ---
  int repeat = 1;                       // connects per address:port (tcp.connect), to tell flaky from dead
  std::string captureFile;              // --capture-file: handshake-only pcap of the tcp.connect probes
  std::vector<std::string> sweepCidrs;  // `pgreach sweep CIDR...`
  int maxInFlight = 4096;               // sweep: sockets connecting at once
  double rate = 0;                      // sweep: connection attempts per second, 0 = unlimited
  bool listRefused = false;             // sweep: the text output lists refused ports too
  // --- audit ---
  // Cloud configuration audit (checks/cloud, `pgreach audit`). The instance metadata
  // service is queried only with --imds (never by default: off a cloud VM the link-local
  // address just hangs, and tests must never reach it).
  // Cloud kind -> --<kind>-json DIR (--aws-json: `aws ec2 describe-*` exports, --azure-json:
  // `az network ...` exports); one option per cloud in cloud/registry.h.
  std::map<std::string, std::string> exportDirs;
  bool cloudLive =
      false;  // --cloud-live: run the read-only `aws ec2 describe-*` / `az network ... list` commands
  std::string azureResourceGroup;  // --azure-resource-group: narrows the live `az ... list` commands
  bool imds = false;               // --imds: ask the instance metadata service
  std::string imdsEndpoint = "http://169.254.169.254";
  std::chrono::milliseconds imdsTimeout{1500};
  std::chrono::milliseconds cloudCliTimeout{20000};
  std::string clientIp, clientEni;
  std::vector<std::string> endpointIds;  // --endpoint vpce-... (or an Azure private endpoint name)
  std::vector<std::string> endpointIps;
  std::string cloudRegion;
  // --- tls ---
  int certWarnDays = 21;  // tls.cert_expiring below this many days
  int clientLibpq = 0;    // --client-libpq: the application's libpq major version, 0 = not stated
  // --- thresholds (monitoring-plugin ranges: -w/-c on the whole run's time,
  // --warning-connect/--critical-connect on each port's connect time, --warning-handshake/
  // --critical-handshake on the TLS stage's time) ---
  std::optional<util::ThresholdRange> warnTime, critTime;
  std::optional<util::ThresholdRange> warnConnect, critConnect;
  std::optional<util::ThresholdRange> warnHandshake, critHandshake;
  // --- reports ---
  std::string outputDir;       // --output-dir: one file per format (report.<ext>)
  std::string bundle;          // --bundle FILE.tar.gz: support bundle
  bool maskAddresses = false;  // --mask-addresses: mask IP addresses in the bundle
  std::string store;           // --store DSN: append the JSON report to a central PostgreSQL (secret)
  std::optional<std::chrono::hours> storeRetention;  // --store-retention: rows older than this are deleted
  std::string explainCode;                           // `pgreach explain CODE`
  std::string targetName;                            // set by --config fleets: the [target.NAME] being run
};

// Parses argv. On bad input returns an Error whose message names what was wrong. A
// --config FILE is read with cli/config_file.h; the command line wins over it, and a
// value from the file that is wrong is named `FILE:LINE: --option: ...`. A fleet file
// ([target.NAME] sections) is refused here: app/fleet.h runs it.
Expected<Options> parseOptions(int argc, const char* const argv[]);
// The same with the config lines given instead of read from --config (a fleet target's
// effective lines, cli::effectiveConfig); `configPath` names them in messages.
Expected<Options> parseOptions(int argc, const char* const argv[], const std::vector<ConfigLine>& config,
                               const std::string& configPath);

// A monitoring-plugin threshold range ("2", "500ms", "0.1:", "~:2s", "@1:2"; ends are
// durations as --timeout takes them, a bare number in seconds, 0 allowed). `what` names the
// option in the error.
Expected<util::ThresholdRange> parseThreshold(const std::string& text, const char* what);

// The --help text: every command with a line each, examples and exit codes.
std::string helpText();

// One command's help: its usage, a one-line description and only the options it reads.
std::string commandHelpText(Command command);

// What a bare `pgreach` prints on stderr.
std::string shortUsage();

// Whether the environment allows colour (no-color.org: NO_COLOR set and non-empty turns
// it off; so does TERM=dumb). Null means unset. A terminal is still required on top.
bool colorAllowed(const char* noColorEnv, const char* termEnv);

}  // namespace pgreach::cli
