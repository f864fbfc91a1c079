// --store against a real PostgreSQL 15 on 127.0.0.1 (tests/support/postgres.h): the
// schema migration from the first --store table (schema 1), quiet runs once migrated, the
// verdict CHECK, the Grafana view, the same `target` rule in a fleet and a single run,
// and --store-retention. The diagnosed target is a closed loopback port; the DSN's
// password never reaches stdout, stderr or the local reports.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/postgres.h"
#include "support/process.h"
#include "support/temp_dir.h"
#include "util/atomic_file.h"

using namespace pgreach;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

const std::string kPw = "Store7Secret-pw";

// The schema the first --store created (pgreach before schema 2), verbatim.
constexpr const char* kSchema1 =
    "CREATE TABLE IF NOT EXISTS pgreach_runs ("
    " id bigserial PRIMARY KEY,"
    " run_at timestamptz NOT NULL,"
    " target text NOT NULL,"
    " verdict text NOT NULL,"
    " report jsonb NOT NULL,"
    " stored_at timestamptz NOT NULL DEFAULT now());"
    "CREATE INDEX IF NOT EXISTS pgreach_runs_run_at ON pgreach_runs (run_at);"
    "CREATE INDEX IF NOT EXISTS pgreach_runs_target_run_at ON pgreach_runs (target, run_at);";

struct Store {
  testing::LocalPostgres pg{kPw};
  std::string dsn() const {
    return "host=127.0.0.1 port=" + std::to_string(pg.port()) + " user=app dbname=appdb password=" + kPw;
  }
  // psql as `app` (the table's owner), -A -t: one row a line, fields joined by '|'.
  testing::ProcessResult sql(const std::string& query) const {
    return testing::runProcess({"psql", "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", query, dsn()}, 30s);
  }
  std::string value(const std::string& query) const {
    auto r = sql(query);
    INFO(query << "\n" << r.err);
    REQUIRE(r.exitCode == 0);
    return r.out;
  }
};

uint16_t closedPort() {
  const uint16_t port = testing::freeLoopbackPort();  // bound, read and closed: nothing listens
  return port;
}

testing::ProcessResult runPgreach(const std::vector<std::string>& args) {
  std::vector<std::string> argv{testing::pgreachBinary()};
  argv.insert(argv.end(), args.begin(), args.end());
  return testing::runProcess(argv, 60s);
}

// What storeTarget() makes of the report a run wrote: host:port/dbname.
std::string targetOf(const fs::path& reportJson) {
  auto text = util::readFile(reportJson.string());
  REQUIRE(text);
  const auto j = nlohmann::json::parse(*text);
  const auto& t = j.at("target");
  return t.at("host").get<std::string>() + ":" + std::to_string(t.at("port").get<int>()) + "/" +
         t.at("dbname").get<std::string>();
}

// No file the run wrote holds `secret`.
bool slurpNoSecret(const fs::path& dir, const std::string& secret) {
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (!e.is_regular_file()) continue;
    auto text = util::readFile(e.path().string());
    if (text && text->find(secret) != std::string::npos) return false;
  }
  return true;
}

}  // namespace

