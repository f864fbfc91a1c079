// pg.connect: a real libpq connection with the user's credentials, never blocking:
// PQconnectStartParams + PQconnectPoll with poll() on PQsocket and a deadline, then a
// timed SELECT 1. Reports server version, TLS in use and round-trip time; classifies a
// failure with the provider signatures (classify.h). The password goes only to libpq
// (params arrays) and is scrubbed from every message we keep.
// Depends on pg.startup: when the server already rejected us without a password there
// is nothing to gain from sending one (and some providers ban after failures).
#include <libpq-fe.h>
#include <poll.h>
#include <sys/stat.h>

#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>

#include "checks/common/tls_common.h"
#include "checks/postgres/classify.h"
#include "checks/postgres/codes.h"
#include "checks/postgres/startup_probe.h"
#include "engine/postgres_facts.h"
#include "engine/registry.h"
#include "net/handles.h"
#include "net/system_resolve.h"
#include "target/pgpass.h"
#include "util/atomic_file.h"
#include "util/peer_text.h"
#include "util/secret.h"

namespace pgreach::checks::postgres {
namespace {

using engine::CheckResult;
using engine::Finding;
using engine::Severity;

using net::PgConnPtr;
using net::PgResultPtr;

// Keywords handed to libpq when set on the target (non-secret ones; the password is added apart).
constexpr const char* kPassThrough[] = {"host",
                                        "port",
                                        "user",
                                        "dbname",
                                        "sslmode",
                                        "sslrootcert",
                                        "sslcert",
                                        "sslkey",
                                        "sslcrl",
                                        "sslcrldir",
                                        "sslsni",
                                        "options",
                                        "passfile",
                                        "channel_binding",
                                        "ssl_min_protocol_version",
                                        "ssl_max_protocol_version",
                                        "target_session_attrs",
                                        "krbsrvname",
                                        "gsslib",
                                        "requirepeer"};

std::string scrub(std::string text, const std::vector<std::string>& secrets) {
  for (const auto& s : secrets) {
    if (s.empty()) continue;
    for (size_t at = text.find(s); at != std::string::npos; at = text.find(s, at)) {
      text.replace(at, s.size(), util::kHidden);
    }
  }
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

int millisLeft(engine::TimePoint deadline, const engine::CheckContext& ctx) {
  auto left = std::chrono::duration_cast<engine::Millis>(deadline - ctx.now()).count();
  return left <= 0 ? 0 : static_cast<int>(std::min<long long>(left, 60000));
}

bool waitSocket(int fd, bool forWrite, engine::TimePoint deadline, const engine::CheckContext& ctx) {
  for (int i = 0; i < 1000; ++i) {
    pollfd p{fd, static_cast<short>(forWrite ? POLLOUT : POLLIN), 0};
    int rc = ::poll(&p, 1, millisLeft(deadline, ctx));
    if (rc > 0) return true;
    if (rc == 0) return false;
    if (errno != EINTR) return true;
  }
  return false;
}

// Server notices (NoticeResponse) go to stderr by libpq's default: a hostile or chatty
// server could print anything there, the password included, at any length. They are
// kept here instead, bounded, and reach the report as evidence through the scrubber.
struct Notices {
  std::vector<std::string> lines;
  size_t dropped = 0;
};
constexpr size_t kMaxNotices = 4;
constexpr size_t kMaxNoticeBytes = 300;

void keepNotice(void* arg, const char* message) {
  auto* n = static_cast<Notices*>(arg);
  if (!message) return;
  if (n->lines.size() >= kMaxNotices) {
    ++n->dropped;
    return;
  }
  std::string line(message, ::strnlen(message, kMaxNoticeBytes + 1));
  if (line.size() > kMaxNoticeBytes) line = line.substr(0, kMaxNoticeBytes) + " [cut]";
  n->lines.push_back(std::move(line));
}

std::vector<std::string> noticeEvidence(const Notices& n, const std::vector<std::string>& secrets) {
  std::vector<std::string> out;
  for (const auto& l : n.lines) out.push_back("server notice: " + util::PeerText(scrub(l, secrets)).shown());
  if (n.dropped) out.push_back(std::to_string(n.dropped) + " more server notice(s) not shown");
  return out;
}

bool passfileHasEntry(const target::Target& t, std::string& path) {
  path = target::pgpassPath(t.option("passfile"));
  if (path.empty()) return false;
  // Bounded and regular files only: a FIFO or /dev/zero as PGPASSFILE must not hang or
  // fill memory (libpq itself ignores a passfile that is not a plain file).
  auto content = util::readFile(path, 1 << 20);
  if (!content) return false;
  return target::pgpassHasEntry(*content, t.primary().name(), std::to_string(t.primary().port), t.dbname(),
                                t.user());
}

class ConnectCheck final : public engine::Check {
 public:
  const engine::CheckInfo& info() const override {
    static const engine::CheckInfo kInfo = engine::withCodes(
        {"pg.connect",
         engine::Stage::Postgres,
         "Log in with libpq (non-blocking) and run a timed SELECT 1",
         {"pg.startup"},
         engine::Millis(15000)},
        classifiedCodes({"pg.libpq_no_direct_tls", "pg.no_credentials", "pg.no_hba_public_address",
                         "pg.query_failed", "pg.connected", "pg.no_tls_in_use"}));
    return kInfo;
  }

  CheckResult run(engine::CheckContext& ctx) override {
    CheckResult r;
    const auto& target = ctx.target();
    const std::vector<std::string> secrets = target.secretValues();
    if (target.option("sslnegotiation") == "direct") {
      r.findings.push_back(
          {"pg.libpq_no_direct_tls",
           Severity::Info,
           "the target asks for sslnegotiation=direct, which this libpq (" +
               std::to_string(PQlibVersion() / 10000) + ") cannot do; connecting with SSLRequest",
           {"libpq version " + std::to_string(PQlibVersion())},
           "Direct TLS needs libpq 17+ on the client; the tls.direct check shows whether the server "
           "accepts it."});
    }
    // Credentials: the target (string or PGPASSWORD), a passfile entry, or a server
    // that asked for none (trust).
    std::string passfile;
    const bool havePassword = !target.password().empty();
    const bool havePassfile = !havePassword && passfileHasEntry(target, passfile);
    bool trust = false;
    std::string hostaddr;
    const auto* startup = ctx.dependency("pg.startup");
    if (const auto* st = startup ? startup->factsAs<engine::StartupFacts>() : nullptr) {
      for (const auto& p : st->probes) {
        if (p.outcome != toString(StartupOutcome::AuthRequest)) continue;
        if (p.port != target.primary().port || p.host != target.primary().name()) continue;
        if (hostaddr.empty()) hostaddr = p.address;
        if (p.authCode && *p.authCode == 0) trust = true;
      }
    }
    if (!havePassword && !havePassfile && !trust) {
      r.status = engine::Status::Skip;
      r.summary = "skipped: no password in the target, PGPASSWORD or a passfile entry (nothing was sent)";
      r.findings.insert(r.findings.begin(),
                        {"pg.no_credentials",
                         Severity::Info,
                         "no credentials to log in with: pg.connect was not attempted",
                         {},
                         "Give a password (PGPASSWORD or ~/.pgpass) to test the login too."});
      return r;
    }

    std::vector<std::string> keys, values;
    for (const char* k : kPassThrough) {
      const std::string v = target.option(k);
      if (v.empty()) continue;
      keys.emplace_back(k);
      values.push_back(v);
    }
    // Pin an address for every host: libpq then does no (blocking) lookup of its own. A
    // getaddrinfo that overran held the check past --deadline, abandoned as UNKNOWN with no
    // cause named (issue 17). Each host gets the address pg.startup reached, else what the
    // C library answers within this check's budget; a lookup still running then is named.
    std::string pinned;
    if (target.option("hostaddr").empty() && target.hosts().size() > 1) {
      const auto lookupDeadline = ctx.now() + std::min(ctx.remaining(), ctx.probeTimeout() * 2);
      const auto* st = startup ? startup->factsAs<engine::StartupFacts>() : nullptr;
      bool complete = true;
      for (const auto& h : target.hosts()) {
        std::string address;
        static const std::vector<engine::StartupProbeFacts> kNone;
        for (const auto& p : st ? st->probes : kNone) {
          if (p.outcome == toString(StartupOutcome::AuthRequest) && p.port == h.port && p.host == h.name()) {
            address = p.address;
            break;
          }
        }
        if (address.empty()) {
          const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(lookupDeadline - ctx.now());
          auto found = net::lookupSystem(h.name(), std::max(left, std::chrono::milliseconds(1)));
          if (!found.finished) {
            r.status = engine::Status::Fail;
            r.summary = "libpq's own name lookup (getaddrinfo) of " + util::PeerText(h.name()).shown() +
                        " did not answer within " + std::to_string(left.count()) + " ms: not attempted";
            r.findings.push_back(
                {"pg.connect_failed",
                 Severity::Critical,
                 r.summary,
                 {"getaddrinfo(\"" + util::PeerText(h.name()).shown() + "\") still running after " +
                  std::to_string(left.count()) + " ms"},
                 "The C library's resolver (nsswitch, /etc/hosts, resolv.conf) stalls on this "
                 "name; dns.system compares it with DNS. libpq would wait for it too."});
            return r;
          }
          if (!found.addresses.empty()) address = found.addresses.front().toString();
        }
        if (address.empty()) complete = false;
        pinned += (pinned.empty() ? "" : ",") + address;
      }
      if (!complete) pinned.clear();  // a name that does not resolve: libpq says so itself
    }
    if (!pinned.empty()) {
      keys.emplace_back("hostaddr");
      values.push_back(pinned);
    } else if (!hostaddr.empty() && target.option("hostaddr").empty() && target.hosts().size() == 1) {
      keys.emplace_back("hostaddr");
      values.push_back(hostaddr);
    } else if (!target.option("hostaddr").empty()) {
      keys.emplace_back("hostaddr");
      values.push_back(target.option("hostaddr"));
    }
    keys.emplace_back("application_name");
    values.emplace_back("pgreach");
    keys.emplace_back("gssencmode");  // no Kerberos round trip on a probe
    values.emplace_back("disable");
    std::vector<const char*> kp, vp;
    for (size_t i = 0; i < keys.size(); ++i) {
      kp.push_back(keys[i].c_str());
      vp.push_back(values[i].c_str());
    }
    if (havePassword) {
      kp.push_back("password");
      vp.push_back(target.password().reveal().c_str());
    }
    kp.push_back(nullptr);
    vp.push_back(nullptr);

    const auto start = ctx.now();
    const auto budget = std::min(ctx.remaining(), ctx.probeTimeout() * 2);
    const auto deadline = start + budget;
    Notices notices;  // declared before conn, so it outlives every call that can deliver one
    PgConnPtr conn(PQconnectStartParams(kp.data(), vp.data(), 0));
    if (!conn) {
      r.status = engine::Status::Error;
      r.summary = "libpq could not allocate a connection";
      return r;
    }
    PQsetNoticeProcessor(conn.get(), keepNotice, &notices);
    PostgresPollingStatusType poll = PGRES_POLLING_WRITING;
    bool timedOut = false;
    if (PQstatus(conn.get()) == CONNECTION_BAD) poll = PGRES_POLLING_FAILED;
    for (int i = 0; i < 10000 && poll != PGRES_POLLING_OK && poll != PGRES_POLLING_FAILED; ++i) {
      if (!waitSocket(PQsocket(conn.get()), poll == PGRES_POLLING_WRITING, deadline, ctx)) {
        timedOut = true;
        break;
      }
      poll = PQconnectPoll(conn.get());
    }
    const double connectMs =
        static_cast<double>(
            std::chrono::duration_cast<std::chrono::microseconds>(ctx.now() - start).count()) /
        1000.0;
    engine::ConnectFacts facts;
    facts.connectMs = connectMs;
    facts.credentials = havePassword ? "password" : havePassfile ? "passfile" : "none (trust)";
    facts.hostaddr = hostaddr;
    if (timedOut || poll != PGRES_POLLING_OK) {
      const std::string msg =
          timedOut ? "timeout expired (pgreach deadline)" : scrub(PQerrorMessage(conn.get()), secrets);
      const auto cls = classifyConnectError(msg, "");
      std::vector<std::string> ev = {"libpq: " + util::PeerText(msg).shown()};
      for (auto& line : noticeEvidence(notices, secrets)) ev.push_back(std::move(line));
      if (!cls.seenAddress.empty()) {
        ev.push_back("the server saw the client as " + cls.seenAddress);
        if (seenFromOutside(cls.seenAddress, ctx.config().dns.vpcCidrs)) {
          r.findings.push_back(
              {"pg.no_hba_public_address", Severity::Critical,
               "the server saw the client as " + cls.seenAddress +
                   ", outside the private network: the connection did not take the private path",
               ev, "Make the hostname resolve to the private endpoint so traffic stays inside the VPC."});
        }
      }
      r.findings.push_back({cls.code, Severity::Critical, cls.summary, ev, cls.fix});
      facts.error = util::PeerText(msg);
      r.setFacts(std::move(facts));
      r.status = engine::Status::Fail;
      r.summary = "login failed: " + cls.code;
      return r;
    }

    // Logged in: a timed SELECT 1.
    facts.loggedIn = true;
    const char* serverVersion = PQparameterStatus(conn.get(), "server_version");
    facts.serverVersion = util::PeerText(serverVersion ? serverVersion : "");
    facts.tls = PQsslInUse(conn.get()) == 1;
    if (PQsslInUse(conn.get())) {
      const char* proto = PQsslAttribute(conn.get(), "protocol");
      const char* cipher = PQsslAttribute(conn.get(), "cipher");
      facts.tlsProtocol = proto ? proto : "";
      facts.tlsCipher = cipher ? cipher : "";
    }
    PQsetnonblocking(conn.get(), 1);
    const auto qStart = ctx.now();
    bool queryOk = false;
    std::string queryError;
    if (PQsendQuery(conn.get(), "SELECT 1") == 1) {
      bool flushed = false;
      for (int i = 0; i < 10000; ++i) {
        if (!flushed) {
          int f = PQflush(conn.get());
          if (f == 0)
            flushed = true;
          else if (f < 0)
            break;
          else if (!waitSocket(PQsocket(conn.get()), true, deadline, ctx))
            break;
          continue;
        }
        if (PQconsumeInput(conn.get()) == 0) break;
        if (!PQisBusy(conn.get())) {
          for (int k = 0; k < 16; ++k) {
            PgResultPtr res(PQgetResult(conn.get()));
            if (!res) break;
            if (PQresultStatus(res.get()) == PGRES_TUPLES_OK)
              queryOk = true;
            else
              queryError = scrub(PQresultErrorMessage(res.get()), secrets);
          }
          break;
        }
        if (!waitSocket(PQsocket(conn.get()), false, deadline, ctx)) {
          queryError = "SELECT 1 did not complete before the deadline";
          break;
        }
      }
    }
    const double rttMs =
        static_cast<double>(
            std::chrono::duration_cast<std::chrono::microseconds>(ctx.now() - qStart).count()) /
        1000.0;
    facts.select1Ms = rttMs;
    const std::string tlsText = PQsslInUse(conn.get()) ? facts.tlsProtocol : "no TLS";
    if (!queryOk) {
      if (queryError.empty()) queryError = scrub(PQerrorMessage(conn.get()), secrets);
      std::vector<std::string> ev = {queryError};
      for (auto& n : noticeEvidence(notices, secrets)) ev.push_back(std::move(n));
      r.findings.push_back({"pg.query_failed", Severity::Critical, "logged in, but SELECT 1 failed", ev,
                            "Check the server's state (read-only, out of connections, statement_timeout)."});
    } else {
      char line[200];
      std::snprintf(line, sizeof line, "logged in (%.1f ms), SELECT 1 in %.1f ms, server %s, %s", connectMs,
                    rttMs, facts.serverVersion.shown().c_str(), tlsText.c_str());
      r.findings.push_back({"pg.connected", Severity::Info, line, noticeEvidence(notices, secrets), ""});
    }
    if (!PQsslInUse(conn.get())) {
      r.findings.push_back({"pg.no_tls_in_use",
                            Severity::Warning,
                            "the session is not encrypted",
                            {"sslmode=" + target.sslmode()},
                            "Use sslmode=verify-full."});
    }
    r.setFacts(std::move(facts));
    sortBySeverity(r.findings);
    r.status = engine::statusFromFindings(r.findings);
    char summary[160];
    std::snprintf(summary, sizeof summary, "%s, SELECT 1 in %.1f ms", queryOk ? "connected" : "query failed",
                  rttMs);
    r.summary = summary;
    return r;
  }
};

engine::RegisterCheck<ConnectCheck> registered;

}  // namespace
}  // namespace pgreach::checks::postgres
