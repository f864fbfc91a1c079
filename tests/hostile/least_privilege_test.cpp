// Least privilege, end to end: everything but packet capture works as an unprivileged
// user. The real binary runs as `nobody` (runuser) against a loopback listener and writes
// a real report file; tcp.connect says it had no capture, as info, not as an error.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "hostile/hostile_servers.h"
#include "support/process.h"

using namespace pgreach::testing;
using namespace pgreach::testing::hostile;
using nlohmann::json;
namespace fs = std::filesystem;

TEST_CASE("as nobody: diagnose works, writes its report, and capture is only info", "[integration]") {
  REQUIRE(::geteuid() == 0);  // runuser needs root; scripts/test.sh runs [integration] as root
  char tmpl[] = "/tmp/pgreach-nobody-XXXXXX";
  REQUIRE(::mkdtemp(tmpl) != nullptr);
  const fs::path dir = tmpl;
  ::chmod(tmpl, 0777);
  // A copy nobody can execute whatever the permissions of the build tree.
  const fs::path bin = dir / "pgreach";
  fs::copy_file(pgreachBinary(), bin);
  ::chmod(bin.c_str(), 0755);
  const fs::path reportFile = dir / "report.json";

  HostileTcpServer server([](int fd, const std::atomic<bool>&) { readSome(fd, 200); });
  auto r = runProcess({"runuser", "-u", "nobody", "--", bin.string(), "diagnose",
                       "host=127.0.0.1 port=" + std::to_string(server.port()) + " user=app dbname=appdb",
                       "--only", "tcp", "--timeout", "2s", "--format", "json", "--output", reportFile.string()},
                      std::chrono::seconds(30));
  INFO(r.out << r.err);
  CHECK(r.exitCode == 0);
  REQUIRE(fs::exists(reportFile));
  std::ifstream in(reportFile);
  std::stringstream ss;
  ss << in.rdbuf();
  json report;
  REQUIRE_NOTHROW(report = json::parse(ss.str()));
  CHECK(report["verdict"] == "ok");
  bool sawCapture = false;
  for (const auto& c : report["checks"]) {
    if (c["id"] != "tcp.connect") continue;
    CHECK(c["status"] == "pass");
    CHECK(c["data"]["probes"][0]["outcome"] == "open");
    CHECK(c["data"]["capture"] == "none");
    for (const auto& f : c["findings"]) {
      if (f["code"] == "tcp.capture_unavailable") {
        sawCapture = true;
        CHECK(f["severity"] == "info");
      }
    }
  }
  CHECK(sawCapture);
  struct stat st{};
  REQUIRE(::stat(reportFile.c_str(), &st) == 0);
  CHECK(st.st_uid != 0);  // written by nobody, not by a privileged process
  fs::remove_all(dir);
}

TEST_CASE("as root: diagnose opens its capture first, then runs with no capability", "[integration]") {
  REQUIRE(::geteuid() == 0);
  auto listener = listenOn("127.0.0.1", 0, SOCK_STREAM);
  REQUIRE(listener.valid());
  auto r = runProcess({pgreachBinary(), "diagnose",
                       "host=127.0.0.1 port=" + std::to_string(localPort(listener.get())) + " user=app dbname=appdb",
                       "--only", "tcp", "--timeout", "2s", "--format", "json"},
                      std::chrono::seconds(30));
  INFO(r.out << r.err);
  CHECK(r.exitCode == 0);
  CHECK(r.err.find("warning") == std::string::npos);
  json report;
  REQUIRE_NOTHROW(report = json::parse(r.out));
  for (const auto& c : report["checks"]) {
    if (c["id"] != "tcp.connect") continue;
    // The pcap handle opened before the drop was adopted by tcp.connect.
    CHECK(c["data"]["capture"] == "pcap");
  }
}
