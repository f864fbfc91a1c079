// CLI conventions and monitoring-plugin parity, end to end: the real binary, loopback only.
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>

#include "support/postgres.h"
#include "support/process.h"

using namespace pgreach::testing;

namespace {
ProcessResult runPgreach(std::vector<std::string> args, std::vector<std::string> env = {}) {
  args.insert(args.begin(), pgreachBinary());
  return runProcess(args, std::chrono::seconds(60), env);
}
bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }
const char* kCommands = "diagnose, checks, sweep, audit, serve, explain, help";
}  // namespace

TEST_CASE("bare pgreach prints the short usage on stderr and exits 3", "[integration][cli]") {
  auto r = runPgreach({});
  INFO(r.out << r.err);
  CHECK(r.exitCode == 3);
  CHECK(r.out.empty());
  CHECK(r.err.rfind("Usage: pgreach COMMAND", 0) == 0);
  CHECK(has(r.err, "\n  sweep "));
  CHECK_FALSE(has(r.err, "socket"));
}

TEST_CASE("COMMAND --help and help COMMAND print that command's help", "[integration][cli]") {
  auto diagnose = runPgreach({"diagnose", "--help"});
  INFO(diagnose.out << diagnose.err);
  CHECK(diagnose.exitCode == 0);
  CHECK(diagnose.out.rfind("Usage: pgreach diagnose", 0) == 0);
  CHECK(has(diagnose.out, "--aws-json"));  // scripts/demo.sh looks for it here
  CHECK_FALSE(has(diagnose.out, "--max-in-flight"));
  CHECK(runPgreach({"help", "diagnose"}).out == diagnose.out);

  auto sweep = runPgreach({"sweep", "--help"});
  CHECK(sweep.exitCode == 0);
  CHECK(sweep.out.rfind("Usage: pgreach sweep", 0) == 0);
  CHECK(has(sweep.out, "--max-in-flight"));
  CHECK_FALSE(has(sweep.out, "--aws-json"));

  auto explain = runPgreach({"explain", "--help"});
  INFO(explain.out << explain.err);
  CHECK(explain.exitCode == 0);
  CHECK(explain.out.rfind("Usage: pgreach explain CODE", 0) == 0);
  CHECK_FALSE(has(explain.err, "unknown finding code"));

  // serve parses its own options, yet its help is one text whichever way it is asked for,
  // and asking starts no server.
  auto serve = runPgreach({"serve", "--help"});
  INFO(serve.out << serve.err);
  CHECK(serve.exitCode == 0);
  CHECK(serve.out.rfind("Usage: pgreach serve --config FLEET.INI", 0) == 0);
  CHECK(has(serve.out, "\n  --web-config "));
  CHECK(runPgreach({"help", "serve"}).out == serve.out);
  CHECK(runPgreach({"serve", "--config", "/nonexistent.ini", "-h"}).out == serve.out);

  // With a fleet config, --help is still the help, not a run of the fleet.
  const std::string fleet = "/tmp/pgreach-cli-help-fleet-" + std::to_string(::getpid()) + ".ini";
  std::ofstream(fleet) << "[target.a]\nconninfo = host=127.0.0.1 port=1\n";
  auto fleetHelp = runPgreach({"diagnose", "--config", fleet, "--help"});
  std::remove(fleet.c_str());
  CHECK(fleetHelp.exitCode == 0);
  CHECK(fleetHelp.out == diagnose.out);

  auto global = runPgreach({"--help"});
  CHECK(global.exitCode == 0);
  for (const char* cmd : {"diagnose", "checks", "sweep", "audit", "serve", "explain"})
    CHECK(has(global.out, std::string("\n  ") + cmd + " "));
  CHECK(runPgreach({"help"}).out == global.out);
}

TEST_CASE("an unknown command is one line naming every command, exit 3", "[integration][cli]") {
  auto r = runPgreach({"diagnoze"});
  INFO(r.err);
  CHECK(r.exitCode == 3);
  CHECK(has(r.err, kCommands));
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  auto h = runPgreach({"help", "diagnoze"});
  CHECK(h.exitCode == 3);
  CHECK(has(h.err, kCommands));
}

