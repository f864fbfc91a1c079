// The JSON report: the contract machines and later tools rely on.
#include "reports/render/render.h"
#include "reports/report/path.h"
#include "util/json_dump.h"

namespace pgreach::reports {

nlohmann::json toJson(const engine::Finding& f) {
  return {{"code", f.code},
          {"severity", engine::toString(f.severity)},
          {"summary", f.summary},
          {"evidence", f.evidence},
          {"fix", f.fix}};
}

nlohmann::json toJson(const engine::CheckResult& c) {
  nlohmann::json findings = nlohmann::json::array();
  for (const auto& f : c.findings) findings.push_back(toJson(f));
  return {{"id", c.id},
          {"stage", engine::toString(c.stage)},
          {"status", engine::toString(c.status)},
          {"state", util::toString(c.state())},
          {"summary", c.summary},
          {"duration_ms", c.durationMs},
          {"findings", findings},
          {"data", c.dataJson()}};
}

nlohmann::json toJson(const Report& r) {
  nlohmann::json checks = nlohmann::json::array();
  for (const auto& c : r.checks) checks.push_back(toJson(c));
  nlohmann::json sections = nlohmann::json::array();
  for (const auto& s : r.sections) {
    sections.push_back({{"title", s.title},
                        {"status", engine::toString(s.status)},
                        {"state", util::toString(s.state)},
                        {"check_ids", s.checkIds},
                        {"manual", s.manual},
                        {"fix", s.fix},
                        {"evidence", s.evidence}});
  }
  nlohmann::json rootCause = nullptr;
  if (r.rootCause) {
    nlohmann::json related = nlohmann::json::array();
    for (const auto& f : r.rootCause->related) related.push_back(toJson(f));
    rootCause = {{"stage", engine::toString(r.rootCause->stage)},
                 {"check", r.rootCause->checkId},
                 {"code", r.rootCause->code},
                 {"summary", r.rootCause->summary},
                 {"fix", r.rootCause->fix},
                 {"related", related},
                 {"sections", r.rootCause->sections}};
  }
  nlohmann::json path = nlohmann::json::array();
  for (const auto& hop : buildPath(r)) {
    path.push_back({{"hop", hop.name},
                    {"status", engine::toString(hop.status)},
                    {"state", util::toString(hop.state)},
                    {"details", hop.details}});
    if (!hop.reason.empty()) path.back()["reason"] = hop.reason;
  }
  return {{"schema_version", kSchemaVersion},
          {"tool", {{"name", "pgreach"}, {"version", r.toolVersion}}},
          {"started_at", r.startedAt},
          {"duration_ms", r.durationMs},
          {"target",
           {{"name", r.name.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.name)},
            {"host", r.target.host},
            {"port", r.target.port},
            {"ports", r.target.ports},
            {"provider", r.target.provider},
            {"dbname", r.target.dbname},
            {"user", r.target.user},
            {"conninfo", r.target.conninfo}}},
          {"verdict", toString(r.verdict)},
          {"root_cause", rootCause},
          {"checks", checks},
          {"sections", sections},
          {"path", path},
          {"playbook",
           {{"provider", r.playbook.provider}, {"title", r.playbook.title}, {"source", r.playbook.source}}}};
}

namespace {
std::string renderJson(const Report& r, const RenderOptions&) { return util::dumpJson(toJson(r), 2) + "\n"; }
RegisterFormat registered{"json", &renderJson, "json"};
}  // namespace

}  // namespace pgreach::reports
