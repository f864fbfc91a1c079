// A hostile "Postgres" on loopback that asks for the password in clear text and then
// echoes it back: in a NoticeResponse (plus a 9 KB notice) and in the FATAL
// ErrorResponse. The password comes from places libpq reads that are not the conninfo
// (a passfile), so only a redactor that was told about them can hide it (issue 17).
// The real pgreach binary runs against it; no output, format or stream may carry it.
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>

#include "hostile/hostile_servers.h"
#include "support/process.h"

using namespace pgreach::testing;
using namespace pgreach::testing::hostile;

namespace {

void append32(std::vector<uint8_t>& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(v >> shift));
}

// One typed backend message: type byte, length, body.
std::vector<uint8_t> message(char type, const std::string& body) {
  std::vector<uint8_t> out{static_cast<uint8_t>(type)};
  append32(out, static_cast<uint32_t>(body.size() + 4));
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

// ErrorResponse / NoticeResponse body: severity, SQLSTATE, message.
std::string fields(const std::string& severity, const std::string& code, const std::string& text) {
  std::string b;
  for (const auto& [k, v] :
       {std::pair<char, std::string>{'S', severity}, {'V', severity}, {'C', code}, {'M', text}}) {
    b += k;
    b += v;
    b += '\0';
  }
  return b + '\0';
}

// Reads what the client sends until `want` bytes are buffered or 3 s pass.
bool fill(int fd, std::vector<uint8_t>& buf, size_t want) {
  for (int i = 0; i < 30 && buf.size() < want; ++i) {
    auto more = readSome(fd, 100);
    buf.insert(buf.end(), more.begin(), more.end());
  }
  return buf.size() >= want;
}

uint32_t be32(const std::vector<uint8_t>& b, size_t at) {
  return (uint32_t{b[at]} << 24) | (uint32_t{b[at + 1]} << 16) | (uint32_t{b[at + 2]} << 8) | b[at + 3];
}

// Answers negotiation with 'N', asks for a cleartext password, then either rejects the
// login quoting it (FATAL) or accepts it and echoes it everywhere a server can: two
// notices (one of 9 KB), the server_version parameter, and the error for SELECT 1.
void echoPasswordServer(int fd, bool acceptLogin) {
  std::vector<uint8_t> buf;
  for (int round = 0; round < 3; ++round) {
    if (!fill(fd, buf, 8)) return;
    std::vector<uint8_t> head(buf.begin(), buf.begin() + 8);
    if (!isNegotiationRequest(head)) break;
    buf.erase(buf.begin(), buf.begin() + 8);
    sendAll(fd, {'N'});
  }
  const uint32_t startupLen = be32(buf, 0);
  if (startupLen < 8 || startupLen > 10000 || !fill(fd, buf, startupLen)) return;
  buf.erase(buf.begin(), buf.begin() + startupLen);
  sendAll(fd, message('R', std::string("\0\0\0\3", 4)));  // AuthenticationCleartextPassword
  if (!fill(fd, buf, 5) || buf[0] != 'p') return;
  const uint32_t len = be32(buf, 1);
  if (len < 5 || len > 10000 || !fill(fd, buf, 1 + len)) return;
  std::string password(buf.begin() + 5, buf.begin() + 1 + len);
  buf.erase(buf.begin(), buf.begin() + 1 + len);
  while (!password.empty() && password.back() == '\0') password.pop_back();
  if (!acceptLogin) {
    sendAll(fd, message('E', fields("FATAL", "28P01",
                                    "password authentication failed: got \"" + password + "\"")));
    return;
  }
  std::vector<uint8_t> out = message('R', std::string("\0\0\0\0", 4));  // AuthenticationOk
  auto add = [&out](const std::vector<uint8_t>& m) { out.insert(out.end(), m.begin(), m.end()); };
  add(message('S', std::string("server_version\0", 15) + "15.4 " + password + '\0'));
  add(message('K', std::string(8, '\1')));
  add(message('N', fields("NOTICE", "00000", "you sent the password " + password)));
  add(message('N', fields("NOTICE", "00000", std::string(9000, 'n') + password)));
  add(message('Z', "I"));
  sendAll(fd, out);
  if (!fill(fd, buf, 5) || buf[0] != 'Q') return;
  std::vector<uint8_t> err = message('E', fields("ERROR", "XX000", "cannot run SELECT 1 for " + password));
  auto ready = message('Z', "I");
  err.insert(err.end(), ready.begin(), ready.end());
  sendAll(fd, err);
  readSome(fd, 1000);
}

}  // namespace

// Where libpq finds the password: a passfile line or a service file's password=. The
// third one holds a backslash, a double quote and a tab, so JSON, HTML and Markdown would
// escape it into forms the raw string does not match (issue 17: redaction ran after
// escaping); any of its three marked pieces in any output is a leak.
struct SecretSource {
  const char* what;
  std::string password;
  std::vector<std::string> pieces;  // none may appear anywhere
  bool serviceFile;
};

