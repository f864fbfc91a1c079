#include "app/app.h"
#include "util/json_dump.h"

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "app/audit.h"
#include "app/sweep.h"
#include "engine/registry.h"
#include "engine/scheduler.h"
#include "net/address.h"
#include "reports/render/render.h"
#include "util/atomic_file.h"
#include "util/redact.h"
#include "util/strings.h"
// --- reports ---
#include "app/explain.h"
#include "app/fleet.h"
#include "app/outputs.h"
#include "app/run_target.h"
#include "app/serve.h"
#include "app/store.h"
#include "cloud/live.h"

namespace pgreach::app {
namespace {

constexpr int kUnknown = 3;

int listChecks(const cli::Options& o, std::ostream& out) {
  auto infos = engine::Registry::instance().infos();
  if (o.json) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& i : infos) {
      // The codes a check can emit, so a consumer can key alerts on them (`explain CODE` for the rest).
      nlohmann::json codes = nlohmann::json::array();
      for (const auto& d : i.codes) {
        codes.push_back({{"code", d.code}, {"severity", engine::toString(d.severity)}, {"title", d.title}});
      }
      list.push_back({{"id", i.id},
                      {"stage", engine::toString(i.stage)},
                      {"summary", i.summary},
                      {"depends_on", i.dependsOn},
                      {"timeout_ms", i.timeout.count()},
                      {"codes", codes}});
    }
    out << util::dumpJson(list, 2) << "\n";
    return 0;
  }
  size_t w = 2;
  for (const auto& i : infos) w = std::max(w, i.id.size());
  for (const auto& i : infos) {
    out << i.id << std::string(w + 2 - i.id.size(), ' ') << std::string(engine::toString(i.stage))
        << std::string(10 - engine::toString(i.stage).size(), ' ') << i.summary;
    if (!i.dependsOn.empty()) out << " (after " << util::join(i.dependsOn, ", ") << ")";
    out << "\n";
  }
  return 0;
}

// Bad input is one clear line on stderr and exit 3. The message passes the redactor:
// even an error about the connection string must not echo a password.
int badInput(std::ostream& err, const util::Redactor& redactor, const std::string& message) {
  err << "pgreach: " << redactor.apply(message) << "\n";
  return kUnknown;
}

// Formats are checked before anything runs; the target and the rest of the options are
// checked by runTarget (the same path a fleet's targets take).
Expected<bool> validateFormats(const cli::Options& o) {
  for (const auto& f : o.formats) {
    if (!reports::render(reports::Report{}, f, {}).has_value()) {
      return makeError("--format: unknown format \"" + f +
                       "\" (known: " + util::join(reports::formatNames(), ", ") + ")");
    }
  }
  return true;
}

int diagnose(const cli::Options& opts, std::ostream& out, std::ostream& err, bool outIsTerminal) {
  util::Redactor redactor;
  if (auto v = validateFormats(opts); !v) return badInput(err, redactor, v.error());
  if (auto v = validateOutputPaths(opts); !v) return badInput(err, redactor, v.error());
  auto ran = runTarget(opts, redactor);
  if (!ran) return badInput(err, redactor, ran.error());
  reports::Report report = std::move(*ran);
  // Secrets masked in the report itself, before any format escapes them; every rendered
  // byte still passes the redactor below.
  for (const auto& s : storeSecrets(opts.store)) redactor.addSecret(s);
  reports::redactReport(report, redactor);

  // --- reports ---
  if (usesReportOutputs(opts)) return writeReportOutputs(opts, report, redactor, out, err, outIsTerminal);

  reports::RenderOptions ro;
  ro.color = opts.color && outIsTerminal && opts.output.empty();
  std::string text;
  for (const auto& f : opts.formats) text += *reports::render(report, f, ro);
  text = redactor.apply(std::move(text));
  if (opts.output.empty()) {
    out << text << std::flush;
  } else if (auto w = util::writeFileAtomically(opts.output, text); !w) {
    err << "pgreach: " << w.error() << "\n";
    out << text << std::flush;  // never lose the report
    return kUnknown;
  }
  return reports::exitCode(report.verdict);
}

}  // namespace

