#include "app/fleet.h"
#include "util/json_dump.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <thread>

#include "app/bundle.h"
#include "app/outputs.h"
#include "app/run_target.h"
#include "app/store.h"
#include "cli/options.h"
#include "reports/render/render.h"
#include "util/atomic_file.h"
#include "util/fd.h"
#include "util/strings.h"

namespace pgreach::app {

std::string fleetBundlePath(const std::string& path, const std::string& name, bool shared) {
  if (!shared) return path;
  const std::string ext = ".tar.gz";
  if (util::endsWith(path, ext) && path.size() > ext.size()) {
    return path.substr(0, path.size() - ext.size()) + "-" + name + ext;
  }
  return path + "-" + name;
}

int worseExitCode(int a, int b) {
  auto rank = [](int c) { return c == 2 ? 3 : c == 3 ? 2 : c; };
  return rank(a) >= rank(b) ? a : b;
}

Expected<cli::Options> fleetTargetOptions(const std::vector<std::string>& cliArgs,
                                          const cli::ConfigFile& config, const cli::ConfigSection* target) {
  std::vector<std::string> args{"pgreach", "diagnose"};
  args.insert(args.end(), cliArgs.begin(), cliArgs.end());
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  return cli::parseOptions(static_cast<int>(argv.size()), argv.data(), cli::effectiveConfig(config, target),
                           config.path);
}

namespace {

struct TargetRun {
  std::string name;
  reports::Report report;
  util::Redactor redactor;
  int exitCode = 3;
};

}  // namespace

int runFleet(const cli::ConfigFile& config, const std::vector<std::string>& cliArgs, std::ostream& out,
             std::ostream& err) {
  const auto fleetStarted = std::chrono::steady_clock::now();
  const std::string& configPath = config.path;
  auto base = fleetTargetOptions(cliArgs, config, nullptr);
  if (!base) {
    err << "pgreach: " << util::redactPatterns(base.error()) << "\n";
    return 3;
  }
  // Every target's options are checked before any runs: a bad line is the operator's to
  // fix, named on stderr, not an UNKNOWN report with the reason under "Other checks".
  std::vector<cli::Options> opts(config.targets.size());
  for (size_t i = 0; i < config.targets.size(); ++i) {
    const auto& t = config.targets[i];
    auto o = fleetTargetOptions(cliArgs, config, &t);
    if (!o) {
      err << "pgreach: " << util::redactPatterns(o.error()) << " (in [target." << t.name << "])\n";
      return 3;
    }
    if (!o->conninfoGiven || o->conninfo.empty()) {
      err << "pgreach: " << configPath << ":" << t.line << ": [target." << t.name
          << "] has no conninfo = ... line\n";
      return 3;
    }
    opts[i] = std::move(*o);
  }

  if (auto v = validateOutputPaths(*base); !v) {
    err << "pgreach: " << util::redactPatterns(v.error()) << "\n";
    return 3;
  }

  // Never overlap a previous run: cron and timers fire regardless of a slow last run.
  const std::string lockPath = base->outputDir.empty()
                                   ? configPath + ".lock"
                                   : (std::filesystem::path(base->outputDir) / ".pgreach.lock").string();
  if (!base->outputDir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(base->outputDir, ec);
  }
  util::Fd lock(::open(lockPath.c_str(), O_CREAT | O_RDWR | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (!lock.valid()) {
    err << "pgreach: cannot open the lock file " << lockPath << ": " << std::strerror(errno) << "\n";
    return 3;
  }
  if (::flock(lock.get(), LOCK_EX | LOCK_NB) != 0) {
    err << "pgreach: another pgreach run for " << configPath << " is still in progress (lock " << lockPath
        << " is held); not starting a second one\n";
    return 3;
  }

  std::vector<TargetRun> runs(config.targets.size());
  std::vector<std::thread> threads;
  for (size_t i = 0; i < config.targets.size(); ++i) {
    runs[i].name = config.targets[i].name;
    if (auto v = validateOutputPaths(opts[i]); !v) {
      runs[i].report = badInputReport(runs[i].name, util::redactPatterns(v.error()), reports::isoNowUtc());
      continue;
    }
    threads.emplace_back([&run = runs[i], &o = opts[i]] {
      try {
        auto r = runTarget(o, run.redactor);
        run.report = r ? std::move(*r) : badInputReport(run.name, r.error(), reports::isoNowUtc());
      } catch (const std::exception& e) {
        run.report = badInputReport(run.name, util::redactPatterns(e.what()), reports::isoNowUtc());
      }
    });
  }
  for (auto& t : threads) t.join();

  std::map<std::string, size_t> bundleUsers;  // --bundle path -> how many targets name it
  for (const auto& o : opts) {
    if (!o.bundle.empty()) ++bundleUsers[o.bundle];
  }

  int worst = 0;
  nlohmann::json combined = nlohmann::json::array();
  std::string summary;
  std::vector<StoredRun> stored;
  for (size_t i = 0; i < runs.size(); ++i) {
    auto& run = runs[i];
    run.report.name = run.name;  // labels, suite names and the JSON tell the targets apart
    run.exitCode = reports::exitCode(run.report.verdict);
    worst = i == 0 ? run.exitCode : worseExitCode(worst, run.exitCode);
    for (const auto& s : storeSecrets(base->store)) run.redactor.addSecret(s);
    reports::redactReport(run.report, run.redactor);  // before any format escapes a secret
    std::string line = run.redactor.apply(*reports::render(run.report, "nagios", {}));
    summary += run.name + ": " + line;
    nlohmann::json entry = {{"name", run.name},
                            {"verdict", reports::toString(run.report.verdict)},
                            {"exit_code", run.exitCode},
                            {"host", run.report.target.host},
                            {"root_cause", run.report.rootCause ? run.report.rootCause->code : ""}};
    combined.push_back(entry);
    if (!base->outputDir.empty()) {
      if (auto w = writeFormatFiles(*base, run.report, run.redactor, base->outputDir, run.name); !w) {
        err << "pgreach: " << run.name << ": " << run.redactor.apply(w.error()) << "\n";
        worst = worseExitCode(worst, 3);
      }
    }
    if (const auto& bundle = opts[i].bundle; !bundle.empty()) {
      const std::string path = fleetBundlePath(bundle, run.name, bundleUsers[bundle] > 1);
      if (auto b = writeBundle(path, run.report, opts[i], run.redactor, opts[i].maskAddresses); !b) {
        err << "pgreach: " << run.name << ": --bundle: " << run.redactor.apply(b.error()) << "\n";
        worst = worseExitCode(worst, 3);
      }
    }
    stored.push_back({storeTarget(run.report.target), run.name, run.report.startedAt, run.report.verdict,
                      run.redactor.apply(*reports::render(run.report, "json", {}))});
  }
  nlohmann::json doc = {{"schema_version", reports::kSchemaVersion},
                        {"config", configPath},
                        {"started_at", runs.empty() ? "" : runs.front().report.startedAt},
                        {"exit_code", worst},
                        {"targets", combined}};
  // Without --output-dir the fleet is one stream (stdout or -o FILE) holding one document
  // of the one format options allow there: Prometheus with each HELP/TYPE once, JUnit with
  // a suite per target, JSON as the combined document with each target's full report.
  bool machineStdout = false;
  if (base->outputDir.empty()) {
    const std::string format = base->formats.empty() ? "text" : base->formats.front();
    std::string document;
    if (format == "json") {
      nlohmann::json all = doc;
      for (size_t i = 0; i < runs.size(); ++i) all["targets"][i]["report"] = reports::toJson(runs[i].report);
      document = util::dumpJson(all, 2) + "\n";
    } else {
      std::vector<const reports::Report*> reps;
      for (const auto& run : runs) reps.push_back(&run.report);
      document = reports::renderAll(reps, format, {}).value_or("");
    }
    for (const auto& run : runs) document = run.redactor.apply(std::move(document));
    document = util::redactPatterns(document);
    if (base->output.empty()) {
      out << document;
      // Keep stdout one parsable document; the per-target lines still reach the log.
      machineStdout = format == "json" || format == "junit" || format == "prometheus";
    } else if (auto w = util::writeFileAtomically(base->output, document); !w) {
      err << "pgreach: " << util::redactPatterns(w.error()) << "\n";
      worst = worseExitCode(worst, 3);
    }
  }
  if (!base->outputDir.empty()) {
    const auto dir = std::filesystem::path(base->outputDir);
    std::string combinedJson = util::redactPatterns(util::dumpJson(doc, 2) + "\n");
    auto a = util::writeFileAtomically((dir / "combined.json").string(), combinedJson);
    auto b = util::writeFileAtomically((dir / "combined.txt").string(), summary);
    if (!a || !b) {
      err << "pgreach: cannot write the combined report in " << base->outputDir << "\n";
      worst = worseExitCode(worst, 3);
    }
  }
  (machineStdout ? err : out) << summary << std::flush;
  if (!base->store.empty()) {
    const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - fleetStarted);
    if (auto s = storeRuns(base->store, stored, storeBudget(base->deadline, elapsed), base->storeRetention);
        !s) {
      err << "pgreach: warning: " << s.error() << " (the local reports were written)\n";
    }
  }
  return worst;
}

}  // namespace pgreach::app
