#include "target/target.h"

#include <unistd.h>
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>

using pgreach::target::Provider;
using pgreach::target::Target;

namespace {
// Clears the PG* variables a developer's shell may set, and restores nothing: tests that
// need one set it themselves.
struct CleanPgEnv {
  CleanPgEnv() { clear(); }
  ~CleanPgEnv() { clear(); }
  static void clear() {
    for (const char* v :
         {"PGHOST", "PGPORT", "PGUSER", "PGPASSWORD", "PGDATABASE", "PGSSLMODE", "PGSERVICE", "PGHOSTADDR",
          "PGSSLROOTCERT", "PGSERVICEFILE", "PGSSLNEGOTIATION", "PGLOADBALANCEHOSTS"}) {
      ::unsetenv(v);
    }
  }
};
}  // namespace

TEST_CASE("URI targets are parsed by libpq", "[unit][target]") {
  CleanPgEnv env;
  auto t = Target::parse(
      "postgresql://app:s3cret-pw@db.example.com:6432/appdb?sslmode=verify-full&sslrootcert=system");
  REQUIRE(t.ok());
  CHECK(t->hosts().size() == 1);
  CHECK(t->primary().host == "db.example.com");
  CHECK(t->primary().port == 6432);
  CHECK(t->user() == "app");
  CHECK(t->dbname() == "appdb");
  CHECK(t->sslmode() == "verify-full");
  CHECK(t->option("sslrootcert") == "system");
  CHECK(t->password().reveal() == "s3cret-pw");
  CHECK(t->fromUri());
}

TEST_CASE("keyword/value targets with several hosts and hostaddr", "[unit][target]") {
  CleanPgEnv env;
  auto t = Target::parse(
      "host=a.example,b.example hostaddr=10.0.0.1,10.0.0.2 port=5432,5433 user=u dbname=d sslsni=1");
  REQUIRE(t.ok());
  REQUIRE(t->hosts().size() == 2);
  CHECK(t->hosts()[0].host == "a.example");
  CHECK(t->hosts()[0].hostaddr == "10.0.0.1");
  CHECK(t->hosts()[0].port == 5432);
  CHECK(t->hosts()[1].hostaddr == "10.0.0.2");
  CHECK(t->hosts()[1].port == 5433);
  CHECK(t->option("sslsni") == "1");
  CHECK_FALSE(t->fromUri());
}

TEST_CASE("one port applies to every host", "[unit][target]") {
  CleanPgEnv env;
  auto t = Target::parse("host=a,b,c port=6432");
  REQUIRE(t.ok());
  REQUIRE(t->hosts().size() == 3);
  for (const auto& h : t->hosts()) CHECK(h.port == 6432);
}

TEST_CASE("the PG environment does the work when no string is given", "[unit][target]") {
  CleanPgEnv env;
  ::setenv("PGHOST", "envhost.example", 1);
  ::setenv("PGPORT", "5544", 1);
  ::setenv("PGUSER", "envuser", 1);
  ::setenv("PGPASSWORD", "env-secret-value", 1);
  ::setenv("PGSSLMODE", "require", 1);
  auto t = Target::parse("");
  REQUIRE(t.ok());
  CHECK(t->primary().host == "envhost.example");
  CHECK(t->primary().port == 5544);
  CHECK(t->user() == "envuser");
  CHECK(t->dbname() == "envuser");  // libpq's rule: dbname defaults to the user
  CHECK(t->sslmode() == "require");
  CHECK(t->password().reveal() == "env-secret-value");
  CHECK(t->printable().find("env-secret-value") == std::string::npos);
  // An explicit value in the string wins over the environment.
  auto t2 = Target::parse("host=explicit.example port=1234");
  REQUIRE(t2.ok());
  CHECK(t2->primary().host == "explicit.example");
  CHECK(t2->primary().port == 1234);
}

