// Finding codes are declared once (engine/codes.h): every code the sources can emit is
// declared, every declaration is complete, and the scheduler flags an undeclared code.
#include "engine/codes.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "engine/registry.h"
#include "engine/scheduler.h"

using namespace pgreach;
using engine::CheckInfo;
using engine::CodeDecl;
using engine::Severity;

namespace {

// Every declaration, by code, with where it was declared.
std::multimap<std::string, std::pair<std::string, CodeDecl>> allDeclarations() {
  std::multimap<std::string, std::pair<std::string, CodeDecl>> out;
  for (const auto& info : engine::Registry::instance().infos()) {
    for (const auto& d : info.codes) out.emplace(d.code, std::make_pair(info.id, d));
  }
  for (const auto& [name, codes] : engine::codeTables().entries()) {
    for (const auto& d : codes) out.emplace(d.code, std::make_pair(name, d));
  }
  return out;
}

// String literals shaped like a finding code ("tcp.silently_dropped") in checks/, src/ and
// reports/, with the file each was first seen in. The declaration tables (codes.cpp) are
// left out, or every declaration would count as a use. Check ids of three parts
// ("cloud.aws.path") do not match; two-part ids are told apart below.
std::map<std::string, std::string> codeLiteralsInSources() {
  namespace fs = std::filesystem;
  const std::regex literal(R"re("((?:dns|tcp|tls|pg|cloud|engine)\.[a-z0-9_]+)")re");
  std::map<std::string, std::string> out;
  for (const char* dir : {"checks", "src", "reports"}) {
    for (const auto& e : fs::recursive_directory_iterator(fs::path(PGREACH_SOURCE_DIR) / dir)) {
      const auto ext = e.path().extension();
      if (!e.is_regular_file() || (ext != ".cpp" && ext != ".h") || e.path().stem() == "codes") continue;
      std::ifstream in(e.path());
      std::stringstream text;
      text << in.rdbuf();
      const std::string s = text.str();
      for (std::sregex_iterator it(s.begin(), s.end(), literal), end; it != end; ++it) {
        out.emplace((*it)[1], fs::relative(e.path(), PGREACH_SOURCE_DIR).string());
      }
    }
  }
  return out;
}

// Literals of that shape that are not finding codes, each with the reason.
const std::map<std::string, std::string> kNotCodes = {
    {"engine.input", "the id of the pseudo-check badInputReport builds (src/app/run_target.cpp)"},
    {"cloud.coverage",
     "the id of the pseudo-check an audit adds when it evaluated nothing (src/app/audit.cpp)"},
    {"dns.ok", "codeFor's value for a resolver that answered (checks/dns/evaluate.cpp); never a finding"},
};

// Declared but no longer emitted: kept so `explain` and older reports still find it.
const std::set<std::string> kKeptForOldReports = {"dns.resolution_failed"};

}  // namespace

TEST_CASE("every finding code in the sources is declared", "[unit]") {
  const auto declared = allDeclarations();
  std::set<std::string> checkIds;
  for (const auto& info : engine::Registry::instance().infos()) checkIds.insert(info.id);
  const auto literals = codeLiteralsInSources();
  REQUIRE(literals.size() > 100);
  for (const auto& [code, file] : literals) {
    if (checkIds.count(code) || kNotCodes.count(code)) continue;
    INFO(code << " in " << file << ": declare it in the emitting check's CheckInfo::codes (engine/codes.h)");
    CHECK(declared.count(code) > 0);
  }
  // And the other way: a declaration nothing emits is stale.
  for (const auto& [code, where] : declared) {
    INFO(code << " declared by " << where.first << " but not in the sources");
    CHECK((literals.count(code) > 0 || kKeptForOldReports.count(code) > 0));
  }
}

