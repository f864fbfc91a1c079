// Replays every committed fuzz corpus file (seeds and regression inputs) through the same
// entry points the libFuzzer targets use, in the ordinary (and sanitizer) test build: a
// fixed crash stays fixed without clang. A target signals a broken property by aborting.
#include <catch2/catch.hpp>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

// Each target's entry point under its own name, so all fit in one test binary.
#define LLVMFuzzerTestOneInput fuzzCloudExport
#include "cloud_export_fuzz.cpp"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzzDnsAnswer
#include "dns_answer_fuzz.cpp"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzzPgwire
#include "pgwire_fuzz.cpp"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzzHandshakeEvidence
#include "handshake_evidence_fuzz.cpp"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzzFleetConfig
#include "fleet_config_fuzz.cpp"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzzCliArgs
#include "cli_args_fuzz.cpp"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzzConninfo
#include "conninfo_fuzz.cpp"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzzRedact
#include "redact_fuzz.cpp"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzzMetadata
#include "metadata_fuzz.cpp"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzzOptionsConfig
#include "options_config_fuzz.cpp"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzzPgpass
#include "pgpass_fuzz.cpp"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzzServiceFile
#include "service_file_fuzz.cpp"
#undef LLVMFuzzerTestOneInput

namespace {

using FuzzFn = int (*)(const uint8_t*, size_t);

size_t replay(const std::string& name, FuzzFn fn) {
  const std::filesystem::path dir =
      std::filesystem::path(PGREACH_SOURCE_DIR) / "tests" / "fuzz" / "corpus" / name;
  size_t n = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (!e.is_regular_file()) continue;
    std::ifstream in(e.path(), std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    INFO(e.path().string());
    CHECK(fn(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()) == 0);
    ++n;
  }
  return n;
}

}  // namespace

TEST_CASE("fuzz corpora replay without a crash through the fuzz entry points", "[unit]") {
  CHECK(replay("cloud_export", fuzzCloudExport) >= 10);
  CHECK(replay("dns_answer", fuzzDnsAnswer) >= 5);
  CHECK(replay("pgwire", fuzzPgwire) >= 4);
  CHECK(replay("handshake_evidence", fuzzHandshakeEvidence) >= 5);
  CHECK(replay("fleet_config", fuzzFleetConfig) >= 2);
  CHECK(replay("cli_args", fuzzCliArgs) >= 2);
  CHECK(replay("conninfo", fuzzConninfo) >= 2);
  CHECK(replay("redact", fuzzRedact) >= 1);
  CHECK(replay("metadata", fuzzMetadata) >= 5);
  CHECK(replay("options_config", fuzzOptionsConfig) >= 2);
  CHECK(replay("pgpass", fuzzPgpass) >= 2);
  CHECK(replay("service_file", fuzzServiceFile) >= 2);
}
