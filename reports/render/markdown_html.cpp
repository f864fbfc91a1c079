#include "reports/render/markdown_html.h"

#include <vector>

#include "util/strings.h"

namespace pgreach::reports {

std::string markupEscape(std::string_view s, bool keepCarriageReturn) {
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        // Control characters (which XML 1.0 forbids even escaped) become '?'.
        if (c < 0x20 && c != '\n' && c != '\t' && !(keepCarriageReturn && c == '\r'))
          out += '?';
        else
          out += static_cast<char>(c);
    }
  }
  return out;
}

std::string htmlEscape(std::string_view s) { return markupEscape(s, false); }

namespace {

// Emphasis runs (** or *) are matched within one line; an unmatched marker stays a
// character. `code` is taken first, so nothing inside it is markup.
std::string inlines(std::string_view s) {
  std::string out;
  size_t i = 0;
  while (i < s.size()) {
    const char c = s[i];
    if (c == '\\' && i + 1 < s.size() &&
        std::string_view("\\`*_[]()#-").find(s[i + 1]) != std::string_view::npos) {
      out += htmlEscape(s.substr(i + 1, 1));
      i += 2;
      continue;
    }
    if (c == '`') {
      size_t run = 1;
      while (i + run < s.size() && s[i + run] == '`') ++run;
      const std::string fence(run, '`');
      const size_t close = s.find(fence, i + run);
      if (close != std::string_view::npos) {
        std::string_view code = s.substr(i + run, close - i - run);
        // One space of padding on each side is the CommonMark way to put a ` in code.
        if (code.size() >= 2 && code.front() == ' ' && code.back() == ' ')
          code = code.substr(1, code.size() - 2);
        out += "<code>" + htmlEscape(code) + "</code>";
        i = close + run;
        continue;
      }
      out += htmlEscape(fence);
      i += run;
      continue;
    }
    if (c == '*') {
      const bool strong = i + 1 < s.size() && s[i + 1] == '*';
      const std::string_view marker = strong ? "**" : "*";
      const size_t start = i + marker.size();
      const size_t close = s.find(marker, start);
      // Not emphasis: "* " (a star before a space), an empty run, or no closing marker.
      if (close != std::string_view::npos && close > start && s[start] != ' ' && s[close - 1] != ' ') {
        const char* tag = strong ? "strong" : "em";
        out += std::string("<") + tag + ">" + inlines(s.substr(start, close - start)) + "</" + tag + ">";
        i = close + marker.size();
        continue;
      }
      out += '*';
      ++i;
      continue;
    }
    out += htmlEscape(s.substr(i, 1));
    ++i;
  }
  return out;
}

bool bulletItem(std::string_view line, std::string_view& rest) {
  const std::string t = util::trim(line);
  if (t.size() >= 2 && (t[0] == '-' || t[0] == '*') && t[1] == ' ') {
    rest = line.substr(line.find(t[0]) + 2);
    return true;
  }
  return false;
}

bool numberedItem(std::string_view line, std::string_view& rest) {
  size_t i = 0;
  while (i < line.size() && line[i] == ' ') ++i;
  const size_t digits = i;
  while (i < line.size() && line[i] >= '0' && line[i] <= '9') ++i;
  if (i == digits || i - digits > 9 || i + 1 >= line.size() || line[i] != '.' || line[i + 1] != ' ')
    return false;
  rest = line.substr(i + 2);
  return true;
}

}  // namespace

std::string markdownInlineToHtml(std::string_view md) { return inlines(md); }

std::string markdownToHtml(std::string_view md) {
  std::vector<std::string_view> lines;
  size_t pos = 0;
  while (pos <= md.size()) {
    const size_t nl = md.find('\n', pos);
    std::string_view line = md.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    if (nl == std::string_view::npos) break;
    pos = nl + 1;
  }
  std::string out;
  std::vector<std::string_view> para;
  auto flushPara = [&] {
    if (para.empty()) return;
    std::string joined;
    for (size_t k = 0; k < para.size(); ++k) joined += (k ? " " : "") + util::trim(para[k]);
    out += "<p>" + inlines(joined) + "</p>\n";
    para.clear();
  };
  size_t i = 0;
  while (i < lines.size()) {
    const std::string_view line = lines[i];
    const std::string trimmed = util::trim(line);
    std::string_view rest;
    if (util::startsWith(trimmed, "```")) {
      flushPara();
      std::string code;
      ++i;
      while (i < lines.size() && !util::startsWith(util::trim(lines[i]), "```")) {
        code += std::string(lines[i]) + "\n";
        ++i;
      }
      ++i;  // the closing fence (or the end of the text)
      out += "<pre><code>" + htmlEscape(code) + "</code></pre>\n";
    } else if (trimmed.empty()) {
      flushPara();
      ++i;
    } else if (bulletItem(line, rest) || numberedItem(line, rest)) {
      flushPara();
      const bool numbered = !bulletItem(line, rest) && numberedItem(line, rest);
      out += numbered ? "<ol>\n" : "<ul>\n";
      while (i < lines.size()) {
        std::string_view item;
        const bool same = numbered ? numberedItem(lines[i], item) : bulletItem(lines[i], item);
        if (!same) break;
        out += "<li>" + inlines(item) + "</li>\n";
        ++i;
      }
      out += numbered ? "</ol>\n" : "</ul>\n";
    } else {
      para.push_back(line);
      ++i;
    }
  }
  flushPara();
  return out;
}

}  // namespace pgreach::reports
