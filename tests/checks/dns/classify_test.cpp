#include "checks/dns/classify.h"

#include <catch2/catch.hpp>
#include <random>

#include "checks/dns/packets.h"

using namespace pgreach::checks::dns;
namespace pkt = pgreach::testing::dnspkt;

namespace {
const std::string kNeon = "ep-cool-lab-123456.vpce.us-east-1.aws.neon.tech";
const std::string kAzure = "labserver.postgres.database.azure.com";
const std::string kAzurePl = "labserver.privatelink.postgres.database.azure.com";
}  // namespace

TEST_CASE("classify: NOERROR with A records gives the addresses and their TTLs", "[unit]") {
  auto w = pkt::responseWire(kNeon, LDNS_RR_TYPE_A, LDNS_RCODE_NOERROR,
                             {kNeon + ". 300 IN A 10.40.2.120", kNeon + ". 300 IN A 10.40.3.118"});
  auto c = classifyWire(w.data(), w.size(), kNeon, LDNS_RR_TYPE_A, 4242);
  REQUIRE_FALSE(c.malformed);
  CHECK(c.noError());
  CHECK(c.rcodeName == "NOERROR");
  REQUIRE(c.addresses.size() == 2);
  CHECK(c.addresses[0].address.toString() == "10.40.2.120");
  CHECK(c.addresses[0].ttl == 300);
  CHECK(c.cnameChain == std::vector<std::string>{kNeon + "."});
  REQUIRE(c.answerLines.size() == 2);
  CHECK(c.answerLines[0] == kNeon + ". 300 IN A 10.40.2.120");
  CHECK(c.headerLines()[0] == ";; ->>HEADER<<- opcode: QUERY, status: NOERROR, id: 4242");
}

TEST_CASE("classify: NXDOMAIN and SERVFAIL carry their rcode and no address", "[unit]") {
  auto nx = pkt::responseWire(kNeon, LDNS_RR_TYPE_A, LDNS_RCODE_NXDOMAIN, {});
  auto c = classifyWire(nx.data(), nx.size(), kNeon, LDNS_RR_TYPE_A);
  CHECK_FALSE(c.malformed);
  CHECK(c.rcode == LDNS_RCODE_NXDOMAIN);
  CHECK(c.rcodeName == "NXDOMAIN");
  CHECK(c.addresses.empty());
  CHECK(c.headerLines()[0].find("status: NXDOMAIN") != std::string::npos);

  auto sf = pkt::responseWire(kNeon, LDNS_RR_TYPE_A, LDNS_RCODE_SERVFAIL, {});
  auto s = classifyWire(sf.data(), sf.size(), kNeon, LDNS_RR_TYPE_A);
  CHECK(s.rcodeName == "SERVFAIL");
  CHECK_FALSE(s.noError());
}

TEST_CASE("classify: follows the Azure CNAME chain to the privatelink name", "[unit]") {
  auto w =
      pkt::responseWire(kAzure, LDNS_RR_TYPE_A, LDNS_RCODE_NOERROR,
                        {kAzure + ". 30 IN CNAME " + kAzurePl + ".", kAzurePl + ". 10 IN A 10.40.2.120"});
  auto c = classifyWire(w.data(), w.size(), kAzure, LDNS_RR_TYPE_A);
  REQUIRE(c.cnameChain.size() == 2);
  CHECK(c.cnameChain[1] == kAzurePl + ".");
  CHECK(c.cnameTtls == std::vector<uint32_t>{30});
  REQUIRE(c.addresses.size() == 1);
  CHECK(c.addresses[0].ttl == 10);
  CHECK(c.finalName() == kAzurePl + ".");
}

TEST_CASE("classify: NXDOMAIN after a CNAME keeps the chain (Azure zone without the record)", "[unit]") {
  auto w = pkt::responseWire(kAzure, LDNS_RR_TYPE_A, LDNS_RCODE_NXDOMAIN,
                             {kAzure + ". 30 IN CNAME " + kAzurePl + "."});
  auto c = classifyWire(w.data(), w.size(), kAzure, LDNS_RR_TYPE_A);
  CHECK(c.rcodeName == "NXDOMAIN");
  CHECK(c.finalName() == kAzurePl + ".");
}

