// The pure parts of --store: the target rule, the migration's shape, --store-retention.
// (tests/app/store_integration_test.cpp runs them against a real PostgreSQL.)
#include "app/store.h"

#include <catch2/catch.hpp>
#include <string>

#include "cli/options.h"

using namespace pgreach;

TEST_CASE("--store: target is host:port/dbname, whoever ran it", "[unit][store]") {
  reports::TargetSummary t;
  t.host = "db.internal", t.port = 6432, t.dbname = "appdb";
  CHECK(app::storeTarget(t) == "db.internal:6432/appdb");
  t.dbname.clear();
  CHECK(app::storeTarget(t) == "db.internal:6432/");
}

TEST_CASE("--store: the migration is quiet and does nothing on a current table", "[unit][store]") {
  const std::string sql = app::storeMigrationSql();
  const auto quiet = sql.find("SET client_min_messages = warning");
  const auto done = sql.find("RETURN;");
  const auto create = sql.find("CREATE TABLE");
  REQUIRE(quiet != std::string::npos);
  REQUIRE(done != std::string::npos);
  CHECK(quiet < done);
  CHECK(done < create);  // a current table returns before any DDL
  CHECK(sql.find("CHECK (verdict IN ('ok', 'warning', 'critical', 'unknown'))") != std::string::npos);
  CHECK(sql.find("ON pgreach_runs (target, run_at)") != std::string::npos);
  CHECK(sql.find("CREATE OR REPLACE VIEW pgreach_history") != std::string::npos);
}

TEST_CASE("--store-retention takes whole days or hours, and only with --store", "[unit][store]") {
  auto parse = [](std::vector<const char*> args) {
    args.insert(args.begin(), {"pgreach", "diagnose", "host=127.0.0.1", "--store", "host=127.0.0.1"});
    return cli::parseOptions(static_cast<int>(args.size()), args.data());
  };
  auto days = parse({"--store-retention", "90d"});
  REQUIRE(days);
  CHECK(days->storeRetention == std::chrono::hours(90 * 24));
  auto hours = parse({"--store-retention", "36h"});
  REQUIRE(hours);
  CHECK(hours->storeRetention == std::chrono::hours(36));
  CHECK_FALSE(parse({})->storeRetention);
  for (const char* bad : {"90", "0d", "d", "1.5d", "-3d", "90x", "36501d", "99999999999d"}) {
    INFO(bad);
    auto r = parse({"--store-retention", bad});
    REQUIRE_FALSE(r);
    CHECK(r.error().rfind("--store-retention: ", 0) == 0);
  }
  const char* noStore[] = {"pgreach", "diagnose", "host=127.0.0.1", "--store-retention", "90d"};
  auto r = cli::parseOptions(5, noStore);
  REQUIRE_FALSE(r);
  CHECK(r.error() == "--store-retention: only with --store");
}