int run(int argc, const char* const argv[], std::ostream& out, std::ostream& err, bool outIsTerminal) {
  // --cloud-live writes the CLI's answers to temporary folders that the checks of every
  // target read; they go when the command is over, whichever way it ends.
  struct RemoveLiveCollections {
    ~RemoveLiveCollections() { cloud::removeLiveCollections(); }
  } removeLiveCollections;
  // A bare `pgreach` is a question, not a diagnose of whatever PG* says: usage, exit 3
  // (like a plugin called without arguments).
  if (argc <= 1) {
    err << cli::shortUsage();
    return kUnknown;
  }
  // `serve` has its own few options (app/serve.h); the rest are diagnose's, for every target.
  if (std::string(argv[1]) == "serve") {
    try {
      return runServe(std::vector<std::string>(argv + 2, argv + argc), out, err);
    } catch (const std::exception& e) {
      err << "pgreach: internal error: " << util::redactPatterns(e.what()) << "\n";
      return kUnknown;
    }
  }
  // --- reports ---
  // A --config file with [target.NAME] sections is a fleet: each target gets its own options.
  // (`diagnose --config fleet.ini --help` is diagnose's help, not a fleet run.)
  bool wantsHelp = false;
  for (int i = 2; i < argc; ++i)
    wantsHelp = wantsHelp || std::string(argv[i]) == "--help" || std::string(argv[i]) == "-h";
  if (argc > 1 && std::string(argv[1]) == "diagnose" && !wantsHelp) {
    std::string config;
    std::vector<std::string> rest;
    for (int i = 2; i < argc; ++i) {
      const std::string a = argv[i];
      if (a == "--config" && i + 1 < argc)
        config = argv[++i];
      else if (util::startsWith(a, "--config="))
        config = a.substr(9);
      else
        rest.push_back(a);
    }
    if (!config.empty()) {
      // One parser for both kinds of file: a bad line is FILE:LINE on stderr, exit 3.
      auto file = cli::readConfig(config);
      if (!file) {
        err << "pgreach: " << util::redactPatterns(file.error()) << "\n";
        return kUnknown;
      }
      if (file->isFleet()) {
        try {
          return runFleet(*file, rest, out, err);
        } catch (const std::exception& e) {
          err << "pgreach: internal error: " << util::redactPatterns(e.what()) << "\n";
          return kUnknown;
        }
      }
    }
  }
  auto opts = cli::parseOptions(argc, argv);
  if (!opts) {
    // Option errors can quote a value; scrub secret shapes before printing.
    err << "pgreach: " << util::redactPatterns(opts.error()) << "\n";
    return kUnknown;
  }
  try {
    switch (opts->command) {
      case cli::Command::Help:
        out << (opts->helpTopic ? cli::commandHelpText(*opts->helpTopic) : cli::helpText());
        return 0;
      case cli::Command::Version:
        out << "pgreach " << PGREACH_VERSION << "\n";
        return 0;
      case cli::Command::Checks:
        return listChecks(*opts, out);
      case cli::Command::Diagnose:
        return diagnose(*opts, out, err, outIsTerminal);
      case cli::Command::Sweep:
        return sweep(*opts, out, err, ::isatty(STDERR_FILENO) == 1);
      case cli::Command::Audit:
        return runAudit(*opts, out, err, outIsTerminal);
      case cli::Command::Explain:
        return explainCode(opts->explainCode, out, err);
      case cli::Command::Serve:  // taken above, before the diagnose options are parsed
        return runServe(std::vector<std::string>(argv + 2, argv + argc), out, err);
    }
  } catch (const std::exception& e) {
    err << "pgreach: internal error: " << util::redactPatterns(e.what()) << "\n";
  }
  return kUnknown;
}

}  // namespace pgreach::app
