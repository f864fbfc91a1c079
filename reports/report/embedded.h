#pragma once
// Data files compiled into the binary (reports/playbooks/*.json):
// generated at build time by reports/embed.cmake, so pgreach needs no install directory.
#include <iterator>
#include <optional>
#include <string_view>

namespace pgreach::reports {

struct EmbeddedFile {
  std::string_view path;  // relative to the source tree: "reports/playbooks/neon.json"
  std::string_view content;
};

const EmbeddedFile* embeddedBegin();
const EmbeddedFile* embeddedEnd();

// The content of an embedded file, or nullopt.
inline std::optional<std::string_view> embeddedFile(std::string_view path) {
  for (auto* f = embeddedBegin(); f != embeddedEnd(); ++f) {
    if (f->path == path) return f->content;
  }
  return std::nullopt;
}

}  // namespace pgreach::reports
