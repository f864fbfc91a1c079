// Connection strings from anywhere: libpq's parser, our host/port matching, the printable
// forms. Property: no crash, and no printable form holds a (distinctive) password.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "target/target.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string input(reinterpret_cast<const char*>(data), size);
  if (input.find('\0') != std::string::npos) return 0;  // a C string cannot hold NUL
  auto t = pgreach::target::Target::parse(input);
  if (!t) return 0;
  const std::string& pw = t->password().reveal();
  // A password that also occurs inside a non-secret value (a user name made of the same
  // bytes) legitimately shows there; the output redactor masks it in reports anyway.
  for (const char* key :
       {"user", "host", "hostaddr", "port", "dbname", "options", "application_name", "service", "sslrootcert",
        "sslmode", "passfile", "sslcert", "sslkey", "target_session_attrs"}) {
    if (!pw.empty() && t->option(key).find(pw) != std::string::npos) return 0;
  }
  for (const auto& s : {t->printable(), t->printableKeywordValue(), t->printableUri()}) {
    // Only a password that cannot occur as ordinary text is checked.
    if (pw.size() >= 12 && pw.find_first_of("=&/?@:, '\\%") == std::string::npos &&
        s.find(pw) != std::string::npos) {
      std::abort();
    }
  }
  return 0;
}
