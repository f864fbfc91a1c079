#include "app/store.h"

#include <libpq-fe.h>

#include <poll.h>

#include <cerrno>
#include <chrono>
#include <functional>
#include <memory>
#include <string_view>

#include "net/address.h"
#include "net/handles.h"
#include "net/system_resolve.h"
#include "target/target.h"
#include "util/redact.h"
#include "util/strings.h"

namespace pgreach::app {
namespace {

// Runs on every store. A current table (its comment says so) returns before any DDL:
// no NOTICE ("relation ... already exists, skipping"), no lock. Otherwise, under an
// advisory lock (two first runs at once), it creates the table or migrates schema 1:
// `name` added, `target` rewritten from each report to host:port/dbname (schema 1 held
// the fleet name in a fleet and the host in a single run), verdicts outside the four
// fixed values made 'unknown' and the CHECK added, the indexes and the view created.
constexpr const char* kMigrate = R"sql(
SET client_min_messages = warning;
DO $pgreach$
BEGIN
  IF to_regclass('pgreach_runs') IS NOT NULL
     AND obj_description(to_regclass('pgreach_runs'), 'pg_class') = 'pgreach schema 2' THEN
    RETURN;
  END IF;
  PERFORM pg_advisory_xact_lock(7370416863543212661);
  CREATE TABLE IF NOT EXISTS pgreach_runs (
    id bigserial PRIMARY KEY,
    run_at timestamptz NOT NULL,
    target text NOT NULL,
    verdict text NOT NULL,
    report jsonb NOT NULL,
    stored_at timestamptz NOT NULL DEFAULT now());
  IF obj_description(to_regclass('pgreach_runs'), 'pg_class') IS DISTINCT FROM 'pgreach schema 2' THEN
    ALTER TABLE pgreach_runs ADD COLUMN IF NOT EXISTS name text;
    UPDATE pgreach_runs
       SET name = report->'target'->>'name',
           target = concat(report->'target'->>'host', ':', report->'target'->>'port', '/',
                           report->'target'->>'dbname')
     WHERE jsonb_typeof(report->'target') = 'object' AND report->'target' ? 'host';
    UPDATE pgreach_runs SET verdict = 'unknown'
     WHERE verdict NOT IN ('ok', 'warning', 'critical', 'unknown');
    ALTER TABLE pgreach_runs DROP CONSTRAINT IF EXISTS pgreach_runs_verdict_check;
    ALTER TABLE pgreach_runs ADD CONSTRAINT pgreach_runs_verdict_check
      CHECK (verdict IN ('ok', 'warning', 'critical', 'unknown'));
    CREATE INDEX IF NOT EXISTS pgreach_runs_run_at ON pgreach_runs (run_at);
    CREATE INDEX IF NOT EXISTS pgreach_runs_target_run_at ON pgreach_runs (target, run_at);
    CREATE INDEX IF NOT EXISTS pgreach_runs_name_run_at ON pgreach_runs (name, run_at);
    CREATE OR REPLACE VIEW pgreach_history AS
      SELECT run_at AS "time",
             target,
             coalesce(name, target) AS series,
             name,
             verdict,
             CASE verdict WHEN 'ok' THEN 0 WHEN 'warning' THEN 1 WHEN 'critical' THEN 2 ELSE 3 END
               AS verdict_code,
             round((report->>'duration_ms')::numeric / 1000, 3) AS duration_seconds,
             report->'root_cause'->>'code' AS root_cause,
             id
        FROM pgreach_runs;
    COMMENT ON TABLE pgreach_runs IS 'pgreach schema 2';
  END IF;
END
$pgreach$;
)sql";

constexpr const char* kInsert =
    "INSERT INTO pgreach_runs (run_at, target, name, verdict, report) VALUES ($1, $2, $3, $4, $5::jsonb)";

// Bounded: one batch of the oldest expired rows per run, so a first run against years of
// history neither holds the run nor locks the table for long.
const std::string kExpire =
    "DELETE FROM pgreach_runs WHERE id IN (SELECT id FROM pgreach_runs WHERE run_at < now() - $1::interval"
    " ORDER BY run_at LIMIT " +
    std::to_string(kRetentionBatch) + ")";

std::string clean(const std::string& dsn, std::string message) {
  util::Redactor r;
  for (const auto& s : storeSecrets(dsn)) r.addSecret(s);
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  return r.apply(std::move(message));
}

}  // namespace

std::string storeTarget(const reports::TargetSummary& target) {
  return target.host + ":" + std::to_string(target.port) + "/" + target.dbname;
}

