// The safety fixes (issue 14): outputs never replace or follow anything but a regular
// file, durations are finite and sane, option and --store errors never echo a value, and
// an audit that evaluated nothing is never OK. Each case here failed before the fix.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/options.h"
#include "hostile/hostile_servers.h"
#include "net/handshake_evidence.h"
#include "reports/render/render.h"
#include "reports/report/report.h"
#include "support/postgres.h"
#include "support/process.h"
#include "support/temp_dir.h"
#include "util/atomic_file.h"
#include "util/fd.h"

using namespace pgreach;
using pgreach::testing::pgreachBinary;
using pgreach::testing::runProcess;

namespace {

Expected<cli::Options> parse(std::vector<std::string> args) {
  args.insert(args.begin(), "pgreach");
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  return cli::parseOptions(static_cast<int>(argv.size()), argv.data());
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

bool isSymlink(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0 && S_ISLNK(st.st_mode);
}

// A stand-in for /dev/null inside the test's own folder: a real character device (1,3)
// when root may create one, otherwise a FIFO; either is "not a regular file".
std::string specialFile(const std::string& dir) {
  const std::string path = dir + "/null";
  if (::geteuid() == 0 && ::mknod(path.c_str(), S_IFCHR | 0666, ::makedev(1, 3)) == 0) return path;
  REQUIRE(::mkfifo(path.c_str(), 0600) == 0);
  return path;
}

bool isSpecial(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0 && (S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode));
}

}  // namespace

TEST_CASE("durations are finite, at least 1 ms and at most a day", "[unit][cli]") {
  for (const char* bad : {"nan", "NaN", "inf", "-inf", "0", "0s", "-1", "-5ms", "1e-9", "0.5ms", "25h",
                          "86401s", "1441m", "1e400", "abc", ""}) {
    INFO(bad);
    for (const char* opt : {"--timeout", "--deadline", "--imds-timeout", "--cloud-cli-timeout"}) {
      auto o = parse({"diagnose", "host=127.0.0.1", opt, bad});
      REQUIRE_FALSE(o.ok());
      CHECK(o.error().find(opt) != std::string::npos);
    }
  }
  auto ok = parse({"diagnose", "host=127.0.0.1", "--timeout", "1ms", "--deadline", "86400s"});
  REQUIRE(ok.ok());
  CHECK(ok->probeTimeout.count() == 1);
  CHECK(ok->deadline.count() == 86400000);
  CHECK(parse({"diagnose", "host=127.0.0.1", "--timeout", "1.5s"})->probeTimeout.count() == 1500);
  CHECK(parse({"diagnose", "host=127.0.0.1", "--timeout", "2m"})->probeTimeout.count() == 120000);
}

TEST_CASE("a mistyped option is named, never echoed with its value", "[unit][cli]") {
  struct Case {
    std::vector<std::string> args;
    const char* named;
  } cases[] = {
      {{"diagnose", "--pasword=Opt9SecretV"}, "--pasword"},
      {{"diagnose", "--store-dsn=postgresql://u:Opt9SecretV@h/db"}, "--store-dsn"},
      {{"diagnose", "-pOpt9SecretV"}, "-p"},
      {{"diagnose", "--repeat", "Opt9SecretV"}, "--repeat"},
      {{"diagnose", "--ports", "Opt9SecretV"}, "--ports"},
      {{"diagnose", "--client-ip", "Opt9SecretV/x"}, "--client-ip"},
      {{"Opt9SecretV%x"}, "unknown command"},
  };
  for (const auto& c : cases) {
    INFO(c.args.back());
    auto o = parse(c.args);
    REQUIRE_FALSE(o.ok());
    CHECK(o.error().find("Opt9Secret") == std::string::npos);
    CHECK(o.error().find(c.named) != std::string::npos);
  }
}

TEST_CASE("a --config line with a mistyped key is named by its key alone", "[unit][cli]") {
  testing::TempDir tmp("pgreach-safety");
  const std::string dirPath = tmp.path.string();
  const std::string cfg = dirPath + "/p.ini";
  std::ofstream(cfg) << "pass = FlPass9Secret\n";
  auto o = parse({"diagnose", "--config", cfg});
  REQUIRE_FALSE(o.ok());
  CHECK(o.error().find("FlPass9Secret") == std::string::npos);
  CHECK(o.error().find("pass") != std::string::npos);
  std::ofstream(cfg) << "a line Cfg9SecretLine without equals\n";
  auto o2 = parse({"diagnose", "--config", cfg});
  REQUIRE_FALSE(o2.ok());
  CHECK(o2.error().find("Cfg9SecretLine") == std::string::npos);
}

