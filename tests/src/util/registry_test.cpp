// The one registry template behind checks, formats and code tables.
#include "util/registry.h"

#include <catch2/catch.hpp>

using pgreach::util::Registry;
using pgreach::util::ScopedRegistration;

TEST_CASE("a registry keeps registration order and throws on a duplicate name", "[unit]") {
  Registry<int> r;
  r.add("b", 2);
  r.add("a", 1);
  CHECK(r.names() == std::vector<std::string>{"b", "a"});
  REQUIRE(r.find("a"));
  CHECK(*r.find("a") == 1);
  CHECK(r.find("c") == nullptr);
  CHECK_THROWS_AS(r.add("a", 3), std::logic_error);
  CHECK(*r.find("a") == 1);  // the first registration stands
  CHECK(r.remove("b"));
  CHECK_FALSE(r.remove("b"));
  CHECK(r.names() == std::vector<std::string>{"a"});
}

TEST_CASE("a scoped registration leaves the registry as it found it", "[unit]") {
  Registry<int> r;
  r.add("kept", 1);
  {
    ScopedRegistration<int> fake(r, "fake", 7);
    REQUIRE(r.find("fake"));
    CHECK(*r.find("fake") == 7);
    CHECK_THROWS_AS(ScopedRegistration<int>(r, "kept", 2), std::logic_error);
  }
  CHECK(r.find("fake") == nullptr);
  REQUIRE(r.find("kept"));
  CHECK(*r.find("kept") == 1);
}
