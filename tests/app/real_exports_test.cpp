// The real exports in tests/data/real/ (public CLI documentation examples and REST API
// examples, sources in tests/data/real/SOURCES.md) are unrelated fragments: none of them
// describes a whole client-to-endpoint path. So an audit of any one of them, alone or
// with the others of its kind, must never say OK; it must end with a verdict line, in
// time, without an internal error, whatever shape or validity the file has.
#include <catch2/catch.hpp>
#include <filesystem>

#include "support/process.h"
#include "support/temp_dir.h"

using namespace pgreach;
namespace fs = std::filesystem;

namespace {

void auditNeverOk(const std::string& flag, const std::string& dir, const std::string& label) {
  INFO(label);
  auto r = testing::runProcess({testing::pgreachBinary(), "audit", "host=127.0.0.1", flag, dir, "--client-ip",
                                "10.0.1.10", "--endpoint-ip", "10.0.2.20", "--deadline", "10s"},
                               std::chrono::seconds(30));
  CHECK_FALSE(r.timedOut);
  CHECK(r.exitCode >= 1);
  CHECK(r.exitCode <= 3);
  CHECK(r.out.rfind("PGREACH ", 0) == 0);
  CHECK(r.out.find("PGREACH OK") == std::string::npos);
  CHECK(r.err.find("internal error") == std::string::npos);
}

}  // namespace

TEST_CASE("real exports: no folder or single file of them audits as OK", "[integration][real]") {
  const fs::path root = fs::path(PGREACH_SOURCE_DIR) / "tests" / "data" / "real";
  int files = 0;
  for (const auto& [cloud, flag] :
       {std::pair<const char*, const char*>{"aws", "--aws-json"}, {"azure", "--azure-json"}}) {
    for (const auto& kind : fs::directory_iterator(root / cloud)) {
      if (!kind.is_directory()) continue;
      auditNeverOk(flag, kind.path().string(), kind.path().string());
      for (const auto& file : fs::directory_iterator(kind.path())) {
        testing::TempDir one("pgreach-real");
        fs::copy_file(file.path(), one.path / file.path().filename());
        auditNeverOk(flag, one.path.string(), file.path().string());
        ++files;
      }
    }
  }
  CHECK(files >= 60);
}
