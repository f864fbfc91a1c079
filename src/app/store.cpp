#include "app/store.h"

#include <libpq-fe.h>

#include <memory>

#include "target/target.h"
#include "util/redact.h"

namespace pgreach::app {
namespace {

struct ConnDeleter {
  void operator()(PGconn* c) const { PQfinish(c); }
};
struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
struct OptionsDeleter {
  void operator()(PQconninfoOption* o) const { PQconninfoFree(o); }
};
using Conn = std::unique_ptr<PGconn, ConnDeleter>;
using Result = std::unique_ptr<PGresult, ResultDeleter>;

constexpr const char* kCreate =
    "CREATE TABLE IF NOT EXISTS pgreach_runs ("
    " id bigserial PRIMARY KEY,"
    " run_at timestamptz NOT NULL,"
    " target text NOT NULL,"
    " verdict text NOT NULL,"
    " report jsonb NOT NULL,"
    " stored_at timestamptz NOT NULL DEFAULT now());"
    "CREATE INDEX IF NOT EXISTS pgreach_runs_run_at ON pgreach_runs (run_at);"
    "CREATE INDEX IF NOT EXISTS pgreach_runs_target_run_at ON pgreach_runs (target, run_at);";

std::string clean(const std::string& dsn, std::string message) {
  util::Redactor r;
  for (const auto& s : storeSecrets(dsn)) r.addSecret(s);
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  return r.apply(std::move(message));
}

}  // namespace

std::vector<std::string> storeSecrets(const std::string& dsn) {
  std::vector<std::string> out;
  char* err = nullptr;
  std::unique_ptr<PQconninfoOption, OptionsDeleter> opts(PQconninfoParse(dsn.c_str(), &err));
  if (err) PQfreemem(err);
  if (!opts) return out;
  for (auto* o = opts.get(); o->keyword; ++o) {
    if (o->val && std::string(o->dispchar ? o->dispchar : "") == "*" && *o->val) out.emplace_back(o->val);
  }
  return out;
}

Expected<bool> storeRuns(const std::string& dsn, const std::vector<StoredRun>& runs, int connectTimeoutSeconds) {
  // A DSN libpq cannot parse yields no secrets to redact, and libpq's message quotes the
  // offending token (possibly the password): name the fault, never the token.
  {
    char* err = nullptr;
    std::unique_ptr<PQconninfoOption, OptionsDeleter> opts(PQconninfoParse(dsn.c_str(), &err));
    std::unique_ptr<char, decltype(&PQfreemem)> message(err, &PQfreemem);
    if (!opts) {
      return makeError("--store: malformed connection string: " +
                       (message ? target::scrubConninfoMessage(message.get()) : std::string("out of memory")));
    }
  }
  // connect_timeout bounds the wait; keywords given later override the DSN's.
  const char* keys[] = {"dbname", "connect_timeout", "application_name", nullptr};
  const std::string timeout = std::to_string(connectTimeoutSeconds);
  const char* values[] = {dsn.c_str(), timeout.c_str(), "pgreach-store", nullptr};
  Conn conn(PQconnectdbParams(keys, values, 1));
  if (!conn) return makeError("--store: out of memory");
  if (PQstatus(conn.get()) != CONNECTION_OK) {
    // An option value libpq refused at connect time (`invalid integer value "..." for
    // connection option "port"`: what a raw '/' or '@' in a URI password turns into) is
    // scrubbed by structure as well as by the known secrets.
    std::string why = clean(dsn, PQerrorMessage(conn.get()));
    if (why.rfind("connection to server", 0) != 0) why = target::scrubConninfoMessage(std::move(why));
    return makeError("--store: cannot connect: " + why);
  }
  Result created(PQexec(conn.get(), kCreate));
  if (PQresultStatus(created.get()) != PGRES_COMMAND_OK) {
    return makeError("--store: cannot create table pgreach_runs: " + clean(dsn, PQerrorMessage(conn.get())));
  }
  for (const auto& run : runs) {
    const char* params[] = {run.startedAt.c_str(), run.target.c_str(), run.verdict.c_str(), run.reportJson.c_str()};
    Result inserted(PQexecParams(conn.get(),
                                 "INSERT INTO pgreach_runs (run_at, target, verdict, report) VALUES ($1, $2, $3, $4::jsonb)",
                                 4, nullptr, params, nullptr, nullptr, 0));
    if (PQresultStatus(inserted.get()) != PGRES_COMMAND_OK) {
      return makeError("--store: insert failed: " + clean(dsn, PQerrorMessage(conn.get())));
    }
  }
  return true;
}

}  // namespace pgreach::app
