#pragma once
// A target is what the user would hand to psql: a URI, a keyword/value string, or
// nothing at all with the PG* environment doing the work. libpq's own parser reads it,
// so pgreach accepts exactly what libpq accepts. Secrets (dispchar '*') are kept apart
// from everything printable.
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "target/provider.h"
#include "util/expected.h"
#include "util/secret.h"

namespace pgreach::target {

struct HostSpec {
  std::string host;      // name as the user wrote it ("" when only hostaddr is given)
  std::string hostaddr;  // numeric address that bypasses DNS, or ""
  uint16_t port = 5432;
  // The name to resolve and to use for SNI/verification: host, else hostaddr.
  const std::string& name() const { return host.empty() ? hostaddr : host; }
};

class Target {
 public:
  // Parses `conninfo` (empty: environment only). Errors name what was wrong and never
  // contain a secret.
  static Expected<Target> parse(std::string_view conninfo);

  const std::vector<HostSpec>& hosts() const { return hosts_; }
  const HostSpec& primary() const { return hosts_.front(); }

  // The effective value of a non-secret option after libpq's defaults ("" if unset).
  std::string option(std::string_view keyword) const;
  // Whether the user (string or environment) set this option, as opposed to a default.
  bool isExplicit(std::string_view keyword) const;

  std::string dbname() const;  // libpq's rule: defaults to the user name
  std::string user() const { return option("user"); }
  std::string sslmode() const { return option("sslmode"); }

  const util::Secret& password() const { return password_; }
  // Every secret value the target holds (password, sslpassword, and the passfile entry
  // libpq would use when no password is given): for the redactor.
  std::vector<std::string> secretValues() const;

  Provider provider() const { return provider_; }
  void setProvider(Provider p) { provider_ = p; }

  // Redacted printable forms: `password=<HIDDEN>` / `user:<HIDDEN>@`.
  std::string printable() const;  // in the form the user gave (URI or keyword/value)
  std::string printableKeywordValue() const;
  std::string printableUri() const;

  bool fromUri() const { return fromUri_; }

 private:
  std::vector<HostSpec> hosts_;
  std::vector<std::pair<std::string, std::string>> explicit_;  // non-secret, as given, in libpq order
  std::map<std::string, std::string, std::less<>> effective_;  // non-secret, after defaults
  std::vector<std::string> secretKeywords_;                    // explicit secret options (names only)
  util::Secret password_;
  util::Secret sslpassword_;
  std::vector<util::Secret> passfilePasswords_;  // what libpq would take from the passfile, per host
  Provider provider_ = Provider::Generic;
  bool fromUri_ = false;
};

// Whether a string looks like a URI connection string.
bool looksLikeUri(std::string_view conninfo);

// A libpq message about a connection string, safe to print: libpq quotes the token it
// choked on (`invalid percent-encoded token: "Pass%zz"`), which may be part of a password;
// quoted tokens that are not option keywords are masked. For every conninfo libpq parses,
// the target's and --store's alike.
std::string scrubConninfoMessage(std::string message);

}  // namespace pgreach::target
