#include "cli/options.h"

#include <unistd.h>
#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>

using pgreach::cli::parseOptions;

TEST_CASE("an option name holding a Boost placeholder is refused, not looped on", "[unit][cli]") {
  // Regression seed from tests/fuzz/corpus/cli_args: Boost.Program_options looped forever
  // formatting the error for this name.
  const char* argv[] = {"pgreach",
                        "-vvvvvvvvvvvvv%canonical_option%vvvvvvvvvvvvvvsvvvvvvvvvvvvvvv%vvvvvvvv~vvvsweep"};
  auto o = parseOptions(2, argv);
  REQUIRE_FALSE(o.ok());
  CHECK(o.error().find("unrecognised option") != std::string::npos);
  const char* argv2[] = {"pgreach", "diagnose", "--%canonical_option%=1"};
  CHECK_FALSE(parseOptions(3, argv2).ok());
  // A '%' in a value is fine.
  const char* argv3[] = {"pgreach", "diagnose", "host=x options=-c%20a", "--timeout", "2s"};
  CHECK(parseOptions(5, argv3).ok());
}

TEST_CASE("a value or a config line holding a Boost placeholder is reported, not looped on", "[unit][cli]") {
  // Regression seed from CI's fuzz run: an invalid value holding %value% made Boost's
  // what() replace %value% with itself forever.
  const char* argv[] = {"pgreach", "diagnose", "host=x", "--repeat", "argument ('%value%')"};
  auto o = parseOptions(5, argv);
  REQUIRE_FALSE(o.ok());
  CHECK(o.error().find("%value%") == std::string::npos);  // values are never echoed
  CHECK(o.error().find("--repeat") != std::string::npos);
  const char* argv2[] = {"pgreach", "diagnose", "host=x", "--max-in-flight",
                         "%canonical_option%%value%%prefix%"};
  auto o2 = parseOptions(5, argv2);
  REQUIRE_FALSE(o2.ok());
  CHECK(o2.error().find("--max-in-flight") != std::string::npos);
  CHECK(o2.error().find("%canonical_option%") == std::string::npos);
  // An ambiguous abbreviation still lists its candidates.
  const char* argv3[] = {"pgreach", "diagnose", "host=x", "--c%value%"};
  CHECK_FALSE(parseOptions(4, argv3).ok());

  char path[] = "/tmp/pgreach-options-test-XXXXXX";
  int fd = ::mkstemp(path);
  REQUIRE(fd >= 0);
  ::close(fd);
  std::ofstream(path) << "%invalid_line%\n";
  const char* argv4[] = {"pgreach", "diagnose", "host=x", "--config", path};
  auto o4 = parseOptions(5, argv4);
  std::remove(path);
  REQUIRE_FALSE(o4.ok());
  CHECK(o4.error().find(":1: expected key = value") != std::string::npos);  // named, not echoed
}

TEST_CASE("the same guard covers --config files", "[unit][cli]") {
  char path[] = "/tmp/pgreach-options-test-XXXXXX";
  int fd = ::mkstemp(path);
  REQUIRE(fd >= 0);
  ::close(fd);
  std::ofstream(path) << "# comment with % is fine\ntimeout = 2s\n%canonical_option% = 1\n";
  const char* argv[] = {"pgreach", "diagnose", "host=x", "--config", path};
  auto o = parseOptions(5, argv);
  REQUIRE_FALSE(o.ok());
  CHECK(o.error().find(path) != std::string::npos);
  std::ofstream(path) << "timeout = 2s\nformat = json\n";
  CHECK(parseOptions(5, argv).ok());
  std::remove(path);
}

