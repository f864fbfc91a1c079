#pragma once
// `pgreach serve --web-config FILE`: TLS and basic auth in the format Prometheus exporters
// read (exporter-toolkit's web.yml), restricted to the subset pgreach supports:
//
//   tls_server_config:
//     cert_file: /etc/pgreach/tls.crt
//     key_file: /etc/pgreach/tls.key
//   basic_auth_users:
//     prometheus: $2y$10$...   # bcrypt, as `htpasswd -nBC 10 prometheus` prints it
//
// Anything else (another key, a list, a flow mapping, deeper nesting) is refused with
// FILE:LINE rather than ignored: a setting the operator believes is on must not be off.
#include <map>
#include <string>
#include <string_view>

#include "util/expected.h"

namespace pgreach::app {

struct WebConfig {
  std::string certFile, keyFile;             // both or neither
  std::map<std::string, std::string> users;  // user -> bcrypt hash ($2a$, $2b$, $2y$)
  bool tls() const { return !certFile.empty(); }
};

// Pure parser; `origin` (the file name) prefixes every error as "origin:LINE: ...".
Expected<WebConfig> parseWebConfig(std::string_view text, const std::string& origin);

// Reads and parses the file (size-limited); checks the certificate and key are readable.
Expected<WebConfig> loadWebConfig(const std::string& path);

// True when `password` matches the bcrypt `hash` (libxcrypt crypt_rn, compared in
// constant time). A malformed hash never matches.
bool bcryptMatches(const std::string& password, const std::string& hash);

}  // namespace pgreach::app
