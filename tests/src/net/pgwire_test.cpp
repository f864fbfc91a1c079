#include "net/pgwire.h"

#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>
#include "support/pg_messages.h"

using namespace pgreach::net::pgwire;

namespace {

std::string fixture(const std::string& name) {
  std::ifstream in(std::string(PGREACH_SOURCE_DIR) + "/tests/data/pgwire/" + name, std::ios::binary);
  REQUIRE(in);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

using pgreach::testing::errorResponse;

ErrorFields parseError(const std::string& bytes) {
  auto p = parseBackendMessage(bytes);
  REQUIRE(p.state == ParseState::Complete);
  REQUIRE(p.message.type == 'E');
  auto e = parseErrorResponse(p.message.body);
  REQUIRE(e);
  return *e;
}

}  // namespace

TEST_CASE("SSLRequest, StartupMessage and Terminate bytes", "[unit]") {
  CHECK(sslRequest() == std::string("\x00\x00\x00\x08\x04\xd2\x16\x2f", 8));
  CHECK(terminate() == std::string("X\x00\x00\x00\x04", 5));
  const std::string s =
      startupMessage({{"user", "app"}, {"database", "appdb"}, {"application_name", "pgreach"}});
  const std::string body = std::string("\x00\x03\x00\x00", 4) + "user" + '\0' + "app" + '\0' + "database" +
                           '\0' + "appdb" + '\0' + "application_name" + '\0' + "pgreach" + '\0' + '\0';
  REQUIRE(s.size() == body.size() + 4);
  CHECK(s.substr(4) == body);
  CHECK(static_cast<unsigned char>(s[3]) == s.size());
}

TEST_CASE("recorded PostgreSQL SASL request parses to SCRAM-SHA-256", "[unit]") {
  auto p = parseBackendMessage(fixture("postgres15_auth_sasl.bin"));
  REQUIRE(p.state == ParseState::Complete);
  REQUIRE(p.message.type == 'R');
  auto a = parseAuthRequest(p.message.body);
  REQUIRE(a);
  CHECK(a->code == 10);
  CHECK(a->method == AuthMethod::Sasl);
  CHECK(a->saslMechanisms == std::vector<std::string>{"SCRAM-SHA-256"});
  CHECK(a->describe() == "SCRAM-SHA-256");
}

TEST_CASE("auth request codes name the method", "[unit]") {
  CHECK(parseAuthRequest(std::string("\0\0\0\0", 4))->method == AuthMethod::Ok);
  CHECK(parseAuthRequest(std::string("\0\0\0\3", 4))->method == AuthMethod::Cleartext);
  CHECK(parseAuthRequest(std::string("\0\0\0\5salt", 8))->method == AuthMethod::Md5);
  auto plus = parseAuthRequest(std::string("\0\0\0\x0aSCRAM-SHA-256-PLUS\0SCRAM-SHA-256\0\0", 39));
  REQUIRE(plus);
  CHECK(plus->describe() == "SCRAM-SHA-256-PLUS, SCRAM-SHA-256");
  CHECK_FALSE(parseAuthRequest("ab"));
}

TEST_CASE("recorded ErrorResponses: PostgreSQL vs PgBouncer", "[unit]") {
  auto pg = parseError(fixture("postgres15_no_hba.bin"));
  CHECK(pg.sqlstate() == "28000");
  CHECK(pg.message().find("no pg_hba.conf entry for host \"10.40.1.10\"") == 0);
  CHECK(pg.get('V') == "FATAL");
  CHECK_FALSE(pg.get('R').empty());
  CHECK(classifyResponder(pg) == Responder::PostgreSQL);

  auto bouncer = parseError(fixture("pgbouncer_unsupported_param.bin"));
  CHECK(bouncer.codes() == "CMS");
  CHECK(bouncer.sqlstate() == "08P01");
  CHECK(bouncer.message() == "unsupported startup parameter: pgreach_fingerprint");
  CHECK(classifyResponder(bouncer) == Responder::PgBouncer);
}

TEST_CASE("provider proxies are recognised by their wording", "[unit]") {
  // Neon's proxy: single-quoted user, SNI routing messages (text from DOMAIN.md section 2).
  auto neon = parseError(errorResponse({{'S', "FATAL"},
                                        {'C', "08P01"},
                                        {'M',
                                         "Endpoint ID is not specified. Either please upgrade the postgres "
                                         "client library (libpq) for SNI support or pass the endpoint ID"}}));
  CHECK(classifyResponder(neon) == Responder::NeonProxy);
  auto neonAuth = parseError(errorResponse(
      {{'S', "FATAL"}, {'C', "28P01"}, {'M', "password authentication failed for user 'app'"}}));
  CHECK(classifyResponder(neonAuth) == Responder::NeonProxy);
  auto ps = parseError(
      errorResponse({{'S', "FATAL"},
                     {'C', "28000"},
                     {'M', "invalid user format: username must include branch (e.g., user.branch)"}}));
  CHECK(classifyResponder(ps) == Responder::PlanetScaleProxy);
  auto psBranch =
      parseError(errorResponse({{'S', "FATAL"}, {'C', "28000"}, {'M', "branch dev does not exist"}}));
  CHECK(classifyResponder(psBranch) == Responder::PlanetScaleProxy);
  // PostgreSQL's own double-quoted message with V/F/L/R stays PostgreSQL.
  auto pgAuth = parseError(errorResponse({{'S', "FATAL"},
                                          {'V', "FATAL"},
                                          {'C', "28P01"},
                                          {'M', "password authentication failed for user \"app\""},
                                          {'F', "auth.c"},
                                          {'L', "335"},
                                          {'R', "auth_failed"}}));
  CHECK(classifyResponder(pgAuth) == Responder::PostgreSQL);
  auto odd = parseError(errorResponse({{'S', "FATAL"}, {'D', "detail only"}}));
  CHECK(classifyResponder(odd) == Responder::Unknown);
}

TEST_CASE("hostile bytes never crash and never allocate the claimed length", "[unit]") {
  // Garbage first byte.
  auto g = parseBackendMessage("HTTP/1.1 400 Bad Request\r\n");
  CHECK(g.state == ParseState::Malformed);
  CHECK(g.problem.find("0x48") != std::string::npos);
  // A message claiming 1 GB.
  auto huge = parseBackendMessage(std::string("E\x40\x00\x00\x00", 5));
  CHECK(huge.state == ParseState::Malformed);
  CHECK(huge.problem.find("1073741824") != std::string::npos);
  // Length below 4.
  CHECK(parseBackendMessage(std::string("R\x00\x00\x00\x02", 5)).state == ParseState::Malformed);
  // Truncated: need more, not a crash.
  CHECK(parseBackendMessage("R\x00").state == ParseState::NeedMore);
  CHECK(parseBackendMessage(std::string("R\x00\x00\x00\x17\x00\x00", 7)).state == ParseState::NeedMore);
  CHECK(parseBackendMessage("").state == ParseState::NeedMore);
  // ErrorResponse bodies: unterminated field, empty body.
  CHECK_FALSE(parseErrorResponse(std::string("SFATAL", 6)));
  CHECK_FALSE(parseErrorResponse(std::string("\0", 1)));
  // Every prefix of a real message is NeedMore or Complete, never Malformed.
  const std::string real = fixture("postgres15_no_hba.bin");
  for (size_t n = 0; n <= real.size(); ++n) {
    auto p = parseBackendMessage(std::string_view(real).substr(0, n));
    CHECK(p.state == (n == real.size() ? ParseState::Complete : ParseState::NeedMore));
  }
  // Random bytes: whatever the state, no exception.
  uint32_t x = 12345;
  for (int round = 0; round < 2000; ++round) {
    std::string buf;
    for (int i = 0; i < 40; ++i) {
      x = x * 1103515245u + 12345u;
      buf += static_cast<char>(x >> 24);
    }
    if (round % 2) buf[0] = 'E';
    auto p = parseBackendMessage(buf);
    if (p.state == ParseState::Complete) {
      CHECK(p.consumed <= buf.size());
      (void)parseErrorResponse(p.message.body);
      (void)parseAuthRequest(p.message.body);
    }
  }
}
