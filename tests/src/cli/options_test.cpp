#include "cli/options.h"

#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <unistd.h>

using pgreach::cli::parseOptions;

TEST_CASE("an option name holding a Boost placeholder is refused, not looped on", "[unit][cli]") {
  // Regression seed from tests/fuzz/corpus/cli_args: Boost.Program_options looped forever
  // formatting the error for this name.
  const char* argv[] = {"pgreach", "-vvvvvvvvvvvvv%canonical_option%vvvvvvvvvvvvvvsvvvvvvvvvvvvvvv%vvvvvvvv~vvvsweep"};
  auto o = parseOptions(2, argv);
  REQUIRE_FALSE(o.ok());
  CHECK(o.error().find("never contain '%'") != std::string::npos);
  const char* argv2[] = {"pgreach", "diagnose", "--%canonical_option%=1"};
  CHECK_FALSE(parseOptions(3, argv2).ok());
  // A '%' in a value is fine.
  const char* argv3[] = {"pgreach", "diagnose", "host=x options=-c%20a", "--timeout", "2s"};
  CHECK(parseOptions(5, argv3).ok());
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
