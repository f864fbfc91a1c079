#include "checks/postgres/classify.h"

#include <catch2/catch.hpp>

#include "target/pgpass.h"

using pgreach::checks::postgres::classifyConnectError;
using pgreach::checks::postgres::hbaHost;
using pgreach::target::pgpassHasEntry;

TEST_CASE("libpq and server messages map to finding codes", "[unit]") {
  struct Case {
    const char* message;
    const char* sqlstate;
    const char* code;
  };
  const Case cases[] = {
      {"connection to server at \"10.40.2.120\", port 5432 failed: FATAL:  password authentication failed "
       "for user "
       "\"app\"\n",
       "", "pg.auth_failed"},
      {"FATAL:  password authentication failed for user 'app'", "28P01", "pg.auth_failed"},
      {"connection to server at \"db\" (10.0.0.5), port 5432 failed: FATAL:  no pg_hba.conf entry for host "
       "\"10.40.1.10\", user \"app\", database \"appdb\", SSL encryption",
       "", "pg.no_hba_entry"},
      {"FATAL:  sorry, too many clients already", "53300", "pg.too_many_clients"},
      {"FATAL:  no more connections allowed (max_client_conn)", "", "pg.too_many_clients"},
      {"FATAL:  the database system is starting up", "57P03", "pg.starting_up"},
      {"ERROR:  Endpoint ID is not specified. Either please upgrade the postgres client library (libpq) for "
       "SNI "
       "support or pass the endpoint ID (first part of the domain name) as a parameter: "
       "'?options=endpoint%3D<endpoint-id>'.",
       "", "pg.neon_endpoint_id_missing"},
      {"ERROR:  This IP address 203.0.113.7 is not allowed to connect to this endpoint.", "",
       "pg.neon_ip_not_allowed"},
      {"ERROR:  This VPC endpoint id vpce-123 is not allowed to connect to this endpoint.", "",
       "pg.neon_vpc_endpoint_not_allowed"},
      {"FATAL:  invalid user format: username must include branch (e.g., user.branch)", "28000",
       "pg.planetscale_user_format"},
      {"FATAL:  branch dev does not exist", "28000", "pg.planetscale_branch_missing"},
      {"connection to server at \"10.40.2.120\", port 5432 failed: SSL error: certificate verify failed", "",
       "tls.cert_verify_failed"},
      {"server certificate for \"other.example.internal\" does not match host name \"db.example\"", "",
       "tls.cert_wrong_host"},
      {"server does not support SSL, but SSL was required", "", "tls.not_supported"},
      {"received invalid response to SSL negotiation: H", "", "tls.not_postgres"},
      // The client's own words when its libpq is too old (DOMAIN.md section 8).
      {"SCRAM authentication requires libpq version 10 or above", "", "pg.client_libpq_too_old"},
      {"invalid connection option \"sslnegotiation\"", "", "pg.client_libpq_too_old"},
      {"connection to server at \"db\" (10.0.0.5), port 5432 failed: root certificate file \"system\" does "
       "not exist\nEither provide the file or change sslmode to disable server certificate verification.",
       "", "pg.client_libpq_too_old"},
      {"weak sslmode \"prefer\" may not be used with sslnegotiation=direct (use \"require\", \"verify-ca\", "
       "or \"verify-full\")",
       "", "tls.weak_sslmode"},
      {"channel binding is required, but server did not offer an authentication method that supports channel "
       "binding",
       "", "pg.channel_binding_unsupported"},
      {"channel binding required but not supported by server's authentication request", "",
       "pg.channel_binding_unsupported"},
      {"FATAL:  SCRAM channel binding check failed", "", "pg.channel_binding_unsupported"},
      {"root certificate file \"/root/.postgresql/root.crt\" does not exist", "", "tls.cert_verify_failed"},
      {"something nobody has seen", "", "pg.connect_failed"},
  };
  for (const auto& c : cases) {
    INFO(c.message);
    CHECK(classifyConnectError(c.message, c.sqlstate).code == c.code);
  }
  CHECK(classifyConnectError("certificate verify failed", "").stage == "tls");
  CHECK(classifyConnectError("FATAL:  the database system is starting up", "").retryable);
}

TEST_CASE("the address the server saw is pulled out of a pg_hba rejection", "[unit]") {
  auto c = classifyConnectError(
      "FATAL:  no pg_hba.conf entry for host \"203.0.113.9\", user \"app\", database \"appdb\", no "
      "encryption",
      "28000");
  CHECK(c.code == "pg.no_hba_entry");
  CHECK(c.seenAddress == "203.0.113.9");
  CHECK(hbaHost("no pg_hba.conf entry for host \"unterminated") == "");
  CHECK(hbaHost("nothing here") == "");
}

TEST_CASE(".pgpass matching with wildcards, escapes and comments", "[unit]") {
  const std::string file =
      "# comment line\n"
      "db.example:5432:appdb:app:s3cret\n"
      "*:6432:*:bouncer:pw\\:with\\:colons\n"
      "weird\\:host:5432:*:*:x\r\n"
      "incomplete:5432:appdb\n"
      "empty:5432:appdb:app:\n";
  CHECK(pgpassHasEntry(file, "db.example", "5432", "appdb", "app"));
  CHECK_FALSE(pgpassHasEntry(file, "db.example", "5433", "appdb", "app"));
  CHECK(pgpassHasEntry(file, "any.host", "6432", "anydb", "bouncer"));
  CHECK(pgpassHasEntry(file, "weird:host", "5432", "d", "u"));
  CHECK_FALSE(pgpassHasEntry(file, "incomplete", "5432", "appdb", "app"));
  CHECK_FALSE(pgpassHasEntry(file, "empty", "5432", "appdb", "app"));
  CHECK_FALSE(pgpassHasEntry("", "h", "1", "d", "u"));
}

TEST_CASE("the address the server saw: inside or outside the private path", "[unit]") {
  using pgreach::checks::postgres::seenFromOutside;
  CHECK(seenFromOutside("203.0.113.9", {}));
  CHECK_FALSE(seenFromOutside("10.40.1.10", {}));
  CHECK_FALSE(seenFromOutside("10.40.1.10", {"10.40.0.0/16"}));
  CHECK(seenFromOutside("10.99.0.5", {"10.40.0.0/16"}));  // NAT from another network
  CHECK_FALSE(seenFromOutside("not-an-ip", {"10.40.0.0/16"}));
}
