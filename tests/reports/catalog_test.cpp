// reports/findings.json and the schema's enum of finding codes are copies of the catalogue
// (built from the declarations, engine/codes.h) for readers and tools outside pgreach.
// UPDATE_GOLDEN=1 ./build/pgreach_tests "[catalog]" rewrites findings.json; review the diff.
// The schema's enum is edited by hand (a rewrite would reorder the whole hand-written file).
#include "reports/report/catalog.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <functional>

#include "util/atomic_file.h"

using namespace pgreach;
using nlohmann::json;

namespace {
bool updating() { return std::getenv("UPDATE_GOLDEN") && std::string(std::getenv("UPDATE_GOLDEN")) == "1"; }
const std::string kSource = PGREACH_SOURCE_DIR;
}  // namespace

TEST_CASE("reports/findings.json is the catalogue built from the declarations", "[unit][catalog]") {
  const std::string path = kSource + "/reports/findings.json";
  const json want = reports::catalogJson();
  if (updating()) REQUIRE(util::writeFileAtomically(path, want.dump(2) + "\n"));
  auto text = util::readFile(path);
  REQUIRE(text);
  const json have = json::parse(*text);
  for (const auto& [code, entry] : want.items()) {
    INFO(code << " (UPDATE_GOLDEN=1 rewrites reports/findings.json)");
    CHECK(have.contains(code));
    if (have.contains(code)) CHECK(have[code] == entry);
  }
  for (const auto& [code, entry] : have.items()) {
    INFO(code << " is in findings.json but declared nowhere");
    CHECK(want.contains(code));
  }
}

TEST_CASE("the report schema enumerates the declared finding codes", "[unit][catalog]") {
  const std::string path = kSource + "/reports/schema/report.schema.json";
  auto text = util::readFile(path);
  REQUIRE(text);
  const json schema = json::parse(*text);
  const json codes = reports::knownCodes();  // sorted
  INFO("the enum of $defs.finding.properties.code in reports/schema/report.schema.json, sorted");
  CHECK(schema["$defs"]["finding"]["properties"]["code"]["enum"] == codes);
}

TEST_CASE("every code a playbook names is declared", "[unit][catalog]") {
  const auto known = reports::knownCodes();
  auto matchesSome = [&](const std::string& pattern) {
    const bool prefix = !pattern.empty() && pattern.back() == '*';
    const std::string stem = prefix ? pattern.substr(0, pattern.size() - 1) : pattern;
    return std::any_of(known.begin(), known.end(),
                       [&](const std::string& c) { return prefix ? c.rfind(stem, 0) == 0 : c == stem; });
  };
  std::function<void(const json&, const std::string&)> walk = [&](const json& v, const std::string& file) {
    if (v.is_object()) {
      for (const auto& [k, sub] : v.items()) {
        if (k == "codes") {
          for (const auto& code : sub) {
            INFO(file << ": " << code.get<std::string>());
            CHECK(matchesSome(code.get<std::string>()));
          }
        }
        walk(sub, file);
      }
    } else if (v.is_array()) {
      for (const auto& sub : v) walk(sub, file);
    }
  };
  for (const char* provider : {"azure", "generic", "heroku", "neon", "planetscale"}) {
    const std::string file = kSource + "/reports/playbooks/" + provider + ".json";
    auto text = util::readFile(file);
    REQUIRE(text);
    walk(json::parse(*text), file);
  }
}
