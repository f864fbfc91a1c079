// The HTML report (issue 19 item 8): the Markdown it holds is rendered (and escaped), the
// path picture's labels fit their boxes, a WARNING's reason shows without a click, and a
// target given as an address says so in every format.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <regex>

#include "reports/render/markdown_html.h"
#include "reports/render/render.h"
#include "reports/synthetic.h"

using namespace pgreach;

namespace {

// Whether `pos` lies inside a <details> element that is not open.
bool insideClosedDetails(const std::string& html, size_t pos) {
  const size_t start = html.rfind("<details", pos);
  if (start == std::string::npos) return false;
  const size_t close = html.rfind("</details>", pos);
  if (close != std::string::npos && close > start) return false;
  return html.compare(start, 13, "<details open") != 0;
}

std::string unescape(std::string s) {
  for (const auto& [from, to] : std::vector<std::pair<std::string, std::string>>{
           {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&#39;", "'"}, {"&amp;", "&"}}) {
    s = std::regex_replace(s, std::regex(from), to);
  }
  return s;
}

}  // namespace

TEST_CASE("the Markdown subset renders code, emphasis, lists and code blocks, and no link", "[unit][html]") {
  using reports::markdownToHtml;
  CHECK(markdownToHtml("Run `dig +short <host>` now") ==
        "<p>Run <code>dig +short &lt;host&gt;</code> now</p>\n");
  CHECK(markdownToHtml("**must** and *may*") == "<p><strong>must</strong> and <em>may</em></p>\n");
  // Underscores are identifiers here, never emphasis.
  CHECK(markdownToHtml("DATABASE_ENDPOINT_<ID>_URL and pg_hba.conf") ==
        "<p>DATABASE_ENDPOINT_&lt;ID&gt;_URL and pg_hba.conf</p>\n");
  CHECK(markdownToHtml("steps:\n- one `a`\n- two\n\n1. first\n2. second") ==
        "<p>steps:</p>\n<ul>\n<li>one <code>a</code></li>\n<li>two</li>\n</ul>\n<ol>\n<li>first</li>\n"
        "<li>second</li>\n</ol>\n");
  CHECK(markdownToHtml("```\nnc -vz <ip> 5432\n```") == "<pre><code>nc -vz &lt;ip&gt; 5432\n</code></pre>\n");
  // A link could only be a peer's (pgreach's texts have none): it stays text.
  CHECK(markdownToHtml("see [the docs](https://example.com/a?b=1&c=2)") ==
        "<p>see [the docs](https://example.com/a?b=1&amp;c=2)</p>\n");
  // An unmatched marker stays a character; a lone star before a space is no emphasis.
  CHECK(markdownToHtml("a * b and `unclosed") == "<p>a * b and `unclosed</p>\n");
}

TEST_CASE("the Markdown subset never lets markup through", "[unit][html]") {
  using reports::markdownToHtml;
  for (const char* hostile :
       {"<script>alert(1)</script>", "`<img src=x onerror=alert(1)>`", "**<b onmouseover=x>**",
        "[x](javascript:alert(1))", "[x](https://a\" onclick=\"alert(1))", "[<svg onload=x>](https://e.com)",
        "- <iframe src=//e>", "```\n</code></pre><script>x</script>\n```", "*`<style>`*", "\x1b]0;title\x07",
        "[Open the console](https://console.example/login)", "![p](https://e.com/p.png)"}) {
    INFO(hostile);
    const std::string out = markdownToHtml(hostile);
    // Only the subset's own tags remain.
    const std::string stripped =
        std::regex_replace(out, std::regex("</?(p|code|pre|strong|em|ul|ol|li)>"), "");
    CHECK(stripped.find('<') == std::string::npos);
    CHECK(stripped.find('>') == std::string::npos);
    CHECK(out.find("href") == std::string::npos);
    CHECK(out.find('\x1b') == std::string::npos);
  }
}

TEST_CASE("the HTML's check-by-hand and fix boxes show rendered Markdown, not backticks", "[unit][html]") {
  for (const auto& s : testing::scenarios()) {
    const auto html = *reports::render(s.make(), "html", {});
    INFO(s.name);
    for (const char* box : {"<div class=\"manual\">", "<div class=\"fix\">"}) {
      for (size_t p = html.find(box); p != std::string::npos; p = html.find(box, p + 1)) {
        const std::string body = html.substr(p, html.find("</div>", p) - p);
        CHECK(body.find('`') == std::string::npos);
      }
    }
  }
  // The Azure NXDOMAIN scenario has manual steps with commands: they are <code>.
  const auto azure = *reports::render(testing::azureNxdomainReport(), "html", {});
  CHECK(azure.find("<div class=\"manual\">") != std::string::npos);
  CHECK(azure.find("<code>") != std::string::npos);
}

TEST_CASE("the HTML path picture's labels fit their boxes", "[unit][html]") {
  auto r = testing::planetscaleDroppedReport();
  // A long peer-chosen detail and a very long token: wrapped, never wider than the box.
  for (auto& c : r.checks) {
    if (c.id == "tls.direct")
      c.summary = "direct TLS with ALPN postgresql on 5432 to pslab01.private-pg.psdb.cloud.very-long-label";
  }
  // A detail longer than a whole box (a hostile peer's 600-character message): its first
  // lines, shortened with "…", still inside the box.
  auto huge = testing::planetscaleDroppedReport();
  for (auto& c : huge.checks) {
    if (c.id == "tls.direct") c.summary = std::string(600, 'A');
  }
  for (const auto* rep : {&r, &huge}) {
    const auto html = *reports::render(*rep, "html", {});
    const size_t svgAt = html.find("<svg"), svgEnd = html.find("</svg>");
    REQUIRE(svgAt != std::string::npos);
    const std::string svg = html.substr(svgAt, svgEnd - svgAt);
    std::smatch m;
    REQUIRE(std::regex_search(svg, m, std::regex("<rect x=\"\\d+\" y=\"\\d+\" width=\"(\\d+)\"")));
    const double boxW = std::stod(m[1]);
    const std::regex textRe("<text [^>]*font-size=\"(\\d+)\"[^>]*>([^<]*)</text>");
    size_t texts = 0;
    for (auto it = std::sregex_iterator(svg.begin(), svg.end(), textRe); it != std::sregex_iterator(); ++it) {
      const double size = std::stod((*it)[1]);
      const std::string label = unescape((*it)[2]);
      INFO(label);
      // 0.64 em: the widest common monospace advance with a margin (the browser test measures).
      size_t cols = 0;
      for (unsigned char ch : label) cols += (ch & 0xC0) != 0x80 ? 1 : 0;
      CHECK(static_cast<double>(cols) * 0.64 * size <= boxW - 16);
      ++texts;
    }
    CHECK(texts > 12);
    if (rep == &r) {
      // Nothing is shortened: the long summary is all there, over lines.
      CHECK(svg.find("…") == std::string::npos);
      CHECK(svg.find("very-long-label") != std::string::npos);
    } else {
      CHECK(svg.find("AAAA…") != std::string::npos);
    }
  }
}

TEST_CASE("a WARNING's reason shows in the HTML without a click", "[unit][html]") {
  const auto r = testing::warningReport();
  REQUIRE(r.verdict == reports::Verdict::Warning);
  const auto html = *reports::render(r, "html", {});
  const size_t warnings = html.find("<h2>Warnings</h2>");
  REQUIRE(warnings != std::string::npos);
  CHECK(warnings < html.find("<h2>Path</h2>"));
  const size_t reason = html.find("the server certificate expires in 9 days", warnings);
  REQUIRE(reason != std::string::npos);
  CHECK_FALSE(insideClosedDetails(html, reason));
  // The evidence of a warned section is open too.
  const size_t evidence = html.find("not after 2026-11-30T12:00:00Z", warnings);
  REQUIRE(evidence != std::string::npos);
  CHECK_FALSE(insideClosedDetails(html, evidence));
  // A healthy report has no warnings block.
  CHECK(reports::render(testing::healthyReport(), "html", {})->find("Warnings</h2>") == std::string::npos);
}

TEST_CASE("a warning's hostile text is escaped in the HTML's warnings block", "[unit][html]") {
  auto r = testing::warningReport();
  for (auto& c : r.checks) {
    for (auto& f : c.findings) {
      if (f.code != "tls.cert_expiring") continue;
      f.summary = "<img src=x onerror=alert(1)> expires";
      f.evidence = {"</pre><script>alert(2)</script>"};
      f.fix = "`</code><script>alert(3)</script>`";
    }
  }
  const auto html = *reports::render(r, "html", {});
  CHECK(html.find("<script") == std::string::npos);
  CHECK(html.find("<img") == std::string::npos);
  CHECK(html.find("&lt;img src=x onerror=alert(1)&gt; expires") != std::string::npos);
}

TEST_CASE("a target given as an address says so in every format, not skip", "[unit][html]") {
  const auto r = testing::literalIpReport();
  for (const char* format : {"text", "markdown", "html"}) {
    const auto out = *reports::render(r, format, {});
    INFO(format << "\n" << out);
    CHECK(out.find("10.40.2.120 (given as an address)") != std::string::npos);
    CHECK(out.find("no addresses") == std::string::npos);
    CHECK(out.find("nothing to resolve") != std::string::npos);
  }
  const auto text = *reports::render(r, "text", {});
  CHECK(text.find("[n/a  ] addresses 10.40.2.120 (given as an address)") != std::string::npos);
  CHECK(text.find("[skip ] addresses") == std::string::npos);
  const auto json = nlohmann::json::parse(*reports::render(r, "json", {}));
  bool seen = false;
  for (const auto& hop : json["path"]) {
    if (hop["hop"] != "addresses") continue;
    seen = true;
    CHECK(hop["state"] == "not_applicable");
    CHECK(hop["reason"] == "given as an address");
  }
  CHECK(seen);
  // With a name as well as an address (hostaddr= beside host=), the resolved addresses keep
  // their mark and the given one is listed as given.
  auto mixed = testing::healthyReport();
  for (auto& c : mixed.checks) {
    if (c.id != "dns.resolve") continue;
    auto facts = *c.factsAs<engine::DnsResolveFacts>();
    facts.given = {"10.40.9.9"};
    c.setFacts(std::move(facts));
  }
  const auto mixedText = *reports::render(mixed, "text", {});
  INFO(mixedText);
  CHECK(mixedText.find("[ok   ] addresses 10.40.2.120") != std::string::npos);
  CHECK(mixedText.find("10.40.9.9 (given as an address)") != std::string::npos);
}
