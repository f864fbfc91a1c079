// Formats and checks share util::Registry: a duplicate name throws, and a test can put a
// fake in for its scope.
#include "engine/registry.h"

#include <catch2/catch.hpp>

#include "reports/render/render.h"

using namespace pgreach;

TEST_CASE("registering a format name twice throws instead of replacing the first", "[unit]") {
  auto renderFake = [](const reports::Report&, const reports::RenderOptions&) { return std::string("fake"); };
  CHECK_THROWS_AS(reports::RegisterFormat("json", renderFake, "json"), std::logic_error);
  // The real JSON renderer is still the one registered.
  auto text = reports::render(reports::Report{}, "json", {});
  REQUIRE(text);
  CHECK(*text != "fake");
}

TEST_CASE("a test can add a fake format for its scope", "[unit]") {
  {
    util::ScopedRegistration<reports::Format> fake(
        reports::formats(), "fake",
        {[](const reports::Report&, const reports::RenderOptions&) { return std::string("fake report"); },
         "fk", nullptr});
    CHECK(reports::render(reports::Report{}, "fake", {}) == std::optional<std::string>("fake report"));
    CHECK(reports::formatExtension("fake") == "fk");
  }
  CHECK_FALSE(reports::render(reports::Report{}, "fake", {}).has_value());
  const auto names = reports::formatNames();
  CHECK(std::is_sorted(names.begin(), names.end()));
}

TEST_CASE("registering a check id twice throws", "[unit]") {
  engine::Registry checks;  // not the global one
  auto factory = [] {
    auto all = engine::Registry::instance().createAll();
    return std::move(all.front());
  };
  checks.add(factory);
  CHECK_THROWS_AS(checks.add(factory), std::logic_error);
  CHECK(checks.infos().size() == 1);
}
