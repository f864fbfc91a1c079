// One self-contained HTML file: inline CSS, the path drawn as inline SVG, evidence in
// <details>. No scripts, fonts, images or links that would fetch anything.
#include <algorithm>
#include <sstream>

#include "reports/render/markdown_html.h"
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

// The path picture's text is monospace at fixed sizes so its width is known here: a label
// is wrapped to its box, never cut by it. kCharWidth is the advance of the widest common
// monospace faces (DejaVu Sans Mono 0.602 em, Liberation Mono 0.600 em, Menlo 0.602 em)
// with a margin; the headless Chromium test measures the real widths.
constexpr double kCharWidth = 0.64;
// Six hops of 172 px with 22 px arrows are 1162 px: within the page's 1200 px, so no box
// sits behind a scroll bar; narrower windows scale the whole picture (viewBox, width 100%).
constexpr int kBoxW = 172, kGap = 22, kTop = 10, kPad = 8;
constexpr int kNameSize = 14, kDetailSize = 11, kLineH = 14;
constexpr int kMaxDetailLines = 8;

size_t charsThatFit(int px, int fontSize) {
  return static_cast<size_t>(static_cast<double>(px) / (kCharWidth * fontSize));
}

// UTF-8 aware length: a continuation byte takes no column.
size_t columns(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80 ? 1 : 0;
  return n;
}

// Splits one detail into lines of at most `width` columns: at a space when there is one,
// else after ':' or '/' or '.', else hard (a long token such as a hostname).
std::vector<std::string> wrapLine(const std::string& text, size_t width) {
  std::vector<std::string> lines;
  std::string rest = text;
  while (columns(rest) > width) {
    // Byte offset of the column `width`.
    size_t cut = 0, cols = 0;
    while (cut < rest.size() && cols < width) {
      ++cut;
      while (cut < rest.size() && (static_cast<unsigned char>(rest[cut]) & 0xC0) == 0x80) ++cut;
      ++cols;
    }
    size_t at = rest.rfind(' ', cut);
    if (at != std::string::npos && at > 0) {
      lines.push_back(rest.substr(0, at));
      rest = rest.substr(at + 1);
      continue;
    }
    at = rest.find_last_of(":/.,", cut - 1);
    if (at != std::string::npos && at > 0 && at + 1 < rest.size()) cut = at + 1;
    lines.push_back(rest.substr(0, cut));
    rest = rest.substr(cut);
  }
  if (!rest.empty() || lines.empty()) lines.push_back(rest);
  return lines;
}

// The lines a hop's box shows: each detail wrapped, at most kMaxDetailLines in all; what
// does not fit is counted ("+2 more"), and listed whole in the table under the picture.
std::vector<std::string> hopLines(const Hop& h) {
  const size_t width = charsThatFit(kBoxW - 2 * kPad, kDetailSize);
  std::vector<std::string> out;
  size_t shown = 0;
  for (const auto& d : h.details) {
    auto wrapped = wrapLine(d, width);
    const bool last = shown + 1 == h.details.size();
    // Keep one line for "+N more" unless this is the last detail.
    const size_t room = kMaxDetailLines - out.size() - (last ? 0 : 1);
    if (wrapped.size() > room) {
      // A detail longer than the box can hold: its first lines, the last one ending in "…"
      // (the table under the picture has it whole). Never none of it for the first one.
      if (!out.empty() || room == 0) break;
      wrapped.resize(room);
      std::string& end = wrapped.back();
      while (!end.empty() && columns(end) + 1 > width) {
        end.pop_back();
        while (!end.empty() && (static_cast<unsigned char>(end.back()) & 0xC0) == 0x80) end.pop_back();
        if (!end.empty() && (static_cast<unsigned char>(end.back()) & 0xC0) == 0xC0) end.pop_back();
      }
      end += "…";
    }
    out.insert(out.end(), wrapped.begin(), wrapped.end());
    ++shown;
  }
  if (shown < h.details.size())
    out.push_back("+" + std::to_string(h.details.size() - shown) + " more (table below)");
  return out;
}

