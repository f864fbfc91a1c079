#include "engine/scheduler.h"
#include "reports/report/report.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <functional>
#include <stdexcept>
#include <thread>

using namespace pgreach;
using engine::CheckInfo;
using engine::CheckResult;
using engine::Millis;
using engine::Status;

namespace {

// A check whose behaviour the test decides.
class FakeCheck final : public engine::Check {
 public:
  FakeCheck(CheckInfo info, std::function<CheckResult(engine::CheckContext&)> body)
      : info_(std::move(info)), body_(std::move(body)) {}
  const CheckInfo& info() const override { return info_; }
  CheckResult run(engine::CheckContext& ctx) override { return body_(ctx); }

 private:
  CheckInfo info_;
  std::function<CheckResult(engine::CheckContext&)> body_;
};

CheckResult withStatus(Status s) {
  CheckResult r;
  r.status = s;
  return r;
}

std::unique_ptr<engine::Check> fake(std::string id, std::vector<std::string> deps, Status s,
                                    engine::Stage stage = engine::Stage::Tcp) {
  return std::make_unique<FakeCheck>(CheckInfo{std::move(id), stage, "fake", std::move(deps), Millis(2000)},
                                     [s](engine::CheckContext&) { return withStatus(s); });
}

struct Fixture {
  target::Target target = *target::Target::parse("host=127.0.0.1 port=1");
  engine::RunConfig options;
  engine::SteadyClockSource clock;
  std::vector<CheckResult> run(std::vector<std::unique_ptr<engine::Check>> checks,
                               Millis deadline = Millis(5000), std::vector<std::string> only = {},
                               std::vector<std::string> skip = {}) {
    auto plan = engine::makePlan(std::move(checks), only, skip);
    REQUIRE(plan.ok());
    engine::RunSettings s;
    s.deadline = clock.now() + deadline;
    s.overrunGrace = Millis(100);
    return engine::runPlan(*plan, target, options, clock, s);
  }
  static const CheckResult& find(const std::vector<CheckResult>& rs, const std::string& id) {
    for (const auto& r : rs) {
      if (r.id == id) return r;
    }
    FAIL("no result for " << id);
    throw std::logic_error("unreachable");
  }
};

}  // namespace

TEST_CASE("checks run in dependency order and see their dependencies", "[unit][engine]") {
  Fixture f;
  std::vector<std::unique_ptr<engine::Check>> checks;
  checks.push_back(std::make_unique<FakeCheck>(CheckInfo{"b", engine::Stage::Tcp, "b", {"a"}, Millis(1000)},
                                               [](engine::CheckContext& ctx) {
                                                 auto* a = ctx.dependency("a");
                                                 CheckResult r = withStatus(Status::Pass);
                                                 r.summary = a ? a->data.value("word", "") : "missing";
                                                 return r;
                                               }));
  checks.push_back(std::make_unique<FakeCheck>(CheckInfo{"a", engine::Stage::Dns, "a", {}, Millis(1000)},
                                               [](engine::CheckContext&) {
                                                 CheckResult r = withStatus(Status::Pass);
                                                 r.data["word"] = "from-a";
                                                 return r;
                                               }));
  auto rs = f.run(std::move(checks));
  REQUIRE(rs.size() == 2);
  CHECK(rs[0].id == "a");  // topological order
  CHECK(rs[1].summary == "from-a");
  CHECK(rs[0].stage == engine::Stage::Dns);
}

TEST_CASE("independent checks run concurrently", "[unit][engine]") {
  Fixture f;
  std::vector<std::unique_ptr<engine::Check>> checks;
  for (int i = 0; i < 4; ++i) {
    checks.push_back(std::make_unique<FakeCheck>(
        CheckInfo{"sleep" + std::to_string(i), engine::Stage::Tcp, "s", {}, Millis(2000)},
        [](engine::CheckContext&) {
          std::this_thread::sleep_for(std::chrono::milliseconds(300));
          return withStatus(Status::Pass);
        }));
  }
  const auto begin = std::chrono::steady_clock::now();
  auto rs = f.run(std::move(checks));
  const auto took = std::chrono::steady_clock::now() - begin;
  CHECK(rs.size() == 4);
  CHECK(took < std::chrono::milliseconds(1000));  // 4 × 300 ms in sequence would be 1200 ms
}

