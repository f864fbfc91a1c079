// Least privilege, end to end: everything but packet capture works as an unprivileged
// user. The real binary runs as `nobody` (runuser) against a loopback listener and writes
// a real report file; tcp.connect says it had no capture, as info, not as an error.
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
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
  auto r =
      runProcess({"runuser", "-u", "nobody", "--", bin.string(), "diagnose",
                  "host=127.0.0.1 port=" + std::to_string(server.port()) + " user=app dbname=appdb", "--only",
                  "tcp", "--timeout", "2s", "--format", "json", "--output", reportFile.string()},
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
  struct stat st {};
  REQUIRE(::stat(reportFile.c_str(), &st) == 0);
  CHECK(st.st_uid != 0);  // written by nobody, not by a privileged process
  fs::remove_all(dir);
}

TEST_CASE("as root: diagnose opens its capture first, then runs with no capability", "[integration]") {
  REQUIRE(::geteuid() == 0);
  auto listener = listenOn("127.0.0.1", 0, SOCK_STREAM);
  REQUIRE(listener.valid());
  auto r = runProcess(
      {pgreachBinary(), "diagnose",
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

namespace {
// Runs pgreach with the fake aws CLI (tests/data/cloud/fake-aws) first on PATH; the fake
// records pgreach's capability sets (the parent) and its own. Returns "who Set" -> mask,
// the first value seen for each.
std::map<std::string, uint64_t> capabilitiesSeenByTheAwsCli(std::vector<std::string> args,
                                                            bool worldWritableDir = false) {
  const std::string src = PGREACH_SOURCE_DIR;
  char tmpl[] = "/tmp/pgreach-caps-XXXXXX";
  REQUIRE(::mkdtemp(tmpl));
  const std::string dir = tmpl;
  const std::string capsFile = dir + "/caps";
  if (worldWritableDir) ::chmod(dir.c_str(), 0777);  // a --run-as user writes there
  // The fake CLI and the exports are copied beside it, so a --run-as user can reach them
  // whatever the permissions of the source tree.
  fs::create_directories(dir + "/bin");
  fs::copy_file(src + "/tests/data/cloud/fake-aws/aws", dir + "/bin/aws");
  ::chmod((dir + "/bin/aws").c_str(), 0755);
  fs::copy(src + "/tests/lab/cloud/aws/healthy", dir + "/exports", fs::copy_options::recursive);
  ::chmod((dir + "/bin").c_str(), 0755);
  ::chmod((dir + "/exports").c_str(), 0755);
  const char* path = std::getenv("PATH");
  args.insert(args.begin(), pgreachBinary());
  auto r = runProcess(args, std::chrono::seconds(30),
                      {"PATH=" + dir + "/bin:" + (path ? path : "/usr/bin:/bin"),
                       "FAKE_AWS_DIR=" + dir + "/exports", "FAKE_AWS_CAPS=" + capsFile, "TMPDIR=" + dir});
  INFO(r.out << r.err);
  CHECK(r.exitCode >= 0);
  CHECK(r.err.find("warning: cannot drop") == std::string::npos);
  std::map<std::string, uint64_t> seen;
  std::ifstream in(capsFile);
  std::string who, set, hex;
  while (in >> who >> set >> hex)
    seen.emplace(who + " " + set, std::stoull(hex, nullptr, set == "Uid" ? 10 : 16));
  fs::remove_all(dir);
  return seen;
}
constexpr uint64_t kNetRaw = uint64_t{1} << 13;  // CAP_NET_RAW
}  // namespace

TEST_CASE("as root: audit runs with no capability, and the CLI it starts cannot regain one",
          "[integration]") {
  REQUIRE(::geteuid() == 0);
  auto caps = capabilitiesSeenByTheAwsCli({"audit", "host=pslab01.private-pg.psdb.cloud", "--cloud-live",
                                           "--client-ip", "10.40.1.10", "--format", "json"});
  REQUIRE(caps.count("parent CapEff"));
  REQUIRE(caps.count("child CapEff"));
  for (const char* set : {"CapEff", "CapPrm", "CapBnd", "CapAmb"}) {
    INFO(set);
    CHECK(caps["parent " + std::string(set)] == 0);
    CHECK(caps["child " + std::string(set)] == 0);
  }
}

namespace {
// Runs `diagnose --config INI` (INI holding `config`) with the fake aws CLI and checks that
// pgreach kept CAP_NET_RAW alone (for its captures) and the CLI it started got none.
void checkConfigKeepsNetRawAlone(const std::string& config) {
  REQUIRE(::geteuid() == 0);
  char tmpl[] = "/tmp/pgreach-capsini-XXXXXX";
  REQUIRE(::mkdtemp(tmpl));
  const std::string ini = std::string(tmpl) + "/pgreach.ini";
  std::ofstream(ini) << config;
  auto caps = capabilitiesSeenByTheAwsCli({"diagnose", "--config", ini, "--cloud-live", "--client-ip",
                                           "10.40.1.10", "--timeout", "1s", "--format", "json"});
  fs::remove_all(tmpl);
  REQUIRE(caps.count("parent CapEff"));
  CHECK(caps["parent CapEff"] == kNetRaw);
  CHECK(caps["parent CapPrm"] == kNetRaw);
  CHECK(caps["parent CapBnd"] == kNetRaw);
  CHECK((caps["child CapEff"] & ~kNetRaw) == 0);
}
}  // namespace

TEST_CASE("as root: diagnose --config keeps CAP_NET_RAW alone", "[integration]") {
  checkConfigKeepsNetRawAlone("conninfo = host=127.0.0.1 port=" + std::to_string(closedPortAt({})) +
                              " user=app\n");
}

TEST_CASE("as root: a fleet --config keeps CAP_NET_RAW alone, for every target", "[integration]") {
  // Issue 17: fleets kept a full capability set.
  const std::string closed = std::to_string(closedPortAt({}));
  checkConfigKeepsNetRawAlone("[target.a]\nconninfo = host=127.0.0.1 port=" + closed + " user=app\n" +
                              "[target.b]\nconninfo = host=127.0.0.1 port=" + closed +
                              " user=app dbname=b\n");
}

TEST_CASE("as root: sweep runs with no capability", "[integration]") {
  // Issue 17: sweep kept a full capability set. A rate of 2 connects a second over 8
  // loopback addresses keeps it running for ~4 s while its status is read.
  REQUIRE(::geteuid() == 0);
  const uint16_t closed = closedPortAt({});
  auto r = runProcess({"sh", "-c",
                       "\"$0\" sweep 127.0.0.8/29 --ports " + std::to_string(closed) +
                           " --rate 2 --timeout 1s >/dev/null & p=$!; sleep 1; "
                           "grep -E '^(Cap(Eff|Prm|Bnd|Amb)|Uid):' /proc/$p/status; wait $p",
                       pgreachBinary()},
                      std::chrono::seconds(30));
  INFO(r.out << r.err);
  CHECK(r.exitCode == 2);  // every port closed
  for (const char* set : {"CapEff", "CapPrm", "CapBnd", "CapAmb"}) {
    INFO(set);
    CHECK(r.out.find(std::string(set) + ":\t0000000000000000") != std::string::npos);
  }
}

TEST_CASE("as root: --run-as nobody opens the capture first, then runs and writes as nobody",
          "[integration]") {
  REQUIRE(::geteuid() == 0);
  const passwd* nobody = ::getpwnam("nobody");
  REQUIRE(nobody);
  char tmpl[] = "/tmp/pgreach-runas-XXXXXX";
  REQUIRE(::mkdtemp(tmpl));
  REQUIRE(::chmod(tmpl, 0777) == 0);
  const std::string reportFile = std::string(tmpl) + "/report.json";
  auto listener = listenOn("127.0.0.1", 0, SOCK_STREAM);
  REQUIRE(listener.valid());
  auto r = runProcess(
      {pgreachBinary(), "diagnose",
       "host=127.0.0.1 port=" + std::to_string(localPort(listener.get())) + " user=app dbname=appdb",
       "--only", "tcp", "--timeout", "2s", "--format", "json", "--run-as", "nobody", "-o", reportFile},
      std::chrono::seconds(30));
  INFO(r.out << r.err);
  CHECK(r.exitCode == 0);
  struct stat st {};
  REQUIRE(::stat(reportFile.c_str(), &st) == 0);
  CHECK(st.st_uid == nobody->pw_uid);  // written by nobody
  std::ifstream in(reportFile);
  json report = json::parse(in);
  for (const auto& c : report["checks"]) {
    if (c["id"] == "tcp.connect") CHECK(c["data"]["capture"] == "pcap");  // opened before the switch
  }
  fs::remove_all(tmpl);

  // An audit as nobody: uid switched, no capability, and a user that does not exist stops the run.
  auto caps =
      capabilitiesSeenByTheAwsCli({"audit", "host=pslab01.private-pg.psdb.cloud", "--cloud-live",
                                   "--client-ip", "10.40.1.10", "--format", "json", "--run-as", "nobody"},
                                  true);
  REQUIRE(caps.count("parent Uid"));
  CHECK(caps["parent Uid"] == nobody->pw_uid);
  CHECK(caps["parent CapEff"] == 0);
  CHECK(caps["parent CapPrm"] == 0);
  auto bad = runProcess({pgreachBinary(), "explain", "tcp.refused", "--run-as", "no-such-user-here"},
                        std::chrono::seconds(10));
  CHECK(bad.exitCode == 3);
  CHECK(bad.err.find("no such user") != std::string::npos);
}
