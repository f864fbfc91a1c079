#include "app/explain.h"

#include "reports/report/catalog.h"
#include "util/strings.h"

namespace pgreach::app {

int explainCode(const std::string& code, std::ostream& out, std::ostream& err) {
  const std::string wanted = util::toLower(util::trim(code));
  auto info = reports::lookupCode(wanted);
  if (!info) {
    // The code comes from the user: print it only if it looks like a code.
    std::string shown;
    for (char c : wanted.substr(0, 80))
      shown += (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_') ? c : '?';
    err << "pgreach: unknown finding code \"" << shown << "\"";
    auto close = reports::closeCodes(wanted);
    if (!close.empty()) err << "; did you mean: " << util::join(close, ", ");
    err << "\n(all codes: " << util::join(reports::knownCodes(), ", ") << ")\n";
    return 3;
  }
  out << info->code << " (" << info->stage << "): " << info->title << "\n\n";
  out << "What it means:\n  " << info->meaning << "\n\n";
  out << "Why it happens:\n  " << info->why << "\n\n";
  out << "How to fix it:\n  " << info->fix << "\n";
  return 0;
}

}  // namespace pgreach::app
