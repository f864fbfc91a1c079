#pragma once
// Certificates made in the test process with OpenSSL (no files, no `openssl` CLI): a
// self-signed P-256 certificate and its key as PEM, told apart by subject and serial.
// And a TLS client that reads which certificate a loopback server presents.
#include <cstdint>
#include <string>

namespace pgreach::testing {

struct TestCert {
  std::string certPem, keyPem;
};
// Valid from an hour ago for two days; subject CN=`cn`, serial `serial`.
TestCert makeTestCert(const std::string& cn, long serial);

struct PresentedCert {
  bool ok = false;  // false: no TLS handshake (refused, plain HTTP, timed out)
  std::string cn;   // the subject's CN
  long serial = -1;
};
// Connects to 127.0.0.1:port (every wait bounded by `timeoutMs`), completes a TLS handshake
// without verifying anything, and says which certificate the server sent.
PresentedCert presentedCert(uint16_t port, int timeoutMs = 5000);

}  // namespace pgreach::testing
