// The single-target options config (`diagnose --config FILE` without [target.*]
// sections), read through the real option parser from a memfd. Properties: no crash, no
// hang; an error never quotes a line of the file (a line may hold a password).
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "cli/options.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const int fd = ::memfd_create("pgreach-options-fuzz", MFD_CLOEXEC);
  if (fd < 0) return 0;
  if (::write(fd, data, size) != static_cast<ssize_t>(size)) {
    ::close(fd);
    return 0;
  }
  const std::string path = "/proc/self/fd/" + std::to_string(fd);
  const char* argv[] = {"pgreach", "diagnose", "host=127.0.0.1", "--config", path.c_str()};
  auto parsed = pgreach::cli::parseOptions(5, argv);
  ::close(fd);
  if (parsed) return 0;
  // A secret marker in the file never comes back in the message, unless it is part of a
  // line's key that looks like an option name (a mistyped key is named, by design).
  const std::string text(reinterpret_cast<const char*>(data), size);
  const std::string marker = "Zq9Secret";
  if (text.find(marker) == std::string::npos || parsed.error().find(marker) == std::string::npos) return 0;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string key = text.substr(start, std::min(text.find('=', start), end) - start);
    while (!key.empty() && (key.back() == ' ' || key.back() == '\t' || key.back() == '\r')) key.pop_back();
    while (!key.empty() && (key.front() == ' ' || key.front() == '\t')) key.erase(0, 1);
    const bool nameShaped =
        !key.empty() && key.size() <= 40 &&
        key.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") ==
            std::string::npos;
    if (nameShaped && key.find(marker) != std::string::npos && parsed.error().find(key) != std::string::npos)
      return 0;
    start = end + 1;
  }
  std::abort();
}
