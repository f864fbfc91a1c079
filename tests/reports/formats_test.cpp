// Format rules beyond the golden files: the Nagios line, Prometheus exposition syntax,
// JUnit counts, HTML self-containment, and the embedded data.
#include <catch2/catch.hpp>
#include <regex>
#include <set>

#include "engine/tcp_facts.h"
#include "reports/render/render.h"
#include "reports/report/catalog.h"
#include "reports/report/embedded.h"
#include "reports/report/playbook.h"
#include "reports/synthetic.h"

using namespace pgreach;

TEST_CASE("the Nagios output is one plugin line with perfdata after |", "[unit]") {
  const std::regex line(
      R"(^PGREACH (OK|WARNING|CRITICAL|UNKNOWN) - [^|\n]+ \| ('[a-z0-9_]+'=[0-9]+\.[0-9]{3,6}s;;;0; ?)+\n$)");
  for (const auto& s : testing::scenarios()) {
    auto out = *reports::render(s.make(), "nagios", {});
    INFO(out);
    CHECK(std::regex_match(out, line));
  }
  auto ps = *reports::render(testing::planetscaleDroppedReport(), "nagios", {});
  CHECK(ps.find("PGREACH CRITICAL - tcp.silently_dropped") == 0);
  CHECK(ps.find("'tcp_6432'=3.000s;;;0;") != std::string::npos);
  CHECK(ps.find("'tcp_5432'=0.0014s;;;0;") != std::string::npos);  // 1.4 ms, no longer cut to 0.001s
  auto ok = *reports::render(testing::healthyReport(), "nagios", {});
  CHECK(ok.find("PGREACH OK - ") == 0);
}

TEST_CASE("Nagios perfdata keeps sub-millisecond times and carries -w/-c as warn;crit", "[unit]") {
  auto r = testing::healthyReport();
  for (auto& c : r.checks) {
    if (c.id != "tcp.connect") continue;
    REQUIRE(c.factsAs<engine::TcpConnectFacts>());
    auto facts = *c.factsAs<engine::TcpConnectFacts>();
    REQUIRE_FALSE(facts.probes.empty());
    for (auto& p : facts.probes) p.elapsedMs = 0.17;
    c.setFacts(std::move(facts));
  }
  r.durationMs = 120;
  auto plain = *reports::render(r, "nagios", {});
  INFO(plain);
  CHECK(plain.find("=0.00017s;;;0;") != std::string::npos);  // was 0.000s
  CHECK(plain.find("'time'=0.120s;;;0;") != std::string::npos);
  r.timeThresholds = {util::ThresholdRange::above(1000), util::ThresholdRange::above(2500)};
  auto out = *reports::render(r, "nagios", {});
  INFO(out);
  CHECK(out.find("'time'=0.120s;1;2.5;0;") != std::string::npos);
  // The connect ranges go on every port's value, the handshake ones on tls's, in the
  // guidelines' range syntax.
  util::ThresholdRange low;
  low.endMs.reset();
  low.startMs = 50.0;  // "0.05:": alert below 50 ms
  util::ThresholdRange inside;
  inside.inside = true;
  inside.startMs = 1000.0;
  inside.endMs = 2000.0;
  r.connectThresholds = {util::ThresholdRange::above(100), util::ThresholdRange::above(1000)};
  r.handshakeThresholds = {low, inside};
  auto ranges = *reports::render(r, "nagios", {});
  INFO(ranges);
  CHECK(ranges.find("'tcp_5432'=0.00017s;0.1;1;0;") != std::string::npos);
  CHECK(ranges.find("'tls'=0.012s;0.05:;@1:2;0;") != std::string::npos);
  CHECK(ranges.find("'dns'=0.004s;;;0;") != std::string::npos);
}