TEST_CASE("one format per stream: several formats need --output-dir", "[unit][cli]") {
  // Two documents one after the other on stdout parse as neither (JSON then text).
  const char* twoToStdout[] = {"pgreach", "diagnose", "host=127.0.0.1", "--format", "json,text"};
  auto o = parseOptions(5, twoToStdout);
  REQUIRE_FALSE(o.ok());
  CHECK(o.error() ==
        "stdout takes one --format (2 given); use --output-dir DIR to write one file per format");
  const char* twoToFile[] = {"pgreach",    "diagnose", "host=127.0.0.1",
                             "--format",   "json",     "--format",
                             "prometheus", "-o",       "/tmp/pgreach-never-written.json"};
  auto f = parseOptions(9, twoToFile);
  REQUIRE_FALSE(f.ok());
  CHECK(f.error().find("--output takes one --format") == 0);
  const char* twoToDir[] = {"pgreach",
                            "diagnose",
                            "host=127.0.0.1",
                            "--format",
                            "json,text",
                            "--output-dir",
                            "/tmp/pgreach-never-written"};
  CHECK(parseOptions(7, twoToDir).ok());
  const char* one[] = {"pgreach", "diagnose", "host=127.0.0.1", "--format", "json"};
  CHECK(parseOptions(5, one).ok());
  const char* sweepTwo[] = {"pgreach", "sweep", "127.0.0.0/30", "--format", "text,json"};
  auto s = parseOptions(5, sweepTwo);
  REQUIRE_FALSE(s.ok());
  CHECK(s.error() == "sweep: give one --format (text or json)");
}

namespace {
pgreach::Expected<pgreach::cli::Options> parse(std::vector<const char*> args) {
  args.insert(args.begin(), "pgreach");
  return parseOptions(static_cast<int>(args.size()), args.data());
}
}  // namespace

TEST_CASE("COMMAND --help, COMMAND -h and help COMMAND ask for that command's help", "[unit][cli]") {
  using pgreach::cli::Command;
  for (const char* cmd : {"diagnose", "sweep", "audit", "checks"}) {
    INFO(cmd);
    auto a = parse({cmd, "--help"});
    REQUIRE(a.ok());
    CHECK(a->command == Command::Help);
    REQUIRE(a->helpTopic.has_value());
    auto b = parse({"help", cmd});
    REQUIRE(b.ok());
    CHECK(b->command == Command::Help);
    CHECK(b->helpTopic == a->helpTopic);
    auto c = parse({cmd, "-h"});
    REQUIRE(c.ok());
    CHECK(c->helpTopic == a->helpTopic);
  }
  CHECK(parse({"sweep", "--help"})->helpTopic == Command::Sweep);
  CHECK(parse({"help", "diagnose"})->helpTopic == Command::Diagnose);
  // explain takes a code, yet --help is its help, not a code named "--help".
  auto e = parse({"explain", "--help"});
  REQUIRE(e.ok());
  CHECK(e->command == Command::Help);
  CHECK(e->helpTopic == Command::Explain);
  // serve's options are the app's (parseServeArgs): the CLI only routes it, and --help
  // anywhere after it, or `help serve`, is serve's help.
  CHECK(parse({"serve", "--config", "fleet.ini", "--listen", "127.0.0.1:1"})->command == Command::Serve);
  for (auto args : {std::vector<const char*>{"serve", "--help"},
                    {"serve", "--config", "f.ini", "-h"},
                    {"help", "serve"}}) {
    auto s = parse(args);
    REQUIRE(s.ok());
    CHECK(s->command == Command::Help);
    CHECK(s->helpTopic == Command::Serve);
  }
  // The global help has no topic.
  CHECK_FALSE(parse({"--help"})->helpTopic.has_value());
  CHECK_FALSE(parse({"help"})->helpTopic.has_value());
  auto bad = parse({"help", "diagnoze"});
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().find("diagnose, checks, sweep, audit, serve, explain, help") != std::string::npos);
}