TEST_CASE("on a terminal, NO_COLOR and TERM=dumb turn the colour off", "[integration][cli]") {
  const uint16_t closed = freeLoopbackPort();
  // script(1) gives pgreach a pseudo-terminal as stdout.
  const std::string cmd = pgreachBinary() +
                          " diagnose 'postgresql://app@127.0.0.1:" + std::to_string(closed) +
                          "/appdb' --only tcp --timeout 2s";
  auto onTty = [&](std::vector<std::string> env) {
    return runProcess({"script", "-qec", cmd, "/dev/null"}, std::chrono::seconds(60), env);
  };
  auto colour = onTty({"TERM=xterm", "NO_COLOR="});
  INFO(colour.out << colour.err);
  REQUIRE(has(colour.out, "PGREACH CRITICAL"));
  CHECK(has(colour.out, "\033["));  // the control: a terminal does get colour
  auto noColor = onTty({"TERM=xterm", "NO_COLOR=1"});
  REQUIRE(has(noColor.out, "PGREACH CRITICAL"));
  CHECK_FALSE(has(noColor.out, "\033["));
  auto dumb = onTty({"TERM=dumb", "NO_COLOR="});
  REQUIRE(has(dumb.out, "PGREACH CRITICAL"));
  CHECK_FALSE(has(dumb.out, "\033["));
}

TEST_CASE("-v shows each check's start and end on stderr, without secrets", "[integration][cli]") {
  const uint16_t closed = freeLoopbackPort();
  const std::string target =
      "host=127.0.0.1 port=" + std::to_string(closed) + " user=app password=VerboseSecret42 dbname=appdb";
  auto quiet = runPgreach({"diagnose", target, "--only", "tcp", "--timeout", "2s"});
  CHECK(quiet.exitCode == 2);
  CHECK_FALSE(has(quiet.err, "tcp.connect"));
  auto r = runPgreach({"diagnose", target, "--only", "tcp", "--timeout", "2s", "-v"});
  INFO(r.err);
  CHECK(r.exitCode == 2);
  CHECK(has(r.err, "pgreach: tcp.connect started\n"));
  CHECK(has(r.err, "pgreach: tcp.connect fail "));
  CHECK(r.err.find("tcp.connect started") < r.err.find("tcp.connect fail"));
  CHECK(has(r.err, " ms\n"));
  CHECK_FALSE(has(r.err, "VerboseSecret42"));
  CHECK_FALSE(has(r.out, "VerboseSecret42"));
}

TEST_CASE("-w/-c raise the verdict on the run's time and appear as warn;crit", "[integration][cli]") {
  LocalPostgres pg;
  const std::string target =
      "host=127.0.0.1 port=" + std::to_string(pg.port()) + " user=app dbname=appdb sslmode=disable";
  const std::vector<std::string> base{"diagnose",  target, "--only",   "tcp",
                                      "--timeout", "2s",   "--format", "nagios"};
  auto with = [&](std::vector<std::string> extra) {
    auto args = base;
    args.insert(args.end(), extra.begin(), extra.end());
    return runPgreach(args);
  };
  auto ok = with({"-w", "60", "-c", "120"});
  INFO(ok.out << ok.err);
  CHECK(ok.exitCode == 0);
  CHECK(has(ok.out, "s;60;120;0;"));
  // --repeat makes the run surely longer than 1 ms.
  auto warn = with({"-w", "1ms", "-c", "60", "--repeat", "20"});
  INFO(warn.out << warn.err);
  CHECK(warn.exitCode == 1);
  CHECK(warn.out.rfind("PGREACH WARNING - engine.time_warning: the run took ", 0) == 0);
  CHECK(has(warn.out, "s;0.001;60;0;"));
  auto crit = with({"--warning", "1ms", "--critical", "1ms", "--repeat", "20"});
  INFO(crit.out << crit.err);
  CHECK(crit.exitCode == 2);
  CHECK(crit.out.rfind("PGREACH CRITICAL - engine.time_critical: the run took ", 0) == 0);
  auto explain = runPgreach({"explain", "engine.time_critical"});
  CHECK(explain.exitCode == 0);
  CHECK(has(explain.out, "--critical"));
  auto bad = with({"-w", "soon"});
  CHECK(bad.exitCode == 3);
  CHECK(has(bad.err, "--warning"));
}
