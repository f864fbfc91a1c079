// The Markdown report, ticket-ready: the summary first, evidence in collapsible blocks.
#include <sstream>

#include "reports/render/render.h"
#include "reports/report/path.h"
#include "util/strings.h"

namespace pgreach::reports {

std::string pathLine(const Report& r, bool color);
std::string verdictLine(const Report& r);

namespace {

const char* icon(engine::Status s) {
  switch (s) {
    case engine::Status::Pass:
      return "✅";
    case engine::Status::Warn:
      return "⚠️";
    case engine::Status::Fail:
      return "❌";
    case engine::Status::Error:
      return "❓";
    case engine::Status::Skip:
      return "⏭️";
  }
  return "";
}

// Keeps table cells on one line and stops a value from closing a table or a block. A cell
// may carry what a peer or a file chose (a server's message, an export value, a name from
// DNS), and a ticket system renders this report: "](" becomes "]\(" everywhere, so no
// link or image forms (pgreach's own texts have none), and outside code spans '<' becomes
// "&lt;", so no raw HTML or autolink forms and a placeholder such as <host> stays visible.
// Code spans (a run of backticks to the next run of the same length) are left as written.
std::string cell(std::string s) {
  s = util::replaceAll(std::move(s), "|", "\\|");
  s = util::replaceAll(std::move(s), "\n", " ");
  s = util::replaceAll(std::move(s), "](", "]\\(");
  std::string out;
  out.reserve(s.size());
  auto runAt = [&](size_t at) {
    size_t end = at;
    while (end < s.size() && s[end] == '`') ++end;
    return end - at;
  };
  size_t i = 0;
  while (i < s.size()) {
    if (s[i] == '`') {
      const size_t open = runAt(i);
      size_t close = s.find('`', i + open);
      for (size_t run; close != std::string::npos && (run = runAt(close)) != open;)
        close = s.find('`', close + run);
      if (close != std::string::npos) {  // a code span: as written
        out.append(s, i, close + open - i);
        i = close + open;
        continue;
      }
      out.append(open, '`');  // no closing run: literal backticks
      i += open;
      continue;
    }
    if (s[i] == '<')
      out += "&lt;";
    else
      out += s[i];
    ++i;
  }
  return out;
}

// Each detail made safe on its own, then joined by the report's own line breaks.
std::string cellLines(const std::vector<std::string>& lines) {
  std::vector<std::string> safe;
  safe.reserve(lines.size());
  for (const auto& l : lines) safe.push_back(cell(l));
  return util::join(safe, "<br>");
}

std::string renderMarkdown(const Report& r, const RenderOptions&) {
  std::ostringstream out;
  out << "# pgreach report: " << cell(r.target.host) << "\n\n";
  out << "**" << cell(verdictLine(r)) << "**\n\n";
  if (r.rootCause) {
    out << "## Root cause\n\n";
    out << "- **Stage:** " << engine::toString(r.rootCause->stage) << "\n";
    out << "- **Finding:** `" << r.rootCause->code << "`: " << cell(r.rootCause->summary) << "\n";
    if (!r.rootCause->fix.empty()) out << "- **Fix:** " << cell(r.rootCause->fix) << "\n";
    for (const auto& f : r.rootCause->related)
      out << "- **Related:** `" << f.code << "`: " << cell(f.summary) << "\n";
    if (!r.rootCause->sections.empty())
      out << "- **Playbook steps:** " << cell(util::join(r.rootCause->sections, "; ")) << "\n";
    out << "\n";
  }
  out << "## Path\n\n`" << pathLine(r, false) << "`\n\n";
  out << "| Hop | Status | Detail |\n|---|---|---|\n";
  for (const auto& hop : buildPath(r)) {
    out << "| " << hop.name << " | " << icon(colourOf(hop.status, hop.state)) << " " << hopMark(hop) << " | "
        << cellLines(hop.details) << " |\n";
  }
  out << "\n";
  out << "| | |\n|---|---|\n";
  out << "| Target | " << cell("`" + r.target.conninfo + "`") << " |\n";
  out << "| Provider | " << r.target.provider << " |\n";
  if (!r.playbook.title.empty()) {
    out << "| Playbook | " << cell(r.playbook.title);
    if (!r.playbook.source.empty()) out << " (<" << r.playbook.source << ">)";
    out << " |\n";
  }
  std::vector<std::string> ports;
  for (auto p : r.target.ports) ports.push_back(std::to_string(p));
  out << "| Ports | " << util::join(ports, ", ") << " |\n";
  out << "| Started | " << r.startedAt << " |\n";
  out << "| Duration | " << util::formatDuration(r.durationMs) << " |\n\n";
  for (const auto& s : r.sections) {
    out << "## " << icon(colourOf(s.status, s.state)) << " " << s.title << " ("
        << (shownNotVerified(s.status, s.state) ? "not verified" : engine::toString(s.status)) << ")\n\n";
    if (!s.manual.empty()) out << "> Not verified by pgreach. Check by hand: " << cell(s.manual) << "\n\n";
    if (!s.fix.empty()) out << "**Fix:** " << cell(s.fix) << "\n\n";
    if (s.checkIds.empty()) continue;
    out << "| Check | Status | Summary |\n|---|---|---|\n";
    for (const auto& id : s.checkIds) {
      for (const auto& c : r.checks) {
        if (c.id == id) {
          out << "| `" << c.id << "` | " << icon(colourOf(c.status, c.state())) << " "
              << (shownNotVerified(c.status, c.state()) ? "not verified" : engine::toString(c.status))
              << " | " << cell(c.summary) << " |\n";
        }
      }
    }
    out << "\n";
    for (const auto& id : s.checkIds) {
      for (const auto& c : r.checks) {
        if (c.id != id) continue;
        for (const auto& f : c.findings) {
          if (f.severity == engine::Severity::Info && f.evidence.empty()) continue;
          out << "- **" << engine::toString(f.severity) << "** `" << f.code << "`: " << cell(f.summary)
              << "\n";
          if (!f.fix.empty() && f.severity != engine::Severity::Info)
            out << "  - Fix: " << cell(f.fix) << "\n";
          if (!f.evidence.empty()) {
            out << "\n  <details><summary>Evidence</summary>\n\n  ```\n";
            for (const auto& e : f.evidence) out << "  " << util::replaceAll(e, "```", "'''") << "\n";
            out << "  ```\n\n  </details>\n\n";
          }
        }
      }
    }
  }
  out << "---\n_pgreach " << r.toolVersion << "_\n";
  return out.str();
}

RegisterFormat registered{"markdown", &renderMarkdown, "md"};

}  // namespace
}  // namespace pgreach::reports
