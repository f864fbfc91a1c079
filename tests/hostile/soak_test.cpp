// Soak: 10,000 in-process `diagnose` runs from the lab's client namespace against the
// lab's healthy target, with the open file descriptors (/proc/self/fd) and the resident
// set (/proc/self/statm; the live heap under ASan) sampled after a warm-up and at the
// end. Every run resolves the Neon name through the lab's unbound and connects to
// PgBouncer's 5433 and 6432 on every endpoint address, IPv4 and IPv6 (dns.resolve,
// dns.system, tcp.connect); every 25th also connects to PostgreSQL's 5432 and verifies
// TLS on each port (tls.direct, tls.sslrequest, tls.handshake: the CA, the host name);
// every 100th is the whole pipeline on all three ports, so also pg.startup and pg.connect
// (libpq logs in with the password, runs SELECT 1). The plain runs leave 5432 out because
// the lab's postmaster forks a backend for every connection, even one closed at once:
// measured here, that fork doubled a dns+tcp run (42 -> 85 ms a run as a process) and
// made the postmaster, not pgreach, the soak's cost. tcp.connect's code path is the same
// on every port (figures in README.md).
//
// Runs in a forked child that enters the client's network namespace and, in a private
// mount namespace, gets the client's /etc/resolv.conf and /etc/hosts (what `ip netns
// exec` does), so no query ever reaches the machine's own resolver; then it drops every
// capability, so each run takes the unprivileged path (no pcap, no 10 ms capture tail)
// and stays cheap, and the test process keeps its own privileges, namespaces and heap.
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#if defined(__SANITIZE_ADDRESS__)
// Declared here: GCC's libasan exports it, but Debian ships the header only with clang.
extern "C" size_t __sanitizer_get_current_allocated_bytes(void);
#endif

#include "app/app.h"
#include "net/privileges.h"
#include "support/lab.h"
#include "util/fd.h"

using namespace pgreach::testing;

namespace {

int openFds() {
  int n = 0;
  if (DIR* d = ::opendir("/proc/self/fd")) {
    while (dirent* e = ::readdir(d)) {
      if (e->d_name[0] != '.') ++n;
    }
    ::closedir(d);
  }
  return n - 1;  // the directory's own descriptor
}

#if defined(__SANITIZE_ADDRESS__)
// Under ASan the resident set grows with the quarantine of freed blocks (up to 256 MB),
// not with leaks: measure the live heap the allocator reports instead.
constexpr const char* kMemoryLabel = "live heap (ASan)";
long rssKb() { return static_cast<long>(__sanitizer_get_current_allocated_bytes() / 1024); }
#else
constexpr const char* kMemoryLabel = "RSS";
long rssKb() {
  std::ifstream in("/proc/self/statm");
  long size = 0, resident = 0;
  in >> size >> resident;
  return resident * (::sysconf(_SC_PAGESIZE) / 1024);
}
#endif

struct SoakFigures {
  int runs = 0, wrongExit = 0, tlsRuns = 0, fullRuns = 0, fdWarm = 0, fdEnd = 0;
  long rssWarmKb = 0, rssEndKb = 0;
  double seconds = 0;
  int setupError = 0;  // errno of the namespace set-up that failed, 0 when it all worked
};

// See the measurements in tests/hostile/README.md; PGREACH_SOAK_RUNS sets another count.
constexpr int kDefaultRuns = 10000;
// The mix (see the header comment): run i is the whole pipeline when i % kFullEvery == 0,
// dns+tcp+tls when i % kTlsEvery == kTlsEvery / 2, dns+tcp otherwise.
constexpr int kFullEvery = 100;
constexpr int kTlsEvery = 25;

int soakRuns() {
  const char* env = std::getenv("PGREACH_SOAK_RUNS");
  const int n = env ? std::atoi(env) : kDefaultRuns;
  return n > 0 && n <= 1000000 ? n : kDefaultRuns;
}

constexpr int kWarmUp = 500;

// What the child needs, computed by the parent before the fork (labEnv runs lab.sh).
struct LabTarget {
  std::string clientNetns;   // e.g. "pgt-client"
  std::string tlsConninfo;   // verify-full against the lab CA, no password: dns, tcp, tls
  std::string fullConninfo;  // the same with the password: the whole pipeline
};

LabTarget labTarget() {
  LabTarget t;
  t.clientNetns = clientNamespace();
  t.tlsConninfo = "host=" + labEnv("LAB_HOST_NEON") + " user=" + labEnv("LAB_USER") +
                  " dbname=" + labEnv("LAB_DB") + " sslmode=verify-full sslrootcert=" + labEnv("LAB_CA") +
                  " connect_timeout=3";
  t.fullConninfo = t.tlsConninfo + " password=" + labEnv("LAB_PASSWORD");
  return t;
}

// Enters the client's network namespace and gives this process the client's resolver
// configuration, as `ip netns exec` would: a private mount namespace with
// /etc/netns/<ns>/{resolv.conf,hosts} bound over /etc. Single-threaded (just forked), so
// setns() moves the whole process. 0 or the errno of the step that failed.
int enterClient(const std::string& netns) {
  pgreach::util::Fd ns(::open(("/run/netns/" + netns).c_str(), O_RDONLY | O_CLOEXEC));
  if (!ns.valid() || ::setns(ns.get(), CLONE_NEWNET) != 0) return errno ? errno : EINVAL;
  if (::unshare(CLONE_NEWNS) != 0) return errno;
  if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) return errno;
  for (const char* file : {"resolv.conf", "hosts"}) {
    const std::string from = "/etc/netns/" + netns + "/" + file;
    const std::string to = std::string("/etc/") + file;
    if (::mount(from.c_str(), to.c_str(), nullptr, MS_BIND, nullptr) != 0) return errno;
  }
  return 0;
}

