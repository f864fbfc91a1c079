#include "checks/postgres/classify.h"

#include "net/address.h"

namespace pgreach::checks::postgres {
namespace {

bool has(std::string_view hay, std::string_view needle) { return hay.find(needle) != std::string_view::npos; }

}  // namespace

bool seenFromOutside(const std::string& seenAddress, const std::vector<std::string>& vpcCidrs) {
  auto seen = net::IpAddress::parse(seenAddress);
  if (!seen) return false;
  bool anyCidr = false;
  for (const auto& text : vpcCidrs) {
    auto cidr = net::Cidr::parse(text);
    if (!cidr) continue;
    anyCidr = true;
    if (cidr->contains(*seen)) return false;
  }
  return anyCidr || !net::isPrivateOrLocal(*seen);
}

std::string hbaHost(std::string_view message) {
  constexpr std::string_view kMarker = "pg_hba.conf entry for host \"";
  size_t at = message.find(kMarker);
  if (at == std::string_view::npos) return "";
  at += kMarker.size();
  size_t end = message.find('"', at);
  if (end == std::string_view::npos || end - at > 64) return "";
  return std::string(message.substr(at, end - at));
}

ErrorClass classifyConnectError(std::string_view m, std::string_view sqlstate) {
  ErrorClass c;
  c.stage = "postgres";
  // Neon proxy (single-quoted user, endpoint routing by SNI).
  if (has(m, "Endpoint ID is not specified")) {
    return {"pg.neon_endpoint_id_missing",
            "postgres",
            "the Neon proxy could not tell which endpoint is meant (no SNI)",
            "Connect by the endpoint's hostname with a libpq 14+ client (SNI), or add "
            "options=endpoint%3D<endpoint-id> to the connection string.",
            "",
            false};
  }
  if (has(m, "VPC endpoint ID is not specified") || has(m, "This VPC endpoint id")) {
    return {"pg.neon_vpc_endpoint_not_allowed",
            "postgres",
            "the Neon project does not allow connections through this VPC endpoint",
            "Assign the VPC endpoint to the Neon project (neon vpc endpoint assign) and, if the project "
            "restricts private access, allow this VPC endpoint id.",
            "",
            false};
  }
  if (has(m, "This IP address") && has(m, "is not allowed to connect")) {
    return {"pg.neon_ip_not_allowed",
            "postgres",
            "the Neon project's IP Allow list rejects this client address",
            "Add the client's address to the project's IP Allow list, or connect through the private "
            "endpoint (IP Allow does not apply to private connections).",
            "",
            false};
  }
  if (has(m, "from a blocked network")) {
    return {"pg.neon_ip_not_allowed",
            "postgres",
            "the Neon project blocks connections from this network",
            "Connect through the allowed (private) network path or relax the project's network restrictions.",
            "",
            false};
  }
  if (has(m, "Couldn't connect to compute node") || has(m, "endpoint is temporarily unavailable")) {
    return {"pg.neon_compute_unavailable",
            "postgres",
            "the Neon compute is not reachable yet (waking up?)",
            "Retry with backoff; if it persists check the endpoint's state in the Neon console.",
            "",
            true};
  }
  if (has(m, "The endpoint has been disabled")) {
    return {"pg.neon_endpoint_unavailable",
            "postgres",
            "the Neon endpoint has been disabled",
            "Enable the endpoint (Neon console, or the API's endpoint update with disabled=false) and retry.",
            "",
            false};
  }
  if (has(m, "Too many connections to this endpoint")) {
    return {"pg.too_many_clients",
            "postgres",
            "the Neon proxy refuses more connections to this endpoint",
            "Connect through the pooled hostname (the endpoint id with -pooler) or close idle connections, "
            "then retry.",
            "",
            true};
  }
  if (has(m, "endpoint is disabled") || has(m, "endpoint cannot be found")) {
    return {"pg.neon_endpoint_unavailable",
            "postgres",
            "the Neon endpoint is disabled or does not exist",
            "Check the endpoint id in the hostname and that the endpoint is enabled.",
            "",
            false};
  }
  // PlanetScale proxy.
  if (has(m, "invalid user format") || has(m, "username must include branch")) {
    return {"pg.planetscale_user_format",
            "postgres",
            "PlanetScale needs the user as <role>.<branch>",
            "Use the user name shown in the PlanetScale console, e.g. postgres.main.",
            "",
            false};
  }
  if (has(m, "no primary available for branch") || has(m, "failed to connect to upstream")) {
    return {"pg.planetscale_upstream_unavailable",
            "postgres",
            "the PlanetScale proxy could not reach the branch's primary",
            "Retry with backoff (SQLSTATE 08006 is transient).",
            "",
            true};
  }
  if (has(m, "pooler only supports primary destinations")) {
    return {"pg.planetscale_pooler_primary_only",
            "postgres",
            "PlanetScale's pooler (6432) serves only the primary",
            "Connect to port 5432 for replicas, or target the primary through 6432.",
            "",
            false};
  }
  if (has(m, "branch ") && has(m, " does not exist")) {
    return {"pg.planetscale_branch_missing",
            "postgres",
            "the PlanetScale branch named in the user does not exist",
            "Check the branch part of <role>.<branch> in the user name.",
            "",
            false};
  }
  // A client libpq older than what the conninfo or the server needs (its own words).
  if (has(m, "SCRAM authentication requires libpq version 10")) {
    return {
        "pg.client_libpq_too_old",
        "postgres",
        "the client's libpq is older than 10 and cannot answer SCRAM-SHA-256",
        "Upgrade the application's libpq (or driver) to 10 or later; every managed provider requires SCRAM.",
        "",
        false};
  }
  if (has(m, "invalid connection option \"sslnegotiation\"")) {
    return {
        "pg.client_libpq_too_old",
        "postgres",
        "the client's libpq is older than 17 and does not know sslnegotiation",
        "Drop sslnegotiation=direct from the connection string (SSLRequest works with every provider), or "
        "upgrade libpq to 17 or later.",
        "",
        false};
  }
  if (has(m, "root certificate file \"system\" does not exist")) {
    return {"pg.client_libpq_too_old",
            "postgres",
            "the client's libpq is older than 16 and reads sslrootcert=system as a file name",
            "Upgrade libpq to 16 or later, or set sslrootcert to the system bundle file "
            "(/etc/ssl/certs/ca-certificates.crt on Debian and Ubuntu, /etc/pki/tls/certs/ca-bundle.crt on "
            "RHEL and Amazon Linux).",
            "",
            false};
  }
  if (has(m, "may not be used with sslnegotiation=direct")) {
    return {"tls.weak_sslmode",
            "tls",
            "libpq refuses sslnegotiation=direct with an sslmode that would fall back to plaintext",
            "Use sslmode=verify-full (or require) with sslnegotiation=direct.",
            "",
            false};
  }
  if (has(m, "channel binding") &&
      (has(m, "did not offer an authentication method that supports channel binding") ||
       has(m, "not supported by server's authentication request") || has(m, "check failed"))) {
    return {
        "pg.channel_binding_unsupported",
        "postgres",
        "channel_binding=require, and what answered offers no SCRAM-SHA-256-PLUS (a pooler such as "
        "PgBouncer, "
        "or a proxy that ends TLS)",
        "Use channel_binding=prefer (the default) on this path, or connect to a port where the server itself "
        "ends TLS.",
        "",
        false};
  }
  if (has(m, "terminating connection due to administrator command") || sqlstate == "57P01") {
    return {
        "pg.admin_terminated",
        "postgres",
        "the server ended the session by an administrator command (a restart or failover, or a Neon compute "
        "suspended after inactivity)",
        "Reconnect with backoff; for Neon, raise the compute's suspend timeout if sessions must stay open.",
        "",
        true};
  }
  // TLS failures surfaced by libpq.
  if (has(m, "does not match host name") || has(m, "server certificate for")) {
    return {
        "tls.cert_wrong_host",
        "tls",
        "the server certificate does not name the host connected to",
        "Connect by a name the certificate lists (the provider's private hostname), or fix the certificate.",
        "",
        false};
  }
  if (has(m, "certificate verify failed") || has(m, "root certificate file")) {
    return {
        "tls.cert_verify_failed",
        "tls",
        "libpq could not verify the server certificate",
        "Point sslrootcert at the CA that signed the server certificate (sslrootcert=system for public CAs, "
        "libpq 16+).",
        "",
        false};
  }
  if (has(m, "server does not support SSL")) {
    return {"tls.not_supported",
            "tls",
            "the server does not offer TLS but the client requires it",
            "Enable TLS on the server or pooler, or connect to the port that offers it.",
            "",
            false};
  }
  if (has(m, "received invalid response to SSL negotiation")) {
    return {"tls.not_postgres",         "tls", "what answered is not PostgreSQL",
            "Check the host and port.", "",    false};
  }
  if (has(m, "unencrypted data after SSL response")) {
    return {"tls.unexpected_data",
            "tls",
            "unencrypted bytes arrived after the server agreed to TLS",
            "Possible man-in-the-middle: inspect what sits between client and server.",
            "",
            false};
  }
  // PostgreSQL server.
  if (has(m, "no pg_hba.conf entry") || (sqlstate == "28000" && has(m, "pg_hba"))) {
    c = {"pg.no_hba_entry",
         "postgres",
         "the server's pg_hba.conf (or the provider's firewall) rejects this client",
         "Allow the client's address (as the server saw it) in pg_hba.conf / the provider's firewall rules. "
         "On Azure this is also the firewall rejection.",
         "",
         false};
    c.seenAddress = hbaHost(m);
    return c;
  }
  if (has(m, "password authentication failed") || sqlstate == "28P01") {
    return {
        "pg.auth_failed",
        "postgres",
        "the server rejected the password",
        "Check the user and password (reset it in the provider console if needed). Repeated failures can get "
        "the client address banned by some providers.",
        "",
        false};
  }
  if (has(m, "too many connections for role")) {
    return {
        "pg.too_many_clients",
        "postgres",
        "the role's connection limit is reached (Heroku plans limit connections per role)",
        "Close idle connections or pool them (Heroku's connection pooling on port 5433); check the plan's "
        "connection limit.",
        "",
        true};
  }
  if (has(m, "remaining connection slots are reserved")) {
    return {"pg.too_many_clients",
            "postgres",
            "only the connection slots reserved for superusers are left",
            "Use a pooler or raise max_connections; look for leaked connections.",
            "",
            true};
  }
  if (has(m, "too many clients") || has(m, "max_client_conn") || sqlstate == "53300") {
    return {"pg.too_many_clients",
            "postgres",
            "the server or pooler has no connection slot left",
            "Use a pooler or raise the connection limit; look for leaked connections.",
            "",
            true};
  }
  if (has(m, "the database system is starting up") || has(m, "the database system is shutting down") ||
      sqlstate == "57P03") {
    return {"pg.starting_up",      "postgres", "the server is starting up or shutting down",
            "Retry with backoff.", "",         true};
  }
  if (has(m, "does not exist") && (has(m, "database") || sqlstate == "3D000")) {
    return {"pg.database_missing", "postgres", "the database does not exist", "Check dbname.", "", false};
  }
  if ((has(m, "role") && has(m, "does not exist")) || has(m, "no such user")) {
    return {"pg.role_missing", "postgres", "the user does not exist", "Check the user name.", "", false};
  }
  if (has(m, "no such database")) {
    return {"pg.database_missing",
            "postgres",
            "the pooler does not know this database",
            "Check dbname against the pooler's [databases] section.",
            "",
            false};
  }
  if (has(m, "SSL connection is required") || has(m, "SSL required") || has(m, "connection is insecure")) {
    return {"pg.ssl_required",
            "postgres",
            "the server requires TLS but the connection was not encrypted",
            "Use sslmode=verify-full.",
            "",
            false};
  }
  if (has(m, "timeout expired")) {
    return {"pg.connect_timeout",          "postgres", "libpq gave up waiting",
            "See the TCP and TLS stages.", "",         true};
  }
  if (has(m, "server closed the connection unexpectedly")) {
    return {"pg.connection_closed",
            "postgres",
            "the server closed the connection before answering",
            "A middlebox or a non-Postgres service closed it: check the port and what listens there.",
            "",
            false};
  }
  return {"pg.connect_failed",
          "postgres",
          "the connection failed",
          "Read the server's message in the evidence.",
          "",
          false};
}

}  // namespace pgreach::checks::postgres