TEST_CASE("a check blocked by one with nothing to check has nothing to check either", "[unit][engine]") {
  Fixture f;
  std::vector<std::unique_ptr<engine::Check>> checks;
  checks.push_back(fake("cloud", {}, Status::Skip, engine::Stage::Cloud));
  checks.push_back(fake("cloud.path", {"cloud"}, Status::Pass, engine::Stage::Cloud));
  auto rs = f.run(std::move(checks));
  CHECK(Fixture::find(rs, "cloud.path").status == Status::Skip);
  CHECK(Fixture::find(rs, "cloud.path").state() == util::ResultState::NotApplicable);
}

TEST_CASE("dependents of a failed check are skipped with the blocker named", "[unit][engine]") {
  Fixture f;
  std::vector<std::unique_ptr<engine::Check>> checks;
  checks.push_back(fake("dns", {}, Status::Fail, engine::Stage::Dns));
  checks.push_back(fake("tcp", {"dns"}, Status::Pass));
  checks.push_back(fake("tls", {"tcp"}, Status::Pass));
  checks.push_back(fake("other", {}, Status::Warn));
  auto rs = f.run(std::move(checks));
  CHECK(Fixture::find(rs, "tcp").status == Status::Skip);
  CHECK(Fixture::find(rs, "tcp").summary.find("blocked by dns") != std::string::npos);
  CHECK(Fixture::find(rs, "tls").status == Status::Skip);
  CHECK(Fixture::find(rs, "other").status == Status::Warn);
  // Asked for but blocked: undecided, not "nothing to check".
  CHECK(Fixture::find(rs, "tcp").state() == util::ResultState::NotVerified);
  CHECK(Fixture::find(rs, "dns").state() == util::ResultState::Failed);
  CHECK(Fixture::find(rs, "other").state() == util::ResultState::Passed);
}

TEST_CASE("an exception inside a check becomes error without losing other results", "[unit][engine]") {
  Fixture f;
  std::vector<std::unique_ptr<engine::Check>> checks;
  checks.push_back(std::make_unique<FakeCheck>(
      CheckInfo{"boom", engine::Stage::Tls, "b", {}, Millis(1000)},
      [](engine::CheckContext&) -> CheckResult { throw std::runtime_error("kaboom"); }));
  checks.push_back(fake("fine", {}, Status::Pass));
  auto rs = f.run(std::move(checks));
  const auto& boom = Fixture::find(rs, "boom");
  CHECK(boom.status == Status::Error);
  REQUIRE_FALSE(boom.findings.empty());
  CHECK(boom.findings[0].code == "engine.check_exception");
  CHECK(boom.findings[0].evidence[0] == "kaboom");
  CHECK(Fixture::find(rs, "fine").status == Status::Pass);
}

TEST_CASE("the overall deadline holds even if a check ignores it", "[unit][engine]") {
  Fixture f;
  auto release = std::make_shared<std::atomic<bool>>(false);
  std::vector<std::unique_ptr<engine::Check>> checks;
  checks.push_back(std::make_unique<FakeCheck>(CheckInfo{"hang", engine::Stage::Tcp, "h", {}, Millis(60000)},
                                               [release](engine::CheckContext&) {
                                                 for (int i = 0; i < 100 && !*release; ++i) {
                                                   std::this_thread::sleep_for(std::chrono::milliseconds(50));
                                                 }
                                                 return withStatus(Status::Pass);
                                               }));
  checks.push_back(fake("after-hang", {"hang"}, Status::Pass));
  const auto begin = std::chrono::steady_clock::now();
  auto rs = f.run(std::move(checks), Millis(300));
  const auto took = std::chrono::steady_clock::now() - begin;
  *release = true;
  CHECK(took < std::chrono::milliseconds(1500));
  CHECK(Fixture::find(rs, "hang").status == Status::Error);
  CHECK(Fixture::find(rs, "hang").findings.at(0).code == "engine.deadline_exceeded");
  CHECK(Fixture::find(rs, "after-hang").status == Status::Skip);
  std::this_thread::sleep_for(std::chrono::milliseconds(120));  // let the abandoned worker finish
}