TEST_CASE("-o - and -o /dev/stdout mean standard output", "[unit][cli]") {
  CHECK(parse({"diagnose", "host=127.0.0.1", "-o", "-"})->output.empty());
  CHECK(parse({"diagnose", "host=127.0.0.1", "-o", "/dev/stdout"})->output.empty());
  CHECK(parse({"diagnose", "host=127.0.0.1", "-o", "r.json"})->output == "r.json");
}

TEST_CASE("only a regular file or nothing is ever replaced", "[unit][util]") {
  testing::TempDir tmp("pgreach-safety");
  const std::string dirPath = tmp.path.string();
  const std::string special = specialFile(dirPath);
  const std::string victim = dirPath + "/victim";
  std::ofstream(victim) << "precious";
  const std::string link = dirPath + "/link";
  REQUIRE(::symlink(victim.c_str(), link.c_str()) == 0);
  const std::string sub = dirPath + "/sub";
  REQUIRE(::mkdir(sub.c_str(), 0700) == 0);

  for (const auto& p : {special, link, sub}) {
    INFO(p);
    auto c = util::checkReplaceable(p, "--output");
    REQUIRE_FALSE(c.ok());
    CHECK(c.error().find("--output") != std::string::npos);
    CHECK(c.error().find(p) != std::string::npos);
    CHECK_FALSE(util::writeFileAtomically(p, "report").ok());
  }
  CHECK(isSpecial(special));
  CHECK(isSymlink(link));
  CHECK(slurp(victim) == "precious");
  CHECK(util::checkReplaceable(dirPath + "/new", "--output").ok());
  CHECK(util::checkReplaceable(victim, "--output").ok());
  REQUIRE(util::writeFileAtomically(victim, "replaced").ok());
  CHECK(slurp(victim) == "replaced");
}

TEST_CASE("the handshake pcap is never written through a planted symlink", "[unit][capture]") {
  testing::TempDir tmp("pgreach-safety");
  const std::string dirPath = tmp.path.string();
  const std::string victim = dirPath + "/victim";
  std::ofstream(victim) << "precious";
  const std::string link = dirPath + "/cap.pcap";
  REQUIRE(::symlink(victim.c_str(), link.c_str()) == 0);
  auto w = net::evidence::writeHandshakePcap(link, {}, 96);
  CHECK_FALSE(w.ok());
  CHECK(slurp(victim) == "precious");
  CHECK(isSymlink(link));
  // A new name gets a real, readable capture file.
  const std::string fresh = dirPath + "/fresh.pcap";
  auto w2 = net::evidence::writeHandshakePcap(fresh, {}, 96);
  REQUIRE(w2.ok());
  CHECK(*w2 == 0);
  CHECK(net::evidence::readPcapFile(fresh).ok());
}

TEST_CASE("pgreach refuses -o, --bundle, --capture-file on a device or a symlink: exit 3, one line",
          "[integration]") {
  testing::TempDir tmp("pgreach-safety");
  const std::string dirPath = tmp.path.string();
  const std::string special = specialFile(dirPath);
  const std::string victim = dirPath + "/victim";
  std::ofstream(victim) << "precious";
  const std::string link = dirPath + "/link";
  REQUIRE(::symlink(victim.c_str(), link.c_str()) == 0);
  const std::string target = "host=127.0.0.1 port=1 connect_timeout=1";
  struct Case {
    std::vector<std::string> args;
    std::string path;
  } cases[] = {
      {{"audit", target, "--format", "json", "-o", special}, special},
      {{"diagnose", target, "--format", "json", "-o", special}, special},
      {{"diagnose", target, "-o", link}, link},
      {{"diagnose", target, "--bundle", special}, special},
      {{"diagnose", target, "--bundle", link}, link},
      {{"diagnose", target, "--capture-file", link}, link},
      {{"diagnose", target, "--capture-file", special}, special},
      {{"diagnose", target, "--output-dir", victim}, victim},
  };
  for (const auto& c : cases) {
    std::vector<std::string> argv{pgreachBinary()};
    argv.insert(argv.end(), c.args.begin(), c.args.end());
    argv.insert(argv.end(), {"--deadline", "5s", "--timeout", "1s"});
    INFO(c.args[0] << " " << c.args[c.args.size() - 2]);
    auto r = runProcess(argv, std::chrono::seconds(20));
    CHECK(r.exitCode == 3);
    CHECK(r.err.find(c.path) != std::string::npos);
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
    CHECK(r.out.empty());
  }
  CHECK(isSpecial(special));
  CHECK(isSymlink(link));
  CHECK(slurp(victim) == "precious");
}

