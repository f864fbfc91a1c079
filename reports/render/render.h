#pragma once
// Renderers turn one Report into one output format. Each format registers itself from
// its own .cpp with `namespace { reports::RegisterFormat registered{"json", &renderJson}; }`.
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "reports/report/report.h"
#include "util/registry.h"

namespace pgreach::reports {

struct RenderOptions {
  bool color = false;  // ANSI colour (the caller decides: only on a terminal)
};

using Renderer = std::function<std::string(const Report&, const RenderOptions&)>;
// Several reports (a fleet's targets) as one document of the format, for one stream:
// Prometheus writes each HELP/TYPE once, JUnit one <testsuites> with a suite per target.
using MultiRenderer = std::function<std::string(const std::vector<const Report*>&, const RenderOptions&)>;

struct Format {
  Renderer renderer;
  std::string extension;   // used with --output-dir ("json", "md", ...)
  MultiRenderer combined;  // empty: the reports' renders one after another (text formats)
};
using FormatRegistry = util::Registry<Format>;
// The registry formats add themselves to; a test adds a fake for its scope with
// util::ScopedRegistration<Format>(formats(), "fake", {...}).
FormatRegistry& formats();

// Throws std::logic_error when the name is already registered.
struct RegisterFormat {
  RegisterFormat(std::string name, Renderer renderer, std::string fileExtension, MultiRenderer combined = {});
};

// Renders `report` as `format`, or nullopt for an unknown format.
std::optional<std::string> render(const Report& report, std::string_view format,
                                  const RenderOptions& options);
// Renders several reports into one stream as one document (see MultiRenderer), or
// nullopt for an unknown format.
std::optional<std::string> renderAll(const std::vector<const Report*>& reports, std::string_view format,
                                     const RenderOptions& options);
std::vector<std::string> formatNames();
// The file extension used with --output-dir ("json", "md", ...).
std::string formatExtension(std::string_view format);

// The JSON contract (schema in reports/schema/report.schema.json).
nlohmann::json toJson(const Report& report);
nlohmann::json toJson(const engine::Finding& finding);
nlohmann::json toJson(const engine::CheckResult& check);

}  // namespace pgreach::reports
