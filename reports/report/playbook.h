#pragma once
// Provider playbooks: the report's sections in the order and words of the provider's own
// setup and troubleshooting documents (reports/playbooks/<provider>.json, embedded at
// build time). Each section names the checks that verify it, what to check by hand when
// none ran, and the fix in the provider's terms.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/result.h"
#include "reports/report/report.h"
#include "util/expected.h"

namespace pgreach::reports {

struct PlaybookSection {
  std::string title;
  std::vector<std::string> checks;
  // When set, only findings with these codes ("tcp.silently_dropped", or "cloud.aws.*")
  // make the section fail: a refused port says nothing about security groups.
  std::vector<std::string> codes;
  std::string manual;
  std::string fix;
};

struct Playbook {
  std::string provider;
  std::string title;
  std::string source;
  std::vector<PlaybookSection> sections;
};

// Pure: parses one playbook document; the error says what is wrong and where.
Expected<Playbook> parsePlaybook(std::string_view json);
// The embedded playbook for a provider ("neon", ...), or nullopt.
std::optional<Playbook> playbookFor(std::string_view provider);
// The report's sections: one per playbook section, then "Other checks" for results
// that no section names.
std::vector<Section> applyPlaybook(const Playbook& playbook, const std::vector<engine::CheckResult>& checks);

}  // namespace pgreach::reports
