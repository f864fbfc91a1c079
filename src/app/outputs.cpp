#include "app/outputs.h"

#include <filesystem>

#include "app/bundle.h"
#include "app/store.h"
#include "reports/render/render.h"
#include "util/atomic_file.h"

namespace pgreach::app {

Expected<bool> validateOutputPaths(const cli::Options& o) {
  const std::pair<const std::string*, const char*> files[] = {
      {&o.output, "--output"}, {&o.bundle, "--bundle"}, {&o.captureFile, "--capture-file"}};
  for (const auto& [path, what] : files) {
    if (path->empty()) continue;
    if (auto ok = util::checkReplaceable(*path, what); !ok) return ok;
  }
  if (!o.outputDir.empty()) {
    std::error_code ec;
    const auto status = std::filesystem::status(o.outputDir, ec);
    if (!ec && std::filesystem::exists(status) && !std::filesystem::is_directory(status)) {
      return makeError("--output-dir: " + o.outputDir + " exists and is not a directory");
    }
  }
  return true;
}

bool usesReportOutputs(const cli::Options& o) {
  return !o.outputDir.empty() || !o.bundle.empty() || !o.store.empty();
}

Expected<bool> writeFormatFiles(const cli::Options& o, const reports::Report& r,
                                const util::Redactor& redactor, const std::string& dir,
                                const std::string& base) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return makeError("--output-dir: cannot create " + dir + ": " + ec.message());
  for (const auto& f : o.formats) {
    auto text = reports::render(r, f, {});
    if (!text) return makeError("--format: unknown format \"" + f + "\"");
    const std::string path =
        (std::filesystem::path(dir) / (base + "." + reports::formatExtension(f))).string();
    if (auto w = util::writeFileAtomically(path, redactor.apply(*text)); !w) return makeError(w.error());
  }
  return true;
}

Expected<bool> refuseSecretOutputNames(const cli::Options& o, const util::Redactor& redactor) {
  const std::pair<const std::string*, const char*> names[] = {
      {&o.output, "--output"}, {&o.bundle, "--bundle"}, {&o.outputDir, "--output-dir"}};
  for (const auto& [name, what] : names) {
    if (!name->empty() && redactor.apply(*name) != *name) {
      return makeError(std::string(what) +
                       ": the name contains the target's password (name not shown); choose another");
    }
  }
  return true;
}

int writeReportOutputs(const cli::Options& o, const reports::Report& r, util::Redactor& redactor,
                       std::ostream& out, std::ostream& err, bool outIsTerminal) {
  for (const auto& s : storeSecrets(o.store)) redactor.addSecret(s);
  int code = reports::exitCode(r.verdict);
  reports::RenderOptions ro;
  ro.color = o.color && outIsTerminal && o.output.empty() && o.outputDir.empty();
  if (!o.outputDir.empty()) {
    if (auto w = writeFormatFiles(o, r, redactor, o.outputDir, "report"); !w) {
      err << "pgreach: " << redactor.apply(w.error()) << "\n";
      for (const auto& f : o.formats)
        out << redactor.apply(*reports::render(r, f, ro));  // never lose the report
      code = 3;
    } else {
      // Cron logs and terminals still get the one line that matters.
      out << redactor.apply(*reports::render(r, "nagios", {}));
    }
  } else {
    std::string text;
    for (const auto& f : o.formats) text += *reports::render(r, f, ro);
    text = redactor.apply(std::move(text));
    if (o.output.empty()) {
      out << text << std::flush;
    } else if (auto w = util::writeFileAtomically(o.output, text); !w) {
      err << "pgreach: " << redactor.apply(w.error()) << "\n";
      out << text << std::flush;
      code = 3;
    }
  }
  if (!o.bundle.empty()) {
    if (auto b = writeBundle(o.bundle, r, o, redactor, o.maskAddresses); !b) {
      err << "pgreach: --bundle: " << redactor.apply(b.error()) << "\n";
      code = 3;
    }
  }
  if (!o.store.empty()) {
    StoredRun run{storeTarget(r.target), r.name, r.startedAt, r.verdict,
                  redactor.apply(*reports::render(r, "json", {}))};
    if (auto s = storeRuns(o.store, {run}, storeBudget(o.deadline, std::chrono::milliseconds(r.durationMs)),
                           o.storeRetention);
        !s) {
      // Documented: the local report is written; a central store outage is a warning only.
      err << "pgreach: warning: " << redactor.apply(s.error()) << " (the local report was written)\n";
    }
  }
  return code;
}

}  // namespace pgreach::app
