#pragma once
// Finding codes are declared once, next to what emits them: each check lists the codes it
// can emit in its CheckInfo (texts from a table in its folder, e.g. checks/tcp/codes.cpp),
// and codes emitted outside checks (the scheduler's engine.*, the app's engine.bad_input)
// is declared by the layer that emits it with RegisterCodes. The catalogue behind
// `pgreach explain`, the reports' default fixes, reports/findings.json and the JSON
// Schema's enum of codes all come from these declarations (reports/catalog.h).
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "engine/result.h"
#include "util/registry.h"

namespace pgreach::engine {

// The texts are string literals in the declaring table (static storage): a declaration
// costs no heap, however many checks and catalogues copy it.
struct CodeDecl {
  std::string_view code;   // "tcp.silently_dropped"
  Severity severity;       // the usual one; a check may emit another where the context says so
  std::string_view title;  // a short line
  std::string_view meaning;
  std::string_view why;
  std::string_view fix;
};

// Picks the named declarations out of an area's table, in the order asked. Throws
// std::logic_error on a name the table lacks: a check cannot declare a code with no text.
std::vector<CodeDecl> pickCodes(const std::vector<CodeDecl>& table,
                                std::initializer_list<std::string_view> codes);

// Codes emitted outside checks, one table per emitting layer, registered from that layer's
// .cpp: `namespace { engine::RegisterCodes registered{"app.run_target", {{"engine.bad_input", ...}}}; }`.
using CodeTableRegistry = util::Registry<std::vector<CodeDecl>>;
CodeTableRegistry& codeTables();
// Throws std::logic_error on a duplicate table name.
struct RegisterCodes {
  RegisterCodes(std::string name, std::vector<CodeDecl> codes);
};

// The scheduler's own codes (engine.check_exception, engine.deadline_exceeded,
// engine.undeclared_code): findings it adds to a check's result, so accepted from any check.
bool isEngineCode(std::string_view code);

struct CheckInfo;
// The codes in `findings` that `info` does not declare (and that are not the engine's own).
// The scheduler runs this after each check; see scheduler.h for what it does with them.
std::vector<std::string> undeclaredCodes(const CheckInfo& info, const std::vector<Finding>& findings);

}  // namespace pgreach::engine
