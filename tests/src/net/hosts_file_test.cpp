// The /etc/hosts parser (src/net/hosts_file.*), on text alone.
#include "net/hosts_file.h"

#include <catch2/catch.hpp>

using pgreach::net::parseEtcHosts;

namespace {
const std::string kNeon = "ep-cool-lab-123456.vpce.us-east-1.aws.neon.tech";
}  // namespace

TEST_CASE("/etc/hosts: names and aliases, comments skipped", "[unit][net]") {
  const std::string hosts =
      "127.0.0.1 localhost\n"
      "# 10.9.9.9 " +
      kNeon +
      "\n"
      "10.1.1.1   old-name.example   " +
      kNeon + "  # stale\n";
  auto inHosts = parseEtcHosts(hosts, kNeon);
  REQUIRE(inHosts.size() == 1);
  CHECK(inHosts[0].toString() == "10.1.1.1");
  // Case and the trailing dot do not matter; an alias counts like the first name.
  CHECK(parseEtcHosts(hosts, "OLD-NAME.example.").size() == 1);
  CHECK(parseEtcHosts(hosts, "localhost")[0].toString() == "127.0.0.1");
  CHECK(parseEtcHosts(hosts, "not-there.example").empty());
}

TEST_CASE("/etc/hosts: garbage, IPv6 and repeated lines", "[unit][net]") {
  CHECK(parseEtcHosts("garbage line\n\n::1\n", kNeon).empty());
  CHECK(parseEtcHosts("not-an-address " + kNeon + "\n", kNeon).empty());
  const auto v6 =
      parseEtcHosts("fd00::5 db.example\n10.0.0.1 db.example\nfd00::5 DB.EXAMPLE\n", "db.example");
  REQUIRE(v6.size() == 2);
  CHECK(v6[0].toString() == "fd00::5");
  CHECK(v6[1].toString() == "10.0.0.1");
}

TEST_CASE("/etc/hosts: the lines naming a host, as written, with their numbers", "[unit][net]") {
  const std::string hosts = "127.0.0.1 localhost\n# 10.9.9.9 " + kNeon + "\n10.1.1.1\t" + kNeon +
                            "  # stale\n10.2.2.2 other " + kNeon.substr(0, 5) + "\n";
  const auto lines = pgreach::net::etcHostsLinesFor(hosts, kNeon);
  REQUIRE(lines.size() == 1);
  CHECK(lines[0].number == 3);
  CHECK(lines[0].text == "10.1.1.1\t" + kNeon + "  # stale");
  CHECK(pgreach::net::etcHostsLinesFor(hosts, "absent.example").empty());
}
