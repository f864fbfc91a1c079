// The JSON report against reports/schema/report.schema.json, with a small validator for
// the subset the schema uses: type, required, properties, items, enum, const, pattern, $ref,
// allOf, if/then.
#include <catch2/catch.hpp>
#include <regex>

#include "engine/cloud_facts.h"
#include "engine/postgres_facts.h"
#include "reports/render/render.h"
#include "reports/synthetic.h"
#include "util/atomic_file.h"

using namespace pgreach;
using nlohmann::json;

namespace {

bool hasType(const json& v, const std::string& t) {
  if (t == "object") return v.is_object();
  if (t == "array") return v.is_array();
  if (t == "string") return v.is_string();
  if (t == "integer") return v.is_number_integer();
  if (t == "number") return v.is_number();
  if (t == "boolean") return v.is_boolean();
  if (t == "null") return v.is_null();
  return false;
}

void validate(const json& root, const json& schema, const json& v, const std::string& at,
              std::vector<std::string>& errors) {
  if (schema.contains("$ref")) {
    const std::string ref = schema["$ref"];
    REQUIRE(ref.rfind("#/$defs/", 0) == 0);
    validate(root, root["$defs"][ref.substr(8)], v, at, errors);
    return;
  }
  // allOf and if/then: the per-check `data` shapes (a failing `if` is no error).
  if (schema.contains("allOf")) {
    for (const auto& sub : schema["allOf"]) validate(root, sub, v, at, errors);
  }
  if (schema.contains("if") && schema.contains("then")) {
    std::vector<std::string> ifErrors;
    validate(root, schema["if"], v, at, ifErrors);
    if (ifErrors.empty()) validate(root, schema["then"], v, at, errors);
  }
  if (schema.contains("type")) {
    bool ok = false;
    if (schema["type"].is_string())
      ok = hasType(v, schema["type"]);
    else
      for (const auto& t : schema["type"]) ok = ok || hasType(v, t);
    if (!ok) {
      errors.push_back(at + ": wrong type");
      return;
    }
  }
  if (schema.contains("const") && v != schema["const"]) errors.push_back(at + ": not the constant");
  if (schema.contains("enum")) {
    bool found = false;
    for (const auto& e : schema["enum"]) found = found || e == v;
    if (!found) errors.push_back(at + ": not in enum");
  }
  if (schema.contains("pattern") && v.is_string() &&
      !std::regex_search(v.get<std::string>(), std::regex(schema["pattern"].get<std::string>()))) {
    errors.push_back(at + ": does not match pattern");
  }
  if (v.is_object()) {
    if (schema.contains("required")) {
      for (const auto& k : schema["required"]) {
        if (!v.contains(k.get<std::string>())) errors.push_back(at + ": missing " + k.get<std::string>());
      }
    }
    if (schema.contains("properties")) {
      for (const auto& [k, sub] : schema["properties"].items()) {
        if (v.contains(k)) validate(root, sub, v[k], at + "." + k, errors);
      }
    }
  }
  if (v.is_array() && schema.contains("items")) {
    for (size_t i = 0; i < v.size(); ++i)
      validate(root, schema["items"], v[i], at + "[" + std::to_string(i) + "]", errors);
  }
}

std::vector<std::string> validateReport(const json& report) {
  auto text = util::readFile(std::string(PGREACH_SOURCE_DIR) + "/reports/schema/report.schema.json");
  REQUIRE(text);
  const json schema = json::parse(*text);
  std::vector<std::string> errors;
  validate(schema, schema, report, "$", errors);
  return errors;
}

}  // namespace

TEST_CASE("every scenario's JSON report satisfies the schema", "[unit]") {
  for (const auto& s : testing::scenarios()) {
    INFO(s.name);
    auto errors = validateReport(json::parse(*reports::render(s.make(), "json", {})));
    CHECK(errors.empty());
    for (const auto& e : errors) WARN(e);
  }
}

TEST_CASE("the schema validator rejects a report that breaks the contract", "[unit]") {
  json j = json::parse(*reports::render(testing::healthyReport(), "json", {}));
  j.erase("verdict");
  j["checks"][0]["status"] = "sort-of";
  j["duration_ms"] = "61";
  auto errors = validateReport(j);
  CHECK(errors.size() == 3);
}

