#include "cli/options.h"

#include <algorithm>
#include <boost/program_options.hpp>
#include <cctype>
#include <cmath>
#include <fstream>
#include <map>
#include <sstream>

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
  static constexpr std::string_view kAllowed = "0123456789abcdefABCDEF.:+-ms";
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
  return std::chrono::milliseconds(std::llround(ms));
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

po::options_description diagnoseOptions() {
  po::options_description d("Options");
  d.add_options()("help,h", "show this help")("version", "print the version")(
      "provider", po::value<std::string>(),
      (target::providerNames("|") + " (default: from the hostname)").c_str())(
      "ports", po::value<std::vector<std::string>>()->composing(),
      "ports to probe, e.g. 5432,6432 (default: the provider's)")(
      "vpc-cidr", po::value<std::vector<std::string>>()->composing(), "a VPC/VNet CIDR (repeatable)")(
      "resolver", po::value<std::vector<std::string>>()->composing(),
      "an extra DNS resolver to ask (repeatable)")("timeout", po::value<std::string>(),
                                                   "per-probe timeout (default 3s)")(
      "deadline", po::value<std::string>(), "deadline for the whole run (default 30s)")(
      "only", po::value<std::vector<std::string>>()->composing(), "run only these check ids or stages")(
      "skip", po::value<std::vector<std::string>>()->composing(), "skip these check ids or stages")(
      "format", po::value<std::vector<std::string>>()->composing(),
      "text|markdown|html|json|junit|nagios|prometheus (repeatable; default text)")(
      "output,o", po::value<std::string>(), "write the report to FILE (atomically) instead of stdout")(
      "config", po::value<std::string>(), "read options from an INI file (same names, key = value)")(
      "conninfo", po::value<std::string>(), "the connection string (also the first positional argument)")(
      "no-color", "no ANSI colour even on a terminal")("json", "`pgreach checks`: list as JSON")(
      "verbose,v", po::value<int>()->implicit_value(1)->zero_tokens(), "more detail on stderr")(
      "run-as", po::value<std::string>(),
      "as root: switch to this user once the capture handle is open (like tcpdump -Z); "
      "files are then read and written as that user");
  // --- tcp ---
  d.add_options()("repeat", po::value<int>(),
                  "connect to each address:port N times (default 1) to tell flaky from dead")(
      "capture-file", po::value<std::string>(), "write the TCP handshake packets (no payload) to this .pcap")(
      "max-in-flight", po::value<int>(), "`pgreach sweep`: connects in flight at once (default 4096)")(
      "rate", po::value<double>(),
      "`pgreach sweep`: connection attempts per second, 0 or at least 1 (default 0: unlimited)")(
      "list-refused", "`pgreach sweep`: also list every refused (closed) address:port in the text output")(
      "cidr", po::value<std::vector<std::string>>()->composing(),
      "`pgreach sweep`: CIDR blocks (positional)");
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
  // --- tls ---
  d.add_options()("cert-warn-days", po::value<int>(),
                  "warn when the server certificate expires within N days (default 21)");
  // --- reports ---
  d.add_options()("output-dir", po::value<std::string>(),
                  "write one file per --format into DIR (report.<ext>; per target with --config fleets)")(
      "bundle", po::value<std::string>(),
      "write a support bundle FILE.tar.gz (reports, options, versions; secrets redacted)")(
      "mask-addresses", "in the bundle, also mask IP addresses (the same address gets the same mask)")(
      "store", po::value<std::string>(),
      "append each run's JSON report to a table in this PostgreSQL (conninfo)");
  return d;
}

}  // namespace

