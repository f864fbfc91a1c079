#include "cli/options.h"

#include <boost/program_options.hpp>
#include <fstream>
#include <sstream>

#include "util/strings.h"

namespace po = boost::program_options;

namespace pgreach::cli {
namespace {

// "3s", "500ms", "1.5s", "2m", or a bare number of seconds.
Expected<std::chrono::milliseconds> parseDuration(const std::string& text, const char* what) {
  std::string t = util::trim(text);
  double factor = 1000.0;
  if (util::endsWith(t, "ms")) factor = 1.0, t.resize(t.size() - 2);
  else if (util::endsWith(t, "s")) t.resize(t.size() - 1);
  else if (util::endsWith(t, "m")) factor = 60000.0, t.resize(t.size() - 1);
  char* end = nullptr;
  const double v = t.empty() ? -1 : std::strtod(t.c_str(), &end);
  if (t.empty() || !end || *end != '\0' || v <= 0 || v > 86400.0 * 1000.0 / factor * 1000.0) {
    return makeError(std::string(what) + ": invalid duration \"" + text + "\" (use e.g. 3s, 500ms, 2m)");
  }
  return std::chrono::milliseconds(static_cast<long long>(v * factor + 0.5));
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
        return makeError("--ports: invalid port \"" + p + "\" (expected 1-65535)");
      }
      if (std::find(ports.begin(), ports.end(), n) == ports.end()) ports.push_back(static_cast<uint16_t>(n));
    }
  }
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

po::options_description diagnoseOptions() {
  po::options_description d("Options");
  d.add_options()
      ("help,h", "show this help")
      ("version", "print the version")
      ("provider", po::value<std::string>(), "neon|planetscale|heroku|azure|generic (default: from the hostname)")
      ("ports", po::value<std::vector<std::string>>()->composing(), "ports to probe, e.g. 5432,6432 (default: the provider's)")
      ("vpc-cidr", po::value<std::vector<std::string>>()->composing(), "a VPC/VNet CIDR (repeatable)")
      ("resolver", po::value<std::vector<std::string>>()->composing(), "an extra DNS resolver to ask (repeatable)")
      ("timeout", po::value<std::string>(), "per-probe timeout (default 3s)")
      ("deadline", po::value<std::string>(), "deadline for the whole run (default 30s)")
      ("only", po::value<std::vector<std::string>>()->composing(), "run only these check ids or stages")
      ("skip", po::value<std::vector<std::string>>()->composing(), "skip these check ids or stages")
      ("format", po::value<std::vector<std::string>>()->composing(), "text|markdown|html|json|junit|nagios|prometheus (repeatable; default text)")
      ("output,o", po::value<std::string>(), "write the report to FILE (atomically) instead of stdout")
      ("config", po::value<std::string>(), "read options from an INI file (same names, key = value)")
      ("conninfo", po::value<std::string>(), "the connection string (also the first positional argument)")
      ("no-color", "no ANSI colour even on a terminal")
      ("json", "`pgreach checks`: list as JSON")
      ("verbose,v", po::value<int>()->implicit_value(1)->zero_tokens(), "more detail on stderr");
  // --- reports ---
  d.add_options()
      ("output-dir", po::value<std::string>(), "write one file per --format into DIR (report.<ext>; per target with --config fleets)")
      ("bundle", po::value<std::string>(), "write a support bundle FILE.tar.gz (reports, options, versions; secrets redacted)")
      ("mask-addresses", "in the bundle, also mask IP addresses (the same address gets the same mask)")
      ("store", po::value<std::string>(), "append each run's JSON report to a table in this PostgreSQL (conninfo)");
  return d;
}

}  // namespace

