// Redaction must keep a JSON report valid: the password= pattern may not swallow the
// closing quote of the string it sits in.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "util/redact.h"

using namespace pgreach;

TEST_CASE("redacting a JSON report keeps it valid JSON", "[unit]") {
  util::Redactor r;
  r.addSecret("fleet-secret-pw");
  const std::string doc = nlohmann::json{{"conninfo", "host=h password=fleet-secret-pw"}, {"x", 1}}.dump(2);
  const std::string out = r.apply(doc);
  CHECK(out.find("fleet-secret-pw") == std::string::npos);
  auto j = nlohmann::json::parse(out, nullptr, false);
  REQUIRE_FALSE(j.is_discarded());
  CHECK(j["x"] == 1);
  const std::string hidden = nlohmann::json{{"c", "user=app password=<HIDDEN>"}}.dump();
  CHECK_FALSE(nlohmann::json::parse(r.apply(hidden), nullptr, false).is_discarded());
}
