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
  CHECK(o4.error().find("invalid line") != std::string::npos);  // named, not echoed
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
