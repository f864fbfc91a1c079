// A libpq service file (PGSERVICEFILE) read while a target is parsed: libpq parses it,
// pgreach takes the values and builds its messages. Properties: no crash, no hang; a
// password the file sets never appears in an error or the printable target.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "target/target.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  if (text.find('\0') != std::string::npos) return 0;
  const int fd = ::memfd_create("pgreach-service-fuzz", MFD_CLOEXEC);
  if (fd < 0) return 0;
  if (::write(fd, data, size) != static_cast<ssize_t>(size)) {
    ::close(fd);
    return 0;
  }
  const std::string path = "/proc/self/fd/" + std::to_string(fd);
  ::setenv("PGSERVICEFILE", path.c_str(), 1);
  auto t = pgreach::target::Target::parse("service=fuzz connect_timeout=1");
  ::unsetenv("PGSERVICEFILE");
  ::close(fd);
  const std::string marker = "Zq9Secret";
  if (text.find(marker) == std::string::npos) return 0;
  const std::string shown = t ? t->printable() : t.error();
  if (shown.find(marker) != std::string::npos) std::abort();
  return 0;
}
