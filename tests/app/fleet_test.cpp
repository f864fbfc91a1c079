// Pure parts of the app layer: the tar writer, address masking, exit-code ordering (the
// config parser fleets use is tested in tests/src/cli/config_file_test.cpp).
#include <catch2/catch.hpp>

#include "app/bundle.h"
#include "app/fleet.h"
#include "app/tar_gz.h"

using namespace pgreach;

TEST_CASE("a bundle path shared by fleet targets gets each target's name", "[unit]") {
  CHECK(app::fleetBundlePath("/var/tmp/pg.tar.gz", "db1", true) == "/var/tmp/pg-db1.tar.gz");
  CHECK(app::fleetBundlePath("/var/tmp/pg.tar.gz", "db1", false) == "/var/tmp/pg.tar.gz");
  CHECK(app::fleetBundlePath("bundle", "db-2", true) == "bundle-db-2");
  CHECK(app::fleetBundlePath(".tar.gz", "x", true) == ".tar.gz-x");
}

TEST_CASE("worst exit code: critical over unknown over warning over ok", "[unit]") {
  CHECK(app::worseExitCode(0, 2) == 2);
  CHECK(app::worseExitCode(3, 2) == 2);
  CHECK(app::worseExitCode(3, 1) == 3);
  CHECK(app::worseExitCode(1, 0) == 1);
}

TEST_CASE("tar headers are ustar with valid checksums", "[unit]") {
  auto tar = app::makeTar({{"a/report.md", "hello"}, {"a/empty", ""}}, 1795262400);
  REQUIRE(tar);
  REQUIRE(tar->size() == 512 + 512 + 512 + 1024);
  CHECK(tar->compare(257, 5, "ustar") == 0);
  unsigned sum = 0;
  for (int i = 0; i < 512; ++i) sum += (i >= 148 && i < 156) ? ' ' : static_cast<unsigned char>((*tar)[i]);
  CHECK(std::stoul(tar->substr(148, 6), nullptr, 8) == sum);
  CHECK(std::stoul(tar->substr(124, 11), nullptr, 8) == 5);
  CHECK(tar->substr(512, 5) == "hello");
  CHECK_FALSE(app::makeTar({{"../escape", "x"}}, 0));
  CHECK_FALSE(app::makeTar({{"/abs", "x"}}, 0));
  auto gz = app::gzip(*tar);
  REQUIRE(gz);
  CHECK(static_cast<unsigned char>((*gz)[0]) == 0x1f);
  CHECK(static_cast<unsigned char>((*gz)[1]) == 0x8b);
}

TEST_CASE("address masking is consistent and leaves other text alone", "[unit]") {
  app::AddressMasker m;
  const std::string out = m.apply(
      "10.40.2.120:5432 open; 10.40.3.118 and 10.40.2.120 again; ::1 and fd00::5; "
      "v1.2.3 std::string 23:21:29 pslab01.private-pg.psdb.cloud sg-0a1");
  CHECK(out.find("10.40") == std::string::npos);
  CHECK(out.find("fd00::5") == std::string::npos);
  CHECK(out.find("ip-masked-1:5432 open; ip-masked-2 and ip-masked-1 again") == 0);
  CHECK(out.find("v1.2.3") != std::string::npos);
  CHECK(out.find("std::string") != std::string::npos);
  CHECK(out.find("23:21:29") != std::string::npos);
  CHECK(out.find("pslab01.private-pg.psdb.cloud") != std::string::npos);
  // The same masker keeps the mapping across files.
  CHECK(m.apply("10.40.3.118") == "ip-masked-2");
}
