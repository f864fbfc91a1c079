#include "net/address.h"

#include <catch2/catch.hpp>

using pgreach::net::Cidr;
using pgreach::net::IpAddress;

TEST_CASE("CIDR parsing, containment and enumeration", "[unit][net]") {
  auto c = Cidr::parse("10.40.1.77/24");
  REQUIRE(c);
  CHECK(c->toString() == "10.40.1.0/24");
  CHECK(c->contains(*IpAddress::parse("10.40.1.10")));
  CHECK_FALSE(c->contains(*IpAddress::parse("10.40.2.10")));
  CHECK(c->size() == 256);
  CHECK(c->at(255).toString() == "10.40.1.255");
  CHECK(Cidr::parse("10.0.0.0/22")->at(300).toString() == "10.0.1.44");
  CHECK_FALSE(Cidr::parse("10.0.0.0/33"));
  CHECK_FALSE(Cidr::parse("10.0.0.0/"));
  CHECK_FALSE(Cidr::parse("nonsense"));
  auto v6 = Cidr::parse("fd00::/8");
  REQUIRE(v6);
  CHECK(v6->contains(*IpAddress::parse("fd12::1")));
  CHECK_FALSE(v6->contains(*IpAddress::parse("10.0.0.1")));
}

TEST_CASE("private and documentation ranges", "[unit][net]") {
  using pgreach::net::isDocumentation;
  using pgreach::net::isPrivateOrLocal;
  CHECK(isPrivateOrLocal(*IpAddress::parse("10.1.2.3")));
  CHECK(isPrivateOrLocal(*IpAddress::parse("172.31.0.1")));
  CHECK_FALSE(isPrivateOrLocal(*IpAddress::parse("172.32.0.1")));
  CHECK(isPrivateOrLocal(*IpAddress::parse("fd00::1")));
  CHECK_FALSE(isPrivateOrLocal(*IpAddress::parse("3.83.63.168")));
  CHECK(isDocumentation(*IpAddress::parse("198.51.100.20")));
}
