#include "reports/render/render.h"

#include <algorithm>

namespace pgreach::reports {

FormatRegistry& formats() { return FormatRegistry::global(); }

RegisterFormat::RegisterFormat(std::string name, Renderer renderer, std::string fileExtension,
                               MultiRenderer combined) {
  formats().add(std::move(name), {std::move(renderer), std::move(fileExtension), std::move(combined)});
}

std::optional<std::string> render(const Report& report, std::string_view format,
                                  const RenderOptions& options) {
  const Format* f = formats().find(format);
  if (!f) return std::nullopt;
  return f->renderer(report, options);
}

std::optional<std::string> renderAll(const std::vector<const Report*>& reports, std::string_view format,
                                     const RenderOptions& options) {
  const Format* f = formats().find(format);
  if (!f) return std::nullopt;
  if (f->combined) return f->combined(reports, options);
  std::string out;
  for (const auto* r : reports) out += f->renderer(*r, options);
  return out;
}

std::vector<std::string> formatNames() {
  // Sorted: registration follows link order, and the names appear in messages.
  auto names = formats().names();
  std::sort(names.begin(), names.end());
  return names;
}

std::string formatExtension(std::string_view format) {
  const Format* f = formats().find(format);
  return f ? f->extension : std::string("txt");
}

}  // namespace pgreach::reports
