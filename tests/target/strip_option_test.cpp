#include "target/strip_option.h"

#include <catch2/catch.hpp>

#include "target/target.h"

using pgreach::target::stripOption;
using pgreach::target::Target;

TEST_CASE("sslnegotiation is taken out of keyword/value strings", "[unit]") {
  auto r = stripOption("host=db sslnegotiation=direct sslmode=verify-full", "sslnegotiation");
  REQUIRE(r.value);
  CHECK(*r.value == "direct");
  CHECK(r.conninfo == "host=db sslmode=verify-full");

  auto quoted = stripOption("host=db sslnegotiation = 'direct' password='a b\\'c'", "sslnegotiation");
  REQUIRE(quoted.value);
  CHECK(*quoted.value == "direct");
  CHECK(quoted.conninfo == "host=db password='a b\\'c'");

  auto none = stripOption("host=db", "sslnegotiation");
  CHECK_FALSE(none.value);
  CHECK(none.conninfo == "host=db");
  // Unreadable input comes back unchanged (libpq reports the error).
  auto broken = stripOption("host=db sslnegotiation='direct", "sslnegotiation");
  CHECK_FALSE(broken.value);
  CHECK(broken.conninfo == "host=db sslnegotiation='direct");
}

TEST_CASE("sslnegotiation is taken out of URI query parameters", "[unit]") {
  auto r = stripOption("postgresql://u@db/app?sslnegotiation=direct&sslmode=verify-full", "sslnegotiation");
  REQUIRE(r.value);
  CHECK(*r.value == "direct");
  CHECK(r.conninfo == "postgresql://u@db/app?sslmode=verify-full");
  auto only = stripOption("postgres://db?sslnegotiation=d%69rect", "sslnegotiation");
  CHECK(*only.value == "direct");
  CHECK(only.conninfo == "postgres://db");
}

TEST_CASE("Target::parse accepts sslnegotiation with libpq 15 and remembers it", "[unit]") {
  auto t = Target::parse("host=db.example user=app sslnegotiation=direct sslmode=verify-full");
  REQUIRE(t.ok());
  CHECK(t->option("sslnegotiation") == "direct");
  CHECK(t->option("sslmode") == "verify-full");
  CHECK(t->printable().find("sslnegotiation=direct") != std::string::npos);
  auto u = Target::parse("postgresql://app:pw@db.example/app?sslnegotiation=direct");
  REQUIRE(u.ok());
  CHECK(u->option("sslnegotiation") == "direct");
  CHECK(u->password().reveal() == "pw");
}