TEST_CASE("a report to -o - goes to stdout", "[integration]") {
  auto r = runProcess({pgreachBinary(), "diagnose", "host=127.0.0.1 port=1", "--only", "dns", "--format",
                       "json", "-o", "-", "--deadline", "5s"},
                      std::chrono::seconds(20));
  CHECK(r.exitCode != 3);
  CHECK(r.out.find("\"schema_version\"") != std::string::npos);
}

TEST_CASE("an output file or folder named with the target's password is refused (issue 17)",
          "[integration]") {
  testing::TempDir tmp("pgreach-safety");
  const std::string secret = "Cap9SecretPw";
  // (--capture-file: tcp.connect refuses it with tcp.capture_file_refused, tested beside it.)
  for (const char* option : {"-o", "--bundle", "--output-dir"}) {
    const std::string name = (tmp.path / ("x-" + secret + ".out")).string();
    auto r = runProcess({pgreachBinary(), "diagnose", "host=127.0.0.1 port=1 user=app password=" + secret,
                         "--only", "tcp", option, name, "--deadline", "5s"},
                        std::chrono::seconds(20));
    INFO(option << ": " << r.out << r.err);
    CHECK(r.exitCode == 3);
    CHECK(r.err.find("contains the target's password") != std::string::npos);
    CHECK(r.err.find(secret) == std::string::npos);
    CHECK(r.out.find(secret) == std::string::npos);
    CHECK_FALSE(std::filesystem::exists(name));
  }
}

TEST_CASE("an output or capture file named with the passfile's password is refused (issue 17)",
          "[integration]") {
  // The password is not in the string: libpq would take it from PGPASSFILE.
  testing::TempDir tmp("pgreach-safety");
  const std::string secret = "Pgp9PassName";
  const std::string passfile = tmp.path.string() + "/pgpass";
  std::ofstream(passfile) << "127.0.0.1:*:*:app:" << secret << "\n";
  REQUIRE(::chmod(passfile.c_str(), 0600) == 0);
  for (const char* option : {"-o", "--bundle", "--output-dir", "--capture-file"}) {
    const std::string name = (tmp.path / ("x-" + secret + ".out")).string();
    auto r = runProcess({pgreachBinary(), "diagnose", "host=127.0.0.1 port=1 user=app", "--only", "dns,tcp",
                         "--timeout", "500ms", "--format", "json", option, name, "--deadline", "5s"},
                        std::chrono::seconds(20), {"PGPASSFILE=" + passfile});
    INFO(option << ": " << r.out << r.err);
    if (std::string(option) == "--capture-file") {
      if (::geteuid() == 0) CHECK(r.out.find("tcp.capture_file_refused") != std::string::npos);
    } else {
      CHECK(r.exitCode == 3);
      CHECK(r.err.find("contains the target's password") != std::string::npos);
    }
    CHECK(r.err.find(secret) == std::string::npos);
    CHECK(r.out.find(secret) == std::string::npos);
    CHECK_FALSE(std::filesystem::exists(name));
  }
}

