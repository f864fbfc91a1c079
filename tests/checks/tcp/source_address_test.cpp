#include "net/source_address.h"

#include <catch2/catch.hpp>

using namespace pgreach;

TEST_CASE("the source address toward loopback is a loopback address", "[integration][tcp]") {
  auto src = net::sourceAddressFor(*net::IpAddress::parse("127.0.0.1"));
  REQUIRE(src);
  CHECK(src->toString() == "127.0.0.1");
}
