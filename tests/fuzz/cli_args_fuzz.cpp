// The command line: arguments separated by newlines in the input.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "cli/options.h"
#include "util/strings.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string input(reinterpret_cast<const char*>(data), size);
  if (input.find('\0') != std::string::npos) return 0;
  std::vector<std::string> args = pgreach::util::split(input, '\n');
  std::vector<const char*> argv{"pgreach"};
  for (const auto& a : args) {
    if (a.rfind("--config", 0) == 0 || a.rfind("--output", 0) == 0) return 0;  // no file system side effects
    argv.push_back(a.c_str());
  }
  (void)pgreach::cli::parseOptions(static_cast<int>(argv.size()), argv.data());
  return 0;
}