TEST_CASE("bad connection strings give one clear error without the secret", "[unit][target]") {
  CleanPgEnv env;
  SECTION("missing equals sign echoes no password") {
    auto t = Target::parse("host=x password topsecretvalue");
    REQUIRE_FALSE(t.ok());
    CHECK(t.error().find("malformed connection string") != std::string::npos);
    CHECK(t.error().find("topsecretvalue") == std::string::npos);
  }
  SECTION("unknown keyword is named") {
    auto t = Target::parse("host=x colour=blue");
    REQUIRE_FALSE(t.ok());
    CHECK(t.error().find("malformed connection string") != std::string::npos);
  }
  SECTION("bad URI") {
    auto t = Target::parse("postgresql://u:pw%zz@host/db");
    REQUIRE_FALSE(t.ok());
    CHECK(t.error().find("pw%zz") == std::string::npos);
  }
  SECTION("bad port") {
    auto t = Target::parse("host=x port=99999");
    REQUIRE_FALSE(t.ok());
    CHECK(t.error().find("invalid port") != std::string::npos);
  }
  SECTION("a password that breaks parsing is never echoed, whatever its quotes, slashes or @ (issue 17)") {
    // Each string holds the marker Zq9 inside its password; libpq rejects every one, and
    // the message must name what is wrong without any piece of the password.
    const char* inputs[] = {
        "postgresql://app1:Qu\"ote%zzZq9SecretT@127.0.0.1:25432/appdb",
        "host=127.0.0.1 password=Aa9Secret b\"Zq9Secret d",
        "host=127.0.0.1 password='Zq9Secret",
        "postgresql://app1:Sl/ashZq9Sec@127.0.0.1:25432/appdb",
        "postgresql://app1:x@TailZq9Part@127.0.0.1:25432/appdb",
        "postgresql://app1:p%00Zq9@127.0.0.1/db",
        "postgresql://h/db?password=Zq9\"x=y",
        "postgresql://h/db?Zq9\"secret",
    };
    for (const char* in : inputs) {
      INFO(in);
      auto t = Target::parse(in);
      REQUIRE_FALSE(t.ok());
      CHECK(t.error().find("Zq9") == std::string::npos);
      CHECK(t.error().find("Secret") == std::string::npos);
      CHECK_FALSE(t.error().empty());
    }
  }
  SECTION("libpq's own words stay: an unknown keyword is named, digits of a bad port are shown") {
    auto t = Target::parse("host=x sslmod=require");
    REQUIRE_FALSE(t.ok());
    CHECK(t.error().find("invalid connection option \"sslmod\"") != std::string::npos);
    auto p = Target::parse("host=x port=99999");
    REQUIRE_FALSE(p.ok());
    CHECK(p.error().find("\"99999\"") != std::string::npos);
    auto u = Target::parse("postgresql://app1:Sl/ash@127.0.0.1:25432/appdb");
    REQUIRE_FALSE(u.ok());
    CHECK(u.error().find("%2F") != std::string::npos);
    auto a = Target::parse("postgresql://app1:x@Tail@127.0.0.1:25432/appdb");
    REQUIRE_FALSE(a.ok());
    CHECK(a.error().find("%40") != std::string::npos);
  }
  SECTION("mismatched lists") {
    auto t = Target::parse("host=a,b port=1,2,3");
    REQUIRE_FALSE(t.ok());
    CHECK(t.error().find("could not match") != std::string::npos);
  }
  SECTION("unix socket") {
    auto t = Target::parse("host=/var/run/postgresql");
    REQUIRE_FALSE(t.ok());
    CHECK(t.error().find("Unix-domain socket") != std::string::npos);
  }
  SECTION("no host at all") {
    auto t = Target::parse("dbname=x");
    REQUIRE_FALSE(t.ok());
    CHECK(t.error().find("no host") != std::string::npos);
  }
}

TEST_CASE("every printable form hides the password", "[unit][target][redaction]") {
  CleanPgEnv env;
  auto uri = Target::parse(
      "postgresql://role.main:pscale_pw_abcdefghijklmnop@x.private-pg.psdb.cloud:5432/app?sslmode=require");
  REQUIRE(uri.ok());
  CHECK(uri->printable() ==
        "postgresql://role.main:<HIDDEN>@x.private-pg.psdb.cloud:5432/app?sslmode=require");
  CHECK(uri->printableKeywordValue().find("password=<HIDDEN>") != std::string::npos);
  for (const auto& s : {uri->printable(), uri->printableKeywordValue(), uri->printableUri()}) {
    CHECK(s.find("pscale_pw_abcdefghijklmnop") == std::string::npos);
  }
  auto kv = Target::parse("host=h user=u password='has space' dbname=d");
  REQUIRE(kv.ok());
  CHECK(kv->printable() == "user=u dbname=d host=h password=<HIDDEN>");  // libpq's keyword order
  CHECK(kv->printableUri() == "postgresql://u:<HIDDEN>@h/d");
}

