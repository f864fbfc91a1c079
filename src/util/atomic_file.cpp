#include "util/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include "util/fd.h"

namespace pgreach::util {

Expected<bool> writeFileAtomically(const std::string& path, const std::string& contents) {
  std::string tmpl = path + ".tmp.XXXXXX";
  util::Fd fd(::mkstemp(tmpl.data()));
  if (!fd.valid()) return makeError("cannot write " + path + ": " + std::strerror(errno));
  size_t off = 0;
  while (off < contents.size()) {
    ssize_t n = ::write(fd.get(), contents.data() + off, contents.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      const std::string why = std::strerror(errno);
      ::unlink(tmpl.c_str());
      return makeError("cannot write " + path + ": " + why);
    }
    off += static_cast<size_t>(n);
  }
  ::fchmod(fd.get(), 0644);
  ::fsync(fd.get());
  fd.reset();
  if (::rename(tmpl.c_str(), path.c_str()) != 0) {
    const std::string why = std::strerror(errno);
    ::unlink(tmpl.c_str());
    return makeError("cannot write " + path + ": " + why);
  }
  return true;
}

Expected<std::string> readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return makeError("cannot read " + path + ": " + std::strerror(errno));
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return makeError("cannot read " + path + ": read error");
  return ss.str();
}

}  // namespace pgreach::util
