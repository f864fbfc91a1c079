// pg.client: what the application's libpq must be able to do for this target (SNI for a
// Neon proxy, SCRAM, the newer connection options in its string), judged against the
// version the user states with --client-libpq. pgreach links its own libpq, which is not
// the application's: without a stated version this lists the needs and judges nothing
// (not applicable); a failure that proves an old client is classified by pg.startup and
// pg.connect from the client's own words.
#include <libpq-fe.h>

#include "checks/postgres/client_needs.h"
#include "checks/postgres/codes.h"
#include "engine/registry.h"

namespace pgreach::checks::postgres {
namespace {

using engine::CheckResult;
using engine::Severity;

constexpr const char* kPgClientId = "pg.client";

class PgClient final : public engine::Check {
 public:
  const engine::CheckInfo& info() const override {
    static const engine::CheckInfo kInfo = engine::withCodes(
        {kPgClientId,
         engine::Stage::Postgres,
         "Judge what the target needs of the application's libpq against its version (--client-libpq)",
         {},
         engine::Millis(1000)},
        engine::pickCodes(postgresCodes(), {"pg.client_requirements", "pg.client_libpq_too_old"}));
    return kInfo;
  }

  CheckResult run(engine::CheckContext& ctx) override {
    CheckResult r;
    const auto& target = ctx.target();
    const auto needs = clientNeeds(target, target::profileOf(target.provider()));
    const int stated = ctx.config().client.libpqMajor;
    const std::string own = "pgreach's own libpq is " + std::to_string(PQlibVersion() / 10000) +
                            " (not the application's; nothing is judged from it)";
    if (needs.empty()) {
      r.status = engine::Status::Skip;
      r.stateOverride = util::ResultState::NotApplicable;
      r.summary = "nothing in this target or connection string needs a recent libpq";
      return r;
    }
    std::vector<std::string> lines;
    for (const auto& n : needs)
      lines.push_back(n.feature + ": libpq " + std::to_string(n.minMajor) + "+ (" + n.because + ")");
    lines.push_back(own);
    r.findings.push_back({"pg.client_requirements", Severity::Info,
                          "the application's libpq needs " + std::to_string(needs.back().minMajor) +
                              " or later for this target",
                          lines, ""});
    if (stated == 0) {
      r.status = engine::Status::Skip;
      r.stateOverride = util::ResultState::NotApplicable;
      r.summary = "the application's libpq version was not given (--client-libpq N): it needs libpq " +
                  std::to_string(needs.back().minMajor) + "+ for this target";
      return r;
    }
    int unmet = 0;
    for (const auto& n : needs) {
      if (stated >= n.minMajor) continue;
      ++unmet;
      r.findings.push_back({"pg.client_libpq_too_old",
                            Severity::Critical,
                            "the application's libpq " + std::to_string(stated) + " lacks " + n.feature +
                                " (libpq " + std::to_string(n.minMajor) + "+)",
                            {"--client-libpq " + std::to_string(stated) + " (stated)", n.because,
                             "what the application sees: " + n.symptom},
                            n.fix});
    }
    r.status = engine::statusFromFindings(r.findings);
    r.summary = unmet == 0 ? "the application's libpq " + std::to_string(stated) + " has all " +
                                 std::to_string(needs.size()) + " feature(s) this target needs"
                           : "the application's libpq " + std::to_string(stated) + " lacks " +
                                 std::to_string(unmet) + " of " + std::to_string(needs.size()) +
                                 " feature(s) this target needs";
    return r;
  }
};

engine::RegisterCheck<PgClient> registered;

}  // namespace
}  // namespace pgreach::checks::postgres
