#pragma once
// Which roots a trust store holds, looked up the way OpenSSL (and so libpq) finds an issuer:
// by the whole subject name, in a PEM file or in the system store (sslrootcert=system:
// OpenSSL's default file and directory, which SSL_CERT_FILE / SSL_CERT_DIR override).
#include <string>
#include <vector>

#include "util/expected.h"

namespace pgreach::net {

struct RootName {
  std::string country, organization, unit, commonName;  // "" = not part of the name
};

// For each name in `roots`, whether `store` ("system", or a PEM file path) holds a
// certificate with exactly that subject. An error names a file that cannot be read.
Expected<std::vector<bool>> trustStoreHolds(const std::string& store, const std::vector<RootName>& roots);

}  // namespace pgreach::net