std::string helpText() {
  std::ostringstream out;
  out << "pgreach: where does the path to your managed PostgreSQL break, and what fixes it?\n\n"
         "Usage:\n"
         "  pgreach diagnose [CONNINFO] [options]   run every check against a target\n"
         "  pgreach checks [--json]                 list the registered checks\n"
         "  pgreach explain CODE                    what a finding code means and how to fix it\n"
         "  pgreach --help | --version\n\n"
         "CONNINFO is what you would give psql: a URI or a keyword/value string. Without it,\n"
         "the PG* environment variables (PGHOST, PGPORT, PGUSER, PGSERVICE...) are used, as libpq would.\n\n";
  out << diagnoseOptions() << "\n";
  out << "Examples:\n"
         "  pgreach diagnose 'postgresql://app@ep-cool-123.vpce.us-east-1.aws.neon.tech/appdb?sslmode=verify-full'\n"
         "  pgreach diagnose 'host=db.private-pg.psdb.cloud user=role.main dbname=app' --format markdown -o report.md\n"
         "  PGHOST=myserver.postgres.database.azure.com pgreach diagnose --vpc-cidr 10.0.0.0/16\n"
         "  pgreach diagnose --config /etc/pgreach.ini --format json --output /var/lib/pgreach/last.json\n"
         "  pgreach checks --json\n"
         "  pgreach diagnose --config /etc/pgreach/fleet.ini --format json --format prometheus --output-dir /var/lib/pgreach\n"
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
    if (cmd == "diagnose") o.command = Command::Diagnose, first = 2;
    else if (cmd == "checks") o.command = Command::Checks, first = 2;
    // --- reports ---
    else if (cmd == "explain") {
      o.command = Command::Explain;
      if (argc < 3 || std::string(argv[2]).empty()) return makeError("explain: give a finding code, e.g. pgreach explain tcp.silently_dropped");
      o.explainCode = argv[2];
      return o;
    }
    else if (cmd == "help") {
      o.command = Command::Help;
      return o;
    }
    else if (!cmd.empty() && cmd[0] != '-') {
      return makeError("unknown command \"" + cmd + "\" (use diagnose or checks; see --help)");
    }
  }

  po::options_description desc = diagnoseOptions();
  po::positional_options_description pos;
  pos.add("conninfo", 1);
  po::variables_map vm;
  try {
    std::vector<std::string> rest(args.begin() + first, args.end());
    po::store(po::command_line_parser(rest).options(desc).positional(pos).run(), vm);
    if (vm.count("config")) {
      const std::string path = vm["config"].as<std::string>();
      std::ifstream in(path);
      if (!in) return makeError("--config: cannot read " + path);
      try {
        po::store(po::parse_config_file(in, desc, false), vm);
      } catch (const po::error& e) {
        return makeError("--config " + path + ": " + e.what());
      }
      o.configFile = path;
    }
    po::notify(vm);
  } catch (const po::error& e) {
    return makeError(e.what());
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
  }
  if (vm.count("only")) o.only = splitList(vm["only"].as<std::vector<std::string>>());
  if (vm.count("skip")) o.skip = splitList(vm["skip"].as<std::vector<std::string>>());
  if (vm.count("format")) o.formats = splitList(vm["format"].as<std::vector<std::string>>());
  if (vm.count("output")) o.output = vm["output"].as<std::string>();
  if (vm.count("no-color")) o.color = false;
  if (vm.count("json")) o.json = true;
  if (vm.count("verbose")) o.verbosity = vm["verbose"].as<int>();
  // --- reports ---
  if (vm.count("output-dir")) o.outputDir = vm["output-dir"].as<std::string>();
  if (vm.count("bundle")) o.bundle = vm["bundle"].as<std::string>();
  if (vm.count("mask-addresses")) o.maskAddresses = true;
  if (vm.count("store")) o.store = vm["store"].as<std::string>();
  if (!o.outputDir.empty() && !o.output.empty()) return makeError("--output and --output-dir exclude each other");
  if (o.formats.size() > 1 && !o.output.empty()) {
    return makeError("--output takes one format; with several --format values write to stdout");
  }
  return o;
}

}  // namespace pgreach::cli