TEST_CASE("the Nagios WARNING line names its warnings", "[unit]") {
  auto r = testing::healthyReport();
  bool found = false;
  for (auto& c : r.checks) {
    if (c.id != "tls.handshake") continue;
    c.status = engine::Status::Warn;
    c.findings.push_back(
        {"tls.cert_expiring", engine::Severity::Warning, "the certificate expires in 9 days", {}, ""});
    found = true;
  }
  REQUIRE(found);
  r.checks.push_back(testing::check("run.time", engine::Stage::Cloud, engine::Status::Warn,
                                    "the run took 1.200 s, over --warning 1.000 s", 1200,
                                    {{"engine.time_warning",
                                      engine::Severity::Warning,
                                      "the run took 1.200 s, over --warning 1.000 s",
                                      {},
                                      ""}}));
  r.verdict = reports::Verdict::Warning;
  auto out = *reports::render(r, "nagios", {});
  INFO(out);
  CHECK(out.find("PGREACH WARNING - tls.cert_expiring: the certificate expires in 9 days; "
                 "engine.time_warning: the run took 1.200 s, over --warning 1.000 s |") == 0);
  CHECK(out.find("reachable with warnings") == std::string::npos);
}

TEST_CASE("a summary holding | or a newline cannot break the Nagios line", "[unit]") {
  auto r = testing::planetscaleDroppedReport();
  r.rootCause->summary = "evil | 'x'=1 \n second line";
  auto out = *reports::render(r, "nagios", {});
  CHECK(std::count(out.begin(), out.end(), '|') == 1);
  CHECK(std::count(out.begin(), out.end(), '\n') == 1);
}

