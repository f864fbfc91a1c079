// The support bundle carries the packet capture written by --capture-file.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>

#include "support/postgres.h"
#include "support/process.h"

using namespace pgreach::testing;

TEST_CASE("the support bundle carries the capture file", "[integration][bundle]") {
  if (::geteuid() != 0) FAIL("this test needs root: packet capture (CAP_NET_RAW) is what it checks");
  char tmpl[] = "/tmp/pgreach-it-bundle-XXXXXX";
  REQUIRE(::mkdtemp(tmpl));
  const std::string dir = tmpl;
  const uint16_t closed = freeLoopbackPort();
  auto r =
      runProcess({pgreachBinary(), "diagnose", "host=127.0.0.1 port=" + std::to_string(closed) + " user=app",
                  "--only", "tcp", "--timeout", "1s", "--format", "json", "--capture-file",
                  dir + "/probe.pcap", "--bundle", dir + "/support.tar.gz"},
                 std::chrono::seconds(30));
  INFO(r.out << r.err);
  CHECK(r.exitCode == 2);
  auto list = runProcess({"tar", "tzf", dir + "/support.tar.gz"}, std::chrono::seconds(10));
  INFO(list.out << list.err);
  CHECK(list.out.find("capture.pcap") != std::string::npos);
  CHECK(list.out.find("report.json") != std::string::npos);
  runProcess({"rm", "-rf", dir}, std::chrono::seconds(5));
}
