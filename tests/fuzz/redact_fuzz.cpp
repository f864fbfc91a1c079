// The redactor runs over every byte pgreach writes: it must survive anything, and a
// registered secret must never survive it.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "util/redact.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 4096) return 0;  // std::regex is recursive; reports never pass single lines this long
  std::string input(reinterpret_cast<const char*>(data), size);
  pgreach::util::Redactor r;
  r.addSecret("s3cr3t-Pw-zz");
  const std::string out = r.apply(input + " s3cr3t-Pw-zz");
  if (out.find("s3cr3t-Pw-zz") != std::string::npos) std::abort();
  return 0;
}