TEST_CASE("checks get a deadline capped by the run's", "[unit][engine]") {
  Fixture f;
  Millis seen{0};
  std::vector<std::unique_ptr<engine::Check>> checks;
  checks.push_back(std::make_unique<FakeCheck>(CheckInfo{"d", engine::Stage::Tcp, "d", {}, Millis(60000)},
                                               [&seen](engine::CheckContext& ctx) {
                                                 seen = ctx.remaining();
                                                 return withStatus(Status::Pass);
                                               }));
  f.run(std::move(checks), Millis(400));
  CHECK(seen <= Millis(400));
  CHECK(seen > Millis(0));
}

TEST_CASE("cycles and unknown dependencies are rejected at start-up", "[unit][engine]") {
  {
    std::vector<std::unique_ptr<engine::Check>> checks;
    checks.push_back(fake("x", {"y"}, Status::Pass));
    checks.push_back(fake("y", {"z"}, Status::Pass));
    checks.push_back(fake("z", {"x"}, Status::Pass));
    auto plan = engine::makePlan(std::move(checks), {}, {});
    REQUIRE_FALSE(plan.ok());
    CHECK(plan.error().find("cycle") != std::string::npos);
    CHECK(plan.error().find("x") != std::string::npos);
  }
  {
    std::vector<std::unique_ptr<engine::Check>> checks;
    checks.push_back(fake("x", {"nope"}, Status::Pass));
    auto plan = engine::makePlan(std::move(checks), {}, {});
    REQUIRE_FALSE(plan.ok());
    CHECK(plan.error().find("unknown check \"nope\"") != std::string::npos);
  }
}

TEST_CASE("--only pulls in dependencies; --skip marks checks and blocks dependents", "[unit][engine]") {
  Fixture f;
  auto make = [] {
    std::vector<std::unique_ptr<engine::Check>> checks;
    checks.push_back(fake("dns.a", {}, Status::Pass, engine::Stage::Dns));
    checks.push_back(fake("tcp.b", {"dns.a"}, Status::Pass, engine::Stage::Tcp));
    checks.push_back(fake("tls.c", {"tcp.b"}, Status::Pass, engine::Stage::Tls));
    return checks;
  };
  auto only = f.run(make(), Millis(2000), {"tcp"});
  REQUIRE(only.size() == 2);
  CHECK(only[0].id == "dns.a");
  CHECK(only[1].id == "tcp.b");
  auto skipped = f.run(make(), Millis(2000), {}, {"tcp.b"});
  REQUIRE(skipped.size() == 3);
  CHECK(Fixture::find(skipped, "tcp.b").summary == "skipped by --skip");
  CHECK(Fixture::find(skipped, "tcp.b").state() == util::ResultState::NotApplicable);
  CHECK(Fixture::find(skipped, "tls.c").status == Status::Skip);
  auto bad = engine::makePlan(make(), {"nosuch"}, {});
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().find("--only") != std::string::npos);
}

TEST_CASE("soft dependencies order checks but never block them", "[unit][engine]") {
  Fixture f;
  std::vector<std::unique_ptr<engine::Check>> checks;
  CheckInfo info{"late", engine::Stage::Dns, "l", {}, Millis(1000), {"ctx", "not-registered"}};
  bool sawCtx = false;
  checks.push_back(std::make_unique<FakeCheck>(info, [&sawCtx](engine::CheckContext& ctx) {
    sawCtx = ctx.dependency("ctx") != nullptr;
    return withStatus(Status::Pass);
  }));
  checks.push_back(fake("ctx", {}, Status::Fail, engine::Stage::Cloud));
  auto rs = f.run(std::move(checks));
  CHECK(Fixture::find(rs, "late").status == Status::Pass);
  CHECK(sawCtx);
}

