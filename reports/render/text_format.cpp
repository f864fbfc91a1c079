// The terminal report: verdict first, then the root cause and the path, then each
// section's checks with their findings. Colour only when the caller says so (a tty).
#include <algorithm>
#include <sstream>

#include "cloud/registry.h"
#include "reports/render/render.h"
#include "reports/report/path.h"
#include "util/strings.h"

namespace pgreach::reports {
namespace {

using engine::Status;

const char* colorFor(Status s) {
  switch (s) {
    case Status::Pass:
      return "\033[32m";
    case Status::Warn:
      return "\033[33m";
    case Status::Fail:
      return "\033[31m";
    case Status::Error:
      return "\033[35m";
    case Status::Skip:
      return "\033[90m";
  }
  return "";
}

std::string paint(const std::string& text, Status s, bool color) {
  return color ? std::string(colorFor(s)) + text + "\033[0m" : text;
}

std::string verdictWord(Verdict v) {
  std::string w(toString(v));
  for (auto& c : w) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return w;
}

}  // namespace

// One line per hop: client -> dns [ok] -> tcp [FAIL] -> ...; shared by text and Markdown.
std::string pathLine(const Report& r, bool color) {
  std::string line = "client";
  for (engine::Stage st : engine::kPathStages) {
    const Status s = stageStatus(r.checks, st);
    line += " -> " + std::string(engine::toString(st)) + " [" + paint(statusMark(s), s, color) + "]";
  }
  return line;
}

namespace {

// What an OK verdict did not cover, said in the headline itself so a reader (or a cron
// mail) never takes it for more: a check skipped because it was not asked for or had
// nothing to work with ("pg.connect (no password ...)"), and the cloud audit as one item
// when no cloud input was given. Checks skipped because another was are implied.
std::vector<std::string> notRunParts(const std::vector<engine::CheckResult>& checks) {
  std::vector<std::string> out;
  bool cloudNotRun = false;
  for (const auto& c : checks) {
    if (c.id == "cloud.context" && c.status == Status::Skip) cloudNotRun = true;
  }
  if (cloudNotRun) {
    std::string options;  // one option per registered cloud: "--aws-json, --azure-json, "
    for (const auto* cloud : cloud::cloudsInOrder()) options += "--" + cloud->optionName() + ", ";
    out.push_back("cloud audit (no " + options + "--cloud-live or --imds)");
  }
  for (const auto& c : checks) {
    if (c.status != Status::Skip || util::startsWith(c.summary, "blocked by")) continue;
    if (c.nothingToCheck()) continue;  // not left out: nothing would run it
    if (cloudNotRun && c.stage == engine::Stage::Cloud) continue;
    std::string reason = c.summary;
    if (util::startsWith(reason, "skipped: ")) reason = reason.substr(9);
    out.push_back(c.id + (reason.empty() ? "" : " (" + reason + ")"));
  }
  return out;
}

}  // namespace

std::string verdictLine(const Report& r) {
  std::string line = "PGREACH " + verdictWord(r.verdict) + " - ";
  if (r.rootCause) {
    line += r.rootCause->code + ": " + r.rootCause->summary;
  } else if (r.verdict == Verdict::Ok) {
    const auto notRun = notRunParts(r.checks);
    line += notRun.empty() ? "every check passed for " + r.target.host
                           : "every check that ran passed for " + r.target.host +
                                 "; not run: " + util::join(notRun, "; ");
  } else if (r.verdict == Verdict::Warning) {
    // A warning that rests on a check that could not decide says so: "reachable" would
    // claim what nobody verified.
    // Checks that ran and could not decide first, then those that did not run.
    std::vector<std::string> unverified, skipped;
    for (const auto& c : r.checks) {
      if (c.state() != util::ResultState::NotVerified) continue;
      (c.status == engine::Status::Skip ? skipped : unverified).push_back(c.id + ": " + c.summary);
    }
    unverified.insert(unverified.end(), skipped.begin(), skipped.end());
    // The warnings themselves, so a cron mail or a pager names what to look at:
    // "tls.cert_expiring: ...; engine.time_warning: ...".
    std::vector<std::string> warnings;
    for (const auto& c : r.checks) {
      if (c.status != Status::Warn) continue;
      const auto before = warnings.size();
      for (const auto& f : c.findings) {
        if (f.severity != engine::Severity::Info) warnings.push_back(f.code + ": " + f.summary);
      }
      if (warnings.size() == before) warnings.push_back(c.id + ": " + c.summary);
    }
    if (unverified.empty() && warnings.empty())
      line += "reachable with warnings: " + r.target.host;
    else if (unverified.empty())
      line += util::join(warnings, "; ");
    else
      line += "not verified: " + util::join(unverified, "; ");
  } else {
    // UNKNOWN: the first check that failed to run says why (a broken export, a file that
    // is not a regular file), so cron's one line names what was wrong.
    auto failed = std::find_if(r.checks.begin(), r.checks.end(),
                               [](const auto& c) { return c.status == engine::Status::Error; });
    if (failed != r.checks.end() && !failed->summary.empty())
      line += "could not complete " + failed->id + ": " + failed->summary;
    else
      line += "pgreach could not complete every check for " + r.target.host;
  }
  return line;
}

namespace {

std::string renderText(const Report& r, const RenderOptions& o) {
  std::ostringstream out;
  out << paint(verdictLine(r), verdictStatus(r.verdict), o.color) << "\n\n";
  out << "Target:   " << r.target.conninfo << "\n";
  out << "Provider: " << r.target.provider << "   ports:";
  for (auto p : r.target.ports) out << " " << p;
  out << "\n";
  if (!r.playbook.title.empty()) out << "Playbook: " << r.playbook.title << "\n";
  out << "\nPath:\n";
  for (const auto& hop : buildPath(r)) {
    std::string m = hopMark(hop);
    if (m.size() < 5) m.resize(5, ' ');
    out << "  [" << paint(m, colourOf(hop.status, hop.state), o.color) << "] " << hop.name
        << std::string(hop.name.size() < 10 ? 10 - hop.name.size() : 1, ' ');
    for (size_t i = 0; i < hop.details.size(); ++i) {
      if (i) out << "\n" << std::string(20, ' ');
      out << hop.details[i];
    }
    out << "\n";
  }
  if (r.rootCause) {
    out << "\nRoot cause (" << engine::toString(r.rootCause->stage) << "): " << r.rootCause->summary << "\n";
    out << "  code: " << r.rootCause->code << "\n";
    if (!r.rootCause->fix.empty()) out << "  fix:  " << r.rootCause->fix << "\n";
    for (const auto& f : r.rootCause->related) out << "  related: " << f.code << ": " << f.summary << "\n";
    if (!r.rootCause->sections.empty()) out << "  see:  " << util::join(r.rootCause->sections, "; ") << "\n";
  }
  for (const auto& s : r.sections) {
    out << "\n== " << s.title << " ["
        << paint(markOf(s.status, s.state), colourOf(s.status, s.state), o.color) << "]\n";
    if (!s.manual.empty()) out << "   not verified; check by hand: " << s.manual << "\n";
    if (!s.fix.empty()) out << "   fix: " << s.fix << "\n";
    for (const auto& id : s.checkIds) {
      for (const auto& c : r.checks) {
        if (c.id != id) continue;
        out << "  [" << paint(markOf(c.status, c.state()), colourOf(c.status, c.state()), o.color) << "] "
            << c.id;
        if (!c.summary.empty()) out << ": " << c.summary;
        out << " (" << util::formatDuration(c.durationMs) << ")\n";
        for (const auto& f : c.findings) {
          out << "      " << engine::toString(f.severity) << " " << f.code << ": " << f.summary << "\n";
          for (const auto& e : f.evidence) out << "        | " << e << "\n";
          if (!f.fix.empty() && f.severity != engine::Severity::Info) out << "        fix: " << f.fix << "\n";
        }
      }
    }
  }
  out << "\npgreach " << r.toolVersion << ", started " << r.startedAt << ", took "
      << util::formatDuration(r.durationMs) << "\n";
  return out.str();
}

RegisterFormat registered{"text", &renderText, "txt"};

}  // namespace
}  // namespace pgreach::reports
