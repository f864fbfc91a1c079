// One self-contained HTML file: inline CSS, the path drawn as inline SVG, evidence in
// <details>. No scripts, fonts, images or links that would fetch anything.
#include <sstream>

#include "reports/render/render.h"
#include "reports/report/path.h"
#include "util/strings.h"

namespace pgreach::reports {

std::string xmlEscape(const std::string& s);
std::string verdictLine(const Report& r);

namespace {

using engine::Status;

const char* colour(Status s) {
  switch (s) {
    case Status::Pass:
      return "#1a7f37";
    case Status::Warn:
      return "#b58100";
    case Status::Fail:
      return "#cf222e";
    case Status::Error:
      return "#8250df";
    case Status::Skip:
      return "#8c959f";
  }
  return "#8c959f";
}

std::string shorten(const std::string& s, size_t n) { return s.size() <= n ? s : s.substr(0, n - 1) + "…"; }

std::string pathSvg(const std::vector<Hop>& hops) {
  const int boxW = 150, boxH = 96, gap = 30, top = 10;
  const int width = static_cast<int>(hops.size()) * (boxW + gap) - gap + 20;
  std::ostringstream svg;
  svg << "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-label=\"connection path\" width=\""
      << width << "\" height=\"" << boxH + 2 * top << "\" viewBox=\"0 0 " << width << " " << boxH + 2 * top
      << "\">\n";
  svg << "<defs><marker id=\"arrow\" markerWidth=\"10\" markerHeight=\"10\" refX=\"8\" refY=\"3\" "
         "orient=\"auto\">"
         "<path d=\"M0,0 L8,3 L0,6 z\" fill=\"#57606a\"/></marker></defs>\n";
  for (size_t i = 0; i < hops.size(); ++i) {
    const auto& h = hops[i];
    const int x = 10 + static_cast<int>(i) * (boxW + gap);
    svg << "<g><rect x=\"" << x << "\" y=\"" << top << "\" width=\"" << boxW << "\" height=\"" << boxH
        << "\" rx=\"8\" fill=\"" << colour(colourOf(h.status, h.state))
        << "\" fill-opacity=\"0.12\" stroke=\"" << colour(colourOf(h.status, h.state))
        << "\" stroke-width=\"2\"/>\n";
    svg << "<text x=\"" << x + boxW / 2 << "\" y=\"" << top + 22
        << "\" text-anchor=\"middle\" font-weight=\"bold\">" << xmlEscape(h.name) << "</text>\n";
    svg << "<text x=\"" << x + boxW / 2 << "\" y=\"" << top + 42 << "\" text-anchor=\"middle\" fill=\""
        << colour(colourOf(h.status, h.state)) << "\" font-weight=\"bold\">"
        << xmlEscape(markOf(h.status, h.state)) << "</text>\n";
    for (size_t d = 0; d < h.details.size() && d < 2; ++d) {
      svg << "<text x=\"" << x + boxW / 2 << "\" y=\"" << top + 62 + static_cast<int>(d) * 16
          << "\" text-anchor=\"middle\" font-size=\"11\">" << xmlEscape(shorten(h.details[d], 24))
          << "</text>\n";
    }
    if (h.details.size() > 2) {
      svg << "<text x=\"" << x + boxW / 2 << "\" y=\"" << top + 92
          << "\" text-anchor=\"middle\" font-size=\"10\">+" << h.details.size() - 2 << " more</text>\n";
    }
    svg << "</g>\n";
    if (i + 1 < hops.size()) {
      svg << "<line x1=\"" << x + boxW + 2 << "\" y1=\"" << top + boxH / 2 << "\" x2=\"" << x + boxW + gap - 4
          << "\" y2=\"" << top + boxH / 2
          << "\" stroke=\"#57606a\" stroke-width=\"2\" marker-end=\"url(#arrow)\"/>\n";
    }
  }
  svg << "</svg>\n";
  return svg.str();
}

const char* kCss = R"css(
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:1200px;padding:0 1rem;color:#1f2328;background:#fff}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:1.6rem;border-bottom:1px solid #d0d7de;padding-bottom:.2rem}
.verdict{padding:.8rem 1rem;border-radius:8px;font-weight:bold;color:#fff;font-size:1.1rem}
.root{border-left:4px solid #cf222e;padding:.4rem 1rem;background:#fff5f5}
table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #d0d7de;padding:.3rem .6rem;text-align:left;vertical-align:top}
.badge{display:inline-block;padding:0 .5rem;border-radius:1rem;color:#fff;font-size:.85rem}
code,pre{font-family:ui-monospace,monospace;font-size:.9rem}pre{background:#f6f8fa;padding:.6rem;overflow:auto}
.manual{background:#fff8c5;padding:.4rem .8rem;border-radius:6px}.fix{background:#dafbe1;padding:.4rem .8rem;border-radius:6px}
.svgwrap{overflow-x:auto}
)css";

std::string detailLines(const std::vector<std::string>& lines) {
  std::string out;
  for (size_t i = 0; i < lines.size(); ++i) out += (i ? "<br>" : "") + xmlEscape(lines[i]);
  return out;
}

std::string badge(Status s, util::ResultState state) {
  return "<span class=\"badge\" style=\"background:" + std::string(colour(colourOf(s, state))) + "\">" +
         markOf(s, state) + "</span>";
}

std::string renderHtml(const Report& r, const RenderOptions&) {
  std::ostringstream out;
  out << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
      << "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src "
         "'unsafe-inline'\">\n"
      << "<title>pgreach report: " << xmlEscape(r.target.host) << "</title>\n<style>" << kCss
      << "</style></head>\n<body>\n";
  out << "<h1>pgreach report: " << xmlEscape(r.target.host) << "</h1>\n";
  out << "<div class=\"verdict\" style=\"background:" << colour(verdictStatus(r.verdict)) << "\">"
      << xmlEscape(verdictLine(r)) << "</div>\n";
  if (r.rootCause) {
    out << "<h2>Root cause</h2>\n<div class=\"root\"><p><b>Stage:</b> "
        << engine::toString(r.rootCause->stage) << "</p><p><b>Finding:</b> <code>"
        << xmlEscape(r.rootCause->code) << "</code>: " << xmlEscape(r.rootCause->summary) << "</p>";
    if (!r.rootCause->fix.empty()) out << "<p><b>Fix:</b> " << xmlEscape(r.rootCause->fix) << "</p>";
    for (const auto& f : r.rootCause->related) {
      out << "<p><b>Related:</b> <code>" << xmlEscape(f.code) << "</code>: " << xmlEscape(f.summary)
          << "</p>";
    }
    if (!r.rootCause->sections.empty()) {
      out << "<p><b>Playbook steps:</b> " << xmlEscape(util::join(r.rootCause->sections, "; ")) << "</p>";
    }
    out << "</div>\n";
  }
  const auto hops = buildPath(r);
  out << "<h2>Path</h2>\n<div class=\"svgwrap\">" << pathSvg(hops)
      << "</div>\n<table><tr><th>Hop</th><th>Status</th><th>Detail</th></tr>\n";
  for (const auto& h : hops) {
    out << "<tr><td>" << xmlEscape(h.name) << "</td><td>" << badge(h.status, h.state) << "</td><td>"
        << detailLines(h.details) << "</td></tr>\n";
  }
  out << "</table>\n<table>\n<tr><th>Target</th><td><code>" << xmlEscape(r.target.conninfo)
      << "</code></td></tr>\n"
      << "<tr><th>Provider</th><td>" << xmlEscape(r.target.provider) << "</td></tr>\n";
  if (!r.playbook.title.empty()) {
    out << "<tr><th>Playbook</th><td>" << xmlEscape(r.playbook.title);
    if (!r.playbook.source.empty()) out << " (" << xmlEscape(r.playbook.source) << ")";
    out << "</td></tr>\n";
  }
  out << "<tr><th>Started</th><td>" << xmlEscape(r.startedAt) << "</td></tr>\n<tr><th>Duration</th><td>"
      << xmlEscape(util::formatDuration(r.durationMs)) << "</td></tr>\n</table>\n";
  for (const auto& s : r.sections) {
    out << "<h2>" << badge(s.status, s.state) << " " << xmlEscape(s.title) << "</h2>\n";
    if (!s.manual.empty())
      out << "<p class=\"manual\">Not verified by pgreach. Check by hand: " << xmlEscape(s.manual)
          << "</p>\n";
    if (!s.fix.empty()) out << "<p class=\"fix\"><b>Fix:</b> " << xmlEscape(s.fix) << "</p>\n";
    if (s.checkIds.empty()) continue;
    out << "<table><tr><th>Check</th><th>Status</th><th>Summary</th></tr>\n";
    for (const auto& id : s.checkIds) {
      for (const auto& c : r.checks) {
        if (c.id == id) {
          out << "<tr><td><code>" << xmlEscape(c.id) << "</code></td><td>" << badge(c.status, c.state())
              << "</td><td>" << xmlEscape(c.summary) << "</td></tr>\n";
        }
      }
    }
    out << "</table>\n";
    if (!s.evidence.empty()) {
      out << "<details><summary>Evidence</summary><pre>" << xmlEscape(util::join(s.evidence, "\n"))
          << "</pre></details>\n";
    }
    // Informational findings that carry evidence (which export files were read and which
    // ignored, and why) are not part of the section's evidence, which is about what
    // went wrong; they are listed on their own so HTML shows what the other formats do.
    for (const auto& id : s.checkIds) {
      for (const auto& c : r.checks) {
        if (c.id != id) continue;
        for (const auto& f : c.findings) {
          if (f.severity != engine::Severity::Info || f.evidence.empty()) continue;
          out << "<details><summary><code>" << xmlEscape(f.code) << "</code>: " << xmlEscape(f.summary)
              << "</summary><pre>" << xmlEscape(util::join(f.evidence, "\n")) << "</pre></details>\n";
        }
      }
    }
  }
  out << "<hr><p><small>pgreach " << xmlEscape(r.toolVersion) << "</small></p>\n</body></html>\n";
  return out.str();
}

RegisterFormat registered{"html", &renderHtml, "html"};

}  // namespace
}  // namespace pgreach::reports
