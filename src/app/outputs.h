#pragma once
// Where a finished report goes: stdout, -o FILE, or --output-dir (one file per format),
// then the --bundle and --store side outputs. Everything passes the run's Redactor.
#include <ostream>
#include <string>

#include "cli/options.h"
#include "reports/report/report.h"
#include "util/expected.h"
#include "util/redact.h"

namespace pgreach::app {

// True when the options ask for anything the original stdout/-o path does not do.
// Refuses, before anything runs, an output path (--output, --bundle, --capture-file) that
// exists and is not a regular file, and an --output-dir that exists and is not a directory.
Expected<bool> validateOutputPaths(const cli::Options& o);

bool usesReportOutputs(const cli::Options& o);

// Refuses an --output, --bundle or --output-dir name that holds a secret `redactor` knows.
// A file name is not redacted (it is where the report goes): one holding a password would
// put it in `ls`, the bundle's listing and the shell history of whoever reads it.
// (--capture-file is refused by tcp.connect itself, as tcp.capture_file_refused.)
Expected<bool> refuseSecretOutputNames(const cli::Options& o, const util::Redactor& redactor);

// Writes `<dir>/<base>.<ext>` for each format, atomically, creating dir if needed.
Expected<bool> writeFormatFiles(const cli::Options& o, const reports::Report& r,
                                const util::Redactor& redactor, const std::string& dir,
                                const std::string& base);

// The whole output step of one diagnose run; returns the exit code: the verdict's, or 3
// when a requested file could not be written (the report then goes to stdout instead).
// A failing --store only warns: the local report is already written.
int writeReportOutputs(const cli::Options& o, const reports::Report& r, util::Redactor& redactor,
                       std::ostream& out, std::ostream& err, bool outIsTerminal);

}  // namespace pgreach::app
