// The provider error atlas against peers that send exactly the providers' messages
// (issue 18): Neon's and PlanetScale's proxies are not packaged, so a loopback peer speaks
// their side of the startup (SSLRequest answered 'N', the StartupMessage answered with the
// ErrorResponse, then close), with the texts of ../shared/DOMAIN.md section 8. The real
// `pgreach diagnose` must name each as its root cause, with the server's own words as
// evidence, and `explain` must know the code.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "hostile/hostile_servers.h"
#include "support/pg_messages.h"
#include "support/process.h"

using namespace pgreach::testing;
using namespace pgreach::testing::hostile;
using nlohmann::json;

namespace {

std::vector<uint8_t> errorResponse(const std::string& severity, const std::string& sqlstate,
                                   const std::string& message) {
  const std::string e =
      pgreach::testing::errorResponse({{'S', severity}, {'V', severity}, {'C', sqlstate}, {'M', message}});
  return std::vector<uint8_t>(e.begin(), e.end());
}

struct ProviderError {
  const char* who;
  const char* severity;
  const char* sqlstate;
  const char* message;
  const char* code;
};

// The texts as users report them (DOMAIN.md section 8). SQLSTATEs: PostgreSQL's own where
// it has one; the proxies' as their sources send them where known, else 08P01/28000.
const ProviderError kAtlas[] = {
    {"Neon, no SNI", "ERROR", "08P01",
     "Endpoint ID is not specified. Either please upgrade the postgres client library (libpq) for SNI "
     "support "
     "or pass the endpoint ID (first part of the domain name) as a parameter: "
     "'?options=endpoint%3D<endpoint-id>'. See more at https://neon.tech/sni",
     "pg.neon_endpoint_id_missing"},
    {"Neon, blocked network", "ERROR", "08P01",
     "This connection is trying to access this endpoint from a blocked network.", "pg.neon_ip_not_allowed"},
    {"Neon, VPC endpoint required", "ERROR", "08P01",
     "VPC endpoint ID is not specified. This endpoint requires a VPC endpoint ID to connect.",
     "pg.neon_vpc_endpoint_not_allowed"},
    {"Neon, VPC endpoint not allowed", "ERROR", "08P01",
     "This VPC endpoint id vpce-0abc123def4567890 is not allowed to connect to this endpoint. Please add it "
     "to "
     "the allowed list in the Neon console.",
     "pg.neon_vpc_endpoint_not_allowed"},
    {"Neon, compute", "ERROR", "08P01", "Couldn't connect to compute node", "pg.neon_compute_unavailable"},
    {"Neon, disabled", "ERROR", "08P01",
     "The endpoint has been disabled. Enable it using Neon API and retry.", "pg.neon_endpoint_unavailable"},
    {"Neon, too many", "ERROR", "08P01", "Too many connections to this endpoint. Please try again later.",
     "pg.too_many_clients"},
    {"PlanetScale, user format", "FATAL", "28000",
     "invalid user format: username must include branch (e.g., user.branch)", "pg.planetscale_user_format"},
    {"PlanetScale, branch", "FATAL", "28000", "branch dev does not exist", "pg.planetscale_branch_missing"},
    {"PlanetScale, pooler", "FATAL", "08006", "pooler only supports primary destinations for branch main",
     "pg.planetscale_pooler_primary_only"},
    {"PlanetScale, no primary", "FATAL", "08006", "no primary available for branch main",
     "pg.planetscale_upstream_unavailable"},
    {"PlanetScale, TLS", "FATAL", "28000", "SSL connection is required", "pg.ssl_required"},
    {"Neon, insecure", "ERROR", "08P01", "connection is insecure (try using `sslmode=require`)",
     "pg.ssl_required"},
    {"Heroku, role limit", "FATAL", "53300", "too many connections for role \"u8a7b6c5d4e3f\"",
     "pg.too_many_clients"},
    {"PostgreSQL, full", "FATAL", "53300", "sorry, too many clients already", "pg.too_many_clients"},
    {"PostgreSQL, reserved", "FATAL", "53300",
     "remaining connection slots are reserved for non-replication superuser connections",
     "pg.too_many_clients"},
    {"PostgreSQL 16, reserved", "FATAL", "53300",
     "remaining connection slots are reserved for roles with the SUPERUSER attribute", "pg.too_many_clients"},
    {"Neon, suspended", "FATAL", "57P01", "terminating connection due to administrator command",
     "pg.admin_terminated"},
};

// Answers SSLRequest/GSSENCRequest with 'N' and the StartupMessage with `reply`, then closes.
HostileTcpServer::Handler speak(std::vector<uint8_t> reply) {
  return [reply](int fd, const std::atomic<bool>&) {
    auto first = readSome(fd, 3000);
    for (int i = 0; i < 2 && !first.empty() && isNegotiationRequest(first); ++i) {
      sendAll(fd, {'N'});
      first = readSome(fd, 3000);
    }
    if (first.empty() || first[0] == 0x16) return;  // a direct TLS ClientHello: nothing to say
    sendAll(fd, reply);
  };
}

}  // namespace

TEST_CASE("provider errors from a peer that speaks them: each is the root cause, in the server's words",
          "[integration]") {
  for (const auto& e : kAtlas) {
    INFO(e.who << ": " << e.message);
    HostileTcpServer peer(speak(errorResponse(e.severity, e.sqlstate, e.message)));
    REQUIRE(peer.listening());
    auto r = runProcess({pgreachBinary(), "diagnose",
                         "host=127.0.0.1 port=" + std::to_string(peer.port()) +
                             " user=app dbname=appdb sslmode=disable connect_timeout=2",
                         "--deadline", "5s", "--timeout", "2s", "--format", "json"},
                        std::chrono::seconds(20));
    INFO(r.err);
    REQUIRE_FALSE(r.timedOut);
    CHECK(r.exitCode == 2);
    json report;
    REQUIRE_NOTHROW(report = json::parse(r.out));
    REQUIRE(report["root_cause"].is_object());
    CHECK(report["root_cause"]["code"] == e.code);
    CHECK(report["root_cause"]["stage"] == "postgres");
    // The server's own words are the evidence of the finding.
    bool quoted = false;
    for (const auto& c : report["checks"]) {
      for (const auto& f : c["findings"]) {
        if (f["code"] == e.code &&
            f["evidence"].dump().find(std::string(e.message).substr(0, 30)) != std::string::npos)
          quoted = true;
      }
    }
    CHECK(quoted);
    auto explained = runProcess({pgreachBinary(), "explain", e.code}, std::chrono::seconds(10));
    CHECK(explained.exitCode == 0);
  }
}
