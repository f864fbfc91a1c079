#pragma once
// Writes a file atomically: a temporary file in the same folder, fsync, then rename, so
// a reader (a Prometheus textfile collector, a ticket uploader) never sees half a report.
#include <cstddef>
#include <string>

#include "util/expected.h"

namespace pgreach::util {

// Only a regular file (or nothing) at `path` is ever replaced: a device, FIFO, directory
// or symbolic link there is refused, never followed (pgreach runs as root: `-o /dev/null`
// must not replace the null device, and a planted link must not redirect the write). The
// temporary file is created with O_CREAT|O_EXCL (mkostemp: never through a link) and renamed over the path;
// rename(2) replaces a name, it never follows one.
Expected<bool> writeFileAtomically(const std::string& path, const std::string& contents);

// Whether `path` may be written by writeFileAtomically: it does not exist, or it is a
// regular file (checked with lstat, so a symbolic link is refused). The error is one line
// naming `what` (the option) and the path.
Expected<bool> checkReplaceable(const std::string& path, const std::string& what);

// Reads a whole input file (a config, a capture): only a regular file, at most maxBytes,
// and never blocking on a FIFO or reading a device forever. The error names the file.
inline constexpr size_t kMaxInputFileBytes = 16u << 20;
Expected<std::string> readFile(const std::string& path, size_t maxBytes = kMaxInputFileBytes);

}  // namespace pgreach::util