TEST_CASE("--store migrates a schema-1 table once, then runs quietly with no DDL", "[integration][store]") {
  Store store;
  testing::TempDir out("pgreach-store");
  // A schema-1 table with a fleet row (target = the fleet name), a single-run row
  // (target = the host) and a verdict outside the four values.
  store.value(kSchema1);
  store.value(
      "INSERT INTO pgreach_runs (run_at, target, verdict, report) VALUES "
      "(now() - interval '1 day', 'orders', 'critical', "
      "'{\"target\": {\"name\": \"orders\", \"host\": \"db.internal\", \"port\": 5432, \"dbname\": "
      "\"appdb\"}, "
      "\"verdict\": \"critical\", \"duration_ms\": 1200}'),"
      "(now() - interval '1 day', 'db.internal', 'ok', "
      "'{\"target\": {\"name\": null, \"host\": \"db.internal\", \"port\": 5432, \"dbname\": \"appdb\"}, "
      "\"verdict\": \"ok\", \"duration_ms\": 300}'),"
      "(now() - interval '1 day', 'x', 'CRIT', '{\"verdict\": \"critical\"}')");

  const std::string conninfo = "host=127.0.0.1 port=" + std::to_string(closedPort());
  for (int run = 0; run < 2; ++run) {
    auto r = runPgreach({"diagnose", conninfo, "--only", "tcp", "--format", "json", "--output-dir",
                         out.path.string(), "--store", store.dsn()});
    INFO(r.out << r.err);
    CHECK(r.exitCode == 2);
    CHECK(r.err.empty());  // no NOTICE, no warning: the first run migrates, the second does nothing
    CHECK((r.out + r.err).find(kPw) == std::string::npos);
  }
  const std::string target = targetOf(out.path / "report.json");
  CHECK(slurpNoSecret(out.path, kPw));

  // Schema 1 rows: target rewritten to host:port/dbname, the fleet name kept in `name`.
  CHECK(store.value("SELECT target, coalesce(name, '-'), verdict FROM pgreach_runs ORDER BY id") ==
        "db.internal:5432/appdb|orders|critical\n"
        "db.internal:5432/appdb|-|ok\n"
        "x|-|unknown\n" +
            target + "|-|critical\n" + target + "|-|critical\n");
  CHECK(store.value("SELECT obj_description('pgreach_runs'::regclass, 'pg_class')") == "pgreach schema 2\n");
  CHECK(store.value("SELECT string_agg(indexname, ',' ORDER BY indexname) FROM pg_indexes "
                    "WHERE tablename = 'pgreach_runs'") ==
        "pgreach_runs_name_run_at,pgreach_runs_pkey,pgreach_runs_run_at,pgreach_runs_target_run_at\n");
  // The verdict is one of four fixed values.
  auto bogus = store.sql(
      "INSERT INTO pgreach_runs (run_at, target, verdict, report) VALUES (now(), 't', 'fine', '{}')");
  CHECK(bogus.exitCode != 0);
  CHECK(bogus.err.find("pgreach_runs_verdict_check") != std::string::npos);
  // The Grafana view: a time column, a series name and a number per verdict.
  CHECK(store.value("SELECT series, verdict_code, duration_seconds FROM pgreach_history "
                    "WHERE target = 'db.internal:5432/appdb' ORDER BY \"time\", id") ==
        "orders|2|1.200\ndb.internal:5432/appdb|0|0.300\n");

  // Once migrated, a role that may only insert and read stores its runs: no DDL is run.
  auto grant = testing::runProcess(
      {"psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", std::to_string(store.pg.port()),
       "-U", "postgres", "-d", "appdb", "-c",
       "CREATE ROLE writer LOGIN PASSWORD '" + kPw +
           "'; REVOKE CREATE ON SCHEMA public FROM PUBLIC; GRANT SELECT, INSERT ON pgreach_runs TO writer;"
           " GRANT USAGE ON SEQUENCE pgreach_runs_id_seq TO writer;"},
      30s);
  INFO(grant.err);
  REQUIRE(grant.exitCode == 0);
  auto w = runPgreach({"diagnose", conninfo, "--only", "tcp", "--format", "json", "--output-dir",
                       out.path.string(), "--store",
                       "host=127.0.0.1 port=" + std::to_string(store.pg.port()) +
                           " user=writer dbname=appdb password=" + kPw});
  INFO(w.err);
  CHECK(w.err.empty());
  CHECK(store.value("SELECT count(*) FROM pgreach_runs") == "6\n");
}

TEST_CASE("--store: the same target rule in a fleet and a single run; --store-retention deletes old rows",
          "[integration][store]") {
  Store store;
  testing::TempDir dir("pgreach-store");
  const std::string conninfo = "host=127.0.0.1 port=" + std::to_string(closedPort());
  const fs::path single = dir.path / "single";
  const fs::path fleet = dir.path / "fleet";
  auto one = runPgreach({"diagnose", conninfo, "--only", "tcp", "--format", "json", "--output-dir",
                         single.string(), "--store", store.dsn()});
  INFO(one.out << one.err);
  CHECK(one.err.empty());
  dir.write("fleet.ini", "only = tcp\nformat = json\n[target.db]\nconninfo = " + conninfo +
                             "\n[target.other]\nconninfo = " + conninfo + " dbname=other\n");
  auto many = runPgreach({"diagnose", "--config", (dir.path / "fleet.ini").string(), "--output-dir",
                          fleet.string(), "--store", store.dsn(), "--store-retention", "90d"});
  INFO(many.out << many.err);
  CHECK(many.err.empty());
  for (const auto& r : {one, many}) CHECK((r.out + r.err).find(kPw) == std::string::npos);
  const std::string target = targetOf(single / "report.json");
  CHECK(targetOf(fleet / "db.json") == target);
  CHECK(store.value("SELECT target, coalesce(name, '-') FROM pgreach_runs ORDER BY id") ==
        target + "|-\n" + target + "|db\n" + targetOf(fleet / "other.json") + "|other\n");

  // Retention: rows older than 90 days go, at most one batch a run; younger ones stay.
  store.value(
      "INSERT INTO pgreach_runs (run_at, target, verdict, report) "
      "SELECT now() - interval '100 days' - i * interval '1 minute', 'old', 'ok', '{}' FROM "
      "generate_series(1, 3) i;"
      "INSERT INTO pgreach_runs (run_at, target, verdict, report) VALUES (now() - interval '89 days', "
      "'young', "
      "'ok', '{}')");
  auto kept = runPgreach({"diagnose", conninfo, "--only", "tcp", "--format", "json", "--output-dir",
                          single.string(), "--store", store.dsn(), "--store-retention", "90d"});
  INFO(kept.err);
  CHECK(kept.err.empty());
  CHECK(
      store.value("SELECT count(*) FILTER (WHERE target = 'old'), count(*) FILTER (WHERE target = 'young'), "
                  "count(*) FROM pgreach_runs") == "0|1|5\n");

  // Bad values are refused before anything runs.
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"diagnose", conninfo, "--store", store.dsn(), "--store-retention", "90x"},
        std::vector<std::string>{"diagnose", conninfo, "--store-retention", "90d"}}) {
    auto bad = runPgreach(args);
    CHECK(bad.exitCode == 3);
    CHECK(bad.err.find("--store-retention") != std::string::npos);
    CHECK(bad.err.find(kPw) == std::string::npos);
  }
}