TEST_CASE("a password from the passfile or a service file, echoed by the server, appears in no output",
          "[integration][hostile][redaction]") {
  const SecretSource sources[] = {
      {"passfile", "Echo9PassfileSecret", {"Echo9PassfileSecret"}, false},
      {"service file", "Svc9ServiceSecret", {"Svc9ServiceSecret"}, true},
      {"passfile, escapable bytes", "Ec9ho\\\"Qx7Pa\tZv8Wd", {"Ec9ho", "Qx7Pa", "Zv8Wd"}, false},
  };
  for (const auto& source : sources) {
    for (const bool acceptLogin : {false, true}) {
      HostileTcpServer server(
          [acceptLogin](int fd, const std::atomic<bool>&) { echoPasswordServer(fd, acceptLogin); });
      REQUIRE(server.listening());
      char tmpl[] = "/tmp/pgreach-echo-XXXXXX";
      REQUIRE(::mkdtemp(tmpl));
      const std::string dir = tmpl;
      const std::string file = dir + (source.serviceFile ? "/pg_service.conf" : "/pgpass");
      std::string target;
      std::vector<std::string> env;
      {
        std::ofstream f(file);
        if (source.serviceFile) {
          f << "[echo]\nhost=127.0.0.1\nport=" << server.port()
            << "\nuser=app\ndbname=appdb\nsslmode=prefer\npassword=" << source.password << "\n";
          target = "service=echo";
          env = {"PGSERVICEFILE=" + file, "PGPASSFILE=" + dir + "/none"};
        } else {
          std::string escaped;  // a passfile escapes '\\' and ':'
          for (char c : source.password) {
            if (c == '\\' || c == ':') escaped += '\\';
            escaped += c;
          }
          f << "127.0.0.1:" << server.port() << ":appdb:app:" << escaped << "\n";
          target = "host=127.0.0.1 port=" + std::to_string(server.port()) +
                   " user=app dbname=appdb sslmode=prefer";
          env = {"PGPASSFILE=" + file};
        }
      }
      REQUIRE(::chmod(file.c_str(), 0600) == 0);
      // What proves the echo path ran: the server's own words reached the report.
      const std::string serverWords =
          acceptLogin ? "cannot run SELECT 1 for" : "password authentication failed";
      bool sawServerWords = false, sawNotice = false;
      for (const char* format : {"text", "json", "markdown", "html"}) {
        auto r = runProcess({pgreachBinary(), "diagnose", target, "--format", format, "--deadline", "8s",
                             "--timeout", "2s", "--ports", std::to_string(server.port())},
                            std::chrono::seconds(30), env);
        INFO(source.what << (acceptLogin ? ", login accepted, " : ", login rejected, ") << format << ":\n"
                         << r.out << r.err);
        CHECK((r.exitCode >= 0 && r.exitCode <= 3));
        for (const auto& piece : source.pieces) {
          CHECK(r.out.find(piece) == std::string::npos);
          CHECK(r.err.find(piece) == std::string::npos);
        }
        CHECK(r.err.find("nnnnnnnn") == std::string::npos);             // notices never reach stderr
        CHECK(r.out.find(std::string(400, 'n')) == std::string::npos);  // and are cut short
        if (r.out.find(serverWords) != std::string::npos) sawServerWords = true;
        if (r.out.find("you sent the password") != std::string::npos) sawNotice = true;
      }
      CHECK(sawServerWords);
      if (acceptLogin) CHECK(sawNotice);
      CHECK(server.connections() >= 4);
      std::remove(file.c_str());
      ::rmdir(dir.c_str());
    }
  }
}

TEST_CASE("a server's terminal escape sequences reach no report as bytes", "[integration][hostile]") {
  // Issue 17: ESC]0;... retitled the terminal, ESC[2J cleared it, and a newline let the
  // server print its own "PGREACH OK" line into the text report.
  const std::string hostile = "\x1b]0;owned\x07\x1b[2J\x1b[31mboom\x1b[0m\nPGREACH OK - every check passed\r";
  HostileTcpServer server([&hostile](int fd, const std::atomic<bool>&) {
    auto first = readSome(fd, 3000);
    if (isNegotiationRequest(first)) {
      sendAll(fd, {'N'});
      first = readSome(fd, 3000);
    }
    if (first.empty()) return;
    sendAll(fd, message('E', fields("FATAL", "28000", hostile)));
  });
  REQUIRE(server.listening());
  const std::string target =
      "host=127.0.0.1 port=" + std::to_string(server.port()) + " user=app dbname=appdb sslmode=disable";
  for (const char* format : {"text", "markdown", "nagios", "junit", "html", "json", "prometheus"}) {
    auto r = runProcess({pgreachBinary(), "diagnose", target, "--format", format, "--deadline", "6s",
                         "--timeout", "2s", "--ports", std::to_string(server.port())},
                        std::chrono::seconds(30));
    INFO(format << ": exit " << r.exitCode << "\n" << r.out << r.err);
    CHECK((r.exitCode >= 0 && r.exitCode <= 3));
    for (const auto* s : {&r.out, &r.err}) {
      CHECK(s->find('\x1b') == std::string::npos);
      CHECK(s->find('\x07') == std::string::npos);
      CHECK(s->find('\r') == std::string::npos);
      CHECK(s->find("\nPGREACH OK") == std::string::npos);
    }
    if (std::string(format) == "text")
      CHECK(r.out.find("boom") != std::string::npos);  // the words got through
  }
}
