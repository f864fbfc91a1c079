// JUnit XML for CI dashboards: one testcase per check; Fail → <failure>, Error → <error>,
// Skip → <skipped/>, Warn passes with its findings in <system-out>. One <testsuite> per
// target: a fleet in one file is one <testsuites> holding each target's suite.
#include <algorithm>
#include <cstdio>
#include <sstream>

#include "reports/render/markdown_html.h"
#include "reports/render/render.h"
#include "util/strings.h"

namespace pgreach::reports {

std::string xmlEscape(const std::string& s);

std::string xmlEscape(const std::string& s) { return markupEscape(s, true); }

namespace {

std::string secs(long long ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", static_cast<double>(ms) / 1000.0);
  return buf;
}

std::string findingsText(const engine::CheckResult& c) {
  std::string text;
  for (const auto& f : c.findings) {
    text += std::string(engine::toString(f.severity)) + " " + f.code + ": " + f.summary + "\n";
    for (const auto& e : f.evidence) text += "  " + e + "\n";
    if (!f.fix.empty()) text += "  fix: " + f.fix + "\n";
  }
  return text;
}

// A check that did not fail but could not decide (an unknown path step): not a pass.
bool notVerifiedPass(const engine::CheckResult& c) {
  return (c.status == engine::Status::Pass || c.status == engine::Status::Warn) &&
         c.state() == util::ResultState::NotVerified;
}

struct Counts {
  size_t tests = 0;
  int failures = 0, errors = 0, skipped = 0;
  long long ms = 0;
  std::string attributes() const {
    return " tests=\"" + std::to_string(tests) + "\" failures=\"" + std::to_string(failures) +
           "\" errors=\"" + std::to_string(errors) + "\" skipped=\"" + std::to_string(skipped) +
           "\" time=\"" + secs(ms) + "\"";
  }
};

Counts countsOf(const Report& r) {
  Counts n;
  n.tests = r.checks.size();
  n.ms = r.durationMs;
  for (const auto& c : r.checks) {
    if (c.status == engine::Status::Fail) ++n.failures;
    if (c.status == engine::Status::Error) ++n.errors;
    if (c.status == engine::Status::Skip || notVerifiedPass(c)) ++n.skipped;
  }
  return n;
}

// One <testsuite> per target. In a fleet the suite and the classnames carry the
// [target.NAME], so three targets on one host are three suites a CI tells apart.
std::string renderSuite(const Report& r) {
  std::ostringstream out;
  const std::string suiteName =
      r.name.empty() ? "pgreach " + r.target.host : "pgreach " + r.name + " (" + r.target.host + ")";
  const std::string classPrefix = r.name.empty() ? "pgreach." : "pgreach." + r.name + ".";
  out << "  <testsuite name=\"" << xmlEscape(suiteName) << "\"" << countsOf(r).attributes() << " timestamp=\""
      << xmlEscape(r.startedAt) << "\">\n";
  for (const auto& c : r.checks) {
    out << "    <testcase classname=\"" << xmlEscape(classPrefix) << engine::toString(c.stage) << "\" name=\""
        << xmlEscape(c.id) << "\" time=\"" << secs(c.durationMs) << "\"";
    const std::string body = findingsText(c);
    std::string code = c.id;
    for (const auto& f : c.findings) {
      if (f.severity != engine::Severity::Info) {
        code = f.code;
        break;
      }
    }
    switch (c.status) {
      case engine::Status::Fail:
        out << ">\n      <failure type=\"" << xmlEscape(code) << "\" message=\"" << xmlEscape(c.summary)
            << "\">" << xmlEscape(body) << "</failure>\n    </testcase>\n";
        break;
      case engine::Status::Error:
        out << ">\n      <error type=\"" << xmlEscape(code) << "\" message=\"" << xmlEscape(c.summary)
            << "\">" << xmlEscape(body) << "</error>\n    </testcase>\n";
        break;
      case engine::Status::Skip:
        out << ">\n      <skipped message=\""
            << xmlEscape((c.state() == util::ResultState::NotVerified ? "not verified: " : "") + c.summary)
            << "\"/>\n    </testcase>\n";
        break;
      default:
        if (notVerifiedPass(c)) {
          // Not failed, but not passed either: a CI dashboard must not show it green.
          out << ">\n      <skipped message=\"" << xmlEscape("not verified: " + c.summary) << "\"/>\n";
          if (!body.empty()) out << "      <system-out>" << xmlEscape(body) << "</system-out>\n";
          out << "    </testcase>\n";
          break;
        }
        if (body.empty()) {
          out << "/>\n";
        } else {
          out << ">\n      <system-out>" << xmlEscape(body) << "</system-out>\n    </testcase>\n";
        }
    }
  }
  out << "  </testsuite>\n";
  return out.str();
}

std::string renderJunitAll(const std::vector<const Report*>& reports, const RenderOptions&) {
  Counts total;
  std::string suites;
  for (const auto* r : reports) {
    const Counts n = countsOf(*r);
    total.tests += n.tests;
    total.failures += n.failures;
    total.errors += n.errors;
    total.skipped += n.skipped;
    total.ms = std::max(total.ms, n.ms);  // the targets of a fleet run concurrently
    suites += renderSuite(*r);
  }
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"pgreach\"" + total.attributes() +
         ">\n" + suites + "</testsuites>\n";
}

std::string renderJunit(const Report& r, const RenderOptions& o) { return renderJunitAll({&r}, o); }

RegisterFormat registered{"junit", &renderJunit, "xml", &renderJunitAll};

}  // namespace
}  // namespace pgreach::reports
