#include "cli/options.h"

#include <algorithm>
#include <boost/program_options.hpp>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <tuple>

#include "cli/config_file.h"
#include "cloud/registry.h"
#include "net/address.h"  // --- audit ---
#include "target/provider.h"
#include "util/atomic_file.h"
#include "util/strings.h"

namespace po = boost::program_options;

namespace pgreach::cli {
namespace {

constexpr double kMaxDurationMs = 86400.0 * 1000.0;

// A value worth quoting back in an error: short and made only of what numbers, durations
// and addresses are made of. Anything else is not echoed: it could be a secret typed into
// the wrong option.
std::string quotable(const std::string& text) {
  static constexpr std::string_view kAllowed = "0123456789abcdefABCDEF.:+-ms~@";
  const bool plain =
      !text.empty() && text.size() <= 40 && text.find_first_not_of(kAllowed) == std::string::npos;
  return plain ? "\"" + text + "\"" : std::string("(value not shown)");
}

// "3s", "500ms", "1.5s", "2m", or a bare number of seconds. Finite, at least 1 ms and at
// most a day: NaN, infinities, zero, negatives and sub-millisecond values are refused, since
// every deadline computed from them would be meaningless.
Expected<std::chrono::milliseconds> parseDuration(const std::string& text, const char* what) {
  std::string t = util::trim(text);
  double factor = 1000.0;
  if (util::endsWith(t, "ms"))
    factor = 1.0, t.resize(t.size() - 2);
  else if (util::endsWith(t, "s"))
    t.resize(t.size() - 1);
  else if (util::endsWith(t, "m"))
    factor = 60000.0, t.resize(t.size() - 1);
  // Decimal only: strtod would also take hex ("0x10" = 16 s), "nan", "inf" and leading blanks.
  const bool decimal = !t.empty() && std::isdigit(static_cast<unsigned char>(t[0])) &&
                       t.find_first_not_of("0123456789.eE+-") == std::string::npos;
  char* end = nullptr;
  const double v = decimal ? std::strtod(t.c_str(), &end) : 0;
  if (!decimal || !end || *end != '\0' || !std::isfinite(v)) {
    return makeError(std::string(what) + ": invalid duration " + quotable(text) +
                     " (use e.g. 3s, 500ms, 2m)");
  }
  const double ms = v * factor;
  if (!(ms >= 1.0) || ms > kMaxDurationMs) {
    return makeError(std::string(what) + ": duration " + quotable(text) + " out of range (from 1ms to 24h)");
  }
  // Rounded by hand: std::llround is the one libm symbol pgreach would need, and mapping
  // libm costs ~0.3 MB of resident memory in every run.
  return std::chrono::milliseconds(static_cast<long long>(ms + 0.5));
}

// --client-libpq: "13", "13.4", "9.6" (a major before 10 is two numbers). The major only.
Expected<int> parseLibpqMajor(const std::string& text) {
  const std::string t = util::trim(text);
  int major = 0, minor = -1;
  size_t i = 0;
  for (; i < t.size() && i < 3 && t[i] >= '0' && t[i] <= '9'; ++i) major = major * 10 + (t[i] - '0');
  if (i > 0 && i < t.size() && t[i] == '.') {
    size_t j = i + 1;
    minor = 0;
    for (; j < t.size() && j - i <= 3 && t[j] >= '0' && t[j] <= '9'; ++j) minor = minor * 10 + (t[j] - '0');
    if (j == i + 1) minor = -2;
    i = j;
  }
  if (i == 0 || i != t.size() || minor == -2 || major < 7 || major > 99) {
    return makeError("--client-libpq: invalid version " + quotable(text) +
                     " (expected the application's libpq version, e.g. 13 or 13.4)");
  }
  return major;
}

}  // namespace

Expected<util::ThresholdRange> parseThreshold(const std::string& text, const char* what) {
  std::string t = util::trim(text);
  util::ThresholdRange r;
  auto bad = [&](const std::string& why) {
    return makeError(std::string(what) + ": invalid range " + quotable(text) + " (" + why +
                     "; use e.g. 2, 500ms, 0.1:, ~:2s, 1:2, @1:2)");
  };
  if (!t.empty() && t[0] == '@') r.inside = true, t.erase(0, 1);
  // One end: a duration, or 0 (which --timeout refuses but a range may start at).
  auto end = [&](const std::string& e) -> Expected<double> {
    const std::string v = util::trim(e);
    if (v == "0" || v == "0s" || v == "0ms" || v == "0.0") return 0.0;
    auto d = parseDuration(v, what);
    if (!d) return makeError("an end is not a duration from 1ms to 24h");
    return static_cast<double>(d->count());
  };
  const auto colon = t.find(':');
  if (colon == std::string::npos) {
    auto e = end(t);
    if (!e) return bad(e.error());
    r.endMs = *e;
    return r;
  }
  const std::string lo = t.substr(0, colon), hi = t.substr(colon + 1);
  if (lo == "~") {
    r.startMs.reset();
  } else {
    auto e = end(lo);
    if (!e) return bad(e.error());
    r.startMs = *e;
  }
  if (util::trim(hi).empty()) {
    r.endMs.reset();
  } else {
    auto e = end(hi);
    if (!e) return bad(e.error());
    r.endMs = *e;
  }
  if (r.startMs && r.endMs && *r.startMs > *r.endMs) return bad("its start is above its end");
  if (!r.startMs && !r.endMs) return bad("it has no end");
  return r;
}

namespace {

// "90d" or "36h": how long --store keeps its rows. Whole days or hours, from an hour to
// a hundred years; anything finer would delete the row a run has just written.
Expected<std::chrono::hours> parseRetention(const std::string& text) {
  const std::string t = util::trim(text);
  const bool days = util::endsWith(t, "d");
  const bool hours = util::endsWith(t, "h");
  const std::string digits = t.substr(0, t.empty() ? 0 : t.size() - 1);
  const bool number =
      !digits.empty() && digits.size() <= 7 && digits.find_first_not_of("0123456789") == std::string::npos;
  const long n = number ? std::strtol(digits.c_str(), nullptr, 10) : 0;
  const long h = days ? n * 24 : n;
  if (!(days || hours) || !number || h < 1 || h > 24L * 36500)
    return makeError("--store-retention: invalid " + quotable(text) + " (use e.g. 90d or 36h; 1h to 36500d)");
  return std::chrono::hours(h);
}

Expected<std::vector<uint16_t>> parsePorts(const std::vector<std::string>& values) {
  std::vector<uint16_t> ports;
  for (const auto& v : values) {
    for (const auto& part : util::split(v, ',')) {
      const std::string p = util::trim(part);
      if (p.empty()) continue;
      char* end = nullptr;
      const long n = std::strtol(p.c_str(), &end, 10);
      if (!end || *end != '\0' || n < 1 || n > 65535) {
        return makeError("--ports: invalid port " + quotable(p) + " (expected 1-65535)");
      }
      if (std::find(ports.begin(), ports.end(), n) == ports.end()) ports.push_back(static_cast<uint16_t>(n));
    }
  }
  // `--ports ""` (an empty fleet line) would silently mean the provider's defaults.
  if (ports.empty()) return makeError("--ports: no port given (expected e.g. 5432,6432)");
  return ports;
}

std::vector<std::string> splitList(const std::vector<std::string>& values) {
  std::vector<std::string> out;
  for (const auto& v : values) {
    for (const auto& part : util::split(v, ',')) {
      std::string p = util::trim(part);
      if (!p.empty()) out.push_back(p);
    }
  }
  return out;
}

// Boost.Program_options formats an error by replacing %value%, %canonical_option% and
// friends in its message until none is left, so a user's text that itself holds such a
// placeholder (an option name, a value, a --config line) makes what() loop forever
// (found by tests/fuzz/cli_args_fuzz). The message is therefore formatted from a copy
// whose substitutions have every '%' swapped for a byte Boost never looks for, and the
// '%' is put back afterwards.
struct SubstitutionPeek : po::error_with_option_name {
  static const std::map<std::string, std::string>& of(const po::error_with_option_name& e) {
    return e.*(&SubstitutionPeek::m_substitutions);
  }
};

// What an error may say about a substitution: an option's or a config key's name, never
// the value given to it (`--pasword=Secret` is named `--pasword`; a config line
// `pass = Secret` is named by `pass`), since a mistyped option can hold a password.
// A name is shown only when it looks like one (letters, digits, - _ .; at most 40): a
// config line `password Secret = x` has a "key" that holds the secret itself.
std::string nameShown(const std::string& name) {
  static constexpr std::string_view kNameChars =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.";
  const bool plain = name.size() <= 40 && name.find_first_not_of(kNameChars) == std::string::npos;
  return plain ? name : std::string("(name not shown)");
}

std::string withoutValue(const std::string& key, const std::string& value) {
  if (key == "value") return "<hidden>";
  if (key == "invalid_line") {
    const auto eq = value.find('=');
    if (eq == std::string::npos) return "(line not shown)";
    return nameShown(util::trim(value.substr(0, eq))) + " = ...";
  }
  std::string name = value.substr(0, value.find('='));
  // A short option glued to its value (-pSecret) is named by its two characters.
  if (name.size() > 2 && name[0] == '-' && name[1] != '-') name.resize(2);
  return name.size() > 2 && name[0] == '-' && name[1] == '-' ? "--" + nameShown(name.substr(2))
                                                             : nameShown(name);
}

template <typename Error>
std::string describeCopy(const Error& e) {
  constexpr char kPercent = '\x01';
  Error copy = e;
  for (const auto& [key, value] : SubstitutionPeek::of(e)) {
    std::string safe = withoutValue(key, value);
    std::replace(safe.begin(), safe.end(), kPercent, '?');
    std::replace(safe.begin(), safe.end(), '%', kPercent);
    copy.set_substitute(key, safe);
  }
  std::string message = copy.what();
  std::replace(message.begin(), message.end(), kPercent, '%');
  return message;
}

std::string describe(const po::error& e) {
  // ambiguous_option formats its own list of candidates, so it is copied as itself.
  if (const auto* a = dynamic_cast<const po::ambiguous_option*>(&e)) return describeCopy(*a);
  if (const auto* n = dynamic_cast<const po::error_with_option_name*>(&e)) return describeCopy(*n);
  return e.what();
}

// The option groups. Each command's table is made of the groups it reads (kCommands);
// the command line is parsed with all of them, so every option name keeps working
// wherever it was accepted before.
po::options_description commonOptions() {
  po::options_description d("Common options");
  d.add_options()("help,h", "show this help")("version", "print the version")(
      "config", po::value<std::string>(), "read options from an INI file (same names, key = value)")(
      "no-color", "no ANSI colour even on a terminal (also NO_COLOR=1 or TERM=dumb)")(
      "verbose,v", po::value<int>()->implicit_value(1)->zero_tokens(),
      "each check's start and end (id, status, ms) on stderr");
  return d;
}

// What every probing command reads: ports, timeouts and the report's format.
po::options_description probeOptions() {
  po::options_description d("Probe and report options");
  d.add_options()("ports", po::value<std::vector<std::string>>()->composing(),
                  "ports to probe, e.g. 5432,6432 (default: the provider's)")(
      "timeout", po::value<std::string>(), "per-probe timeout (default 3s)")(
      "deadline", po::value<std::string>(), "deadline for the whole run (default 30s)")(
      "format", po::value<std::vector<std::string>>()->composing(),
      "text|markdown|html|json|junit|nagios|prometheus (repeatable; default text)")(
      "output,o", po::value<std::string>(), "write the report to FILE (atomically) instead of stdout");
  return d;
}

po::options_description targetOptions() {
  po::options_description d("Target options");
  d.add_options()("conninfo", po::value<std::string>(),
                  "the connection string (also the first positional argument)")(
      "provider", po::value<std::string>(),
      (target::providerNames("|") + " (default: from the hostname)").c_str())(
      "vpc-cidr", po::value<std::vector<std::string>>()->composing(), "a VPC/VNet CIDR (repeatable)")(
      "resolver", po::value<std::vector<std::string>>()->composing(),
      "an extra DNS resolver to ask (repeatable)")("only", po::value<std::vector<std::string>>()->composing(),
                                                   "run only these check ids or stages")(
      "skip", po::value<std::vector<std::string>>()->composing(), "skip these check ids or stages");
  return d;
}

po::options_description diagnoseOnlyOptions() {
  po::options_description d("Diagnose options");
  d.add_options()("run-as", po::value<std::string>(),
                  "as root: switch to this user once the capture handle is open (like tcpdump -Z); "
                  "files are then read and written as that user");
  // --- tcp ---
  d.add_options()("repeat", po::value<int>(),
                  "connect to each address:port N times (default 1) to tell flaky from dead")(
      "capture-file", po::value<std::string>(), "write the TCP handshake packets (no payload) to this .pcap");
  // --- tls ---
  d.add_options()("cert-warn-days", po::value<int>(),
                  "warn when the server certificate expires within N days (default 21)");
  // --- the application's client ---
  d.add_options()("client-libpq", po::value<std::string>(),
                  "the application's libpq version (e.g. 13 or 13.4): judge what the target needs against "
                  "it (pgreach's own libpq is not the application's)");
  return d;
}

// Monitoring-plugin thresholds (Nagios plugin guidelines: -w/-c, like check_tcp).
// Each takes a range as the plugin guidelines define it: "2" (over 2 s), "0.1:" (under
// 0.1 s), "~:2", "1:2" (outside), "@1:2" (inside); ends in seconds, or with ms/s/m.
po::options_description thresholdOptions() {
  po::options_description d(
      "Thresholds (monitoring-plugin ranges like check_tcp: 2 = over 2 s, 0.1: = under, @1:2 = inside; "
      "seconds, or 500ms)");
  d.add_options()("warning,w", po::value<std::string>(),
                  "WARNING when the whole run's time is outside RANGE")(
      "critical,c", po::value<std::string>(), "CRITICAL when the whole run's time is outside RANGE")(
      "warning-connect", po::value<std::string>(),
      "WARNING when a port's TCP connect time (its slowest probe) is outside RANGE")(
      "critical-connect", po::value<std::string>(),
      "CRITICAL when a port's TCP connect time (its slowest probe) is outside RANGE")(
      "warning-handshake", po::value<std::string>(),
      "WARNING when the TLS stage's time (SSLRequest and handshake) is outside RANGE")(
      "critical-handshake", po::value<std::string>(),
      "CRITICAL when the TLS stage's time (SSLRequest and handshake) is outside RANGE");
  return d;
}

po::options_description reportOptions() {
  po::options_description d("Report options");
  // --- reports ---
  d.add_options()("output-dir", po::value<std::string>(),
                  "write one file per --format into DIR (report.<ext>; per target with --config fleets)")(
      "bundle", po::value<std::string>(),
      "write a support bundle FILE.tar.gz (reports, options, versions; secrets redacted)")(
      "mask-addresses", "in the bundle, also mask IP addresses (the same address gets the same mask)")(
      "store", po::value<std::string>(),
      "append each run's JSON report to a table in this PostgreSQL (conninfo)")(
      "store-retention", po::value<std::string>(),
      "with --store: delete rows older than this (e.g. 90d, 36h; default: keep every row)");
  return d;
}

po::options_description sweepOptions() {
  po::options_description d("Sweep options");
  d.add_options()("max-in-flight", po::value<int>(), "connects in flight at once (default 4096)")(
      "rate", po::value<double>(), "connection attempts per second, 0 or at least 1 (default 0: unlimited)")(
      "list-refused", "also list every refused (closed) address:port in the text output")(
      "cidr", po::value<std::vector<std::string>>()->composing(), "CIDR blocks (positional)");
  return d;
}

po::options_description auditOptions() {
  po::options_description d("Cloud audit options");
  // --- audit ---
  // --<kind>-json DIR, one per registered cloud, in kind order.
  for (const auto* cloud : cloud::cloudsInOrder()) {
    d.add_options()(cloud->optionName().c_str(), po::value<std::string>(), cloud->optionHelp.c_str());
  }
  d.add_options()("cloud-live", "cloud audit: run the read-only aws/az CLI commands (each with a timeout)")(
      "azure-resource-group", po::value<std::string>(),
      "--cloud-live: list only this resource group's Azure resources (private DNS zones: all)")(
      "imds", "cloud audit: ask the instance metadata service (off by default)")(
      "imds-endpoint", po::value<std::string>(), "instance metadata URL (default http://169.254.169.254)")(
      "imds-timeout", po::value<std::string>(), "instance metadata timeout (default 1.5s)")(
      "cloud-cli-timeout", po::value<std::string>(), "timeout for each aws/az command (default 20s)")(
      "client-ip", po::value<std::string>(), "cloud audit: the client's private address")(
      "client-eni", po::value<std::string>(), "cloud audit: the client's network interface id (eni-...)")(
      "endpoint", po::value<std::vector<std::string>>()->composing(),
      "cloud audit: VPC endpoint id (vpce-...) or Azure private endpoint name")(
      "endpoint-ip", po::value<std::vector<std::string>>()->composing(),
      "cloud audit: an endpoint interface address")(
      "cloud-region", po::value<std::string>(), "cloud audit: region (default: from the hostname or IMDS)");
  return d;
}

po::options_description checksOptions() {
  po::options_description d("Checks options");
  d.add_options()("json", "list as JSON");
  return d;
}

// serve's options are parsed by the app (app/serve.cpp, parseServeArgs), not by the
// tables above: they configure a server, and every other option is diagnose's, for each
// target. Their help lives here so that `pgreach help serve` and `pgreach serve --help`
// print one text. Keep it in step with parseServeArgs.
std::string serveDetails() {
  return "\nEndpoints:\n"
         "  /probe?target=NAME     diagnose the [target.NAME] of the config (only those) and answer\n"
         "                         the --format prometheus series plus probe_success and\n"
         "                         probe_duration_seconds\n"
         "  /report?target=NAME&format=html|json|markdown   the report of the latest probe\n"
         "  /metrics               the exporter's own metrics\n"
         "  /-/healthy, /-/ready   liveness and readiness\n"
         "\n"
         "Serve options:\n"
         "  --config FILE          the fleet file: its [target.NAME] sections are what /probe runs\n"
         "  --listen ADDR:PORT     default 127.0.0.1:9187 (loopback); \":9187\" listens on every address\n"
         "  --web-config FILE      TLS and basic auth, exporter-toolkit web.yml subset:\n"
         "                         tls_server_config: {cert_file, key_file}, basic_auth_users: {USER: "
         "BCRYPT}\n"
         "  --max-concurrent N     probes running at once (default 8)\n"
         "  --min-interval DUR     a target is probed at most once per DUR; scrapes in between get the\n"
         "                         last result (default 10s)\n"
         "  --client-timeout DUR   a client idle or slower than this is disconnected (default 10s)\n"
         "  --connection-limit N   connections at once (default 2048; Prometheus keeps one per target)\n"
         "Any other option is diagnose's (`pgreach help diagnose`), applied to every target.\n"
         "\n"
         "SIGHUP reloads both files, a new TLS certificate and key included (a file with errors\n"
         "keeps the running configuration and logs why); SIGTERM stops accepting, lets running\n"
         "probes finish and exits.\n"
         "\n"
         "Examples:\n"
         "  pgreach serve --config /etc/pgreach/fleet.ini\n"
         "  pgreach serve --config /etc/pgreach/fleet.ini --listen 10.40.1.10:9187 --web-config "
         "/etc/pgreach/web.yml\n";
}

using GroupFn = po::options_description (*)();

// One row per command: its name, usage, one-line description and the option groups it reads.
struct CommandSpec {
  const char* name;
  Command command;
  const char* usage;
  const char* summary;
  std::vector<GroupFn> groups;
};

const std::vector<CommandSpec>& commandSpecs() {
  static const std::vector<CommandSpec> specs{
      {"diagnose",
       Command::Diagnose,
       "pgreach diagnose [CONNINFO] [options]",
       "run every check against a target",
       {&commonOptions, &targetOptions, &probeOptions, &thresholdOptions, &diagnoseOnlyOptions,
        &reportOptions, &auditOptions}},
      {"checks",
       Command::Checks,
       "pgreach checks [--json]",
       "list the registered checks",
       {&commonOptions, &checksOptions}},
      {"sweep",
       Command::Sweep,
       "pgreach sweep CIDR... [--ports P,...] [--timeout T] [--max-in-flight N] [--rate PPS] [--format json]",
       "probe every address of CIDR blocks (at most /16 each) for open ports",
       {&commonOptions, &probeOptions, &sweepOptions}},
      {"audit",
       Command::Audit,
       "pgreach audit [CONNINFO] [options]",
       "only the cloud configuration checks (no packets sent)",
       {&commonOptions, &targetOptions, &probeOptions, &thresholdOptions, &reportOptions, &auditOptions}},
      {"serve",
       Command::Serve,
       "pgreach serve --config FLEET.INI [--listen 127.0.0.1:9187] [--web-config WEB.YML] [options]",
       "a Prometheus exporter: /probe?target=NAME diagnoses a target of the fleet file",
       {}},
      {"explain",
       Command::Explain,
       "pgreach explain CODE",
       "what a finding code means and how to fix it",
       {}},
      {"help", Command::Help, "pgreach help [COMMAND]", "this help, or a command's", {}},
  };
  return specs;
}

const CommandSpec* findCommand(const std::string& name) {
  for (const auto& c : commandSpecs()) {
    if (name == c.name) return &c;
  }
  return nullptr;
}

std::string commandList() {
  std::vector<std::string> names;
  for (const auto& c : commandSpecs()) names.push_back(c.name);
  return util::join(names, ", ");
}

// Every option any command reads: what the command line and --config are parsed with.
// Boost refuses an option added twice, so each group is added once.
po::options_description allOptions() {
  po::options_description d("Options");
  for (GroupFn g : {&commonOptions, &probeOptions, &targetOptions, &thresholdOptions, &diagnoseOnlyOptions,
                    &reportOptions, &sweepOptions, &auditOptions, &checksOptions})
    d.add(g());
  return d;
}

}  // namespace

ConfigKeyKind configKeyKind(std::string_view key) {
  // What a file cannot sensibly say: another file, or a question for the terminal.
  if (key == "config" || key == "help" || key == "version") return ConfigKeyKind::Forbidden;
  static const po::options_description all = allOptions();
  const auto* d = all.find_nothrow(std::string(key), false);
  if (!d || d->long_name() != key) return ConfigKeyKind::Unknown;
  if (d->semantic()->max_tokens() == 0) return ConfigKeyKind::Switch;
  return d->semantic()->is_composing() ? ConfigKeyKind::Repeatable : ConfigKeyKind::Single;
}

std::vector<std::string> closeConfigKeys(std::string_view key) {
  auto distance = [](std::string_view a, std::string_view b) {
    std::vector<size_t> row(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
      size_t diagonal = row[0];
      row[0] = i;
      for (size_t j = 1; j <= b.size(); ++j) {
        const size_t up = row[j];
        row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
        diagonal = up;
      }
    }
    return row[b.size()];
  };
  static const po::options_description all = allOptions();
  std::vector<std::pair<size_t, std::string>> scored;
  for (const auto& d : all.options()) {
    const std::string& name = d->long_name();
    if (configKeyKind(name) == ConfigKeyKind::Forbidden) continue;
    const size_t score = distance(key, name);
    if (score <= 2) scored.emplace_back(score, name);
  }
  std::sort(scored.begin(), scored.end());
  std::vector<std::string> out;
  for (auto& s : scored) out.push_back(std::move(s.second));
  return out;
}

bool colorAllowed(const char* noColorEnv, const char* termEnv) {
  // https://no-color.org: set and non-empty turns colour off, whatever its value.
  if (noColorEnv && *noColorEnv) return false;
  if (termEnv && std::string(termEnv) == "dumb") return false;
  return true;
}

std::string shortUsage() {
  std::string out = "Usage: pgreach COMMAND [options]\n\nCommands:\n";
  for (const auto& c : commandSpecs()) {
    std::string name = c.name;
    name.resize(10, ' ');
    out += "  " + name + c.summary + "\n";
  }
  out += "\n`pgreach help COMMAND` or `pgreach COMMAND --help` shows a command's options.\n";
  return out;
}

std::string commandHelpText(Command command) {
  for (const auto& c : commandSpecs()) {
    if (c.command != command || c.command == Command::Help) continue;
    std::ostringstream out;
    out << "Usage: " << c.usage << "\n\n" << c.summary << "\n";
    if (command == Command::Diagnose || command == Command::Audit) {
      out << "\nCONNINFO is what you would give psql: a URI or a keyword/value string. Without it,\n"
             "the PG* environment variables (PGHOST, PGPORT, PGUSER, PGSERVICE...) are used, as libpq "
             "would.\n";
    }
    if (command == Command::Explain) out << "\nExample: pgreach explain tcp.silently_dropped\n";
    if (command == Command::Serve) out << serveDetails();
    for (GroupFn g : c.groups) out << "\n" << g();
    if (command == Command::Diagnose || command == Command::Audit) {
      out << "\nExit codes: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (bad input, could not run)\n";
    }
    if (command == Command::Sweep)
      out << "\nExit codes: 0 if any address is open, 2 if none, 3 on bad input\n";
    return out.str();
  }
  return helpText();
}

std::string helpText() {
  std::ostringstream out;
  out << "pgreach: where does the path to your managed PostgreSQL break, and what fixes it?\n\n"
         "Usage: pgreach COMMAND [options]\n\n"
         "Commands:\n";
  for (const auto& c : commandSpecs()) {
    std::string name = c.name;
    name.resize(10, ' ');
    out << "  " << name << c.summary << "\n";
  }
  out << "  --version print the version\n\n"
         "`pgreach help COMMAND` or `pgreach COMMAND --help` lists the options that command reads.\n\n"
         "CONNINFO is what you would give psql: a URI or a keyword/value string. Without it,\n"
         "the PG* environment variables (PGHOST, PGPORT, PGUSER, PGSERVICE...) are used, as libpq would.\n\n";
  out << "Examples:\n"
         "  pgreach diagnose "
         "'postgresql://app@ep-cool-123.vpce.us-east-1.aws.neon.tech/appdb?sslmode=verify-full'\n"
         "  pgreach diagnose 'host=db.private-pg.psdb.cloud user=role.main dbname=app' --format markdown -o "
         "report.md\n"
         "  PGHOST=myserver.postgres.database.azure.com pgreach diagnose --vpc-cidr 10.0.0.0/16\n"
         "  pgreach diagnose --config /etc/pgreach.ini --format json --output /var/lib/pgreach/last.json\n"
         "  pgreach diagnose --config /etc/pgreach.ini --format nagios -w 2 -c 5\n"
         "  pgreach checks --json\n"
         "  pgreach diagnose --config /etc/pgreach/fleet.ini --format json --format prometheus --output-dir "
         "/var/lib/pgreach\n"
         "  pgreach serve --config /etc/pgreach/fleet.ini --listen 127.0.0.1:9187\n"
         "  pgreach explain tcp.silently_dropped\n\n"
         "Environment: NO_COLOR (non-empty) or TERM=dumb turn colour off, like --no-color.\n\n"
         "Exit codes (like a monitoring plugin):\n"
         "  0  OK        every check passed\n"
         "  1  WARNING   warnings only\n"
         "  2  CRITICAL  something on the path is broken\n"
         "  3  UNKNOWN   pgreach could not run (bad input, internal error)\n";
  return out.str();
}

namespace {
Expected<Options> readVariables(const po::variables_map& vm, Options o, const std::string& commandName);

Expected<Options> parse(int argc, const char* const argv[], const std::vector<ConfigLine>* config,
                        const std::string& givenConfigPath) {
  Options o;
  std::vector<const char*> args(argv, argv + argc);
  int first = 1;
  std::string commandName;  // as typed, "" when none was
  if (argc > 1) {
    const std::string cmd = argv[1];
    const bool wantsHelp = argc > 2 && (std::string(argv[2]) == "--help" || std::string(argv[2]) == "-h");
    if (cmd == "explain") {
      o.command = Command::Explain;
      if (wantsHelp) {
        o.command = Command::Help, o.helpTopic = Command::Explain;
        return o;
      }
      if (argc < 3 || std::string(argv[2]).empty())
        return makeError("explain: give a finding code, e.g. pgreach explain tcp.silently_dropped");
      o.explainCode = argv[2];
      return o;
    }
    if (cmd == "serve") {
      // The app parses serve's own options (parseServeArgs); --help anywhere is its help.
      o.command = Command::Serve;
      for (int i = 2; i < argc; ++i) {
        if (std::string(argv[i]) == "--help" || std::string(argv[i]) == "-h")
          o.command = Command::Help, o.helpTopic = Command::Serve;
      }
      return o;
    }
    if (cmd == "help") {
      o.command = Command::Help;
      if (argc > 2) {
        const CommandSpec* topic = findCommand(argv[2]);
        if (!topic)
          return makeError("help: unknown command " + quotable(argv[2]) + " (commands: " + commandList() +
                           ")");
        if (topic->command != Command::Help) o.helpTopic = topic->command;
      }
      return o;
    }
    if (const CommandSpec* spec = findCommand(cmd)) {
      o.command = spec->command, first = 2, commandName = cmd;
    } else if (!cmd.empty() && cmd[0] != '-') {
      return makeError("unknown command " + quotable(cmd) + " (commands: " + commandList() + "; see --help)");
    }
  }
  o.color = colorAllowed(std::getenv("NO_COLOR"), std::getenv("TERM"));

  po::options_description desc = allOptions();
  po::positional_options_description pos;
  if (o.command == Command::Sweep)
    pos.add("cidr", -1);
  else
    pos.add("conninfo", 1);
  po::variables_map vm;
  std::map<std::string, size_t> configLineOf;  // option -> the config line that gave it
  std::string configPath;
  try {
    std::vector<std::string> rest(args.begin() + first, args.end());
    po::store(po::command_line_parser(rest).options(desc).positional(pos).run(), vm);
    std::set<std::string> onCommandLine;
    for (const auto& entry : vm) onCommandLine.insert(entry.first);
    std::vector<ConfigLine> lines;
    if (config) {
      lines = *config, configPath = givenConfigPath;
    } else if (vm.count("config") && !vm.count("help")) {
      // --help answers without reading --config (which may be a fleet file).
      configPath = vm["config"].as<std::string>();
      auto file = readConfig(configPath);
      if (!file) return makeError(file.error());
      if (file->isFleet())
        return makeError(configPath +
                         ": [target.NAME] sections make a fleet, which only `pgreach diagnose` runs");
      lines = effectiveConfig(*file, nullptr);
    }
    // The command line wins: an option it gives drops every config line of that key.
    for (const auto& line : lines) {
      if (onCommandLine.count(line.key)) continue;
      std::vector<std::string> lineArgs;
      if (configKeyKind(line.key) == ConfigKeyKind::Switch) {
        const std::string v = util::toLower(line.value);
        if (v == "false" || v == "no" || v == "0") continue;
        lineArgs.push_back("--" + line.key);
      } else {
        lineArgs.push_back("--" + line.key + "=" + line.value);
      }
      try {
        po::store(po::command_line_parser(lineArgs).options(desc).run(), vm);
      } catch (const po::error& e) {
        return makeError(configPath + ":" + std::to_string(line.line) + ": " + describe(e));
      }
      configLineOf.emplace(line.key, line.line);
    }
    if (!configPath.empty()) o.configFile = configPath;
    po::notify(vm);
  } catch (const po::error& e) {
    return makeError(describe(e));
  }
  auto read = readVariables(vm, std::move(o), commandName);
  // A bad value that came from the config file is named by its line there.
  if (!read && util::startsWith(read.error(), "--")) {
    const std::string& e = read.error();
    const std::string option = e.substr(2, e.find_first_of(": ") - 2);
    if (auto it = configLineOf.find(option); it != configLineOf.end())
      return makeError(configPath + ":" + std::to_string(it->second) + ": " + e);
  }
  return read;
}

Expected<Options> readVariables(const po::variables_map& vm, Options o, const std::string& commandName) {
  if (vm.count("help")) {
    // `pgreach sweep --help` is sweep's help; `pgreach --help` the list of commands.
    if (!commandName.empty()) o.helpTopic = o.command;
    o.command = Command::Help;
  }
  if (vm.count("version")) o.command = Command::Version;
  if (vm.count("conninfo")) {
    o.conninfo = vm["conninfo"].as<std::string>();
    o.conninfoGiven = true;
  }
  if (vm.count("provider")) o.provider = util::toLower(vm["provider"].as<std::string>());
  if (vm.count("ports")) {
    auto ports = parsePorts(vm["ports"].as<std::vector<std::string>>());
    if (!ports) return makeError(ports.error());
    o.ports = *ports;
  }
  if (vm.count("vpc-cidr")) o.vpcCidrs = splitList(vm["vpc-cidr"].as<std::vector<std::string>>());
  if (vm.count("resolver")) o.resolvers = splitList(vm["resolver"].as<std::vector<std::string>>());
  if (vm.count("timeout")) {
    auto d = parseDuration(vm["timeout"].as<std::string>(), "--timeout");
    if (!d) return makeError(d.error());
    o.probeTimeout = *d;
  }
  if (vm.count("deadline")) {
    auto d = parseDuration(vm["deadline"].as<std::string>(), "--deadline");
    if (!d) return makeError(d.error());
    o.deadline = *d;
    o.deadlineGiven = true;
  }
  if (vm.count("only")) o.only = splitList(vm["only"].as<std::vector<std::string>>());
  if (vm.count("skip")) o.skip = splitList(vm["skip"].as<std::vector<std::string>>());
  if (vm.count("format")) o.formats = splitList(vm["format"].as<std::vector<std::string>>());
  if (vm.count("output")) o.output = vm["output"].as<std::string>();
  // `-o -` (and /dev/stdout) is standard output itself: written into, never replaced.
  if (o.output == "-" || o.output == "/dev/stdout") o.output.clear();
  if (vm.count("no-color")) o.color = false;
  if (vm.count("json")) o.json = true;
  if (vm.count("verbose")) {
    o.verbosity = vm["verbose"].as<int>();
    if (o.verbosity < 0 || o.verbosity > 9) return makeError("--verbose: expected 0-9");
  }
  // --- tcp ---
  if (vm.count("repeat")) {
    o.repeat = vm["repeat"].as<int>();
    if (o.repeat < 1 || o.repeat > 100) return makeError("--repeat: expected 1-100");
  }
  if (vm.count("capture-file")) o.captureFile = vm["capture-file"].as<std::string>();
  if (vm.count("max-in-flight")) {
    o.maxInFlight = vm["max-in-flight"].as<int>();
    if (o.maxInFlight < 1 || o.maxInFlight > 65536) return makeError("--max-in-flight: expected 1-65536");
  }
  if (vm.count("rate")) {
    o.rate = vm["rate"].as<double>();
    // Below one attempt a second the sweep would wait hours between two connects (1e-9:
    // forever), and the sweep has no --deadline to cut it; 0 means unlimited.
    if (!(o.rate == 0 || (o.rate >= 1 && o.rate <= 1e7)))
      return makeError("--rate: expected 0 (unlimited) or 1 to 10000000 attempts per second");
  }
  if (vm.count("list-refused")) o.listRefused = true;
  if (vm.count("cidr")) o.sweepCidrs = splitList(vm["cidr"].as<std::vector<std::string>>());
  if (o.command == Command::Sweep && o.sweepCidrs.empty() && !vm.count("help")) {
    return makeError("sweep: give at least one CIDR block (e.g. pgreach sweep 10.40.2.0/24 --ports 5432)");
  }

  // --- audit ---
  for (const auto* cloud : cloud::cloudsInOrder()) {
    const std::string option = cloud->optionName();
    if (vm.count(option)) o.exportDirs[cloud->kind] = vm[option].as<std::string>();
  }
  if (vm.count("cloud-live")) o.cloudLive = true;
  if (vm.count("azure-resource-group"))
    o.azureResourceGroup = util::trim(vm["azure-resource-group"].as<std::string>());
  if (vm.count("imds")) o.imds = true;
  if (vm.count("imds-endpoint")) o.imdsEndpoint = vm["imds-endpoint"].as<std::string>();
  if (vm.count("imds-timeout")) {
    auto d = parseDuration(vm["imds-timeout"].as<std::string>(), "--imds-timeout");
    if (!d) return makeError(d.error());
    o.imdsTimeout = *d;
  }
  if (vm.count("cloud-cli-timeout")) {
    auto d = parseDuration(vm["cloud-cli-timeout"].as<std::string>(), "--cloud-cli-timeout");
    if (!d) return makeError(d.error());
    o.cloudCliTimeout = *d;
  }
  if (vm.count("client-ip")) o.clientIp = util::trim(vm["client-ip"].as<std::string>());
  if (vm.count("client-eni")) o.clientEni = util::trim(vm["client-eni"].as<std::string>());
  if (vm.count("endpoint")) o.endpointIds = splitList(vm["endpoint"].as<std::vector<std::string>>());
  if (vm.count("endpoint-ip")) o.endpointIps = splitList(vm["endpoint-ip"].as<std::vector<std::string>>());
  if (vm.count("cloud-region")) o.cloudRegion = util::trim(vm["cloud-region"].as<std::string>());
  if (!o.clientIp.empty() && !net::IpAddress::parse(o.clientIp))
    return makeError("--client-ip: " + quotable(o.clientIp) + " is not an IP address");
  for (const auto& a : o.endpointIps) {
    if (!net::IpAddress::parse(a))
      return makeError("--endpoint-ip: " + quotable(a) + " is not an IP address");
  }
  // --- tls ---
  if (vm.count("cert-warn-days")) {
    o.certWarnDays = vm["cert-warn-days"].as<int>();
    if (o.certWarnDays < 0 || o.certWarnDays > 3650) return makeError("--cert-warn-days must be 0-3650");
  }
  if (vm.count("client-libpq")) {
    auto v = parseLibpqMajor(vm["client-libpq"].as<std::string>());
    if (!v) return makeError(v.error());
    o.clientLibpq = *v;
  }
  // --- thresholds ---
  struct ThresholdOption {
    const char* name;
    std::optional<util::ThresholdRange>& slot;
  };
  for (const ThresholdOption& t : {ThresholdOption{"warning", o.warnTime},
                                   {"critical", o.critTime},
                                   {"warning-connect", o.warnConnect},
                                   {"critical-connect", o.critConnect},
                                   {"warning-handshake", o.warnHandshake},
                                   {"critical-handshake", o.critHandshake}}) {
    if (!vm.count(t.name)) continue;
    const std::string what = std::string("--") + t.name;
    auto r = parseThreshold(vm[t.name].as<std::string>(), what.c_str());
    if (!r) return makeError(r.error());
    t.slot = *r;
  }
  // Plain upper limits (-w 2 -c 5) in the wrong order would make a run CRITICAL before it is
  // WARNING; other ranges may overlap on purpose, as the guidelines allow.
  auto plainEnd = [](const std::optional<util::ThresholdRange>& r) -> std::optional<double> {
    if (!r || r->inside || !r->startMs || *r->startMs != 0.0) return std::nullopt;
    return r->endMs;
  };
  for (const auto& [w, c, names] :
       {std::tuple{plainEnd(o.warnTime), plainEnd(o.critTime), "--warning is above --critical"},
        std::tuple{plainEnd(o.warnConnect), plainEnd(o.critConnect),
                   "--warning-connect is above --critical-connect"},
        std::tuple{plainEnd(o.warnHandshake), plainEnd(o.critHandshake),
                   "--warning-handshake is above --critical-handshake"}}) {
    if (w && c && *w > *c)
      return makeError(std::string(names) + " (a run would be CRITICAL before it is WARNING)");
  }
  // --- reports ---
  if (vm.count("output-dir")) o.outputDir = vm["output-dir"].as<std::string>();
  if (vm.count("bundle")) o.bundle = vm["bundle"].as<std::string>();
  if (vm.count("mask-addresses")) o.maskAddresses = true;
  if (vm.count("store")) o.store = vm["store"].as<std::string>();
  if (vm.count("store-retention")) {
    auto r = parseRetention(vm["store-retention"].as<std::string>());
    if (!r) return makeError(r.error());
    if (o.store.empty()) return makeError("--store-retention: only with --store");
    o.storeRetention = *r;
  }
  if (!o.outputDir.empty() && !o.output.empty())
    return makeError("--output and --output-dir exclude each other");
  // One format per stream: two documents one after the other parse as neither (JSON then
  // text is not JSON). --output-dir writes one file per format.
  if (o.formats.size() > 1 && o.outputDir.empty()) {
    if (o.command == Command::Sweep) return makeError("sweep: give one --format (text or json)");
    return makeError(std::string(o.output.empty() ? "stdout" : "--output") + " takes one --format (" +
                     std::to_string(o.formats.size()) +
                     " given); use --output-dir DIR to write one file per format");
  }
  return o;
}

}  // namespace

Expected<Options> parseOptions(int argc, const char* const argv[]) { return parse(argc, argv, nullptr, ""); }

Expected<Options> parseOptions(int argc, const char* const argv[], const std::vector<ConfigLine>& config,
                               const std::string& configPath) {
  return parse(argc, argv, &config, configPath);
}

}  // namespace pgreach::cli
