// A password a hostile server echoes back (in an error message, a finding's evidence,
// server_version) is masked in the report before any format escapes it: a `\`, a `"`
// or a tab in it would otherwise reach the JSON, HTML or Markdown output in an escaped
// form the output redactor does not know.
#include <catch2/catch.hpp>

#include "engine/postgres_facts.h"
#include "reports/render/render.h"
#include "reports/synthetic.h"

using namespace pgreach;

namespace {

const std::string kPassword = "Pw\\9\"Se\tcret";

reports::Report echoedReport() {
  const std::string host = "db.example";
  std::vector<engine::CheckResult> checks;
  engine::CheckResult c =
      testing::check("pg.connect", engine::Stage::Postgres, engine::Status::Fail,
                     "login failed: pg.auth_failed (" + kPassword + ")", 20,
                     {{"pg.auth_failed",
                       engine::Severity::Critical,
                       "password authentication failed for \"" + kPassword + "\"",
                       {"libpq: FATAL: password \"" + kPassword + "\" is wrong", "server said " + kPassword},
                       "Check the password."}});
  engine::ConnectFacts facts;
  facts.credentials = "password";
  facts.error = util::PeerText("FATAL: bad password " + kPassword);
  facts.loggedIn = true;
  facts.serverVersion = util::PeerText("16.4 " + kPassword);
  c.setFacts(std::move(facts));
  checks.push_back(std::move(c));
  auto t = testing::summary(host, "generic", {5432}, "host=" + host + " user=app password=<HIDDEN>");
  t.dbname = "db" + kPassword;
  return testing::fixed(reports::assembleReport(t, std::move(checks), "2026-11-21T12:00:00.000Z", 20));
}

// Every way the formats could write the password.
std::vector<std::string> forms() {
  return {kPassword, "Pw\\\\9\\\"Se\\tcret", "Pw\\9&quot;Se", "Pw\\\\9", "9\"Se", "Se\tcret", "Se\\tcret"};
}

}  // namespace

TEST_CASE("a secret a server echoes is masked before any format escapes it", "[unit]") {
  reports::Report r = echoedReport();
  util::Redactor redactor;
  redactor.addSecret(kPassword);
  reports::redactReport(r, redactor);
  for (const char* format : {"json", "html", "markdown", "text"}) {
    INFO(format);
    auto out = reports::render(r, format, {});
    REQUIRE(out);
    // No output redaction here: the report pass alone must have caught every placement.
    for (const auto& f : forms()) {
      INFO(f);
      CHECK(out->find(f) == std::string::npos);
    }
    CHECK(out->find("HIDDEN") != std::string::npos);  // &lt;HIDDEN&gt; in HTML
  }
  const auto j = nlohmann::json::parse(*reports::render(r, "json", {}));
  CHECK(j["checks"][0]["data"]["server_version"] == "16.4 <HIDDEN>");
  CHECK(j["verdict"] == "critical");  // the verdict is the status's, untouched
  // Typed readers still see the facts behind the masked JSON.
  REQUIRE(r.checks[0].factsAs<engine::ConnectFacts>());
}

TEST_CASE("without the report pass, the output redactor still knows the escaped forms", "[unit]") {
  reports::Report r = echoedReport();
  util::Redactor redactor;
  redactor.addSecret(kPassword);
  const std::string out = redactor.apply(*reports::render(r, "json", {}));
  for (const auto& f : forms()) {
    INFO(f);
    CHECK(out.find(f) == std::string::npos);
  }
}