SoakFigures soakInChild(const LabTarget& lab, int runs) {
  SoakFigures f;
  f.setupError = enterClient(lab.clientNetns);
  if (f.setupError != 0) return f;
  if (::geteuid() == 0) (void)pgreach::net::dropAllCapabilities();
  const auto begin = std::chrono::steady_clock::now();
  for (int i = 0; i < runs; ++i) {
    const bool full = i % kFullEvery == 0;
    const bool tls = !full && i % kTlsEvery == kTlsEvery / 2;
    const char* conninfo = full ? lab.fullConninfo.c_str() : lab.tlsConninfo.c_str();
    std::vector<const char*> argv = {"pgreach", "diagnose", conninfo, "--format", "json", "--timeout", "2s"};
    const char* ports = full || tls ? "5432,5433,6432" : "5433,6432";
    argv.insert(argv.end(), {"--deadline", "10s", "--ports", ports, "--vpc-cidr", "10.40.0.0/16"});
    if (!full) argv.insert(argv.end(), {"--only", tls ? "dns,tcp,tls" : "dns,tcp"});
    std::ostringstream out, err;
    const int rc = pgreach::app::run(static_cast<int>(argv.size()), argv.data(), out, err, false);
    if (rc != 0) ++f.wrongExit;
    if (full) ++f.fullRuns;
    if (tls) ++f.tlsRuns;
    if (i + 1 == kWarmUp) {
      f.fdWarm = openFds();
      f.rssWarmKb = rssKb();
    }
  }
  f.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
  f.runs = runs;
  f.fdEnd = openFds();
  f.rssEndKb = rssKb();
  return f;
}

}  // namespace

TEST_CASE("lab soak: 10,000 in-process diagnose runs grow neither descriptors nor memory", "[lab][soak]") {
  const int runs = soakRuns();
  REQUIRE(runs > kWarmUp);
  labScenario("healthy");
  const LabTarget lab = labTarget();
  int pipeFds[2];
  REQUIRE(::pipe(pipeFds) == 0);
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::close(pipeFds[0]);
    const SoakFigures f = soakInChild(lab, runs);
    char line[256];
    const int len = std::snprintf(line, sizeof line, "%d %d %d %d %d %d %ld %ld %.3f %d\n", f.runs,
                                  f.wrongExit, f.tlsRuns, f.fullRuns, f.fdWarm, f.fdEnd, f.rssWarmKb,
                                  f.rssEndKb, f.seconds, f.setupError);
    if (len > 0) (void)!::write(pipeFds[1], line, static_cast<size_t>(len));
    ::_exit(0);
  }
  ::close(pipeFds[1]);
  // Bounded: a child that hangs is killed (10,000 runs: 1,120 s, over 3x the 328 s they
  // took under ASan here).
  const auto limit = std::chrono::seconds(120 + runs / 10);
  const auto until = std::chrono::steady_clock::now() + limit;
  std::string text;
  bool ended = false;
  while (!ended && std::chrono::steady_clock::now() < until) {
    pollfd p{pipeFds[0], POLLIN, 0};
    if (::poll(&p, 1, 1000) <= 0) continue;
    char buf[256];
    const ssize_t n = ::read(pipeFds[0], buf, sizeof buf);
    if (n > 0) text.append(buf, static_cast<size_t>(n));
    ended = n == 0 || (n < 0 && errno != EINTR);
  }
  ::close(pipeFds[0]);
  if (!ended) ::kill(pid, SIGKILL);
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  INFO("the soak child did not finish within " << limit.count() << " s");
  REQUIRE(ended);
  REQUIRE(WIFEXITED(status));
  SoakFigures f;
  std::istringstream in(text);
  in >> f.runs >> f.wrongExit >> f.tlsRuns >> f.fullRuns >> f.fdWarm >> f.fdEnd >> f.rssWarmKb >>
      f.rssEndKb >> f.seconds >> f.setupError;
  REQUIRE(in);
  INFO("entering " << lab.clientNetns << ": " << (f.setupError ? std::strerror(f.setupError) : "ok"));
  REQUIRE(f.setupError == 0);
  std::fprintf(stderr,
               "soak: %d runs (%d with TLS, %d full) in %.1f s; fds %d -> %d; %s %ld KB -> %ld KB (%+ld KB); "
               "%d not ok\n",
               f.runs, f.tlsRuns, f.fullRuns, f.seconds, f.fdWarm, f.fdEnd, kMemoryLabel, f.rssWarmKb,
               f.rssEndKb, f.rssEndKb - f.rssWarmKb, f.wrongExit);
  CHECK(f.runs == runs);
  CHECK(f.fullRuns == (runs + kFullEvery - 1) / kFullEvery);
  CHECK(f.tlsRuns == (runs + kTlsEvery - 1 - kTlsEvery / 2) / kTlsEvery);
  CHECK(f.wrongExit == 0);
  CHECK(f.fdEnd <= f.fdWarm);
  CHECK(f.rssEndKb - f.rssWarmKb < 8 * 1024);
}
