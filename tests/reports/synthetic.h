#pragma once
// Synthetic check results shaped like the real checks' (ids and data contracts from the
// BRIEF), for golden files and renderer tests: no network, fixed times.
#include <string>
#include <vector>

#include "engine/cloud_facts.h"
#include "reports/report/report.h"
#include "reports/synthetic_facts.h"

namespace pgreach::testing {

using engine::CheckResult;
using engine::Finding;
using engine::Severity;
using engine::Stage;
using engine::Status;

inline CheckResult check(std::string id, Stage stage, Status status, std::string summary, long long ms,
                         std::vector<Finding> findings = {}, nlohmann::json data = nlohmann::json::object()) {
  CheckResult c;
  c.id = std::move(id);
  c.stage = stage;
  c.status = status;
  c.summary = std::move(summary);
  c.durationMs = ms;
  c.findings = std::move(findings);
  c.data = std::move(data);
  return withSyntheticFacts(std::move(c));
}

inline nlohmann::json addresses(const std::string& host, std::vector<std::string> ips) {
  nlohmann::json a = nlohmann::json::array();
  for (const auto& ip : ips) a.push_back({{"host", host}, {"address", ip}, {"family", "ipv4"}});
  return {{"addresses", a}};
}

inline nlohmann::json probe(const std::string& host, const std::string& ip, int port,
                            const std::string& outcome, double ms) {
  return {{"host", host}, {"address", ip}, {"port", port}, {"outcome", outcome}, {"elapsed_ms", ms}};
}

inline CheckResult cloudContext() {
  CheckResult c =
      check("cloud.context", Stage::Cloud, Status::Pass, "client 10.40.1.10 in subnet-0a1 (us-east-1a)", 1);
  engine::CloudContextFacts f;
  f.source = "flags";
  f.vpcCidrs = {"10.40.0.0/16"};
  f.platformResolvers = {"10.40.0.2"};
  f.client = {net::IpAddress::parse("10.40.1.10"),
              "subnet-0a1",
              "us-east-1",
              "us-east-1a",
              {"sg-app"},
              std::nullopt,
              false};
  c.setFacts(std::move(f));
  return c;
}

inline reports::TargetSummary summary(std::string host, std::string provider, std::vector<uint16_t> ports,
                                      std::string conninfo) {
  reports::TargetSummary t;
  t.host = std::move(host);
  t.port = ports.front();
  t.ports = std::move(ports);
  t.provider = std::move(provider);
  t.dbname = "appdb";
  t.user = "app";
  t.conninfo = std::move(conninfo);
  return t;
}

inline reports::Report fixed(reports::Report r) {
  r.toolVersion = "0.0.0-test";
  return r;
}

inline reports::Report healthyReport() {
  const std::string host = "ep-cool-lab-123456.vpce.us-east-1.aws.neon.tech";
  std::vector<CheckResult> c;
  c.push_back(check("dns.resolve", Stage::Dns, Status::Pass, "2 private address(es) in the VPC", 4, {},
                    addresses(host, {"10.40.2.120", "10.40.3.118"})));
  c.push_back(check(
      "tcp.connect", Stage::Tcp, Status::Pass, "2/2 open", 2, {},
      {{"probes",
        {probe(host, "10.40.2.120", 5432, "open", 1.2), probe(host, "10.40.3.118", 5432, "open", 1.9)}}}));
  c.push_back(check("tls.sslrequest", Stage::Tls, Status::Pass, "server answered S", 3));
  c.push_back(check("tls.handshake", Stage::Tls, Status::Pass, "TLSv1.3, certificate valid for the host", 12,
                    {},
                    {{"sslmode", "verify-full"},
                     {"probes",
                      {{{"address", "10.40.2.120"},
                        {"port", 5432},
                        {"chain",
                         {{{"subject", "CN=ep-cool-lab-123456.vpce.us-east-1.aws.neon.tech"},
                           {"not_after", "2028-01-01T00:00:00Z"}}}}},
                       {{"address", "10.40.3.118"},
                        {"port", 5432},
                        {"chain",
                         {{{"subject", "CN=ep-cool-lab-123456.vpce.us-east-1.aws.neon.tech"},
                           {"not_after", "2028-01-01T00:00:00Z"}}}}}}}}));
  c.push_back(check("pg.startup", Stage::Postgres, Status::Pass, "PostgreSQL answered (SCRAM-SHA-256)", 5));
  c.push_back(check("pg.connect", Stage::Postgres, Status::Pass, "signed in as app to appdb", 20));
  c.push_back(cloudContext());
  return fixed(reports::assembleReport(
      summary(host, "neon", {5432},
              "host=" + host + " user=app dbname=appdb password=<HIDDEN> sslmode=verify-full"),
      std::move(c), "2026-11-21T12:00:00.000Z", 61));
}

inline reports::Report planetscaleDroppedReport() {
  const std::string host = "pslab01.private-pg.psdb.cloud";
  std::vector<CheckResult> c;
  c.push_back(check("dns.resolve", Stage::Dns, Status::Pass, "2 private address(es) in the VPC", 3, {},
                    addresses(host, {"10.40.2.120", "10.40.3.118"})));
  c.push_back(
      check("tcp.connect", Stage::Tcp, Status::Fail, "2/4 open", 3001,
            {{"tcp.silently_dropped",
              Severity::Critical,
              "2 of 4 address/port pair(s) got no answer (SYN dropped): port 6432",
              {"10.40.2.120:6432 no answer within 3000 ms", "10.40.3.118:6432 no answer within 3000 ms"},
              "Allow TCP 6432 inbound on the endpoint's security group and outbound from the client; check "
              "NACLs for ephemeral ports."}},
            {{"probes",
              {probe(host, "10.40.2.120", 5432, "open", 1.1), probe(host, "10.40.3.118", 5432, "open", 1.4),
               probe(host, "10.40.2.120", 6432, "timeout", 3000),
               probe(host, "10.40.3.118", 6432, "timeout", 3000)}}}));
  c.push_back(check("tls.direct", Stage::Tls, Status::Pass, "direct TLS with ALPN postgresql on 5432", 9));
  c.push_back(check("pg.startup", Stage::Postgres, Status::Pass, "PlanetScale proxy answered", 4));
  c.push_back(cloudContext());
  return fixed(
      reports::assembleReport(summary(host, "planetscale", {5432, 6432},
                                      "host=" + host + " user=app.main dbname=appdb password=<HIDDEN>"),
                              std::move(c), "2026-11-21T12:05:00.000Z", 3020));
}

inline reports::Report neonPublicReport() {
  const std::string host = "ep-cool-lab-123456.vpce.us-east-1.aws.neon.tech";
  std::vector<CheckResult> c;
  c.push_back(check("dns.resolve", Stage::Dns, Status::Fail, "the name resolves to public addresses", 5,
                    {{"dns.answer_public",
                      Severity::Critical,
                      "ep-cool-lab-123456.vpce.us-east-1.aws.neon.tech resolves to 3.218.140.7, outside the "
                      "VPC 10.40.0.0/16",
                      {"A 3.218.140.7 (not in 10.40.0.0/16)", "resolver 10.40.0.2"},
                      "Enable private DNS on the VPC endpoint (\"Modify private DNS name\")."}},
                    addresses(host, {"3.218.140.7"})));
  c.push_back(check("tcp.connect", Stage::Tcp, Status::Skip, "skipped: no private address to probe", 0));
  c.push_back(check("tls.sslrequest", Stage::Tls, Status::Skip, "skipped: no open port", 0));
  c.push_back(check("pg.connect", Stage::Postgres, Status::Skip, "skipped: no open port", 0));
  c.push_back(cloudContext());
  return fixed(
      reports::assembleReport(summary(host, "neon", {5432}, "host=" + host + " user=app dbname=appdb"),
                              std::move(c), "2026-11-21T12:10:00.000Z", 7));
}

inline reports::Report azureNxdomainReport() {
  const std::string host = "labserver.postgres.database.azure.com";
  std::vector<CheckResult> c;
  c.push_back(check(
      "dns.resolve", Stage::Dns, Status::Fail, "the privatelink CNAME target does not exist", 6,
      {{"dns.azure_privatelink_nxdomain",
        Severity::Critical,
        "labserver.postgres.database.azure.com is a CNAME to "
        "labserver.privatelink.postgres.database.azure.com, which gives NXDOMAIN",
        {"labserver.postgres.database.azure.com CNAME labserver.privatelink.postgres.database.azure.com",
         "labserver.privatelink.postgres.database.azure.com: NXDOMAIN from 10.40.0.2"},
        ""}}));
  c.push_back(check("tcp.connect", Stage::Tcp, Status::Skip, "skipped: no address", 0));
  c.push_back(check("tls.sslrequest", Stage::Tls, Status::Skip, "skipped: no open port", 0));
  c.push_back(check("pg.connect", Stage::Postgres, Status::Skip, "skipped: no open port", 0));
  return fixed(reports::assembleReport(
      summary(host, "azure", {5432}, "host=" + host + " user=app dbname=appdb sslmode=verify-full"),
      std::move(c), "2026-11-21T12:15:00.000Z", 9));
}

// A healthy Neon run whose certificate expires soon: WARNING, no root cause; the reason
// is tls.cert_expiring's finding (for the HTML's visible warnings and the browser test).
inline reports::Report warningReport() {
  auto r = healthyReport();
  for (auto& c : r.checks) {
    if (c.id != "tls.handshake") continue;
    c.status = Status::Warn;
    c.summary = "TLSv1.3, certificate expires in 9 days";
    c.findings.push_back(
        {"tls.cert_expiring",
         Severity::Warning,
         "the server certificate expires in 9 days (2026-11-30T12:00:00Z)",
         {"CN=ep-cool-lab-123456.vpce.us-east-1.aws.neon.tech not after 2026-11-30T12:00:00Z"},
         "Renew the certificate, or ask the provider: managed certificates rotate on their own."});
  }
  return fixed(reports::assembleReport(r.target, std::move(r.checks), r.startedAt, r.durationMs));
}

// `diagnose postgresql://app@10.40.2.120/appdb`: nothing to resolve, the port is open.
inline reports::Report literalIpReport() {
  std::vector<CheckResult> c;
  c.push_back(check("dns.resolve", Stage::Dns, Status::Pass, "nothing to resolve (addresses given literally)",
                    0, {}, {{"given", {"10.40.2.120"}}}));
  c.push_back(check("tcp.connect", Stage::Tcp, Status::Pass, "1/1 open", 1, {},
                    {{"probes", {probe("10.40.2.120", "10.40.2.120", 5432, "open", 0.4)}}}));
  c.push_back(check("tls.sslrequest", Stage::Tls, Status::Pass, "server answered S", 2));
  c.push_back(check("pg.connect", Stage::Postgres, Status::Pass, "signed in as app to appdb", 9));
  return fixed(reports::assembleReport(
      summary("10.40.2.120", "generic", {5432}, "host=10.40.2.120 user=app dbname=appdb"), std::move(c),
      "2026-11-21T12:20:00.000Z", 14));
}

struct Scenario {
  const char* name;
  reports::Report (*make)();
};

inline const std::vector<Scenario>& scenarios() {
  static const std::vector<Scenario> all = {{"healthy", &healthyReport},
                                            {"planetscale-dropped-6432", &planetscaleDroppedReport},
                                            {"neon-answer-public", &neonPublicReport},
                                            {"azure-privatelink-nxdomain", &azureNxdomainReport}};
  return all;
}

}  // namespace pgreach::testing