const char* storeMigrationSql() { return kMigrate; }

std::vector<std::string> storeSecrets(const std::string& dsn) {
  std::vector<std::string> out;
  char* err = nullptr;
  net::PgConninfoPtr opts(PQconninfoParse(dsn.c_str(), &err));
  if (err) PQfreemem(err);
  if (!opts) return out;
  for (auto* o = opts.get(); o->keyword; ++o) {
    if (o->val && std::string(o->dispchar ? o->dispchar : "") == "*" && *o->val) out.emplace_back(o->val);
  }
  return out;
}

namespace {

using Clock = std::chrono::steady_clock;

// Waits until the connection's socket is ready, or the store's deadline passes.
bool waitFor(PGconn* c, short events, Clock::time_point deadline) {
  for (int i = 0; i < 10000; ++i) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return false;
    pollfd p{PQsocket(c), events, 0};
    const int rc = ::poll(&p, 1, static_cast<int>(left));
    if (rc > 0) return true;
    if (rc == 0) return false;
    if (errno != EINTR) return true;  // let libpq report the socket's error
  }
  return false;
}

// Sends one command without blocking and reads every result before the deadline.
Expected<bool> runCommand(PGconn* c, const std::string& dsn, const char* what, Clock::time_point deadline,
                          const std::function<int()>& send) {
  if (!send()) return makeError("--store: " + std::string(what) + ": " + clean(dsn, PQerrorMessage(c)));
  for (;;) {
    const int f = PQflush(c);
    if (f == 0) break;
    if (f < 0 || !waitFor(c, POLLOUT | POLLIN, deadline)) {
      return makeError("--store: " + std::string(what) + ": no answer within the run's --deadline");
    }
    if (!PQconsumeInput(c))
      return makeError("--store: " + std::string(what) + ": " + clean(dsn, PQerrorMessage(c)));
  }
  std::string failure;
  for (;;) {
    while (PQisBusy(c)) {
      if (!waitFor(c, POLLIN, deadline)) {
        return makeError("--store: " + std::string(what) + ": no answer within the run's --deadline");
      }
      if (!PQconsumeInput(c))
        return makeError("--store: " + std::string(what) + ": " + clean(dsn, PQerrorMessage(c)));
    }
    net::PgResultPtr r(PQgetResult(c));
    if (!r) break;
    const auto st = PQresultStatus(r.get());
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK && failure.empty()) {
      failure = clean(dsn, PQresultErrorMessage(r.get()));
    }
  }
  if (!failure.empty()) return makeError("--store: " + std::string(what) + ": " + failure);
  return true;
}

}  // namespace