TEST_CASE("a malformed --store DSN and a mistyped option never print the password", "[integration]") {
  testing::TempDir tmp("pgreach-safety");
  const std::string out = tmp.path.string() + "/out";
  auto store =
      runProcess({pgreachBinary(), "diagnose", "host=127.0.0.1 port=1", "--only", "dns", "--deadline", "5s",
                  "--output-dir", out, "--store", "postgresql://u:StoreBad%zz9Secret@127.0.0.1:1/db"},
                 std::chrono::seconds(20));
  CHECK(store.err.find("--store") != std::string::npos);
  CHECK(store.err.find("zz9Secret") == std::string::npos);
  CHECK(store.out.find("zz9Secret") == std::string::npos);
  auto slash =
      runProcess({pgreachBinary(), "diagnose", "host=127.0.0.1 port=1", "--only", "dns", "--deadline", "5s",
                  "--output-dir", out, "--store", "postgresql://u:St/Sl9Secret@127.0.0.1:1/db"},
                 std::chrono::seconds(20));
  CHECK(slash.err.find("--store") != std::string::npos);
  CHECK(slash.err.find("Sl9Secret") == std::string::npos);
  // A raw '@' in the DSN's password: libpq ends the user info at the first one, the rest
  // of the password becomes the host name.
  auto at = runProcess({pgreachBinary(), "diagnose", "host=127.0.0.1 port=1", "--only", "dns", "--deadline",
                        "5s", "--output-dir", out, "--store", "postgresql://u:St@At9Secret@127.0.0.1:1/db"},
                       std::chrono::seconds(20));
  CHECK(at.err.find("--store") != std::string::npos);
  CHECK(at.err.find("contains '@'") != std::string::npos);  // refused before any lookup of "At9Secret@..."
  CHECK(at.err.find("At9Secret") == std::string::npos);
  CHECK(at.out.find("At9Secret") == std::string::npos);
  auto typo = runProcess({pgreachBinary(), "diagnose", "host=127.0.0.1", "--pasword=Opt9SecretV"},
                         std::chrono::seconds(20));
  CHECK(typo.exitCode == 3);
  CHECK(typo.err.find("--pasword") != std::string::npos);
  CHECK(typo.err.find("Opt9SecretV") == std::string::npos);
}

TEST_CASE("an audit that could evaluate no step is UNKNOWN, not OK", "[integration]") {
  testing::TempDir tmp("pgreach-safety");
  const std::string dirPath = tmp.path.string();
  // Shapes pgreach does not read: a resource group and an effective route table (ARM
  // bodies). (An `az network vnet create` output and `{"value": []}` used to be examples
  // here; they are read now, issue 16, and a folder of them is judged on its path.)
  std::ofstream(dirPath + "/group.json")
      << R"({"id": "/subscriptions/s/resourceGroups/rg", "name": "rg", "type": "Microsoft.Resources/resourceGroups",
             "properties": {"provisioningState": "Succeeded"}})";
  std::ofstream(dirPath + "/routes.json")
      << R"({"value": [{"source": "Default", "state": "Active", "addressPrefix": ["10.0.0.0/16"],
             "nextHopType": "VnetLocal", "nextHopIpAddress": []}]})";
  for (const char* cloud : {"--aws-json", "--azure-json"}) {
    INFO(cloud);
    auto r = runProcess({pgreachBinary(), "audit", "host=127.0.0.1", cloud, dirPath, "--client-ip",
                         "10.0.1.10", "--endpoint-ip", "10.0.2.20", "--deadline", "10s"},
                        std::chrono::seconds(20));
    CHECK(r.exitCode == 3);
    CHECK(r.out.find("PGREACH UNKNOWN") != std::string::npos);
    CHECK(r.out.find("PGREACH OK") == std::string::npos);
  }
  // Only a client address, nothing else: nothing verified.
  auto bare = runProcess(
      {pgreachBinary(), "audit", "host=127.0.0.1", "--client-ip", "10.0.1.10", "--deadline", "10s"},
      std::chrono::seconds(20));
  CHECK(bare.exitCode == 3);
}

TEST_CASE("invalid UTF-8 in a target never ends the run with an internal error", "[integration]") {
  for (const char* format : {"json", "text", "markdown", "html", "junit", "prometheus", "nagios"}) {
    INFO(format);
    auto r = runProcess({pgreachBinary(), "diagnose",
                         "host=127.0.0.1 port=1 dbname=a\xff\xfe"
                         "b",
                         "--only", "dns", "--format", format, "--deadline", "5s"},
                        std::chrono::seconds(20));
    CHECK(r.err.find("internal error") == std::string::npos);
    CHECK(r.exitCode != 3);
    CHECK_FALSE(r.out.empty());
    if (std::string(format) == "json") CHECK(nlohmann::json::accept(r.out));
  }
}

