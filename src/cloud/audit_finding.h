#pragma once
// What a cloud evaluator found, in the cloud layer's own terms: the cloud layer sits
// below the engine (docs/ARCHITECTURE.md), so checks/cloud turns each into an
// engine::Finding. Same fields, same meaning.
#include <string>
#include <vector>

namespace pgreach::cloud {

enum class AuditSeverity { Info, Warning, Critical };

struct AuditFinding {
  std::string code;  // stable, greppable: "cloud.private_dns_disabled"
  AuditSeverity severity = AuditSeverity::Info;
  std::string summary;                // one line
  std::vector<std::string> evidence;  // what the exports show
  std::string fix;                    // what to change
};

}  // namespace pgreach::cloud
