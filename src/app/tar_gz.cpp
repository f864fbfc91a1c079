#include "app/tar_gz.h"

#include <zlib.h>
#include <algorithm>
#include <cstdio>
#include <cstring>

namespace pgreach::app {
namespace {

// Writes `v` as `width - 1` octal digits and a NUL, the ustar number format.
void octal(char* dst, size_t width, unsigned long long v) {
  dst[width - 1] = '\0';
  for (size_t i = width - 1; i-- > 0;) {
    dst[i] = static_cast<char>('0' + (v & 7));
    v >>= 3;
  }
}

}  // namespace

Expected<std::string> makeTar(const std::vector<TarEntry>& entries, long long mtime) {
  std::string out;
  for (const auto& e : entries) {
    if (e.name.empty() || e.name.size() > 99 || e.name.find("..") != std::string::npos || e.name[0] == '/') {
      return makeError("bundle: invalid member name \"" + e.name + "\"");
    }
    char h[512];
    std::memset(h, 0, sizeof h);
    std::memcpy(h, e.name.data(), e.name.size());
    if (e.content.size() >= 077777777777ULL) return makeError("bundle: member " + e.name + " is too large");
    octal(h + 100, 8, e.mode & 07777);
    octal(h + 108, 8, 0);
    octal(h + 116, 8, 0);
    octal(h + 124, 12, e.content.size());
    octal(h + 136, 12, static_cast<unsigned long long>(mtime < 0 ? 0 : std::min(mtime, 077777777777LL)));
    h[156] = '0';  // regular file
    std::memcpy(h + 257, "ustar", 6);
    std::memcpy(h + 263, "00", 2);
    std::memcpy(h + 265, "pgreach", 7);
    std::memcpy(h + 297, "pgreach", 7);
    // The checksum is computed with its own field as eight spaces.
    std::memset(h + 148, ' ', 8);
    unsigned sum = 0;
    for (unsigned char c : h) sum += c;
    octal(h + 148, 7, sum);
    h[155] = ' ';
    out.append(h, sizeof h);
    out += e.content;
    out.append((512 - e.content.size() % 512) % 512, '\0');
  }
  out.append(1024, '\0');
  return out;
}

Expected<std::string> gzip(const std::string& data) {
  z_stream zs{};
  if (deflateInit2(&zs, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    return makeError("bundle: zlib initialisation failed");
  }
  std::string out;
  out.resize(deflateBound(&zs, static_cast<uLong>(data.size())) + 64);
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&zs, Z_FINISH);
  const auto written = zs.total_out;
  deflateEnd(&zs);
  if (rc != Z_STREAM_END) return makeError("bundle: zlib compression failed");
  out.resize(written);
  return out;
}

}  // namespace pgreach::app