TEST_CASE("special files as --config, PGSERVICEFILE or PGPASSFILE: one line and exit 3, no hang",
          "[integration]") {
  testing::TempDir tmp("pgreach-safety");
  const std::string fifo = tmp.path.string() + "/fifo";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  const std::string dir = tmp.path.string();
  for (const auto& cfg : {fifo, dir, std::string("/dev/zero")}) {
    INFO(cfg);
    auto r = runProcess({pgreachBinary(), "diagnose", "--config", cfg}, std::chrono::seconds(10));
    CHECK_FALSE(r.timedOut);
    CHECK(r.exitCode == 3);
    CHECK(r.err.find(cfg) != std::string::npos);
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  }
  for (const std::string& env : std::vector<std::string>{"PGSERVICEFILE=" + fifo, "PGSERVICEFILE=/dev/zero",
                                                         "PGPASSFILE=" + fifo, "PGPASSFILE=/dev/zero"}) {
    INFO(env);
    auto r = runProcess(
        {pgreachBinary(), "diagnose", "host=127.0.0.1 port=1", "--only", "dns", "--deadline", "5s"},
        std::chrono::seconds(10), {env, "PGSERVICE=x"});
    CHECK_FALSE(r.timedOut);
    CHECK(r.exitCode == 3);
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  }
}