TEST_CASE("each command's help lists only the options it reads", "[unit][cli]") {
  using pgreach::cli::Command;
  using pgreach::cli::commandHelpText;
  const auto sweep = commandHelpText(Command::Sweep);
  CHECK(sweep.rfind("Usage: pgreach sweep CIDR...", 0) == 0);
  CHECK(sweep.find("--max-in-flight") != std::string::npos);
  CHECK(sweep.find("--ports") != std::string::npos);
  CHECK(sweep.find("--aws-json") == std::string::npos);
  CHECK(sweep.find("--cert-warn-days") == std::string::npos);
  const auto diagnose = commandHelpText(Command::Diagnose);
  CHECK(diagnose.rfind("Usage: pgreach diagnose", 0) == 0);
  for (const char* opt : {"--aws-json", "--repeat", "--cert-warn-days", "--output-dir", "--warning",
                          "--critical", "--no-color", "--verbose"})
    CHECK(diagnose.find(opt) != std::string::npos);
  CHECK(diagnose.find("--max-in-flight") == std::string::npos);
  const auto checks = commandHelpText(Command::Checks);
  CHECK(checks.find("--json") != std::string::npos);
  CHECK(checks.find("--ports") == std::string::npos);
  const auto serve = commandHelpText(Command::Serve);
  CHECK(serve.rfind("Usage: pgreach serve --config FLEET.INI", 0) == 0);
  for (const char* opt : {"\n  --config ", "\n  --listen ", "\n  --web-config ", "\n  --max-concurrent ",
                          "\n  --min-interval ", "\n  --client-timeout ", "\n  --connection-limit ",
                          "/probe?target=NAME", "\nExamples:\n  pgreach serve --config "})
    CHECK(serve.find(opt) != std::string::npos);
  CHECK(serve.find("--max-in-flight") == std::string::npos);
  const auto explain = commandHelpText(Command::Explain);
  CHECK(explain.rfind("Usage: pgreach explain CODE", 0) == 0);
  CHECK(explain.find("--ports") == std::string::npos);
  // The global help names every command, each on its own line.
  const auto global = pgreach::cli::helpText();
  for (const char* cmd : {"\n  diagnose ", "\n  checks ", "\n  sweep ", "\n  audit ", "\n  serve ",
                          "\n  explain ", "\n  help "})
    CHECK(global.find(cmd) != std::string::npos);
  CHECK(global.find("\n  pgreach serve --config ") != std::string::npos);  // an example
  CHECK(pgreach::cli::shortUsage().find("\n  sweep ") != std::string::npos);
  CHECK(pgreach::cli::shortUsage().find("\n  serve ") != std::string::npos);
}

TEST_CASE("the unknown-command error lists every command", "[unit][cli]") {
  auto o = parse({"diagnoze"});
  REQUIRE_FALSE(o.ok());
  CHECK(o.error().find("diagnose, checks, sweep, audit, serve, explain, help") != std::string::npos);
}

TEST_CASE("an option name accepted before is still accepted by its command", "[unit][cli]") {
  // The tables were split per command; parsing still knows every name.
  CHECK(parse({"diagnose", "host=127.0.0.1", "--repeat", "2", "--cert-warn-days", "5", "--aws-json", "/tmp/x",
               "--output-dir", "/tmp/y", "--no-color", "-v"})
            .ok());
  CHECK(parse({"sweep", "127.0.0.1/32", "--max-in-flight", "8", "--rate", "5", "--ports", "5432"}).ok());
  CHECK(parse({"checks", "--json"}).ok());
}

TEST_CASE("colour is off with NO_COLOR set and non-empty, or TERM=dumb", "[unit][cli]") {
  using pgreach::cli::colorAllowed;
  CHECK(colorAllowed(nullptr, nullptr));
  CHECK(colorAllowed(nullptr, "xterm-256color"));
  CHECK_FALSE(colorAllowed("1", "xterm"));
  CHECK_FALSE(colorAllowed("0", nullptr));  // any non-empty value (no-color.org)
  CHECK(colorAllowed("", "xterm"));         // empty is as if unset
  CHECK_FALSE(colorAllowed(nullptr, "dumb"));
  CHECK_FALSE(parse({"diagnose", "host=127.0.0.1", "--no-color"})->color);
}

TEST_CASE("-v sets the verbosity; -w/-c parse as thresholds on the run's time", "[unit][cli]") {
  CHECK(parse({"diagnose", "host=127.0.0.1", "-v"})->verbosity == 1);
  CHECK(parse({"diagnose", "host=127.0.0.1", "--verbose"})->verbosity == 1);
  CHECK(parse({"diagnose", "host=127.0.0.1"})->verbosity == 0);
  auto o = parse({"diagnose", "host=127.0.0.1", "-w", "1", "-c", "2.5"});
  REQUIRE(o.ok());
  REQUIRE(o->warnTime);
  CHECK(o->warnTime->endMs == 1000.0);
  CHECK(o->warnTime->startMs == 0.0);
  CHECK(o->critTime->endMs == 2500.0);
  auto ms = parse({"diagnose", "host=127.0.0.1", "--warning", "500ms"});
  REQUIRE(ms.ok());
  CHECK(ms->warnTime->endMs == 500.0);
  CHECK_FALSE(ms->critTime.has_value());
  auto bad = parse({"diagnose", "host=127.0.0.1", "-w", "soon"});
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().find("--warning") != std::string::npos);
  auto order = parse({"diagnose", "host=127.0.0.1", "-w", "3", "-c", "2"});
  REQUIRE_FALSE(order.ok());
  CHECK(order.error().find("--warning is above --critical") != std::string::npos);
}