TEST_CASE("provider detection from hostnames", "[unit][target][provider]") {
  using pgreach::target::detectProvider;
  using pgreach::target::isPrivateHostname;
  CHECK(detectProvider("ep-cool-darkness-123456.vpce.us-east-1.aws.neon.tech") == Provider::Neon);
  CHECK(detectProvider("ep-cool-darkness-123456.us-east-2.aws.neon.tech") == Provider::Neon);
  CHECK(isPrivateHostname(Provider::Neon, "ep-x.vpce.us-east-1.aws.neon.tech"));
  CHECK_FALSE(isPrivateHostname(Provider::Neon, "ep-x.us-east-1.aws.neon.tech"));
  CHECK(detectProvider("abc123.private-pg.psdb.cloud") == Provider::PlanetScale);
  CHECK(detectProvider("aws.connect.psdb.cloud") == Provider::PlanetScale);
  CHECK(isPrivateHostname(Provider::PlanetScale, "abc.private-pg.psdb.cloud"));
  CHECK_FALSE(isPrivateHostname(Provider::PlanetScale, "aws.connect.psdb.cloud"));
  CHECK(detectProvider("myserver.postgres.database.azure.com") == Provider::Azure);
  CHECK(detectProvider("MyServer.Postgres.Database.Azure.Com.") == Provider::Azure);
  CHECK(detectProvider("vpce-0abc-lab.vpce-svc-0123.us-east-1.vpce.amazonaws.com") == Provider::Heroku);
  CHECK(detectProvider("ec2-3-83-63-168.compute-1.amazonaws.com") == Provider::Heroku);
  CHECK(detectProvider("db.internal.example") == Provider::Generic);
  CHECK(detectProvider("notneon.tech") == Provider::Generic);
}

TEST_CASE("the provider decides the default ports", "[unit][target][provider]") {
  using pgreach::target::defaultPorts;
  using V = std::vector<uint16_t>;
  CHECK(defaultPorts(Provider::Neon, 5432) == V{5432});
  CHECK(defaultPorts(Provider::PlanetScale, 5432) == V{5432, 6432});
  CHECK(defaultPorts(Provider::Heroku, 5432) == V{5432, 5433});
  CHECK(defaultPorts(Provider::Azure, 5432) == V{5432, 6432});
  CHECK(defaultPorts(Provider::Generic, 7000) == V{7000});
  CHECK(defaultPorts(Provider::Heroku, 5433) == V{5432, 5433});
}

TEST_CASE("the passfile's password, as libpq would pick it, goes to the redactor",
          "[unit][target][redaction]") {
  char tmpl[] = "/tmp/pgreach-pgpass-XXXXXX";
  const int fd = ::mkstemp(tmpl);
  REQUIRE(fd >= 0);
  const std::string body =
      "# comment\n"
      "other.host:5432:appdb:app:NotThisOne9\n"
      "db.example:*:appdb:app:First9Match\n"
      "*:*:*:*:Second9Match\n";
  REQUIRE(::write(fd, body.data(), body.size()) == static_cast<ssize_t>(body.size()));
  ::close(fd);
  ::setenv("PGPASSFILE", tmpl, 1);
  auto t = Target::parse("host=db.example port=6432 user=app dbname=appdb");
  REQUIRE(t.ok());
  const auto secrets = t->secretValues();
  CHECK(std::find(secrets.begin(), secrets.end(), "First9Match") != secrets.end());
  CHECK(std::find(secrets.begin(), secrets.end(), "NotThisOne9") == secrets.end());
  CHECK(std::find(secrets.begin(), secrets.end(), "Second9Match") == secrets.end());
  // A password in the string wins over the passfile, as in libpq.
  auto withPw = Target::parse("host=db.example port=6432 user=app dbname=appdb password=Given9Pw");
  REQUIRE(withPw.ok());
  CHECK(withPw->secretValues() == std::vector<std::string>{"Given9Pw"});
  ::unsetenv("PGPASSFILE");
  std::remove(tmpl);
}

// Issue 16 item 5: options newer than the linked libpq 15 are read as the application's
// newer libpq reads them, not refused as "invalid connection option".
TEST_CASE("load_balance_hosts (libpq 16) is read like sslnegotiation (libpq 17)", "[unit][target]") {
  CleanPgEnv env;
  auto t = Target::parse("host=a.example,b.example load_balance_hosts=random sslnegotiation=direct");
  REQUIRE(t.ok());
  CHECK(t->option("load_balance_hosts") == "random");
  CHECK(t->option("sslnegotiation") == "direct");
  REQUIRE(t->hosts().size() == 2);
  auto uri = Target::parse("postgresql://a.example,b.example/db?load_balance_hosts=disable");
  REQUIRE(uri.ok());
  CHECK(uri->option("load_balance_hosts") == "disable");
  ::setenv("PGLOADBALANCEHOSTS", "random", 1);
  auto fromEnv = Target::parse("host=a.example");
  REQUIRE(fromEnv.ok());
  CHECK(fromEnv->option("load_balance_hosts") == "random");
  ::unsetenv("PGLOADBALANCEHOSTS");
  // A value libpq would refuse is refused, by name, without echoing what was typed.
  auto bad = Target::parse("host=a.example load_balance_hosts=Sekr1tValue");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error() ==
        "malformed connection string: invalid load_balance_hosts value (expected disable or random)");
  auto badNeg = Target::parse("host=a.example sslnegotiation=requiredirect");
  REQUIRE_FALSE(badNeg.ok());
  CHECK(badNeg.error().find("invalid sslnegotiation value (expected postgres or direct)") !=
        std::string::npos);
}
