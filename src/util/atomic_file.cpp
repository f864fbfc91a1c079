#include "util/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "util/fd.h"

namespace pgreach::util {

Expected<bool> checkReplaceable(const std::string& path, const std::string& what) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return true;
    return makeError(what + ": cannot use " + path + ": " + std::strerror(errno));
  }
  if (S_ISREG(st.st_mode)) return true;
  const char* kind = S_ISLNK(st.st_mode)    ? "a symbolic link"
                     : S_ISDIR(st.st_mode)  ? "a directory"
                     : S_ISCHR(st.st_mode)  ? "a character device"
                     : S_ISBLK(st.st_mode)  ? "a block device"
                     : S_ISFIFO(st.st_mode) ? "a FIFO"
                     : S_ISSOCK(st.st_mode) ? "a socket"
                                            : "not a regular file";
  return makeError(what + ": " + path + " is " + kind + "; pgreach only ever replaces regular files");
}

Expected<bool> writeFileAtomically(const std::string& path, const std::string& contents) {
  if (auto ok = checkReplaceable(path, "cannot write"); !ok) return ok;
  std::string tmpl = path + ".tmp.XXXXXX";
  util::Fd fd(::mkostemp(tmpl.data(), O_CLOEXEC));
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

Expected<std::string> readFile(const std::string& path, size_t maxBytes) {
  // O_NONBLOCK: opening a FIFO must not wait for a writer; fstat then refuses it.
  util::Fd fd(::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY));
  if (!fd.valid()) return makeError("cannot read " + path + ": " + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return makeError("cannot read " + path + ": " + std::strerror(errno));
  if (!S_ISREG(st.st_mode)) {
    const char* kind = S_ISDIR(st.st_mode)    ? "a directory"
                       : S_ISFIFO(st.st_mode) ? "a FIFO"
                       : S_ISCHR(st.st_mode)  ? "a character device"
                       : S_ISBLK(st.st_mode)  ? "a block device"
                       : S_ISSOCK(st.st_mode) ? "a socket"
                                              : "not a regular file";
    return makeError("cannot read " + path + ": it is " + kind + ", not a regular file");
  }
  if (static_cast<unsigned long long>(st.st_size) > maxBytes) {
    return makeError("cannot read " + path + ": larger than " + std::to_string(maxBytes) + " bytes");
  }
  std::string out;
  char buf[65536];
  for (;;) {
    const ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return makeError("cannot read " + path + ": " + std::strerror(errno));
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
    // A file that grows while it is read is bounded all the same.
    if (out.size() > maxBytes)
      return makeError("cannot read " + path + ": larger than " + std::to_string(maxBytes) + " bytes");
  }
  return out;
}

}  // namespace pgreach::util
