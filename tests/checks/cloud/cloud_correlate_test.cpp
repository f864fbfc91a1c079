// cloud.correlate with crafted DNS, TCP and audit results: a drop the audit explains,
// disagreements both ways, and DNS answers that are not the endpoint's interfaces.
#include <catch2/catch.hpp>

#include "engine/cloud_facts.h"
#include "engine/dns_facts.h"
#include "engine/registry.h"
#include "engine/tcp_facts.h"

using namespace pgreach;
using engine::CheckResult;

namespace {

std::unique_ptr<engine::Check> makeCheck(const std::string& id) {
  for (auto& c : engine::Registry::instance().createAll()) {
    if (c->info().id == id) return std::move(c);
  }
  FAIL("no check " << id);
  return nullptr;
}

template <class F>
CheckResult ok(F facts) {
  CheckResult r;
  r.status = engine::Status::Pass;
  r.setFacts(std::move(facts));
  return r;
}

engine::DnsResolveFacts resolved(std::vector<std::string> addresses) {
  engine::DnsResolveFacts f;
  for (auto& a : addresses) f.addresses.push_back({"h", std::move(a), "ipv4"});
  return f;
}

engine::TcpProbeFacts probe(const std::string& address, uint16_t port, const std::string& outcome) {
  engine::TcpProbeFacts p;
  p.host = "h";
  p.address = address;
  p.port = port;
  p.outcome = outcome;
  return p;
}

cloud::PathVerdict path(const std::string& ep, int port, bool reachable) {
  cloud::PathVerdict v;
  v.client = "10.40.1.10";
  v.endpoint = ep;
  v.port = port;
  if (!reachable) {
    cloud::PathStep s;
    s.component = "endpoint security groups ingress";
    s.outcome = cloud::StepOutcome::Denied;
    s.code = "cloud.sg_ingress_missing";
    s.decidedBy = "no ingress rule in sg-1";
    s.fix = "aws ec2 authorize-security-group-ingress ...";
    v.steps.push_back(s);
  } else {
    // Reachable on evidence: a path without steps is not verified, not reachable.
    cloud::PathStep s;
    s.component = "endpoint security groups ingress";
    s.outcome = cloud::StepOutcome::Allowed;
    s.decidedBy = "sg-1 ingress rule #0";
    v.steps.push_back(s);
  }
  return v;
}

CheckResult okPaths(std::vector<cloud::PathVerdict> paths) {
  CheckResult r;
  r.status = engine::Status::Pass;
  engine::CloudPathFacts f;
  f.paths = std::move(paths);
  r.setFacts(std::move(f));
  return r;
}

CheckResult runCorrelate(std::map<std::string, CheckResult> deps) {
  auto target = target::Target::parse("host=pslab01.private-pg.psdb.cloud");
  REQUIRE(target.ok());
  engine::RunConfig opts;
  engine::SteadyClockSource clock;
  engine::CheckContext ctx(*target, opts, clock, clock.now() + std::chrono::seconds(5), std::move(deps));
  auto check = makeCheck("cloud.correlate");
  CheckResult r = check->run(ctx);
  // The runtime side of "declared once": whatever it emitted, it declares.
  CHECK(engine::undeclaredCodes(check->info(), r.findings).empty());
  return r;
}

bool has(const CheckResult& r, const std::string& code) {
  return std::any_of(r.findings.begin(), r.findings.end(),
                     [&](const engine::Finding& f) { return f.code == code; });
}

}  // namespace

TEST_CASE("cloud.correlate explains drops and flags disagreements", "[unit][cloud]") {
  std::map<std::string, CheckResult> deps;
  engine::AwsEndpointFacts endpoint;
  endpoint.endpoints.push_back({"vpce-1", "available", "", true, {}, {"10.40.2.120", "10.40.3.118"}, {}});
  deps["cloud.aws.endpoint"].status = engine::Status::Pass;
  deps["cloud.aws.endpoint"].setFacts(std::move(endpoint));
  deps["cloud.aws.path"] = okPaths(
      {path("10.40.2.120", 6432, false), path("10.40.2.120", 5432, true), path("10.40.3.118", 6432, false)});
  deps["dns.resolve"] = ok(resolved({"10.40.2.120", "52.1.2.3"}));
  engine::TcpConnectFacts tcp;
  tcp.probes = {probe("10.40.2.120", 6432, "timeout"), probe("10.40.2.120", 5432, "timeout"),
                probe("10.40.3.118", 6432, "open")};
  deps["tcp.connect"] = ok(std::move(tcp));
  auto r = runCorrelate(deps);
  CHECK(has(r, "cloud.drop_explained"));
  CHECK(has(r, "cloud.probe_disagreement"));
  CHECK(has(r, "cloud.dns_endpoint_mismatch"));
  CHECK(r.status == engine::Status::Fail);  // the DNS mismatch is critical
  int disagreements = 0;
  for (const auto& f : r.findings) disagreements += f.code == "cloud.probe_disagreement";
  CHECK(disagreements == 2);  // 5432 dropped but open in config; 3.118:6432 open but blocked in config
}

TEST_CASE("cloud.correlate: a drop on a path the audit could not verify is no disagreement",
          "[unit][cloud]") {
  std::map<std::string, CheckResult> deps;
  cloud::PathVerdict unverified = path("10.40.2.120", 5432, true);
  unverified.steps.front().outcome = cloud::StepOutcome::Unknown;
  deps["cloud.aws.path"] = okPaths({unverified});
  deps["dns.resolve"] = ok(resolved({"10.40.2.120"}));
  engine::TcpConnectFacts tcp;
  tcp.probes = {probe("10.40.2.120", 5432, "timeout")};
  deps["tcp.connect"] = ok(std::move(tcp));
  auto r = runCorrelate(deps);
  CHECK_FALSE(has(r, "cloud.probe_disagreement"));  // the audit did not say it was open
  CHECK_FALSE(has(r, "cloud.drop_explained"));      // nor what blocks it
}

TEST_CASE("cloud.correlate skips without probes (audit mode)", "[unit][cloud]") {
  std::map<std::string, CheckResult> deps;
  deps["cloud.aws.path"] = okPaths({path("10.40.2.120", 6432, false)});
  auto r = runCorrelate(deps);
  CHECK(r.status == engine::Status::Skip);
  CHECK(r.summary.find("no DNS or TCP results") != std::string::npos);
}