std::string helpText() {
  std::ostringstream out;
  out << "pgreach: where does the path to your managed PostgreSQL break, and what fixes it?\n\n"
         "Usage:\n"
         "  pgreach diagnose [CONNINFO] [options]   run every check against a target\n"
         "  pgreach checks [--json]                 list the registered checks\n"
         "  pgreach sweep CIDR... [--ports P,...] [--timeout T] [--max-in-flight N] [--rate PPS] [--format "
         "json]\n"
         "                                          probe every address of the blocks (at most /16 each);\n"
         "                                          exit 0 if any is open, 2 if none, 3 on bad input\n"
         "  pgreach audit [CONNINFO] [options]      only the cloud configuration checks (no packets sent)\n"
         "  pgreach explain CODE                    what a finding code means and how to fix it\n"
         "  pgreach --help | --version\n\n"
         "CONNINFO is what you would give psql: a URI or a keyword/value string. Without it,\n"
         "the PG* environment variables (PGHOST, PGPORT, PGUSER, PGSERVICE...) are used, as libpq would.\n\n";
  out << diagnoseOptions() << "\n";
  out << "Examples:\n"
         "  pgreach diagnose "
         "'postgresql://app@ep-cool-123.vpce.us-east-1.aws.neon.tech/appdb?sslmode=verify-full'\n"
         "  pgreach diagnose 'host=db.private-pg.psdb.cloud user=role.main dbname=app' --format markdown -o "
         "report.md\n"
         "  PGHOST=myserver.postgres.database.azure.com pgreach diagnose --vpc-cidr 10.0.0.0/16\n"
         "  pgreach diagnose --config /etc/pgreach.ini --format json --output /var/lib/pgreach/last.json\n"
         "  pgreach checks --json\n"
         "  pgreach diagnose --config /etc/pgreach/fleet.ini --format json --format prometheus --output-dir "
         "/var/lib/pgreach\n"
         "  pgreach explain tcp.silently_dropped\n\n"
         "Exit codes (like a monitoring plugin):\n"
         "  0  OK        every check passed\n"
         "  1  WARNING   warnings only\n"
         "  2  CRITICAL  something on the path is broken\n"
         "  3  UNKNOWN   pgreach could not run (bad input, internal error)\n";
  return out.str();
}

Expected<Options> parseOptions(int argc, const char* const argv[]) {
  Options o;
  std::vector<const char*> args(argv, argv + argc);
  int first = 1;
  if (argc > 1) {
    const std::string cmd = argv[1];
    if (cmd == "diagnose")
      o.command = Command::Diagnose, first = 2;
    else if (cmd == "checks")
      o.command = Command::Checks, first = 2;
    else if (cmd == "sweep")
      o.command = Command::Sweep, first = 2;
    else if (cmd == "audit")
      o.command = Command::Audit, first = 2;
    // --- reports ---
    else if (cmd == "explain") {
      o.command = Command::Explain;
      if (argc < 3 || std::string(argv[2]).empty())
        return makeError("explain: give a finding code, e.g. pgreach explain tcp.silently_dropped");
      o.explainCode = argv[2];
      return o;
    } else if (cmd == "help") {
      o.command = Command::Help;
      return o;
    } else if (!cmd.empty() && cmd[0] != '-') {
      return makeError("unknown command " + quotable(cmd) + " (use diagnose or checks; see --help)");
    }
  }

  po::options_description desc = diagnoseOptions();
  po::positional_options_description pos;
  if (o.command == Command::Sweep)
    pos.add("cidr", -1);
  else
    pos.add("conninfo", 1);
  po::variables_map vm;
  try {
    std::vector<std::string> rest(args.begin() + first, args.end());
    po::store(po::command_line_parser(rest).options(desc).positional(pos).run(), vm);
    if (vm.count("config")) {
      const std::string path = vm["config"].as<std::string>();
      auto text = util::readFile(path);
      if (!text) return makeError("--config: " + text.error());
      std::istringstream in(*text);
      try {
        po::store(po::parse_config_file(in, desc, false), vm);
      } catch (const po::error& e) {
        return makeError("--config " + path + ": " + describe(e));
      }
      o.configFile = path;
    }
    po::notify(vm);
  } catch (const po::error& e) {
    return makeError(describe(e));
  }

  if (vm.count("help")) o.command = Command::Help;
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
  // --- reports ---
  if (vm.count("output-dir")) o.outputDir = vm["output-dir"].as<std::string>();
  if (vm.count("bundle")) o.bundle = vm["bundle"].as<std::string>();
  if (vm.count("mask-addresses")) o.maskAddresses = true;
  if (vm.count("store")) o.store = vm["store"].as<std::string>();
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

}  // namespace pgreach::cli
