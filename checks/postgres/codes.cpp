#include "checks/postgres/codes.h"

#include "checks/common/tls_codes.h"

namespace pgreach::checks::postgres {

const std::vector<engine::CodeDecl>& postgresCodes() {
  static const std::vector<engine::CodeDecl> kCodes = [] {
    std::vector<engine::CodeDecl> codes = {
        {"pg.alive", engine::Severity::Info, "Server answers StartupMessage",
         "The address/port pairs answered the StartupMessage with an authentication request: a PostgreSQL "
         "server "
         "(or pooler) is alive there.",
         "The expected outcome.", "Nothing to change."},
        {"pg.auth_failed", engine::Severity::Critical, "Password authentication failed",
         "The server rejected the password for this user (SQLSTATE 28P01).",
         "A wrong or rotated password, or the wrong user name (PlanetScale needs <role>.<branch>).",
         "Reset or fetch the current password from the provider's console; check the user name format."},
        {"pg.cleartext_password", engine::Severity::Warning, "Cleartext password over plain TCP",
         "The server asks for a cleartext password over an unencrypted connection.",
         "pg_hba.conf uses password (not scram-sha-256) and the connection is not encrypted.",
         "Use TLS (sslmode=verify-full) and scram-sha-256."},
        {"pg.connect_failed", engine::Severity::Critical, "Connection failed",
         "libpq could not connect, with an error pgreach does not know a signature for.",
         "See the server's or libpq's message in the evidence.",
         "Read the server's message in the evidence."},
        {"pg.connect_timeout", engine::Severity::Critical, "libpq gave up waiting",
         "libpq's connect_timeout expired before the connection was established.",
         "Packets are dropped or delayed on the path, or the server stalls; the TCP and TLS stages say "
         "where. "
         "Retryable.",
         "See the TCP and TLS stages."},
        {"pg.connected", engine::Severity::Info, "Logged in",
         "pg.connect logged in and ran SELECT 1; the summary gives the times, server version and TLS.",
         "The expected outcome.", "Nothing to change."},
        {"pg.connection_closed", engine::Severity::Critical, "Connection closed before the server answered",
         "The connection closed before the server answered (libpq: \"server closed the connection "
         "unexpectedly\").",
         "A middlebox or a non-Postgres service closed it, or the server crashed or dropped the connection.",
         "Check the port and what listens there."},
        {"pg.database_missing", engine::Severity::Critical, "Database does not exist",
         "The server or pooler does not know the database named in dbname.",
         "A typo in dbname, or a pooler whose [databases] section lacks it.",
         "Check dbname (against the pooler's [databases] section when a pooler answers)."},
        {"pg.libpq_no_direct_tls", engine::Severity::Info, "libpq cannot do direct TLS",
         "The target asks for sslnegotiation=direct, which the libpq pgreach uses cannot do; pg.connect "
         "connected with SSLRequest instead.",
         "Direct TLS needs libpq 17+ on the client.",
         "Direct TLS needs libpq 17+ on the client; the tls.direct check shows whether the server accepts "
         "it."},
        {"pg.malformed_message", engine::Severity::Critical, "Malformed reply to StartupMessage",
         "The reply to the StartupMessage is not a valid PostgreSQL message.",
         "Something other than PostgreSQL, or a hostile proxy, answers on this port.",
         "Check what listens on the port and what sits in front of it."},
        {"pg.neon_compute_unavailable", engine::Severity::Critical, "Neon compute not reachable",
         "The Neon proxy could not reach the endpoint's compute.",
         "The compute is waking up from suspend, or is temporarily unavailable; this is retryable.",
         "Retry with backoff; if it persists check the endpoint's state in the Neon console."},
        {"pg.neon_endpoint_id_missing", engine::Severity::Critical, "Neon could not tell which endpoint",
         "The Neon proxy answered \"Endpoint ID is not specified\": the client sent no SNI.",
         "libpq older than 14, or connecting by IP address instead of the hostname.",
         "Connect by the ep-... hostname with libpq 14 or later, or add options=endpoint%3D<endpoint-id>."},
        {"pg.neon_endpoint_unavailable", engine::Severity::Critical, "Neon endpoint disabled or missing",
         "The Neon endpoint named by the hostname is disabled or does not exist.",
         "A typo in the endpoint id, a deleted endpoint, or a disabled one.",
         "Check the endpoint id in the hostname and that the endpoint is enabled."},
        {"pg.neon_ip_not_allowed", engine::Severity::Critical, "Neon IP Allow rejects the client",
         "The Neon project's IP Allow list (or its network restrictions) rejects this client's address.",
         "The client connects over the public path from an address the project does not allow.",
         "Add the client's address to the project's IP Allow list, or connect through the private endpoint "
         "(IP "
         "Allow does not apply to private connections)."},
        {"pg.neon_vpc_endpoint_not_allowed", engine::Severity::Critical,
         "VPC endpoint not authorized by Neon",
         "The Neon proxy answered \"This VPC endpoint id ... is not allowed to connect to this endpoint\".",
         "The VPC endpoint ID was not given to Neon, or its authorization is not complete.",
         "Give the vpce-... ID to Neon and wait for the authorization (Neon Private Networking step 2)."},
        {"pg.no_credentials", engine::Severity::Info, "No credentials to log in",
         "No password was found (connection string, PGPASSWORD or a passfile entry), so pg.connect did not "
         "try "
         "to log in.",
         "The connection string has no password; the other checks run without one.",
         "Give a password (PGPASSWORD or ~/.pgpass) to test the login too."},
        {"pg.no_hba_entry", engine::Severity::Critical, "No pg_hba.conf entry",
         "The server has no pg_hba.conf rule for this client address, user, database and encryption "
         "(SQLSTATE "
         "28000).",
         "The client address is not allowed; on Azure the firewall also reports this, and a public client "
         "address means DNS sent you to the public endpoint.",
         "Allow the client's address in the server's access rules, or fix DNS so that the connection uses "
         "the "
         "private endpoint."},
        {"pg.no_hba_public_address", engine::Severity::Critical, "Server saw a public client address",
         "The server's pg_hba rejection names a client address outside the private network: the connection "
         "did "
         "not take the private path.",
         "The hostname resolves to the public endpoint, so traffic leaves the VPC and arrives from a NAT or "
         "public address.",
         "Make the hostname resolve to the private endpoint so traffic stays inside the VPC."},
        {"pg.no_response", engine::Severity::Critical, "No reply to StartupMessage",
         "The server accepted the connection but did not answer the StartupMessage in time.",
         "A stalled server or proxy, or a proxy whose backend targets are unhealthy.",
         "A stalled server or proxy: check the endpoint's targets."},
        {"pg.no_tls_in_use", engine::Severity::Warning, "Session not encrypted",
         "The logged-in session is not encrypted.",
         "sslmode allowed a plain connection and the server accepted it.", "Use sslmode=verify-full."},
        {"pg.not_postgres", engine::Severity::Critical, "Not PostgreSQL",
         "What answers the StartupMessage is not PostgreSQL.",
         "The port belongs to another service, or the address is not the database's.",
         "Check the port and what listens there."},
        {"pg.pgbouncer_answered", engine::Severity::Info, "PgBouncer answers",
         "PgBouncer answers on this port, not PostgreSQL itself.",
         "The provider's or your pooler listens there.",
         "Nothing to change; pooler limits (max_client_conn, [databases]) apply."},
        {"pg.planetscale_branch_missing", engine::Severity::Critical, "PlanetScale branch does not exist",
         "The branch named in the user (<role>.<branch>) does not exist.",
         "A typo in the branch, or a deleted branch.",
         "Check the branch part of <role>.<branch> in the user name."},
        {"pg.planetscale_pooler_primary_only", engine::Severity::Critical,
         "PlanetScale pooler serves only the primary",
         "PlanetScale's pooler (port 6432) serves only the primary, and the connection asked for a replica.",
         "A replica user or target sent to the pooler port.",
         "Connect to port 5432 for replicas, or target the primary through 6432."},
        {"pg.planetscale_upstream_unavailable", engine::Severity::Critical,
         "PlanetScale proxy cannot reach the primary",
         "The PlanetScale proxy could not reach the branch's primary.",
         "A failover or a transient outage (SQLSTATE 08006 is transient).", "Retry with backoff."},
        {"pg.planetscale_user_format", engine::Severity::Critical, "PlanetScale user name without a branch",
         "The PlanetScale proxy answered \"invalid user format: username must include branch\".",
         "The user name is missing the .<branch> part.", "Use <role>.<branch> as the user name."},
        {"pg.provider_proxy", engine::Severity::Info, "Provider's proxy answers",
         "The provider's proxy (Neon proxy, PlanetScale proxy) answers on this port.",
         "The provider routes connections through its proxy.", "Nothing to change."},
        {"pg.query_failed", engine::Severity::Critical, "SELECT 1 failed after login",
         "The login succeeded but the timed SELECT 1 failed.",
         "The server's state: read-only, out of connections, statement_timeout, or a pooler that failed to "
         "reach "
         "the server.",
         "Check the server's state (read-only, out of connections, statement_timeout)."},
        {"pg.role_missing", engine::Severity::Critical, "User does not exist",
         "The user named in the connection string does not exist on the server.",
         "A typo in the user, or a role that was never created or was dropped.", "Check the user name."},
        {"pg.ssl_required", engine::Severity::Critical, "Server requires TLS",
         "The server requires TLS but the connection was not encrypted.",
         "sslmode=disable (or allow/prefer that ended without TLS) against a server that only accepts TLS.",
         "Use sslmode=verify-full."},
        {"pg.starting_up", engine::Severity::Critical, "Server starting up or shutting down",
         "The server answered that it is starting up or shutting down (SQLSTATE 57P03).",
         "A restart, failover or maintenance in progress. Retryable.", "Retry with backoff."},
        {"pg.startup_rejected", engine::Severity::Critical, "StartupMessage rejected",
         "The server rejected the StartupMessage with an error pgreach does not know a signature for.",
         "See the server's message in the evidence.", "Read the server's message in the evidence."},
        {"pg.startup_unreachable", engine::Severity::Warning, "Could not reconnect for the startup probe",
         "The port answered earlier, but a new connection for the startup probe failed.",
         "An unstable path, or connection limits on the endpoint.", "An unstable path: probe again."},
        {"pg.too_many_clients", engine::Severity::Critical, "No connection slot left",
         "The server or pooler refused the connection because it has no connection slot left (SQLSTATE "
         "53300, "
         "max_client_conn).",
         "Too many open connections: leaked connections, no pooler, or a limit set too low. Retryable.",
         "Use a pooler or raise the connection limit; look for leaked connections."},
        {"pg.client_libpq_too_old", engine::Severity::Critical, "Client libpq too old",
         "The client's own error, or the application's libpq version stated with --client-libpq, shows its "
         "libpq lacks what the connection needs: SCRAM (libpq 10), channel_binding (13), SNI for Neon (14), "
         "sslrootcert=system (16) or sslnegotiation (17).",
         "An old libpq or driver on the application host (the error text is the client's, not the server's).",
         "Upgrade the application's libpq or driver, or drop the option it does not know."},
        {"pg.client_requirements", engine::Severity::Info, "What the application's client needs",
         "The libpq features this target and connection string need, each with the first libpq version that "
         "has it. pgreach judges them against the application's libpq only when told its version "
         "(--client-libpq) or when a failure proves it; its own libpq is not the application's.",
         "Provider proxies route by TLS SNI (Neon), servers authenticate with SCRAM-SHA-256, and newer "
         "connection options (sslrootcert=system, sslnegotiation=direct, channel_binding) are unknown to "
         "older libpq, which then refuses the whole connection string.",
         "Check the application's libpq (or driver) version against the list, or give it with "
         "--client-libpq."},
        {"pg.channel_binding_unsupported", engine::Severity::Critical, "No channel binding offered",
         "The client requires channel binding (channel_binding=require) and what answered offers no "
         "SCRAM-SHA-256-PLUS.",
         "A pooler (PgBouncer) or a TLS-terminating proxy between client and server.",
         "Use channel_binding=prefer on this path, or connect where the server itself ends TLS."},
        {"pg.admin_terminated", engine::Severity::Critical, "Session ended by an administrator command",
         "The server ended the session with SQLSTATE 57P01 (terminating connection due to administrator "
         "command).",
         "A restart or failover, pg_terminate_backend, or a Neon compute suspended after inactivity. "
         "Retryable.",
         "Reconnect with backoff; for Neon, raise the compute's suspend timeout."},
        {"pg.trust_auth", engine::Severity::Warning, "No password asked",
         "The server let the user in without any password (trust authentication).",
         "pg_hba.conf has a trust rule that covers network connections.",
         "Require scram-sha-256 in pg_hba.conf for network connections."},
    };
    // libpq reports TLS failures too (classify.cpp): those codes keep the TLS checks' texts.
    for (auto& d : engine::pickCodes(tls::tlsCodes(),
                                     {"tls.cert_wrong_host", "tls.cert_verify_failed", "tls.not_supported",
                                      "tls.not_postgres", "tls.unexpected_data", "tls.weak_sslmode"})) {
      codes.push_back(std::move(d));
    }
    return codes;
  }();
  return kCodes;
}

std::vector<engine::CodeDecl> classifiedCodes(std::initializer_list<std::string_view> extra) {
  auto codes = engine::pickCodes(postgresCodes(), {"pg.neon_endpoint_id_missing",
                                                   "pg.neon_vpc_endpoint_not_allowed",
                                                   "pg.neon_ip_not_allowed",
                                                   "pg.neon_compute_unavailable",
                                                   "pg.neon_endpoint_unavailable",
                                                   "pg.planetscale_user_format",
                                                   "pg.planetscale_upstream_unavailable",
                                                   "pg.planetscale_pooler_primary_only",
                                                   "pg.planetscale_branch_missing",
                                                   "pg.no_hba_entry",
                                                   "pg.auth_failed",
                                                   "pg.too_many_clients",
                                                   "pg.starting_up",
                                                   "pg.database_missing",
                                                   "pg.role_missing",
                                                   "pg.ssl_required",
                                                   "pg.connect_timeout",
                                                   "pg.connection_closed",
                                                   "pg.connect_failed",
                                                   "pg.client_libpq_too_old",
                                                   "pg.channel_binding_unsupported",
                                                   "pg.admin_terminated"});
  for (auto& d : engine::pickCodes(postgresCodes(),
                                   {"tls.cert_wrong_host", "tls.cert_verify_failed", "tls.not_supported",
                                    "tls.not_postgres", "tls.unexpected_data", "tls.weak_sslmode"}))
    codes.push_back(std::move(d));
  for (auto& d : engine::pickCodes(postgresCodes(), extra)) codes.push_back(std::move(d));
  return codes;
}

}  // namespace pgreach::checks::postgres
