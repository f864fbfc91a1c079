#include "reports/render/render.h"

#include <map>

namespace pgreach::reports {
namespace {

struct FormatEntry {
  Renderer renderer;
  std::string extension;
};

std::map<std::string, FormatEntry, std::less<>>& formats() {
  static std::map<std::string, FormatEntry, std::less<>> registry;
  return registry;
}

}  // namespace

RegisterFormat::RegisterFormat(std::string name, Renderer renderer, std::string fileExtension) {
  formats()[std::move(name)] = {std::move(renderer), std::move(fileExtension)};
}

std::optional<std::string> render(const Report& report, std::string_view format, const RenderOptions& options) {
  auto it = formats().find(format);
  if (it == formats().end()) return std::nullopt;
  return it->second.renderer(report, options);
}

std::vector<std::string> formatNames() {
  std::vector<std::string> names;
  for (const auto& [name, entry] : formats()) names.push_back(name);
  return names;
}

std::string formatExtension(std::string_view format) {
  auto it = formats().find(format);
  return it == formats().end() ? std::string("txt") : it->second.extension;
}

}  // namespace pgreach::reports