TEST_CASE("each check's data, as its typed facts serialise it, satisfies the schema's shape for that id",
          "[unit]") {
  std::vector<engine::CheckResult> checks;
  auto dns = testing::check("dns.resolve", engine::Stage::Dns, engine::Status::Pass, "1 address", 1);
  dns.data = json::object();
  engine::DnsResolveFacts df;
  df.addresses.push_back({"db.example", "10.40.2.120", "ipv4"});
  df.resolvers.push_back({"db.example", "10.40.0.2", "system", "answered", {}});
  df.exchanges = 2;
  df.elapsedMs = 1.5;
  dns.setFacts(df);
  checks.push_back(dns);
  auto tcp = testing::check("tcp.connect", engine::Stage::Tcp, engine::Status::Pass, "1/1 open", 1);
  engine::TcpConnectFacts tf;
  engine::TcpProbeFacts p;
  p.host = "db.example";
  p.address = "10.40.2.120";
  p.port = 5432;
  p.outcome = "open";
  p.elapsedMs = 1.2;
  p.connectMs = engine::TcpConnectMs{1, 1.2, 1.4};
  tf.probes.push_back(p);
  tf.capture = "none";
  tcp.setFacts(tf);
  checks.push_back(tcp);
  auto pg = testing::check("pg.connect", engine::Stage::Postgres, engine::Status::Pass, "connected", 1);
  engine::ConnectFacts cf;
  cf.credentials = "password";
  cf.loggedIn = true;
  cf.serverVersion = util::PeerText("16.4");
  cf.select1Ms = 0.4;
  pg.setFacts(cf);
  checks.push_back(pg);
  auto t = testing::summary("db.example", "generic", {5432}, "host=db.example");
  json j = json::parse(*reports::render(
      reports::assembleReport(t, std::move(checks), "2026-11-21T12:00:00.000Z", 3), "json", {}));
  auto errors = validateReport(j);
  CHECK(errors.empty());
  for (const auto& e : errors) WARN(e);

  // The per-id shapes are enforced: a port as text, an unknown credentials kind, a bad state.
  j["checks"][1]["data"]["probes"][0]["port"] = "5432";
  j["checks"][2]["data"]["credentials"] = "token";
  j["checks"][0]["state"] = "fine";
  CHECK(validateReport(j).size() == 3);
}

TEST_CASE("a cloud path check's data satisfies the schema, each step in one of the four states", "[unit]") {
  cloud::PathVerdict v;
  v.client = "10.40.1.10";
  v.endpoint = "10.40.2.120";
  v.port = 6432;
  cloud::PathStep denied;
  denied.component = "endpoint security groups ingress";
  denied.direction = "forward";
  denied.outcome = cloud::StepOutcome::Denied;
  denied.code = "cloud.sg_ingress_missing";
  denied.resource = "sg-1";
  denied.decidedBy = "no ingress rule in sg-1";
  cloud::PathStep unknown = denied;
  unknown.component = "client network ACL egress";
  unknown.outcome = cloud::StepOutcome::Unknown;
  unknown.code.clear();
  v.steps = {denied, unknown};
  engine::CloudPathFacts f;
  f.paths.push_back(v);
  auto path = testing::check("cloud.aws.path", engine::Stage::Cloud, engine::Status::Fail, "blocked", 1);
  path.setFacts(f);
  auto t = testing::summary("db.example", "generic", {6432}, "host=db.example");
  json j = json::parse(
      *reports::render(reports::assembleReport(t, {path}, "2026-11-21T12:00:00.000Z", 3), "json", {}));
  auto errors = validateReport(j);
  CHECK(errors.empty());
  for (const auto& e : errors) WARN(e);
  const auto& steps = j["checks"][0]["data"]["paths"][0]["steps"];
  CHECK(steps[0]["state"] == "failed");
  CHECK(steps[1]["state"] == "not_verified");
  j["checks"][0]["data"]["paths"][0]["steps"][1]["state"] = "probably";
  CHECK(validateReport(j).size() == 1);
}