TEST_CASE("classify: records not owned by the chain's end are ignored", "[unit]") {
  auto w = pkt::responseWire(kNeon, LDNS_RR_TYPE_A, LDNS_RCODE_NOERROR,
                             {"evil.example. 300 IN A 203.0.113.9", kNeon + ". 300 IN A 10.40.2.120"});
  auto c = classifyWire(w.data(), w.size(), kNeon, LDNS_RR_TYPE_A);
  REQUIRE(c.addresses.size() == 1);
  CHECK(c.addresses[0].address.toString() == "10.40.2.120");
}

TEST_CASE("classify: a public A answer and a long TTL are reported as given", "[unit]") {
  auto w =
      pkt::responseWire(kNeon, LDNS_RR_TYPE_A, LDNS_RCODE_NOERROR, {kNeon + ". 86400 IN A 198.51.100.20"});
  auto c = classifyWire(w.data(), w.size(), kNeon, LDNS_RR_TYPE_A);
  REQUIRE(c.addresses.size() == 1);
  CHECK(c.addresses[0].address.toString() == "198.51.100.20");
  CHECK(c.addresses[0].ttl == 86400);
}

TEST_CASE("classify: a CNAME loop is flagged, with no addresses trusted", "[unit]") {
  auto w = pkt::responseWire("a.example", LDNS_RR_TYPE_A, LDNS_RCODE_NOERROR,
                             {"a.example. 60 IN CNAME b.example.", "b.example. 60 IN CNAME a.example.",
                              "a.example. 60 IN A 10.0.0.1"});
  auto c = classifyWire(w.data(), w.size(), "a.example", LDNS_RR_TYPE_A);
  CHECK(c.cnameLoop);
  CHECK(c.addresses.empty());
}

TEST_CASE("classify: a long CNAME chain without a loop is too long, not a loop (issue 17)", "[unit]") {
  std::vector<std::string> rrs;
  for (int i = 0; i < 40; ++i) {
    rrs.push_back("h" + std::to_string(i) + ".example. 60 IN CNAME h" + std::to_string(i + 1) + ".example.");
  }
  rrs.push_back("h40.example. 60 IN A 10.0.0.1");
  auto w = pkt::responseWire("h0.example", LDNS_RR_TYPE_A, LDNS_RCODE_NOERROR, rrs);
  auto c = classifyWire(w.data(), w.size(), "h0.example", LDNS_RR_TYPE_A);
  CHECK(c.cnameTooLong);
  CHECK_FALSE(c.cnameLoop);
  CHECK(c.addresses.empty());
  // Within the limit the chain is followed to its address.
  std::vector<std::string> shortChain(rrs.end() - 9, rrs.end());
  auto w2 = pkt::responseWire("h32.example", LDNS_RR_TYPE_A, LDNS_RCODE_NOERROR, shortChain);
  auto c2 = classifyWire(w2.data(), w2.size(), "h32.example", LDNS_RR_TYPE_A);
  CHECK_FALSE(c2.cnameTooLong);
  REQUIRE(c2.addresses.size() == 1);
}

TEST_CASE("classify: AAAA answers", "[unit]") {
  auto w = pkt::responseWire(kNeon, LDNS_RR_TYPE_AAAA, LDNS_RCODE_NOERROR, {kNeon + ". 60 IN AAAA fd00::5"});
  auto c = classifyWire(w.data(), w.size(), kNeon, LDNS_RR_TYPE_AAAA);
  REQUIRE(c.addresses.size() == 1);
  CHECK_FALSE(c.addresses[0].address.isV4());
}