TEST_CASE("a check may run after a failed (not skipped) dependency", "[unit][engine]") {
  Fixture f;
  auto tolerant = [](std::string id, std::string dep) {
    CheckInfo info{std::move(id), engine::Stage::Tls, "t", {std::move(dep)}, Millis(1000), {}, true};
    return std::make_unique<FakeCheck>(info, [](engine::CheckContext& ctx) {
      CheckResult r = withStatus(Status::Pass);
      r.summary = ctx.dependency("tcp") ? "saw tcp" : "no tcp";
      return r;
    });
  };
  std::vector<std::unique_ptr<engine::Check>> checks;
  checks.push_back(fake("tcp", {}, Status::Fail));
  checks.push_back(tolerant("tls", "tcp"));
  checks.push_back(fake("dns", {}, Status::Skip, engine::Stage::Dns));
  checks.push_back(tolerant("after-skip", "dns"));
  auto rs = f.run(std::move(checks));
  CHECK(Fixture::find(rs, "tls").status == Status::Pass);
  CHECK(Fixture::find(rs, "tls").summary == "saw tcp");
  CHECK(Fixture::find(rs, "after-skip").status == Status::Skip);
}

TEST_CASE("a check not started before --deadline warns, so the verdict is never OK", "[unit][engine]") {
  // "slow" passes, but only after the run's deadline; "after" depends on it and so can
  // only start once the deadline is gone.
  std::vector<std::unique_ptr<engine::Check>> checks;
  checks.push_back(std::make_unique<FakeCheck>(
      CheckInfo{"slow", engine::Stage::Tcp, "fake", {}, Millis(2000)}, [](engine::CheckContext&) {
        std::this_thread::sleep_for(std::chrono::milliseconds(60));
        return withStatus(Status::Pass);
      }));
  checks.push_back(fake("after", {"slow"}, Status::Pass, engine::Stage::Tls));
  Fixture f;
  auto rs = f.run(std::move(checks), Millis(20));
  const auto& after = Fixture::find(rs, "after");
  CHECK(after.status == Status::Skip);
  REQUIRE(after.findings.size() == 1);
  CHECK(after.findings[0].code == "engine.deadline_reached");
  CHECK(after.findings[0].severity == engine::Severity::Warning);
  CHECK(Fixture::find(rs, "slow").status == Status::Pass);
  CHECK(reports::computeVerdict(rs) == reports::Verdict::Warning);
}

TEST_CASE("onCheckEvent reports each check's start and end with status and time", "[unit][engine]") {
  Fixture f;
  std::vector<std::unique_ptr<engine::Check>> checks;
  checks.push_back(fake("a", {}, Status::Pass));
  checks.push_back(fake("b", {"a"}, Status::Fail));
  checks.push_back(fake("c", {"b"}, Status::Pass));  // blocked by b: never started, no event
  auto plan = engine::makePlan(std::move(checks), {}, {});
  REQUIRE(plan.ok());
  engine::RunSettings s;
  s.deadline = f.clock.now() + Millis(5000);
  std::vector<engine::CheckEvent> events;
  s.onCheckEvent = [&](const engine::CheckEvent& e) { events.push_back(e); };
  engine::runPlan(*plan, f.target, f.options, f.clock, s);
  REQUIRE(events.size() == 4);
  CHECK((events[0].id == "a" && !events[0].finished));
  CHECK((events[1].id == "a" && events[1].finished && events[1].status == Status::Pass));
  CHECK((events[2].id == "b" && !events[2].finished));
  CHECK((events[3].id == "b" && events[3].finished && events[3].status == Status::Fail));
  CHECK(events[3].durationMs >= 0);
}
