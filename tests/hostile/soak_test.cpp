// Soak: thousands of in-process `diagnose` runs against loopback (an open listener and a
// closed port, `--only tcp`, host 127.0.0.1 so no DNS traffic leaves), with the open file
// descriptors (/proc/self/fd) and the resident set (/proc/self/statm) sampled after a
// warm-up and at the end. Runs in a forked child: as root the child first drops every
// capability, so each run takes the unprivileged path (no pcap, no 10 ms capture tail)
// and stays cheap, and the test process keeps its own privileges and heap.
#include <catch2/catch.hpp>
#include <dirent.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#if defined(__SANITIZE_ADDRESS__)
// Declared here: GCC's libasan exports it, but Debian ships the header only with clang.
extern "C" size_t __sanitizer_get_current_allocated_bytes(void);
#endif

#include "app/app.h"
#include "hostile/hostile_servers.h"
#include "net/privileges.h"
#include "support/postgres.h"

using namespace pgreach::testing;
using namespace pgreach::testing::hostile;

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
  int runs = 0, wrongExit = 0, fdWarm = 0, fdEnd = 0;
  long rssWarmKb = 0, rssEndKb = 0;
  double seconds = 0;
};

// 10,000 runs take about 130 s in the plain Debug build on a busy 2-core machine, too
// long under ASan for scripts/test.sh: the test runs 2,000, and bench/soak/soak.sh runs
// 10,000 in the plain build (PGREACH_SOAK_RUNS sets the count either way).
constexpr int kDefaultRuns = 2000;

int soakRuns() {
  const char* env = std::getenv("PGREACH_SOAK_RUNS");
  const int n = env ? std::atoi(env) : kDefaultRuns;
  return n > 0 && n <= 1000000 ? n : kDefaultRuns;
}

constexpr int kWarmUp = 500;

SoakFigures soakInChild(int runs) {
  SoakFigures f;
  if (::geteuid() == 0) (void)pgreach::net::dropAllCapabilities();
  auto listener = listenOn("127.0.0.1", 0, SOCK_STREAM);
  ::fcntl(listener.get(), F_SETFL, O_NONBLOCK);  // drained after each run without waiting
  const uint16_t open = localPort(listener.get());
  const uint16_t closed = freeLoopbackPort();
  const std::string openTarget = "host=127.0.0.1 port=" + std::to_string(open) + " user=app dbname=appdb";
  const std::string closedTarget = "host=127.0.0.1 port=" + std::to_string(closed) + " user=app dbname=appdb";
  const auto begin = std::chrono::steady_clock::now();
  for (int i = 0; i < runs; ++i) {
    const bool toOpen = i % 2 == 0;
    const char* argv[] = {"pgreach", "diagnose", toOpen ? openTarget.c_str() : closedTarget.c_str(),
                          "--only", "tcp", "--format", "json", "--timeout", "1s", "--deadline", "5s"};
    std::ostringstream out, err;
    const int rc = pgreach::app::run(static_cast<int>(std::size(argv)), argv, out, err, false);
    if (rc != (toOpen ? 0 : 2)) ++f.wrongExit;
    // Close what the listener accepted, so its backlog never fills.
    for (int k = 0; k < 16; ++k) {
      const int c = ::accept4(listener.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (c < 0) break;
      ::close(c);
    }
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

TEST_CASE("soak: thousands of in-process diagnose runs grow neither descriptors nor memory", "[soak]") {
  const int runs = soakRuns();
  REQUIRE(runs > kWarmUp);
  int pipeFds[2];
  REQUIRE(::pipe(pipeFds) == 0);
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::close(pipeFds[0]);
    const SoakFigures f = soakInChild(runs);
    char line[256];
    const int len = std::snprintf(line, sizeof line, "%d %d %d %d %ld %ld %.3f\n", f.runs, f.wrongExit, f.fdWarm,
                                  f.fdEnd, f.rssWarmKb, f.rssEndKb, f.seconds);
    if (len > 0) (void)!::write(pipeFds[1], line, static_cast<size_t>(len));
    ::_exit(0);
  }
  ::close(pipeFds[1]);
  std::string text;
  char buf[256];
  for (ssize_t n; (n = ::read(pipeFds[0], buf, sizeof buf)) > 0;) text.append(buf, static_cast<size_t>(n));
  ::close(pipeFds[0]);
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  REQUIRE(WIFEXITED(status));
  SoakFigures f;
  std::istringstream in(text);
  in >> f.runs >> f.wrongExit >> f.fdWarm >> f.fdEnd >> f.rssWarmKb >> f.rssEndKb >> f.seconds;
  REQUIRE(in);
  std::fprintf(stderr, "soak: %d runs in %.1f s; fds %d -> %d; %s %ld KB -> %ld KB (+%ld KB)\n", f.runs, f.seconds,
               f.fdWarm, f.fdEnd, kMemoryLabel, f.rssWarmKb, f.rssEndKb, f.rssEndKb - f.rssWarmKb);
  CHECK(f.runs == runs);
  CHECK(f.wrongExit == 0);
  CHECK(f.fdEnd <= f.fdWarm);
  CHECK(f.rssEndKb - f.rssWarmKb < 8 * 1024);
}
