#pragma once
// A minimal ustar + gzip writer for the support bundle. Debian 12 has libarchive, but
// a bundle is a handful of small regular files, so 512-byte ustar headers plus zlib's
// gzip stream (deflateInit2 with windowBits 31) are simpler than another dependency;
// `tar xzf` and Python's tarfile read the result (tested).
#include <string>
#include <vector>

#include "util/expected.h"

namespace pgreach::app {

struct TarEntry {
  std::string name;  // relative path inside the archive, at most 100 bytes
  std::string content;
  unsigned mode = 0600;
};

// Pure: the uncompressed tar image (headers, data padded to 512, two zero blocks).
Expected<std::string> makeTar(const std::vector<TarEntry>& entries, long long mtime);
// gzip-compresses `data` with zlib.
Expected<std::string> gzip(const std::string& data);

}  // namespace pgreach::app
