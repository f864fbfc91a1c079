#include <malloc.h>
#include <unistd.h>

#include <cstring>
#include <iostream>
#include <optional>
#include <string>

#include "app/app.h"
#include "net/privileges.h"

namespace {
// Least privilege for every command (net/privileges.h), decided before any thread starts:
// - a single-target `diagnose` opens its capture handles now, then drops every capability;
// - `diagnose --config` (possibly a fleet) opens one capture per target as it goes, so it
//   keeps CAP_NET_RAW alone; so does `serve`, which probes for as long as it runs (it
//   listens on an unprivileged port: no CAP_NET_BIND_SERVICE);
// - every other command (audit, sweep, explain, checks, help) needs no capability at all.
// Inputs read later (configs, exports, passfiles) and outputs written later are opened as
// uid 0 without CAP_DAC_OVERRIDE: root's own files and world-readable ones work; a file
// readable only by another user does not (README, "Privileges").
enum class PrivilegePlan { ReserveCaptureThenDropAll, KeepNetRawOnly, DropAll };

PrivilegePlan privilegePlan(int argc, char* argv[]) {
  if (argc >= 2 && std::string(argv[1]) == "serve") return PrivilegePlan::KeepNetRawOnly;
  if (argc < 2 || std::string(argv[1]) != "diagnose") return PrivilegePlan::DropAll;
  for (int i = 2; i < argc; ++i) {
    if (std::strncmp(argv[i], "--config", 8) == 0) return PrivilegePlan::KeepNetRawOnly;
  }
  return PrivilegePlan::ReserveCaptureThenDropAll;
}

// `--run-as NAME` / `--run-as=NAME`, read here because the switch happens before the option
// parser runs (it must precede every thread). The parser accepts and documents it.
std::optional<std::string> runAsUserOption(int argc, char* argv[]) {
  for (int i = 2; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--") break;
    if (a == "--run-as" && i + 1 < argc) return std::string(argv[i + 1]);
    if (a.rfind("--run-as=", 0) == 0) return a.substr(9);
  }
  return std::nullopt;
}

// False when the run must not go on (a --run-as that cannot be honoured).
bool applyPrivilegePlan(PrivilegePlan plan, const std::optional<std::string>& userName) {
  std::optional<pgreach::net::RunAsUser> user;
  if (userName && ::geteuid() == 0) {
    auto u = pgreach::net::lookUpUser(*userName);
    if (!u) {
      std::cerr << "pgreach: " << u.error() << "\n";
      return false;
    }
    user = *u;
  }
  pgreach::Expected<bool> done = true;
  switch (plan) {
    case PrivilegePlan::ReserveCaptureThenDropAll:
      if (auto r = pgreach::net::openCaptureThenDropPrivileges(user); !r)
        done = pgreach::makeError(r.error());
      break;
    case PrivilegePlan::KeepNetRawOnly:
      done = pgreach::net::keepOnlyNetRaw(user);
      break;
    case PrivilegePlan::DropAll:
      done = pgreach::net::dropCapabilitiesExcept(0, user);
      break;
  }
  if (!done && user) {
    std::cerr << "pgreach: " << done.error() << "\n";
    return false;
  }
  if (!done) std::cerr << "pgreach: warning: " << done.error() << "\n";
  return true;
}
}  // namespace

// GnuTLS initialises itself from a library constructor (random pool, CPU detection,
// p11-kit modules), ~0.7 MB of resident pages. pgreach never calls GnuTLS: it is loaded
// only because libpq links libldap, which links it. This is GnuTLS's documented way to
// skip that implicit init (what its GNUTLS_SKIP_GLOBAL_INIT macro defines; the linker
// exports it, CMakeLists.txt "memory"). Whoever does use GnuTLS (libldap for an ldap://
// service lookup) calls gnutls_global_init() itself, which still works.
extern "C" int _gnutls_global_init_skip(void) { return 1; }

int main(int argc, char* argv[]) {
#ifdef M_ARENA_MAX
  // glibc gives each new thread its own malloc arena (up to 8 per core); every check runs on
  // its own thread, so a healthy diagnose kept ~9 arenas and ~1.1 MB of resident heap for a
  // few kB of allocations each. Two arenas are plenty for our handful of threads
  // (bench/RESULTS.md, section 6: peak RSS 19.3 -> 18.2 MB).
  mallopt(M_ARENA_MAX, 2);
#endif
  if (!applyPrivilegePlan(privilegePlan(argc, argv), runAsUserOption(argc, argv))) return 3;
  return pgreach::app::run(argc, argv, std::cout, std::cerr, ::isatty(STDOUT_FILENO) == 1);
}
