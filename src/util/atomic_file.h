#pragma once
// Writes a file atomically: a temporary file in the same folder, fsync, then rename, so
// a reader (a Prometheus textfile collector, a ticket uploader) never sees half a report.
#include <string>

#include "util/expected.h"

namespace pgreach::util {

Expected<bool> writeFileAtomically(const std::string& path, const std::string& contents);

// Reads a whole file; the error names the file.
Expected<std::string> readFile(const std::string& path);

}  // namespace pgreach::util
