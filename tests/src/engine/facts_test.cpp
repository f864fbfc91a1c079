// Each typed facts struct serialises to the `data` shape its check wrote before facts
// were typed (the JSON report's contract), and the result states derive in one place.
#include <catch2/catch.hpp>

#include "engine/dns_facts.h"
#include "engine/postgres_facts.h"
#include "engine/result.h"
#include "engine/tcp_facts.h"
#include "engine/tls_facts.h"

using namespace pgreach;
using nlohmann::json;

TEST_CASE("dns.resolve facts serialise as the data dns.resolve wrote", "[unit]") {
  engine::DnsResolveFacts f;
  f.addresses.push_back({"db.example", "10.40.2.120", "ipv4"});
  engine::DnsResolverFacts r{"db.example", "10.40.0.2", "system", "answered", {}};
  engine::DnsQueryFacts a;
  a.type = "A";
  a.transport = "answered";
  a.responseMs = 1.5;
  a.answered = true;
  a.rcode = "NOERROR";
  a.cnameChain = {"db.example."};
  a.answers = {"db.example. 60 IN A 10.40.2.120"};
  a.addresses.push_back({"10.40.2.120", 60});
  engine::DnsQueryFacts aaaa;
  aaaa.type = "AAAA";
  aaaa.transport = "timeout";
  aaaa.detail = "no answer";
  r.queries = {a, aaaa};
  f.resolvers.push_back(r);
  f.system["db.example"] = {true, "", {"10.40.2.120"}, 0.25};
  f.dnsAnswers["db.example"] = {"10.40.2.120"};
  f.exchanges = 2;
  f.elapsedMs = 2.5;
  f.vpcCidrs = {"10.40.0.0/16"};
  f.vpcSource = "flags";
  const json expected = {
      {"addresses", {{{"host", "db.example"}, {"address", "10.40.2.120"}, {"family", "ipv4"}}}},
      {"resolvers",
       {{{"host", "db.example"},
         {"server", "10.40.0.2"},
         {"role", "system"},
         {"state", "answered"},
         {"queries",
          {{{"type", "A"},
            {"transport", "answered"},
            {"response_ms", 1.5},
            {"via_tcp", false},
            {"truncated", false},
            {"rcode", "NOERROR"},
            {"ad", false},
            {"aa", false},
            {"cname_chain", {"db.example."}},
            {"cname_ttls", json::array()},
            {"answers", {"db.example. 60 IN A 10.40.2.120"}},
            {"addresses", {{{"address", "10.40.2.120"}, {"ttl", 60}}}}},
           {{"type", "AAAA"},
            {"transport", "timeout"},
            {"response_ms", 0.0},
            {"via_tcp", false},
            {"truncated", false},
            {"detail", "no answer"}}}}}}},
      {"system",
       {{"db.example",
         {{"finished", true}, {"error", ""}, {"addresses", {"10.40.2.120"}}, {"elapsed_ms", 0.25}}}}},
      {"dns_answers", {{"db.example", {"10.40.2.120"}}}},
      {"exchanges", 2},
      {"elapsed_ms", 2.5},
      {"vpc_cidrs", {"10.40.0.0/16"}},
      {"vpc_source", "flags"}};
  CHECK(f.toJson() == expected);

  engine::DnsResolveFacts nothing;  // every host literal: no exchanges, no elapsed time
  CHECK_FALSE(nothing.toJson().contains("exchanges"));
  CHECK(nothing.toJson()["addresses"] == json::array());
  CHECK(nothing.toJson()["system"] == json::object());
}

TEST_CASE("tcp.connect facts serialise as the data tcp.connect wrote", "[unit]") {
  engine::TcpConnectFacts f;
  engine::TcpProbeFacts p;
  p.host = "db.example";
  p.address = "10.40.2.120";
  p.port = 6432;
  p.outcome = "timeout";
  p.elapsedMs = 3000;
  p.code = "tcp.silently_dropped";
  p.attempts = 1;
  f.probes.push_back(p);
  f.capture = "none";
  f.repeat = 1;
  const json j = f.toJson();
  CHECK(j == json{{"probes",
                   {{{"host", "db.example"},
                     {"address", "10.40.2.120"},
                     {"port", 6432},
                     {"outcome", "timeout"},
                     {"elapsed_ms", 3000.0},
                     {"code", "tcp.silently_dropped"},
                     {"attempts", 1},
                     {"open_count", 0},
                     {"flaky", false}}}},
                  {"capture", "none"},
                  {"repeat", 1}});
  f.probes[0].connectMs = engine::TcpConnectMs{1, 2, 3};
  f.probes[0].wire =
      engine::TcpWireFacts{3, 2, 0, 0, 0, {{"10.40.0.1", 3, 13, "administratively prohibited"}}};
  f.captureFile = "/tmp/x.pcap";
  f.captureFilePackets = 7;
  const json k = f.toJson();
  CHECK(k["probes"][0]["connect_ms"] == json{{"min", 1.0}, {"median", 2.0}, {"max", 3.0}});
  CHECK(k["probes"][0]["wire"]["icmp"][0]["kind"] == "administratively prohibited");
  CHECK(k["probes"][0]["wire"]["syn_retransmissions"] == 2);
  CHECK(k["capture_file"] == "/tmp/x.pcap");
  CHECK(k["capture_file_packets"] == 7);
}