TEST_CASE("threshold ranges parse as the monitoring-plugin guidelines define them", "[unit][cli]") {
  using pgreach::cli::parseThreshold;
  // "10": alert outside 0..10.
  auto plain = parseThreshold("10", "--warning");
  REQUIRE(plain.ok());
  CHECK_FALSE(plain->alerts(0));
  CHECK_FALSE(plain->alerts(10000));  // the end is inside
  CHECK(plain->alerts(10001));
  CHECK(plain->perfdata() == "10");
  // "10:": alert below 10.
  auto low = parseThreshold("10:", "--warning");
  REQUIRE(low.ok());
  CHECK(low->alerts(9999));
  CHECK_FALSE(low->alerts(10000));
  CHECK_FALSE(low->alerts(1e9));
  CHECK(low->perfdata() == "10:");
  // "~:10": alert above 10, no lower end.
  auto tilde = parseThreshold("~:10", "--warning");
  REQUIRE(tilde.ok());
  CHECK_FALSE(tilde->startMs.has_value());
  CHECK_FALSE(tilde->alerts(-5));
  CHECK(tilde->alerts(10001));
  CHECK(tilde->perfdata() == "~:10");
  // "10:20": alert outside; "@10:20": alert inside (ends included).
  auto outside = parseThreshold("10:20", "--warning");
  REQUIRE(outside.ok());
  CHECK(outside->alerts(9000));
  CHECK_FALSE(outside->alerts(15000));
  CHECK(outside->alerts(21000));
  auto inside = parseThreshold("@10:20", "--warning");
  REQUIRE(inside.ok());
  CHECK(inside->alerts(10000));
  CHECK(inside->alerts(20000));
  CHECK_FALSE(inside->alerts(9000));
  CHECK(inside->perfdata() == "@10:20");
  // Ends take the duration units --timeout takes; perfdata writes seconds.
  auto units = parseThreshold("50ms:1.5s", "--warning-connect");
  REQUIRE(units.ok());
  CHECK(units->startMs == 50.0);
  CHECK(units->endMs == 1500.0);
  CHECK(units->perfdata() == "0.05:1.5");
  CHECK(parseThreshold("0:2", "--warning").ok());
  // Refused, naming the option: not a number, start above end, no end at all, hex, negative.
  for (const char* bad : {"soon", "20:10", "~:", "0x10", "-1", "@", ":"}) {
    auto r = parseThreshold(bad, "--critical-handshake");
    INFO(bad);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().find("--critical-handshake: invalid range") == 0);
  }
}

TEST_CASE("connect and handshake thresholds parse, and plain limits in the wrong order are refused",
          "[unit][cli]") {
  auto o = parse({"diagnose", "host=127.0.0.1", "--warning-connect", "100ms", "--critical-connect", "1",
                  "--warning-handshake", "~:0.5", "--critical-handshake", "@2:3"});
  REQUIRE(o.ok());
  CHECK(o->warnConnect->endMs == 100.0);
  CHECK(o->critConnect->endMs == 1000.0);
  CHECK_FALSE(o->warnHandshake->startMs.has_value());
  CHECK(o->critHandshake->inside);
  auto order = parse({"diagnose", "host=127.0.0.1", "--warning-connect", "2", "--critical-connect", "1"});
  REQUIRE_FALSE(order.ok());
  CHECK(order.error().find("--warning-connect is above --critical-connect") != std::string::npos);
  const auto help = pgreach::cli::commandHelpText(pgreach::cli::Command::Diagnose);
  for (const char* opt :
       {"--warning-connect", "--critical-connect", "--warning-handshake", "--critical-handshake"})
    CHECK(help.find(opt) != std::string::npos);
}
