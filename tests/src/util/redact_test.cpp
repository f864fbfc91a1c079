#include "util/redact.h"
#include "util/json_dump.h"

#include <catch2/catch.hpp>
#include <string>
#include <utility>
#include <vector>

using pgreach::util::Redactor;

TEST_CASE("the redactor masks literal secrets and secret shapes", "[unit][redaction]") {
  Redactor r;
  r.addSecret("hunter2-long");
  r.addSecret("ab");  // too short to mask safely: ignored
  CHECK(r.apply("the password hunter2-long leaked") == "the password <HIDDEN> leaked");
  CHECK(r.apply("ab stays") == "ab stays");
  CHECK(r.apply("postgresql://user:other@host/db") == "postgresql://user:<HIDDEN>@host/db");
  CHECK(r.apply("postgres://:x@h") == "postgres://:<HIDDEN>@h");
  CHECK(r.apply("host=h password=abc dbname=d") == "host=h password=<HIDDEN> dbname=d");
  CHECK(r.apply("password='a b\\' c' x") == "password=<HIDDEN> x");
  CHECK(r.apply("token pscale_pw_AbC123_xyz end") == "token pscale_pw_<HIDDEN> end");
  CHECK(r.apply("postgresql://host/db?sslmode=require") == "postgresql://host/db?sslmode=require");
}

// redactPatterns tries each pattern only where its literal starts (std::regex is slow):
// the literals are found whatever their case, as the patterns themselves are; every match
// among long text, a match right after another, a '\b' that must see the byte before.
TEST_CASE("the redactor finds each shape wherever and in whatever case it starts", "[unit][redaction]") {
  const std::string filler(5000, 'x');
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"POSTGRESQL://User:Other@Host/db", "POSTGRESQL://User:<HIDDEN>@Host/db"},
      {"Postgres://u:x@h", "Postgres://u:<HIDDEN>@h"},
      {"HOST=h PassWord=abc", "HOST=h PassWord=<HIDDEN>"},
      {"sslPASSWORD = xyz", "sslPASSWORD = <HIDDEN>"},
      {"xpassword=abc xsslpassword=def", "xpassword=abc xsslpassword=def"},
      {"https://u:p@docs.example/ pass word=x", "https://u:p@docs.example/ pass word=x"},
      {filler + " postgresql://a:b@h\tpostgres://c:d@h\nx postgresql://h/db " + filler,
       filler + " postgresql://a:<HIDDEN>@h\tpostgres://c:<HIDDEN>@h\nx postgresql://h/db " + filler},
      {"`postgresql://u:p@h/db`, (postgres://v:q@h)",
       "`postgresql://u:<HIDDEN>@h/db`, (postgres://v:<HIDDEN>@h)"},
      {"postgres://u:p@postgres://v:q@h", "postgres://u:<HIDDEN>@postgres://v:<HIDDEN>@h"},
      {"postgres", "postgres"},
  };
  Redactor r;
  for (const auto& [in, out] : cases) CHECK(r.apply(in) == out);
}

TEST_CASE("JSON output survives invalid UTF-8 from a peer or a file", "[unit][util]") {
  nlohmann::json j{{"server_version", std::string("15\xff\xc3(")}};
  std::string out;
  REQUIRE_NOTHROW(out = pgreach::util::dumpJson(j, 2));
  CHECK(nlohmann::json::accept(out));
  CHECK(out.find("\xef\xbf\xbd") != std::string::npos);  // U+FFFD in place of the bad bytes
}