std::string pathSvg(const std::vector<Hop>& hops) {
  std::vector<std::vector<std::string>> lines;
  size_t most = 0;
  for (const auto& h : hops) {
    lines.push_back(hopLines(h));
    most = std::max(most, lines.back().size());
  }
  const int boxH = 52 + static_cast<int>(most) * kLineH + kPad;
  const int width = static_cast<int>(hops.size()) * (kBoxW + kGap) - kGap + 20;
  std::ostringstream svg;
  svg << "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-label=\"connection path\" "
      << "width=\"100%\" style=\"max-width:" << width << "px;height:auto\" viewBox=\"0 0 " << width << " "
      << boxH + 2 * kTop
      << "\" font-family=\"ui-monospace,'DejaVu Sans Mono','Liberation Mono',Menlo,monospace\">\n";
  svg << "<defs><marker id=\"arrow\" markerWidth=\"10\" markerHeight=\"10\" refX=\"8\" refY=\"3\" "
         "orient=\"auto\">"
         "<path d=\"M0,0 L8,3 L0,6 z\" fill=\"#57606a\"/></marker></defs>\n";
  for (size_t i = 0; i < hops.size(); ++i) {
    const auto& h = hops[i];
    const int x = 10 + static_cast<int>(i) * (kBoxW + kGap);
    const int cx = x + kBoxW / 2;
    const char* c = colour(colourOf(h.status, h.state));
    // The full details as the box's tooltip.
    svg << "<g class=\"hop\"><title>" << xmlEscape(h.name + ": " + hopMark(h))
        << (h.details.empty() ? "" : "\n") << xmlEscape(util::join(h.details, "\n")) << "</title>\n";
    svg << "<rect x=\"" << x << "\" y=\"" << kTop << "\" width=\"" << kBoxW << "\" height=\"" << boxH
        << "\" rx=\"8\" fill=\"" << c << "\" fill-opacity=\"0.12\" stroke=\"" << c
        << "\" stroke-width=\"2\"/>\n";
    svg << "<text x=\"" << cx << "\" y=\"" << kTop + 22 << "\" text-anchor=\"middle\" font-size=\""
        << kNameSize << "\" font-weight=\"bold\">" << xmlEscape(h.name) << "</text>\n";
    svg << "<text x=\"" << cx << "\" y=\"" << kTop + 42 << "\" text-anchor=\"middle\" font-size=\""
        << kNameSize << "\" fill=\"" << c << "\" font-weight=\"bold\">" << xmlEscape(hopMark(h))
        << "</text>\n";
    for (size_t d = 0; d < lines[i].size(); ++d) {
      svg << "<text x=\"" << cx << "\" y=\"" << kTop + 60 + static_cast<int>(d) * kLineH
          << "\" text-anchor=\"middle\" font-size=\"" << kDetailSize << "\">" << xmlEscape(lines[i][d])
          << "</text>\n";
    }
    svg << "</g>\n";
    if (i + 1 < hops.size()) {
      svg << "<line x1=\"" << x + kBoxW + 2 << "\" y1=\"" << kTop + boxH / 2 << "\" x2=\""
          << x + kBoxW + kGap - 4 << "\" y2=\"" << kTop + boxH / 2
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
.warnings{border-left:4px solid #b58100;padding:.4rem 1rem;background:#fff8e1}
.manual p,.fix p,.root p,.warnings p{margin:.3rem 0}.manual ul,.fix ul{margin:.3rem 0}
)css";

std::string detailLines(const std::vector<std::string>& lines) {
  std::string out;
  for (size_t i = 0; i < lines.size(); ++i) out += (i ? "<br>" : "") + xmlEscape(lines[i]);
  return out;
}

std::string badgeText(Status s, util::ResultState state, const std::string& text) {
  return "<span class=\"badge\" style=\"background:" + std::string(colour(colourOf(s, state))) + "\">" +
         xmlEscape(text) + "</span>";
}

std::string badge(Status s, util::ResultState state) { return badgeText(s, state, markOf(s, state)); }

// Every warning of the run (findings of warning severity, and warned checks without one),
// shown open under the verdict: a WARNING's reason needs no click. Empty when none.
std::string warningsBlock(const Report& r) {
  std::ostringstream out;
  for (const auto& c : r.checks) {
    bool any = false;
    for (const auto& f : c.findings) {
      if (f.severity != engine::Severity::Warning) continue;
      any = true;
      out << "<p><b><code>" << xmlEscape(f.code) << "</code></b> (" << xmlEscape(c.id)
          << "): " << xmlEscape(f.summary) << "</p>\n";
      if (!f.evidence.empty()) out << "<pre>" << xmlEscape(util::join(f.evidence, "\n")) << "</pre>\n";
      if (!f.fix.empty()) out << "<p><b>Fix:</b> " << markdownInlineToHtml(f.fix) << "</p>\n";
    }
    if (!any && c.status == Status::Warn)
      out << "<p><b><code>" << xmlEscape(c.id) << "</code></b>: " << xmlEscape(c.summary) << "</p>\n";
  }
  const std::string body = out.str();
  if (body.empty()) return "";
  return "<h2>Warnings</h2>\n<div class=\"warnings\">\n" + body + "</div>\n";
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
    if (!r.rootCause->fix.empty())
      out << "<p><b>Fix:</b> " << markdownInlineToHtml(r.rootCause->fix) << "</p>";
    for (const auto& f : r.rootCause->related) {
      out << "<p><b>Related:</b> <code>" << xmlEscape(f.code) << "</code>: " << xmlEscape(f.summary)
          << "</p>";
    }
    if (!r.rootCause->sections.empty()) {
      out << "<p><b>Playbook steps:</b> " << xmlEscape(util::join(r.rootCause->sections, "; ")) << "</p>";
    }
    out << "</div>\n";
  }
  out << warningsBlock(r);
  const auto hops = buildPath(r);
  out << "<h2>Path</h2>\n<div class=\"svgwrap\">" << pathSvg(hops)
      << "</div>\n<table><tr><th>Hop</th><th>Status</th><th>Detail</th></tr>\n";
  for (const auto& h : hops) {
    out << "<tr><td>" << xmlEscape(h.name) << "</td><td>"
        << (h.reason.empty() ? badge(h.status, h.state) : badgeText(h.status, h.state, hopMark(h)))
        << "</td><td>" << detailLines(h.details) << "</td></tr>\n";
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
    // The playbooks' texts are Markdown (`commands` in backticks): rendered, escaped first.
    if (!s.manual.empty())
      out << "<div class=\"manual\"><p><b>Not verified by pgreach. Check by hand:</b></p>"
          << markdownToHtml(s.manual) << "</div>\n";
    if (!s.fix.empty()) out << "<div class=\"fix\"><p><b>Fix:</b></p>" << markdownToHtml(s.fix) << "</div>\n";
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
      // Open when the section failed or warned: its reason is what the reader came for.
      const bool expanded = s.status == Status::Fail || s.status == Status::Warn ||
                            s.status == Status::Error || shownNotVerified(s.status, s.state);
      out << "<details" << (expanded ? " open" : "") << "><summary>Evidence</summary><pre>"
          << xmlEscape(util::join(s.evidence, "\n")) << "</pre></details>\n";
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