TEST_CASE("classify: hostile wire bytes give malformed, never a crash", "[unit]") {
  SECTION("empty and shorter than a header") {
    CHECK(classifyWire(nullptr, 0, "x.example", LDNS_RR_TYPE_A).malformed);
    std::vector<uint8_t> shortMsg{0x12, 0x34, 0x81, 0x80, 0, 1};
    auto c = classifyWire(shortMsg.data(), shortMsg.size(), "x.example", LDNS_RR_TYPE_A);
    CHECK(c.malformed);
    CHECK(c.malformedReason.find("shorter than a DNS header") != std::string::npos);
  }
  SECTION("compression pointer loop in the question name") {
    auto w = pkt::header(7, 1, 0);
    pkt::append(w, {0xC0, 0x0C, 0x00, 0x01, 0x00, 0x01});  // name at offset 12 points to offset 12
    auto c = classifyWire(w.data(), w.size(), "x.example", LDNS_RR_TYPE_A);
    CHECK(c.malformed);
    CHECK(c.malformedReason.find("ldns_wire2pkt") != std::string::npos);
  }
  SECTION("compression pointer loop in an answer name") {
    auto w = pkt::header(7, 1, 1);
    auto q = pkt::name("x.example");
    w.insert(w.end(), q.begin(), q.end());
    pkt::append(w, {0, 1, 0, 1});
    const uint8_t at = static_cast<uint8_t>(w.size());
    pkt::append(w, {0xC0, at, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 10, 0, 0, 1});  // owner points at itself
    CHECK(classifyWire(w.data(), w.size(), "x.example", LDNS_RR_TYPE_A).malformed);
  }
  SECTION("truncated packet: a valid answer cut short") {
    auto w = pkt::responseWire(kNeon, LDNS_RR_TYPE_A, LDNS_RCODE_NOERROR, {kNeon + ". 300 IN A 10.40.2.120"});
    for (size_t cut : {size_t(13), w.size() / 2, w.size() - 1}) {
      auto c = classifyWire(w.data(), cut, kNeon, LDNS_RR_TYPE_A);
      CHECK(c.malformed);
    }
  }
  SECTION("huge answer count with no data") {
    auto w = pkt::header(7, 1, 0xFFFF);
    auto q = pkt::name("x.example");
    w.insert(w.end(), q.begin(), q.end());
    pkt::append(w, {0, 1, 0, 1});
    CHECK(classifyWire(w.data(), w.size(), "x.example", LDNS_RR_TYPE_A).malformed);
  }
  SECTION("a 64 KB answer of real records is read up to the cap") {
    auto w = pkt::header(7, 1, 0);
    auto q = pkt::name("x.example");
    w.insert(w.end(), q.begin(), q.end());
    pkt::append(w, {0, 1, 0, 1});
    uint16_t count = 0;
    while (w.size() + 16 <= 65535) {  // compressed owner, A, IN, TTL 60, 4 bytes
      pkt::append(w, {0xC0, 0x0C, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 10, static_cast<uint8_t>(count >> 8),
                      static_cast<uint8_t>(count & 0xff), 1});
      ++count;
    }
    w[6] = static_cast<uint8_t>(count >> 8);
    w[7] = static_cast<uint8_t>(count & 0xff);
    REQUIRE(w.size() > 60000);
    auto c = classifyWire(w.data(), w.size(), "x.example", LDNS_RR_TYPE_A);
    CHECK_FALSE(c.malformed);
    CHECK(c.oversized);
    CHECK(c.answerRecords == count);
    CHECK(c.answerLines.size() == kMaxAnswerRecords);
    CHECK(c.addresses.size() <= kMaxAnswerRecords);
  }
  SECTION("64 KB of random bytes with the QR bit set") {
    std::mt19937 rng(12345);
    for (int round = 0; round < 20; ++round) {
      std::vector<uint8_t> w(65535);
      for (auto& b : w) b = static_cast<uint8_t>(rng());
      w[2] |= 0x80;
      auto c = classifyWire(w.data(), w.size(), "x.example", LDNS_RR_TYPE_A);
      CHECK((c.malformed || c.addresses.empty()));
    }
  }
  SECTION("a query, not a response") {
    auto w = buildQuery("x.example", LDNS_RR_TYPE_A);
    auto c = classifyWire(w.data(), w.size(), "x.example", LDNS_RR_TYPE_A);
    CHECK(c.malformed);
    CHECK(c.malformedReason.find("QR") != std::string::npos);
  }
  SECTION("wrong id and wrong question") {
    auto w = pkt::responseWire("x.example", LDNS_RR_TYPE_A, LDNS_RCODE_NOERROR,
                               {"x.example. 60 IN A 10.0.0.1"}, 99);
    CHECK(classifyWire(w.data(), w.size(), "x.example", LDNS_RR_TYPE_A, 100).malformed);
    CHECK(classifyWire(w.data(), w.size(), "y.example", LDNS_RR_TYPE_A).malformed);
    CHECK(classifyWire(w.data(), w.size(), "x.example", LDNS_RR_TYPE_AAAA).malformed);
    CHECK_FALSE(classifyWire(w.data(), w.size(), "X.Example.", LDNS_RR_TYPE_A, 99).malformed);
  }
  SECTION("a packet that is more than 64 KB") {
    std::vector<uint8_t> w(70000, 0);
    w[2] = 0x80;
    CHECK(classifyWire(w.data(), w.size(), "x.example", LDNS_RR_TYPE_A).malformed);
  }
}