TEST_CASE("the Prometheus output parses as text exposition format", "[unit]") {
  const std::regex sample(
      R"(^([a-zA-Z_:][a-zA-Z0-9_:]*)\{([a-z_]+="(?:[^"\\\n]|\\.)*"(?:,[a-z_]+="(?:[^"\\\n]|\\.)*")*)\} (-?[0-9.e+]+)$)");
  const std::regex help(R"(^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) .+$)");
  for (const auto& s : testing::scenarios()) {
    auto out = *reports::render(s.make(), "prometheus", {});
    std::set<std::string> typed, seen;
    std::istringstream in(out);
    std::string ln;
    while (std::getline(in, ln)) {
      INFO(ln);
      std::smatch m;
      if (std::regex_match(ln, m, help)) {
        if (m[1] == "TYPE") typed.insert(m[2]);
        continue;
      }
      REQUIRE(std::regex_match(ln, m, sample));
      CHECK(typed.count(m[1]));  // TYPE comes before the samples
      CHECK(m[1].str().rfind("pgreach_", 0) == 0);
      seen.insert(m[1]);
    }
    CHECK(seen.count("pgreach_up"));
    CHECK(seen.count("pgreach_check_success"));
    CHECK(seen.count("pgreach_last_run_timestamp_seconds"));
  }
  auto healthy = *reports::render(testing::healthyReport(), "prometheus", {});
  const std::string labels =
      "{target=\"ep-cool-lab-123456.vpce.us-east-1.aws.neon.tech\",port=\"5432\",dbname=\"appdb\"}";
  CHECK(healthy.find("pgreach_tls_cert_expiry_timestamp_seconds" + labels + " 1830297600") !=
        std::string::npos);
  CHECK(healthy.find("pgreach_up" + labels + " 1") != std::string::npos);
  CHECK(healthy.find("pgreach_last_run_timestamp_seconds" + labels + " 1795262400") != std::string::npos);
  // No certificate data: no expiry metric at all (rather than a made-up value).
  auto dropped = *reports::render(testing::planetscaleDroppedReport(), "prometheus", {});
  CHECK(dropped.find("pgreach_tls_cert_expiry") == std::string::npos);
  // Error text never becomes a label.
  CHECK(dropped.find("SYN") == std::string::npos);
}

namespace {

// Three fleet targets on one host, as `[target.a]`, `[target.b]`, `[target.c]` with the
// same conninfo would give: only the fleet name tells them apart.
std::vector<reports::Report> threeTargets() {
  std::vector<reports::Report> out{testing::healthyReport(), testing::neonPublicReport(),
                                   testing::planetscaleDroppedReport()};
  const char* names[] = {"a", "b", "c"};
  for (size_t i = 0; i < out.size(); ++i) {
    out[i].name = names[i];
    out[i].target.host = "127.0.0.1";
    out[i].target.port = 5432;
  }
  out[0].verdict = reports::Verdict::Warning;  // a warning must show, not read as plain "up"
  return out;
}

std::vector<const reports::Report*> pointers(const std::vector<reports::Report>& v) {
  std::vector<const reports::Report*> out;
  for (const auto& r : v) out.push_back(&r);
  return out;
}

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t p = text.find(what); p != std::string::npos; p = text.find(what, p + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("Prometheus for a fleet: one series per target, HELP/TYPE once, every check has a series",
          "[unit]") {
  const auto targets = threeTargets();
  const std::string out = *reports::renderAll(pointers(targets), "prometheus", {});
  INFO(out);
  for (const char* family : {"pgreach_up", "pgreach_verdict", "pgreach_check_success", "pgreach_check_status",
                             "pgreach_stage_duration_seconds", "pgreach_last_run_timestamp_seconds",
                             "pgreach_root_cause", "pgreach_finding"}) {
    INFO(family);
    CHECK(count(out, std::string("# HELP ") + family + " ") == 1);
    CHECK(count(out, std::string("# TYPE ") + family + " gauge\n") == 1);
  }
  std::set<std::string> upSeries;
  std::istringstream in(out);
  for (std::string ln; std::getline(in, ln);) {
    if (ln.rfind("pgreach_up{", 0) == 0) upSeries.insert(ln.substr(0, ln.find('}')));
  }
  CHECK(upSeries.size() == 3);  // distinct label sets: node_exporter keeps all three
  const std::string a = "target=\"127.0.0.1\",name=\"a\",port=\"5432\",dbname=\"appdb\"";
  CHECK(out.find("pgreach_verdict{" + a + "} 1\n") != std::string::npos);  // the warning is visible
  CHECK(out.find("pgreach_verdict{target=\"127.0.0.1\",name=\"b\",port=\"5432\",dbname=\"appdb\"} 2\n") !=
        std::string::npos);
  // b's tcp.connect was skipped: its series is there, not missing, with status 4.
  const std::string b = "target=\"127.0.0.1\",name=\"b\",port=\"5432\",dbname=\"appdb\"";
  CHECK(out.find("pgreach_check_success{" + b + ",check=\"tcp.connect\",stage=\"tcp\"} 0\n") !=
        std::string::npos);
  CHECK(out.find("pgreach_check_status{" + b + ",check=\"tcp.connect\",stage=\"tcp\"} 4\n") !=
        std::string::npos);
  CHECK(out.find("pgreach_check_status{target=\"127.0.0.1\",name=\"c\",port=\"5432\",dbname=\"appdb\","
                 "check=\"tcp.connect\",stage=\"tcp\"} 2\n") != std::string::npos);
  // Every check of every target has exactly one status series.
  size_t checks = 0;
  for (const auto& r : targets) checks += r.checks.size();
  CHECK(count(out, "pgreach_check_status{") == checks);
  CHECK(count(out, "pgreach_check_success{") == checks);
  // One report alone is the same document as before, without a name label.
  CHECK(reports::render(targets[0], "prometheus", {}) == reports::renderAll({&targets[0]}, "prometheus", {}));
  CHECK(reports::render(testing::healthyReport(), "prometheus", {})->find(",name=\"") == std::string::npos);
}

TEST_CASE("Prometheus names the root cause and the findings by their catalogue codes", "[unit]") {
  const std::string labels =
      "target=\"ep-cool-lab-123456.vpce.us-east-1.aws.neon.tech\",port=\"5432\",dbname=\"appdb\"";
  auto pub = testing::neonPublicReport();
  auto out = *reports::render(pub, "prometheus", {});
  INFO(out);
  CHECK(out.find("# TYPE pgreach_root_cause gauge\n") != std::string::npos);
  CHECK(out.find("pgreach_root_cause{" + labels +
                 ",check=\"dns.resolve\",stage=\"dns\",code=\"dns.answer_public\"} 1\n") !=
        std::string::npos);
  CHECK(out.find(
            "pgreach_finding{" + labels +
            ",check=\"dns.resolve\",stage=\"dns\",code=\"dns.answer_public\",severity=\"critical\"} 1\n") !=
        std::string::npos);
  // The same code twice in a check (two public addresses) is one series, at its worst
  // severity; a code the catalogue does not declare (text a broken or hostile input could
  // choose) never becomes a label.
  auto& resolve = pub.checks.front();
  REQUIRE(resolve.id == "dns.resolve");
  auto second = resolve.findings.front();
  second.severity = engine::Severity::Warning;
  resolve.findings.push_back(second);
  resolve.findings.push_back({"evil\"} 1\npgreach_up{x=\"y", engine::Severity::Critical, "s", {}, ""});
  out = *reports::render(pub, "prometheus", {});
  CHECK(count(out, "pgreach_finding{") == 1);
  CHECK(out.find("severity=\"critical\"") != std::string::npos);
  CHECK(out.find("evil") == std::string::npos);
  // A root cause whose code is not declared keeps its series (the check says where), with
  // an empty code, which Prometheus reads as none.
  pub.rootCause->code = "dns.resolve.failed";
  out = *reports::render(pub, "prometheus", {});
  CHECK(out.find("pgreach_root_cause{" + labels + ",check=\"dns.resolve\",stage=\"dns\",code=\"\"} 1\n") !=
        std::string::npos);
  // Nothing broken, no root cause series; info findings are still listed.
  auto healthy = *reports::render(testing::healthyReport(), "prometheus", {});
  CHECK(healthy.find("pgreach_root_cause") == std::string::npos);
  auto dropped = *reports::render(testing::planetscaleDroppedReport(), "prometheus", {});
  CHECK(dropped.find("pgreach_root_cause{") != std::string::npos);
  CHECK(dropped.find(",code=\"tcp.silently_dropped\"} 1\n") != std::string::npos);
}

TEST_CASE("JUnit for a fleet: one testsuite per target, named after it, classnames with it", "[unit]") {
  const auto targets = threeTargets();
  const std::string out = *reports::renderAll(pointers(targets), "junit", {});
  INFO(out);
  CHECK(count(out, "<?xml ") == 1);
  CHECK(count(out, "<testsuites ") == 1);
  CHECK(count(out, "<testsuite ") == 3);
  CHECK(out.find("<testsuite name=\"pgreach a (127.0.0.1)\"") != std::string::npos);
  CHECK(out.find("<testsuite name=\"pgreach b (127.0.0.1)\"") != std::string::npos);
  CHECK(out.find("<testsuite name=\"pgreach c (127.0.0.1)\"") != std::string::npos);
  CHECK(out.find("classname=\"pgreach.b.tcp\" name=\"tcp.connect\"") != std::string::npos);
  CHECK(out.find("classname=\"pgreach.tcp\"") == std::string::npos);
  size_t tests = 0;
  for (const auto& r : targets) tests += r.checks.size();
  CHECK(out.find("<testsuites name=\"pgreach\" tests=\"" + std::to_string(tests) + "\"") !=
        std::string::npos);
  // A single target keeps its suite name and classnames.
  const auto single = *reports::render(testing::healthyReport(), "junit", {});
  CHECK(single.find("<testsuite name=\"pgreach ep-cool-lab-123456.vpce.us-east-1.aws.neon.tech\"") !=
        std::string::npos);
  CHECK(single.find("classname=\"pgreach.tcp\"") != std::string::npos);
}

TEST_CASE("the JSON report carries the fleet target's name, null for a single target", "[unit]") {
  auto r = testing::healthyReport();
  CHECK(reports::toJson(r)["target"]["name"].is_null());
  r.name = "prod-eu";
  CHECK(reports::toJson(r)["target"]["name"] == "prod-eu");
}

TEST_CASE("text formats of several reports follow one another", "[unit]") {
  const auto targets = threeTargets();
  const std::string out = *reports::renderAll(pointers(targets), "nagios", {});
  CHECK(count(out, "PGREACH ") == 3);
}

TEST_CASE("JUnit has one testcase per check and the right counts", "[unit]") {
  auto out = *reports::render(testing::neonPublicReport(), "junit", {});
  CHECK(out.find("tests=\"5\" failures=\"1\" errors=\"0\" skipped=\"3\"") != std::string::npos);
  size_t cases = 0;
  for (size_t p = out.find("<testcase "); p != std::string::npos; p = out.find("<testcase ", p + 1)) ++cases;
  CHECK(cases == 5);
  CHECK(out.find("<failure type=\"dns.answer_public\"") != std::string::npos);
}

// A security group may be named "[Open the console](https://...)" and a server may say
// anything: neither the Markdown a ticket renders nor the HTML may turn it into a link,
// an image or an element. pgreach's own texts have no link, so every one is a peer's.
TEST_CASE("a peer's Markdown link, image or tag becomes no link in the Markdown or HTML report", "[unit]") {
  auto r = testing::planetscaleDroppedReport();
  REQUIRE(r.rootCause);
  auto withFinding = std::find_if(r.checks.begin(), r.checks.end(), [](const auto& c) {
    return !c.findings.empty() && c.findings.front().severity != engine::Severity::Info;
  });
  REQUIRE(withFinding != r.checks.end());
  const std::string link = "[Open the console](https://console.example/login)";
  const std::string image = "![x](https://tracker.example/p.png)";
  const std::string tag = "<img src=https://tracker.example/q.png>";
  r.rootCause->summary = "denied by " + link + " " + tag;
  r.rootCause->fix = "Edit `sg-1` " + image + " then <https://auto.example/>";
  withFinding->findings.front().summary = "group " + link;
  withFinding->findings.front().fix = "see " + image + " `code <host> ](kept)`";
  const auto md = *reports::render(r, "markdown", {});
  INFO(md);
  CHECK(md.find("](https://console.example") == std::string::npos);
  CHECK(md.find("](https://tracker.example") == std::string::npos);
  CHECK(md.find("]\\(https://console.example/login)") != std::string::npos);  // still readable
  CHECK(md.find("<img") == std::string::npos);
  CHECK(md.find("<https://auto.example") == std::string::npos);
  CHECK(md.find("&lt;img src=") != std::string::npos);
  CHECK(md.find("`code <host> ]\\(kept)`") != std::string::npos);  // a code span stays as written
  const auto html = *reports::render(r, "html", {});
  CHECK(html.find("href=") == std::string::npos);
  CHECK(html.find("<img") == std::string::npos);
  CHECK(html.find("[Open the console](https://console.example/login)") != std::string::npos);
}

TEST_CASE("the HTML report is self-contained and escapes what it shows", "[unit]") {
  auto r = testing::planetscaleDroppedReport();
  r.target.host = "<script>alert(1)</script>";
  auto out = *reports::render(r, "html", {});
  CHECK(out.find("<script") == std::string::npos);
  CHECK(out.find("&lt;script&gt;") != std::string::npos);
  CHECK(out.find("<svg") != std::string::npos);
  for (const char* external : {"http://", "https://", "src=", "<link", "@import", "url(http"}) {
    // The SVG namespace URI is an identifier, not a fetch; nothing else may be external.
    std::string rest = out;
    rest = std::regex_replace(rest, std::regex("xmlns=\"http://www.w3.org/2000/svg\""), "");
    rest = std::regex_replace(rest, std::regex("\\(https://planetscale.com[^)]*\\)"), "");
    INFO(external);
    CHECK(rest.find(external) == std::string::npos);
  }
}

TEST_CASE("every embedded playbook parses and names known checks", "[unit]") {
  const std::set<std::string> knownChecks = {
      "dns.resolve",          "tcp.connect",      "tls.sslrequest", "tls.handshake",      "tls.direct",
      "pg.startup",           "pg.connect",       "cloud.context",  "cloud.aws.endpoint", "cloud.aws.path",
      "cloud.azure.endpoint", "cloud.azure.path", "cloud.correlate"};
  for (const char* provider : {"neon", "planetscale", "heroku", "azure", "generic"}) {
    INFO(provider);
    auto text = reports::embeddedFile(std::string("reports/playbooks/") + provider + ".json");
    REQUIRE(text);
    auto p = reports::parsePlaybook(*text);
    REQUIRE(p);
    CHECK(p->provider == provider);
    for (const auto& s : p->sections) {
      CHECK_FALSE(s.manual.empty());
      for (const auto& c : s.checks) CHECK(knownChecks.count(c));
    }
  }
  auto az = reports::playbookFor("azure");
  REQUIRE(az);
  std::vector<std::string> titles;
  for (const auto& s : az->sections) titles.push_back(s.title);
  for (const char* t : {"Verify IP address assignments", "Check NSGs", "Validate route table configuration",
                        "Use network monitoring and diagnostics", "Validate DNS resolution",
                        "Clear the DNS cache", "Analyze DNS logs"}) {
    CHECK(std::find(titles.begin(), titles.end(), t) != titles.end());
  }
}

TEST_CASE("a malformed playbook is a clear error", "[unit]") {
  CHECK_FALSE(reports::parsePlaybook("not json"));
  CHECK_FALSE(reports::parsePlaybook("[]"));
  CHECK_FALSE(reports::parsePlaybook(R"({"provider":"x","title":"t","source":"","sections":[]})"));
  auto bad = reports::parsePlaybook(
      R"({"provider":"x","title":"t","source":"","sections":[{"title":"a","manual":"m","fix":"f","checks":[1]}]})");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().find("section 0") != std::string::npos);
  CHECK(reports::parsePlaybook(
      R"({"provider":"x","title":"t","source":"","sections":[{"title":"a","manual":"m","fix":"f"}]})"));
}

TEST_CASE("the findings catalogue covers every code the BRIEF names", "[unit]") {
  for (const char* code :
       {"tcp.silently_dropped", "tcp.refused", "tcp.icmp_admin_prohibited", "dns.answer_public",
        "dns.nxdomain", "dns.servfail", "dns.timeout", "dns.resolvers_disagree",
        "dns.azure_privatelink_nxdomain", "tls.cert_expired", "tls.cert_wrong_host", "tls.cert_untrusted",
        "tls.not_supported", "pg.auth_failed", "pg.no_hba_entry", "tls.no_response", "engine.check_exception",
        "engine.deadline_exceeded"}) {
    INFO(code);
    auto info = reports::lookupCode(code);
    REQUIRE(info);
    CHECK_FALSE(info->meaning.empty());
    CHECK_FALSE(info->why.empty());
    CHECK_FALSE(info->fix.empty());
  }
  auto close = reports::closeCodes("tcp.dropped");
  REQUIRE_FALSE(close.empty());
  CHECK(close.front() == "tcp.silently_dropped");
  CHECK(reports::closeCodes("tls.cert_expird").front() == "tls.cert_expired");
}

TEST_CASE("every catalogue entry is complete and names its stage", "[unit]") {
  const std::set<std::string> stages = {"dns", "tcp", "tls", "postgres", "cloud", "engine"};
  auto codes = reports::knownCodes();
  CHECK(codes.size() >= 30);
  for (const auto& code : codes) {
    INFO(code);
    auto info = reports::lookupCode(code);
    REQUIRE(info);
    CHECK(stages.count(info->stage));
    CHECK_FALSE(info->title.empty());
    CHECK_FALSE(info->meaning.empty());
    CHECK_FALSE(info->why.empty());
    CHECK_FALSE(info->fix.empty());
  }
}

// Issue 16: an OK that did not cover everything says what it left out, in the headline
// every format shares (text, markdown, html, nagios).
TEST_CASE("an OK headline names the checks that did not run", "[unit]") {
  auto r = testing::healthyReport();
  REQUIRE(r.verdict == reports::Verdict::Ok);
  CHECK(reports::render(r, "nagios", {})->find("PGREACH OK - every check passed for ") == 0);
  for (auto& c : r.checks) {
    if (c.id == "pg.connect") {
      c.status = engine::Status::Skip;
      c.summary = "skipped: no password in the target, PGPASSWORD or a passfile entry (nothing was sent)";
      c.findings.clear();
    } else if (c.id == "cloud.context") {
      c.status = engine::Status::Skip;
      c.summary = "no cloud inputs: give --aws-json DIR, --azure-json DIR, --cloud-live or --imds";
    } else if (c.stage == engine::Stage::Cloud) {
      c.status = engine::Status::Skip;
      c.summary = "blocked by cloud.context (skip)";
    }
  }
  for (const char* format : {"nagios", "text", "markdown", "html"}) {
    auto out = *reports::render(r, format, {});
    INFO(format << ":\n" << out);
    CHECK(out.find("every check that ran passed for ") != std::string::npos);
    CHECK(
        out.find("not run: cloud audit (no --aws-json, --azure-json, --cloud-live or --imds); pg.connect (no "
                 "password in the target, PGPASSWORD or a passfile entry (nothing was sent))") !=
        std::string::npos);
    CHECK(out.find("every check passed") == std::string::npos);
  }
}
