#pragma once
// Turns a libpq/server error message (and SQLSTATE, when the server sent one) into a
// finding code, from the failure signatures providers and libpq are known to produce.
// Pure: unit-tested on recorded strings.
#include <string>
#include <string_view>
#include <vector>

namespace pgreach::checks::postgres {

struct ErrorClass {
  std::string code;     // "pg.auth_failed"; "pg.connect_failed" when nothing matched
  std::string stage;    // "tls" or "postgres": where the failure sits on the path
  std::string summary;  // one line
  std::string fix;
  std::string seenAddress;  // pg.no_hba_entry: the client address the server saw
  bool retryable = false;   // 57P03, 08006, compute waking: try again with backoff
};

ErrorClass classifyConnectError(std::string_view message, std::string_view sqlstate);

// Whether the client address the server saw shows the connection left the private
// path: outside every given VPC CIDR when some are known (--vpc-cidr), else any
// address that is not private. False for anything that is not an IP address.
bool seenFromOutside(const std::string& seenAddress, const std::vector<std::string>& vpcCidrs);

// Pulls the host out of `no pg_hba.conf entry for host "X", ...` ("" when absent).
std::string hbaHost(std::string_view message);

}  // namespace pgreach::checks::postgres
