#pragma once
// The small Markdown subset the reports' own texts use (playbook "check by hand" and fix
// texts, finding fixes), rendered to HTML for the html format. Every character of the
// input is escaped first; the only markup out is what this subset makes, so text a peer
// chose can change formatting at most, never inject an element or an attribute.
//
// Why not cmark (libcmark-dev): CommonMark passes raw HTML through unless told not to, the
// texts use only a few constructs, and one more shared library would be one more package
// dependency for the .deb; this is ~150 lines with a test on hostile input.
//
// Block level: paragraphs (split on blank lines), "- " / "* " bullet lists, "1. " numbered
// lists, ``` fenced code blocks. Inline: `code`, **strong**, *emphasis*. No links:
// pgreach's own texts have none, so a [text](url) could only come from a peer or a file
// (a security group may be named "[Open the console](https://...)") and would dress a
// phishing link as pgreach's advice in the report support opens; it stays text. "_"
// is never emphasis: the texts are full of identifiers (pg_hba.conf, DATABASE_ENDPOINT_<ID>_URL).
#include <string>
#include <string_view>

namespace pgreach::reports {

// Escapes &, <, >, " and ' for HTML text and attribute values; control characters other
// than tab and newline become '?'.
// &, <, >, " and ' as entities, control characters as '?' (a carriage return kept when
// asked: JUnit's XML keeps it). One escaper for the HTML and the JUnit reports.
std::string markupEscape(std::string_view s, bool keepCarriageReturn);
std::string htmlEscape(std::string_view s);

// One line of Markdown without block structure (for a table cell, a <p>).
std::string markdownInlineToHtml(std::string_view md);

// A whole text: blocks and inlines.
std::string markdownToHtml(std::string_view md);

}  // namespace pgreach::reports