TEST_CASE("--store keeps the run's --deadline: a silent store does not hold the run", "[integration]") {
  // A listening socket nobody accepts from: the kernel completes the handshake, then the
  // store never says a word. Before, this held the run for libpq's 10 s connect_timeout.
  util::Fd silent(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(silent.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  REQUIRE(::listen(silent.get(), 8) == 0);
  socklen_t len = sizeof a;
  REQUIRE(::getsockname(silent.get(), reinterpret_cast<sockaddr*>(&a), &len) == 0);
  const std::string dsn = "host=127.0.0.1 port=" + std::to_string(ntohs(a.sin_port)) +
                          " dbname=store user=store password=Store9Silent";
  testing::TempDir tmp("pgreach-safety");
  auto r = runProcess({pgreachBinary(), "diagnose", "host=127.0.0.1 port=1", "--only", "dns", "--deadline",
                       "2s", "--output-dir", tmp.path.string() + "/out", "--store", dsn},
                      std::chrono::seconds(20));
  CHECK_FALSE(r.timedOut);
  CHECK(r.err.find("--store") != std::string::npos);
  CHECK(r.err.find("deadline") != std::string::npos);
  CHECK(r.err.find("Store9Silent") == std::string::npos);
#if !defined(__SANITIZE_ADDRESS__)
  CHECK(r.elapsed <= std::chrono::milliseconds(2000 + 1500));
#endif
}

TEST_CASE("--store keeps the run's --deadline: a store that logs in and never answers", "[integration]") {
  // Issue 17: a store that accepted the login and then never answered held the run 50 s.
  using namespace pgreach::testing::hostile;
  HostileTcpServer store([](int fd, const std::atomic<bool>& stopping) {
    auto first = readSome(fd, 3000);
    if (isNegotiationRequest(first)) {
      sendAll(fd, {'N'});
      first = readSome(fd, 3000);
    }
    if (first.empty()) return;
    // AuthenticationOk, BackendKeyData, ReadyForQuery: logged in. Then silence.
    sendAll(fd,
            {'R', 0, 0, 0, 8, 0, 0, 0, 0, 'K', 0, 0, 0, 12, 0, 0, 0, 1, 0, 0, 0, 2, 'Z', 0, 0, 0, 5, 'I'});
    for (int i = 0; i < 200 && nap(stopping, 50); ++i) {
      char c;
      if (::recv(fd, &c, 1, MSG_DONTWAIT) == 0) return;
    }
  });
  REQUIRE(store.listening());
  const std::string dsn = "host=127.0.0.1 port=" + std::to_string(store.port()) +
                          " dbname=store user=store password=Store9Mute sslmode=disable";
  testing::TempDir tmp("pgreach-safety");
  auto r = runProcess({pgreachBinary(), "diagnose", "host=127.0.0.1 port=1", "--only", "dns", "--deadline",
                       "2s", "--output-dir", tmp.path.string() + "/out", "--store", dsn},
                      std::chrono::seconds(30));
  INFO(r.out << r.err);
  CHECK_FALSE(r.timedOut);
  CHECK(store.connections() >= 1);
  CHECK(r.err.find("--store") != std::string::npos);
  CHECK(r.err.find("deadline") != std::string::npos);
  CHECK(r.err.find("Store9Mute") == std::string::npos);
#if !defined(__SANITIZE_ADDRESS__)
  CHECK(r.elapsed <= std::chrono::milliseconds(2000 + 1500));
#endif
}

namespace {
// Every file under `dir`, a .tar.gz unpacked to text, joined: what a ticket would carry.
std::string everythingUnder(const std::string& dir) {
  std::string all;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (!e.is_regular_file()) continue;
    const std::string p = e.path().string();
    all += "\n== " + p + "\n";
    if (p.size() > 7 && p.compare(p.size() - 7, 7, ".tar.gz") == 0)
      all += runProcess({"gzip", "-dc", p}, std::chrono::seconds(10)).out;
    else
      all += slurp(p);
  }
  return all;
}
}  // namespace

TEST_CASE("a fleet line with a mistyped key or no '=' leaks into no report, bundle or stream",
          "[integration]") {
  testing::TempDir tmp("pgreach-safety");
  const std::string dir = tmp.path.string();
  const std::string ini = dir + "/fleet.ini";
  const std::string out = dir + "/out";
  // A mistyped key: the fleet is refused before anything runs (issue 19: it used to be an
  // UNKNOWN report for that target with the reason buried), named by file, line and key.
  std::ofstream(ini) << "only = dns\nformat = json\nbundle = " << dir
                     << "/out/b.tar.gz\n"
                        "[target.good]\nconninfo = host=127.0.0.1 port=1\n"
                        "[target.typo]\nconninfo = host=127.0.0.1 port=1\npass = FlPass9Secret\n";
  // ... so no row reaches the store either.
  testing::LocalPostgres pg("Store9Pw-fleet");
  const std::string dsn =
      "host=127.0.0.1 port=" + std::to_string(pg.port()) + " user=app dbname=appdb password=Store9Pw-fleet";
  auto r = runProcess(
      {pgreachBinary(), "diagnose", "--config", ini, "--output-dir", out, "--deadline", "5s", "--store", dsn},
      std::chrono::seconds(60));
  INFO(r.out << r.err);
  CHECK(r.exitCode == 3);
  CHECK(r.err.rfind("pgreach: " + ini + ":8: unknown key \"pass\"", 0) == 0);
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  CHECK(r.out.empty());
  auto rows = runProcess({"psql", "-X", "-A", "-t", "-c", "SELECT to_regclass('pgreach_runs') IS NULL", dsn},
                         std::chrono::seconds(30));
  INFO(rows.err);
  CHECK(rows.out == "t\n");
  CHECK_FALSE(std::filesystem::exists(out + "/b.tar.gz"));
  for (const std::string& text :
       {r.out, r.err, std::filesystem::exists(out) ? everythingUnder(out) : std::string()})
    CHECK(text.find("FlPass9Secret") == std::string::npos);
  // A line without '=': the whole config is refused by its line number, never echoed.
  std::ofstream(ini, std::ios::trunc) << "[target.a]\nconninfo = host=127.0.0.1 port=1\n"
                                         "a line Cfg9SecretLine without equals\n";
  auto noEq = runProcess({pgreachBinary(), "diagnose", "--config", ini}, std::chrono::seconds(10));
  CHECK(noEq.exitCode == 3);
  CHECK(noEq.err.find("fleet.ini:3: expected key = value") != std::string::npos);
  CHECK(std::count(noEq.err.begin(), noEq.err.end(), '\n') == 1);
  CHECK(noEq.err.find("Cfg9SecretLine") == std::string::npos);
  CHECK(noEq.out.find("Cfg9SecretLine") == std::string::npos);
}

TEST_CASE("invalid UTF-8 in a host, a config, a fleet target or an export: whole reports and a bundle",
          "[integration]") {
  // Issue 17: `internal error: [json.exception.type_error.316]`, a partial report.txt, no
  // bundle, and in a fleet every other target lost. Each run here is in a network namespace
  // of its own (`unshare -n`, loopback only): a host name with a \xff byte is never sent to
  // the machine's resolver.
  testing::TempDir tmp("pgreach-safety");
  const std::string dir = tmp.path.string();
  const std::string bad = "a\xff\xfe\xc3(b";
  std::ofstream(dir + "/single.ini") << "conninfo = host=127.0.0.1 port=1 user=u" << bad << "\nonly = dns\n";
  std::ofstream(dir + "/fleet.ini") << "only = dns\n[target.bad]\nconninfo = host=127.0.0.1 port=1 dbname="
                                    << bad << "\n[target.fine]\nconninfo = host=127.0.0.1 port=1\n";
  // The lab's healthy AWS exports, one security group id given a \xff byte everywhere.
  std::filesystem::create_directories(dir + "/aws");
  for (const auto& e : std::filesystem::directory_iterator(std::string(PGREACH_SOURCE_DIR) +
                                                           "/tests/lab/cloud/aws/healthy")) {
    std::string body = slurp(e.path().string());
    for (size_t at; (at = body.find("sg-0e9d000000000e9d1")) != std::string::npos;)
      body.replace(at, 20, "sg-0e9d\xff");
    std::ofstream(dir + "/aws/" + e.path().filename().string()) << body;
  }
  struct Case {
    const char* name;
    std::vector<std::string> args;
    std::vector<std::string> reports;  // out/<this>.txt and .json must be whole ("report" for one target)
  } cases[] = {
      {"host",
       {"diagnose", "host=db" + bad + ".example hostaddr=127.0.0.1 port=1", "--only", "tcp"},
       {"report"}},
      {"dbname", {"diagnose", "host=127.0.0.1 port=1 dbname=" + bad, "--only", "dns"}, {"report"}},
      {"config", {"diagnose", "--config", dir + "/single.ini"}, {"report"}},
      {"fleet", {"diagnose", "--config", dir + "/fleet.ini"}, {"bad", "fine"}},
      // (diagnose, not audit: audit writes -o only, neither --output-dir nor --bundle)
      {"export",
       {"diagnose", "host=pslab01.private-pg.psdb.cloud", "--only", "cloud", "--aws-json", dir + "/aws",
        "--client-ip", "10.40.1.10"},
       {"report"}},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    const std::string out = dir + "/out-" + c.name;
    std::vector<std::string> argv = {
        "unshare", "-n", "sh", "-c", "ip link set lo up && exec \"$@\"", "sh", pgreachBinary()};
    argv.insert(argv.end(), c.args.begin(), c.args.end());
    argv.insert(argv.end(), {"--format", "text", "--format", "json", "--output-dir", out, "--bundle",
                             out + "/bundle.tar.gz", "--deadline", "5s", "--timeout", "1s"});
    auto r = runProcess(argv, std::chrono::seconds(30));
    INFO("exit " << r.exitCode << "\n" << r.out << r.err);
    CHECK_FALSE(r.timedOut);
    CHECK(r.exitCode >= 0);
    CHECK(r.exitCode <= 3);
    CHECK(r.err.find("internal error") == std::string::npos);
    CHECK(r.err.find("exception") == std::string::npos);
    for (const auto& name : c.reports) {
      const std::string at = out + "/" + name;
      INFO(at);
      const std::string text = slurp(at + ".txt");
      CHECK(text.find("PGREACH ") != std::string::npos);
      CHECK(text.find("internal error") == std::string::npos);
      CHECK(nlohmann::json::accept(slurp(at + ".json")));
    }
    if (c.reports.size() > 1) {
      for (const auto& sub : c.reports) CHECK(std::filesystem::exists(out + "/bundle-" + sub + ".tar.gz"));
      CHECK(r.out.find("fine: PGREACH UNKNOWN") == std::string::npos);
    } else {
      CHECK(std::filesystem::exists(out + "/bundle.tar.gz"));
    }
  }
}

TEST_CASE("a peer's control characters are escaped in every format", "[unit][reports]") {
  engine::CheckResult c;
  c.id = "pg.startup";
  c.stage = engine::Stage::Postgres;
  c.status = engine::Status::Fail;
  c.summary = "server said \x1b]0;owned\x07";
  c.findings.push_back({"pg.server_error",
                        engine::Severity::Critical,
                        "FATAL: \x1b[2J\x1b[31mboom\nPGREACH OK - every check passed",
                        {"E\x1b[0m\rline"},
                        ""});
  reports::TargetSummary t;
  t.host = "db\x1b[1m.example";
  auto report = reports::assembleReport(t, {c}, "2026-01-01T00:00:00.000Z", 1);
  for (const auto& f : reports::formatNames()) {
    INFO(f);
    auto text = reports::render(report, f, {});
    REQUIRE(text);
    CHECK(text->find('\x1b') == std::string::npos);
    CHECK(text->find('\x07') == std::string::npos);
    CHECK(text->find("\nPGREACH OK") == std::string::npos);
  }
  auto colour = reports::render(report, "text", reports::RenderOptions{true});
  REQUIRE(colour);
  CHECK(colour->find("\\x1b]0;owned") != std::string::npos);
}