TEST_CASE("tls facts serialise as the data the tls checks wrote", "[unit]") {
  engine::HandshakeFacts f;
  f.sslmode = "verify-full";
  f.rootCert = "(none)";
  engine::HandshakeProbeFacts changed;
  changed.host = "db.example";
  changed.address = "10.40.2.120";
  changed.port = 5432;
  changed.outcome = "sslrequest_N";
  f.probes.push_back(changed);
  engine::HandshakeProbeFacts ok = changed;
  ok.outcome = "ok";
  ok.sni = "db.example";
  ok.handshakeRan = ok.completed = true;
  ok.elapsedMs = 12.5;
  engine::CertFacts leaf;
  leaf.subject = "CN=db.example";
  leaf.notAfter = "2028-01-01T00:00:00Z";
  ok.chain = {leaf};
  ok.protocol = "TLSv1.3";
  ok.daysUntilExpiry = 400;
  f.probes.push_back(ok);
  const json j = f.toJson();
  CHECK(j["probes"][0] == json{{"host", "db.example"},
                               {"address", "10.40.2.120"},
                               {"port", 5432},
                               {"sni", ""},
                               {"outcome", "sslrequest_N"}});
  CHECK(j["probes"][1]["chain"][0]["subject"] == "CN=db.example");
  CHECK(j["probes"][1]["chain"][0].size() == 9);
  CHECK(j["probes"][1]["verify_errors"] == json::array());
  CHECK(j["probes"][1]["days_until_expiry"] == 400);
  CHECK_FALSE(j["probes"][1].contains("detail"));
  CHECK(j["root_cert"] == "(none)");

  engine::SslRequestFacts s{};
  s.sslmode = "prefer";
  s.probes.push_back({"db.example", "10.40.2.120", 5432, "S", 3});
  CHECK(s.toJson() == json{{"sslmode", "prefer"},
                           {"probes",
                            {{{"host", "db.example"},
                              {"address", "10.40.2.120"},
                              {"port", 5432},
                              {"reply", "S"},
                              {"elapsed_ms", 3}}}}});
}

TEST_CASE("postgres facts serialise as the data pg.startup and pg.connect wrote", "[unit]") {
  engine::ConnectFacts failed;
  failed.connectMs = 4.5;
  failed.credentials = "password";
  failed.error = util::PeerText("FATAL: password authentication failed");
  CHECK(failed.toJson() == json{{"connect_ms", 4.5},
                                {"credentials", "password"},
                                {"error", "FATAL: password authentication failed"}});
  engine::ConnectFacts in;
  in.credentials = "passfile";
  in.hostaddr = "10.40.2.120";
  in.loggedIn = true;
  in.serverVersion = util::PeerText("16.4");
  in.select1Ms = 0.5;
  const json j = in.toJson();
  CHECK(j["server_version"] == "16.4");
  CHECK(j["tls"] == false);
  CHECK_FALSE(j.contains("tls_protocol"));
  CHECK(j["hostaddr"] == "10.40.2.120");

  engine::StartupFacts st;
  engine::StartupProbeFacts p;
  p.outcome = "error";
  p.error = engine::PgErrorFacts{"FATAL", "28000", util::PeerText("no pg_hba.conf entry"), "SCM"};
  st.probes.push_back(p);
  CHECK(st.toJson()["probes"][0]["error"]["message"] == "no pg_hba.conf entry");
  CHECK_FALSE(st.toJson()["probes"][0].contains("auth_code"));
}

TEST_CASE("typed readers see through facts whose JSON was replaced", "[unit]") {
  engine::CheckResult r;
  engine::TcpConnectFacts f;
  f.repeat = 3;
  r.setFacts(f);
  r.facts = std::make_shared<engine::ShownFacts>(r.facts, json{{"masked", true}});
  r.facts = std::make_shared<engine::ShownFacts>(r.facts, json{{"masked", "twice"}});
  REQUIRE(r.factsAs<engine::TcpConnectFacts>());
  CHECK(r.factsAs<engine::TcpConnectFacts>()->repeat == 3);
  CHECK(r.dataJson() == json{{"masked", "twice"}});
  CHECK_FALSE(r.factsAs<engine::HandshakeFacts>());
}

TEST_CASE("result states derive from the status unless a check sets one", "[unit]") {
  using engine::Status;
  using util::ResultState;
  CHECK(engine::deriveState(Status::Pass, {}) == ResultState::Passed);
  CHECK(engine::deriveState(Status::Warn, {}) == ResultState::Passed);
  CHECK(engine::deriveState(Status::Fail, {}) == ResultState::Failed);
  CHECK(engine::deriveState(Status::Error, {}) == ResultState::NotVerified);
  CHECK(engine::deriveState(Status::Skip, {}) == ResultState::NotApplicable);
  engine::CheckResult r;
  r.status = Status::Skip;
  CHECK(r.state() == ResultState::NotApplicable);
  r.stateOverride = ResultState::NotVerified;
  CHECK(r.state() == ResultState::NotVerified);
  for (auto s :
       {ResultState::Passed, ResultState::Failed, ResultState::NotVerified, ResultState::NotApplicable}) {
    CHECK(util::resultStateFromString(util::toString(s)) == s);
  }
  CHECK(util::toString(ResultState::NotVerified) == "not_verified");
}
