#include "reports/report/playbook.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "reports/report/catalog.h"
#include "reports/report/embedded.h"

namespace pgreach::reports {

using engine::Status;

Expected<Playbook> parsePlaybook(std::string_view json) {
  auto j = nlohmann::json::parse(json, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return makeError("playbook: not a JSON object");
  auto str = [](const nlohmann::json& o, const char* key) -> std::optional<std::string> {
    auto it = o.find(key);
    if (it == o.end()) return std::string();
    if (!it->is_string()) return std::nullopt;
    return it->get<std::string>();
  };
  Playbook p;
  auto provider = str(j, "provider");
  auto title = str(j, "title");
  auto source = str(j, "source");
  if (!provider || provider->empty()) return makeError("playbook: \"provider\" must be a non-empty string");
  if (!title || !source)
    return makeError("playbook " + *provider + ": \"title\" and \"source\" must be strings");
  p.provider = *provider;
  p.title = *title;
  p.source = *source;
  auto sections = j.find("sections");
  if (sections == j.end() || !sections->is_array() || sections->empty()) {
    return makeError("playbook " + p.provider + ": \"sections\" must be a non-empty array");
  }
  size_t index = 0;
  for (const auto& s : *sections) {
    const std::string where = "playbook " + p.provider + ": section " + std::to_string(index++);
    if (!s.is_object()) return makeError(where + " is not an object");
    PlaybookSection ps;
    auto t = str(s, "title");
    auto manual = str(s, "manual");
    auto fix = str(s, "fix");
    if (!t || t->empty()) return makeError(where + ": \"title\" must be a non-empty string");
    if (!manual || !fix) return makeError(where + ": \"manual\" and \"fix\" must be strings");
    ps.title = *t;
    ps.manual = *manual;
    ps.fix = *fix;
    auto checks = s.find("checks");
    if (checks != s.end()) {
      if (!checks->is_array()) return makeError(where + ": \"checks\" must be an array of check ids");
      for (const auto& c : *checks) {
        if (!c.is_string()) return makeError(where + ": \"checks\" must be an array of check ids");
        ps.checks.push_back(c.get<std::string>());
      }
    }
    auto codes = s.find("codes");
    if (codes != s.end()) {
      if (!codes->is_array()) return makeError(where + ": \"codes\" must be an array of finding codes");
      for (const auto& c : *codes) {
        if (!c.is_string()) return makeError(where + ": \"codes\" must be an array of finding codes");
        ps.codes.push_back(c.get<std::string>());
      }
    }
    p.sections.push_back(std::move(ps));
  }
  return p;
}

std::optional<Playbook> playbookFor(std::string_view provider) {
  auto text = embeddedFile("reports/playbooks/" + std::string(provider) + ".json");
  if (!text) return std::nullopt;
  auto parsed = parsePlaybook(*text);
  if (!parsed) return std::nullopt;  // a unit test keeps every embedded playbook valid
  return std::move(*parsed);
}

namespace {

bool codeMatches(const std::vector<std::string>& codes, const std::string& code) {
  if (codes.empty()) return true;
  for (const auto& c : codes) {
    if (c == code) return true;
    if (!c.empty() && c.back() == '*' && code.compare(0, c.size() - 1, c, 0, c.size() - 1) == 0) return true;
  }
  return false;
}

// A check's status as one section sees it: with a code filter, a failing check whose
// failing findings are all about something else counts as passed for this section.
Status statusFor(const PlaybookSection& ps, const engine::CheckResult& c) {
  if (ps.codes.empty() || c.status == Status::Pass || c.status == Status::Skip) return c.status;
  for (const auto& f : c.findings) {
    if (f.severity != engine::Severity::Info && codeMatches(ps.codes, f.code)) return c.status;
  }
  return c.status == Status::Error ? Status::Error : Status::Pass;
}

void addEvidence(Section& s, const engine::CheckResult& c, const std::vector<std::string>& codes = {}) {
  for (const auto& f : c.findings) {
    if (f.severity == engine::Severity::Info || !codeMatches(codes, f.code)) continue;
    s.evidence.push_back(f.code + ": " + f.summary);
    for (const auto& e : f.evidence) s.evidence.push_back("  " + e);
  }
}

}  // namespace

std::vector<Section> applyPlaybook(const Playbook& playbook, const std::vector<engine::CheckResult>& checks) {
  std::vector<Section> out;
  std::set<std::string> covered;
  for (const auto& ps : playbook.sections) {
    Section s;
    s.title = ps.title;
    bool ran = false, any = false;
    Status worst = Status::Skip;
    for (const auto& id : ps.checks) {
      for (const auto& c : checks) {
        if (c.id != id) continue;
        s.checkIds.push_back(c.id);
        covered.insert(c.id);
        if (c.status == Status::Skip) {
          // A requested check that could not run (a dependency failed, the deadline, an
          // export without the endpoint's interfaces) leaves the section unverified.
          if (c.state() == util::ResultState::NotVerified) {
            s.state = worseState(s.state, util::ResultState::NotVerified);
            addEvidence(s, c);
          }
          continue;
        }
        const Status st = statusFor(ps, c);
        const bool unverified = c.state() == util::ResultState::NotVerified;
        // What the section rests on: a check that could not decide leaves it not verified
        // whatever its codes filter says; otherwise the check's status as this section sees it.
        s.state =
            worseState(s.state, unverified ? util::ResultState::NotVerified : engine::deriveState(st, {}));
        if (unverified && !ps.codes.empty() && st == Status::Pass) addEvidence(s, c);
        if (st != c.status && !unverified) {
          std::string codes;
          for (const auto& f : c.findings) {
            if (f.severity != engine::Severity::Info) codes += (codes.empty() ? "" : ", ") + f.code;
          }
          s.evidence.push_back(c.id + " failed with " + codes + ", which is not what this step checks");
        }
        if (!any || engine::statusRank(st) > engine::statusRank(worst)) worst = st;
        any = ran = true;
        addEvidence(s, c, ps.codes);
      }
    }
    s.status = ran ? worst : Status::Skip;
    if (!ran) s.manual = ps.manual;
    if (s.status == Status::Fail || s.status == Status::Warn) {
      s.fix = ps.fix;
      // A section without a provider fix falls back to the findings' own fix.
      for (const auto& id : s.checkIds) {
        for (const auto& c : checks) {
          if (c.id != id || !s.fix.empty()) continue;
          for (const auto& f : c.findings) {
            if (s.fix.empty() && f.severity != engine::Severity::Info && codeMatches(ps.codes, f.code))
              s.fix = f.fix;
          }
        }
      }
    }
    out.push_back(std::move(s));
  }
  Section other;
  other.title = "Other checks";
  bool anyOther = false;
  for (const auto& c : checks) {
    if (covered.count(c.id)) continue;
    other.checkIds.push_back(c.id);
    other.state = worseState(other.state, c.state());
    if (c.status != Status::Skip &&
        (!anyOther || engine::statusRank(c.status) > engine::statusRank(other.status))) {
      other.status = c.status;
      anyOther = true;
    }
    addEvidence(other, c);
  }
  if (!other.checkIds.empty()) out.push_back(std::move(other));
  return out;
}

}  // namespace pgreach::reports