Expected<bool> storeRuns(const std::string& dsn, const std::vector<StoredRun>& runs,
                         std::chrono::milliseconds budget, std::optional<std::chrono::hours> retention) {
  // A DSN libpq cannot parse yields no secrets to redact, and libpq's message quotes the
  // offending token (possibly the password): name the fault, never the token.
  const auto deadline = Clock::now() + budget;
  std::string hostaddr;  // the store's addresses, looked up here within the budget
  {
    char* err = nullptr;
    net::PgConninfoPtr opts(PQconninfoParse(dsn.c_str(), &err));
    net::PgStringPtr message(err);
    if (!opts) {
      return makeError(
          "--store: malformed connection string: " +
          (message ? target::scrubConninfoMessage(message.get()) : std::string("out of memory")));
    }
    // postgresql://u:pa@ss@host: libpq ends the user info at the first '@' and would look
    // up the rest of the password as a host name, sending it to the DNS resolver.
    for (auto* o = opts.get(); o->keyword; ++o) {
      if (o->val && std::string_view(o->keyword) == "host" &&
          std::string_view(o->val).find('@') != std::string_view::npos) {
        return makeError(
            "--store: the host name in the connection string contains '@' (value not shown): in a URI, "
            "percent-encode '@' in the password as %40");
      }
    }
    // libpq's own getaddrinfo blocks with the resolver's timeouts and retries (a stalled
    // resolver held a 2 s run for 15 s): each host name is looked up here, bounded by the
    // budget, and libpq gets the addresses (hostaddr) and does no lookup of its own.
    std::string host, givenAddr;
    for (auto* o = opts.get(); o->keyword; ++o) {
      if (!o->val) continue;
      if (std::string_view(o->keyword) == "host") host = o->val;
      if (std::string_view(o->keyword) == "hostaddr") givenAddr = o->val;
    }
    if (!host.empty() && givenAddr.empty()) {
      bool complete = true;
      for (const auto& name : util::split(host, ',')) {
        const std::string h = util::trim(name);
        if (h.empty() || h.front() == '/') {  // a socket directory: no lookup
          complete = false;
          break;
        }
        std::string address;
        if (net::IpAddress::parse(h)) {
          address = h;
        } else {
          const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
          auto found = net::lookupSystem(h, std::max(left, std::chrono::milliseconds(1)));
          if (!found.finished)
            return makeError(
                "--store: cannot connect: the store's host name did not resolve within the run's "
                "--deadline (getaddrinfo)");
          if (found.addresses.empty()) {  // libpq names that itself, and may try the next host
            complete = false;
            break;
          }
          address = found.addresses.front().toString();
        }
        hostaddr += (hostaddr.empty() ? "" : ",") + address;
      }
      if (!complete) hostaddr.clear();
    }
  }
  // Everything below is non-blocking and ends by `deadline`: a store that accepts and
  // stays silent, or logs in and never answers, costs the run no more than its budget.
  // The notice processor keeps any notice off stderr; the migration sets
  // client_min_messages itself, so the DSN's own `options` stay the user's.
  // Later keys override what the expanded DSN (dbname) set.
  const char* keys[] = {"dbname", "fallback_application_name", hostaddr.empty() ? nullptr : "hostaddr",
                        nullptr};
  const char* values[] = {dsn.c_str(), "pgreach-store", hostaddr.c_str(), nullptr};
  net::PgConnPtr conn(PQconnectStartParams(keys, values, 1));
  if (!conn) return makeError("--store: out of memory");
  PQsetNoticeProcessor(
      conn.get(), [](void*, const char*) {}, nullptr);
  auto connectError = [&]() {
    // An option value libpq refused at connect time (`invalid integer value "..." for
    // connection option "port"`: what a raw '/' or '@' in a URI password turns into) is
    // scrubbed by structure as well as by the known secrets.
    std::string why = clean(dsn, PQerrorMessage(conn.get()));
    if (why.rfind("connection to server", 0) != 0) why = target::scrubConninfoMessage(std::move(why));
    return makeError("--store: cannot connect: " + why);
  };
  if (PQstatus(conn.get()) == CONNECTION_BAD) return connectError();
  PostgresPollingStatusType poll = PGRES_POLLING_WRITING;
  while (poll != PGRES_POLLING_OK) {
    if (poll == PGRES_POLLING_FAILED) return connectError();
    if (!waitFor(conn.get(), poll == PGRES_POLLING_READING ? POLLIN : POLLOUT, deadline)) {
      return makeError("--store: cannot connect: no answer within the run's --deadline");
    }
    poll = PQconnectPoll(conn.get());
  }
  if (PQsetnonblocking(conn.get(), 1) != 0)
    return makeError("--store: cannot switch the connection to non-blocking");
  // The server stops what the client stops waiting for: a DELETE of a huge backlog or a
  // migration behind a lock ends with the run's budget on both sides.
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  const std::string setup = "SET statement_timeout = " + std::to_string(std::max<long long>(left, 1)) + ";";
  if (auto c = runCommand(conn.get(), dsn, "cannot prepare the session", deadline,
                          [&] { return PQsendQuery(conn.get(), setup.c_str()); });
      !c) {
    return c;
  }
  if (auto c = runCommand(conn.get(), dsn, "cannot create or migrate table pgreach_runs", deadline,
                          [&] { return PQsendQuery(conn.get(), kMigrate); });
      !c) {
    return c;
  }
  for (const auto& run : runs) {
    const std::string verdict(reports::toString(run.verdict));
    const char* params[] = {run.startedAt.c_str(), run.target.c_str(),
                            run.name.empty() ? nullptr : run.name.c_str(), verdict.c_str(),
                            run.reportJson.c_str()};
    auto sent = runCommand(conn.get(), dsn, "insert failed", deadline, [&] {
      return PQsendQueryParams(conn.get(), kInsert, 5, nullptr, params, nullptr, nullptr, 0);
    });
    if (!sent) return sent;
  }
  if (retention) {
    const std::string interval = std::to_string(retention->count()) + " hours";
    const char* params[] = {interval.c_str()};
    auto expired = runCommand(conn.get(), dsn, "--store-retention: cannot delete old rows", deadline, [&] {
      return PQsendQueryParams(conn.get(), kExpire.c_str(), 1, nullptr, params, nullptr, nullptr, 0);
    });
    if (!expired) return expired;
  }
  return true;
}

}  // namespace pgreach::app
