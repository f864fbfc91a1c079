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

// What a TLS listener serves: the PEM of cert_file and key_file, read together and
// checked to be a certificate and the private key that goes with it. Read at start and
// on every reload (a rotated certificate is new content at the same paths, or new paths).
struct TlsMaterial {
  std::string cert, key;  // as read; the key is wiped when this goes
  std::string digest;     // SHA-256 of both: tells a new pair from the one being served
  std::string subject;    // of the certificate, RFC 2253, for the log
  std::string serial;     // hex
  TlsMaterial() = default;
  TlsMaterial(TlsMaterial&&) = default;
  TlsMaterial& operator=(TlsMaterial&&) = default;
  TlsMaterial(const TlsMaterial&) = delete;
  TlsMaterial& operator=(const TlsMaterial&) = delete;
  ~TlsMaterial();
};

// Reads `cfg`'s cert_file and key_file (size-limited, regular files) and checks the first
// certificate parses, the key parses (an encrypted key is refused: nothing could type its
// passphrase) and the two belong together. Errors start with `origin` (the web config)
// and name a file, never its content.
Expected<TlsMaterial> loadTlsMaterial(const WebConfig& cfg, const std::string& origin);

// True when `password` matches the bcrypt `hash` (libxcrypt crypt_rn, compared in
// constant time). A malformed hash never matches.
bool bcryptMatches(const std::string& password, const std::string& hash);

}  // namespace pgreach::app
