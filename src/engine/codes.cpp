#include "engine/codes.h"

#include <algorithm>
#include <stdexcept>

#include "engine/check.h"

namespace pgreach::engine {

std::vector<CodeDecl> pickCodes(const std::vector<CodeDecl>& table,
                                std::initializer_list<std::string_view> codes) {
  std::vector<CodeDecl> out;
  out.reserve(codes.size());
  for (auto code : codes) {
    auto it = std::find_if(table.begin(), table.end(), [&](const CodeDecl& d) { return d.code == code; });
    if (it == table.end()) throw std::logic_error("finding code with no declaration: " + std::string(code));
    out.push_back(*it);
  }
  return out;
}

CodeTableRegistry& codeTables() { return CodeTableRegistry::global(); }

RegisterCodes::RegisterCodes(std::string name, std::vector<CodeDecl> codes) {
  codeTables().add(std::move(name), std::move(codes));
}

namespace {

// What the scheduler itself adds to a check's result (scheduler.cpp).
const std::vector<CodeDecl>& engineCodes() {
  static const std::vector<CodeDecl> kCodes = {
      {"engine.check_exception", Severity::Critical, "A check failed inside pgreach",
       "A check threw an unexpected error; its result is unknown.", "A bug in pgreach or unexpected input.",
       "Run with -v, and report the bug with the --bundle file."},
      {"engine.deadline_exceeded", Severity::Warning, "The run's deadline was reached",
       "The whole run hit --deadline before this check could finish.",
       "Slow or silent probes used up the time budget.", "Raise --deadline, or lower --timeout."},
      {"engine.deadline_reached", Severity::Warning, "A check was not started before the deadline",
       "The run reached --deadline before this check started: its step was not verified.",
       "Earlier checks used the whole time budget, often waiting on silent probes.",
       "Raise --deadline (or lower --timeout) so every check can run."},
      {"engine.undeclared_code", Severity::Warning, "A check emitted an undeclared code",
       "A check returned a finding whose code it does not declare in its CheckInfo::codes, so `explain` and "
       "the catalogue know nothing about it.",
       "A bug in pgreach: a new finding code was added without its declaration.",
       "This is a bug in pgreach: please report it; the finding's own summary and fix still apply."},
  };
  return kCodes;
}

RegisterCodes registered{"engine.scheduler", engineCodes()};

}  // namespace

bool isEngineCode(std::string_view code) {
  const auto& codes = engineCodes();
  return std::any_of(codes.begin(), codes.end(), [&](const CodeDecl& d) { return d.code == code; });
}

std::vector<std::string> undeclaredCodes(const CheckInfo& info, const std::vector<Finding>& findings) {
  std::vector<std::string> out;
  for (const auto& f : findings) {
    const bool declared = std::any_of(info.codes.begin(), info.codes.end(),
                                      [&](const CodeDecl& d) { return d.code == f.code; });
    if (declared || isEngineCode(f.code) || std::find(out.begin(), out.end(), f.code) != out.end()) continue;
    out.push_back(f.code);
  }
  return out;
}

}  // namespace pgreach::engine