TEST_CASE("buildQuery: RD and AD set, EDNS0 1232, the question asked", "[unit]") {
  auto w = buildQuery(kNeon, LDNS_RR_TYPE_AAAA);
  REQUIRE(w.size() > 12);
  ldns_pkt* raw = nullptr;
  REQUIRE(ldns_wire2pkt(&raw, w.data(), w.size()) == LDNS_STATUS_OK);
  pgreach::net::LdnsPktPtr p(raw);
  CHECK(ldns_pkt_rd(p.get()));
  CHECK(ldns_pkt_ad(p.get()));
  CHECK_FALSE(ldns_pkt_qr(p.get()));
  CHECK(ldns_pkt_edns_udp_size(p.get()) == 1232);
  const ldns_rr* q = ldns_rr_list_rr(ldns_pkt_question(p.get()), 0);
  CHECK(ldns_rr_get_type(q) == LDNS_RR_TYPE_AAAA);
  CHECK(buildQuery(std::string(300, 'a'), LDNS_RR_TYPE_A).empty());
}

TEST_CASE("canonicalName lowercases and keeps one trailing dot", "[unit]") {
  CHECK(canonicalName("Db.Example") == "db.example.");
  CHECK(canonicalName("db.example..") == "db.example.");
  CHECK(canonicalName(".") == ".");
}

TEST_CASE("classify: bit-flipped and cut copies of real answers never crash", "[unit]") {
  const auto base =
      pkt::responseWire(kAzure, LDNS_RR_TYPE_A, LDNS_RCODE_NOERROR,
                        {kAzure + ". 30 IN CNAME " + kAzurePl + ".", kAzurePl + ". 10 IN A 10.40.2.120"});
  std::mt19937 rng(777);
  int parsed = 0, rejected = 0;
  size_t maxAddresses = 0, maxChain = 0;
  for (int i = 0; i < 3000; ++i) {
    auto w = base;
    const int flips = 1 + static_cast<int>(rng() % 4);
    for (int f = 0; f < flips; ++f) w[rng() % w.size()] ^= static_cast<uint8_t>(1u << (rng() % 8));
    if (rng() % 4 == 0) w.resize(rng() % w.size());
    auto c = classifyWire(w.data(), w.size(), kAzure, LDNS_RR_TYPE_A);
    (c.malformed ? rejected : parsed)++;
    maxAddresses = std::max(maxAddresses, c.addresses.size());
    maxChain = std::max(maxChain, c.cnameChain.size());
  }
  CHECK(maxAddresses <= kMaxAnswerRecords);
  CHECK(maxChain <= kMaxCnameChain + 1);
  CHECK(parsed + rejected == 3000);
  CHECK(rejected > 0);
}