TEST_CASE("every declaration is complete and the same wherever the code is declared", "[unit]") {
  const auto declared = allDeclarations();
  const std::regex shape(R"(^(dns|tcp|tls|pg|cloud|engine)\.[a-z0-9_]+$)");
  for (const auto& [code, where] : declared) {
    INFO(code << " declared by " << where.first);
    const CodeDecl& d = where.second;
    CHECK(std::regex_match(code, shape));
    CHECK_FALSE(d.title.empty());
    CHECK_FALSE(d.meaning.empty());
    CHECK_FALSE(d.why.empty());
    CHECK_FALSE(d.fix.empty());
    const CodeDecl& first = declared.find(code)->second.second;
    CHECK(d.title == first.title);
    CHECK(d.meaning == first.meaning);
    CHECK(d.why == first.why);
    CHECK(d.fix == first.fix);
    CHECK(d.severity == first.severity);
  }
  for (const auto& info : engine::Registry::instance().infos()) {
    INFO(info.id);
    CHECK_FALSE(info.codes.empty());
  }
}

TEST_CASE("pickCodes refuses a code its table does not declare", "[unit]") {
  const std::vector<CodeDecl> table = {{"tcp.a", Severity::Info, "t", "m", "w", "f"},
                                       {"tcp.b", Severity::Critical, "t", "m", "w", "f"}};
  auto picked = engine::pickCodes(table, {"tcp.b"});
  REQUIRE(picked.size() == 1);
  CHECK(picked[0].severity == Severity::Critical);
  CHECK_THROWS_AS(engine::pickCodes(table, {"tcp.c"}), std::logic_error);
}

TEST_CASE("undeclaredCodes names what a check emitted without declaring", "[unit]") {
  CheckInfo info{"x.check", engine::Stage::Tcp, "x", {}, engine::Millis(1000)};
  info.codes = {{"tcp.declared", Severity::Warning, "t", "m", "w", "f"}};
  std::vector<engine::Finding> findings = {{"tcp.declared", Severity::Warning, "", {}, ""},
                                           {"tcp.stray", Severity::Info, "", {}, ""},
                                           {"tcp.stray", Severity::Info, "", {}, ""},
                                           {"engine.check_exception", Severity::Critical, "", {}, ""}};
  CHECK(engine::undeclaredCodes(info, findings) == std::vector<std::string>{"tcp.stray"});
}

namespace {
class EmitsCheck final : public engine::Check {
 public:
  explicit EmitsCheck(CheckInfo info) : info_(std::move(info)) {}
  const CheckInfo& info() const override { return info_; }
  engine::CheckResult run(engine::CheckContext&) override {
    engine::CheckResult r;
    r.status = engine::Status::Warn;
    r.findings = {{"tcp.declared", Severity::Warning, "ok", {}, ""},
                  {"tcp.stray", Severity::Info, "stray", {}, ""}};
    return r;
  }

 private:
  CheckInfo info_;
};
}  // namespace

TEST_CASE("the scheduler marks an undeclared code and leaves the status alone", "[unit][engine]") {
  CheckInfo info{"x.check", engine::Stage::Tcp, "x", {}, engine::Millis(1000)};
  info.codes = {{"tcp.declared", Severity::Warning, "t", "m", "w", "f"}};
  std::vector<std::unique_ptr<engine::Check>> checks;
  checks.push_back(std::make_unique<EmitsCheck>(info));
  auto plan = engine::makePlan(std::move(checks), {}, {});
  REQUIRE(plan.ok());
  auto target = *target::Target::parse("host=127.0.0.1 port=1");
  engine::RunConfig options;
  engine::SteadyClockSource clock;
  engine::RunSettings s;
  s.deadline = clock.now() + engine::Millis(5000);
  auto results = engine::runPlan(*plan, target, options, clock, s);
  REQUIRE(results.size() == 1);
  const auto& r = results[0];
  CHECK(r.status == engine::Status::Warn);
  REQUIRE(r.findings.size() == 3);
  CHECK(r.findings[2].code == "engine.undeclared_code");
  CHECK(r.findings[2].severity == Severity::Warning);
  CHECK(r.findings[2].evidence == std::vector<std::string>{"tcp.stray"});
}
