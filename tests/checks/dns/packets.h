#pragma once
// Builds DNS responses for tests: with ldns for well-formed ones, by hand for hostile bytes.
// ldns/common.h does `#define bool _Bool` unless stdbool.h came first, which breaks
// libstdc++ under clang (the fuzz build): include it before ldns.
#include <stdbool.h>

#include <ldns/ldns.h>

#include <catch2/catch.hpp>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "checks/dns/classify.h"

namespace pgreach::testing::dnspkt {

// A response to (qname, qtype) with `rcode` and answer records in zone-file text
// ("a.example. 300 IN A 10.0.0.1").
inline net::LdnsPktPtr response(const std::string& qname, ldns_rr_type qtype, ldns_pkt_rcode rcode,
                                const std::vector<std::string>& answers, uint16_t id = 4242) {
  net::LdnsPktPtr p(
      ldns_pkt_query_new(ldns_dname_new_frm_str(qname.c_str()), qtype, LDNS_RR_CLASS_IN, LDNS_RD));
  REQUIRE(p);
  ldns_pkt_set_qr(p.get(), true);
  ldns_pkt_set_ra(p.get(), true);
  ldns_pkt_set_id(p.get(), id);
  ldns_pkt_set_rcode(p.get(), static_cast<uint8_t>(rcode));
  for (const auto& text : answers) {
    ldns_rr* rr = nullptr;
    REQUIRE(ldns_rr_new_frm_str(&rr, text.c_str(), 0, nullptr, nullptr) == LDNS_STATUS_OK);
    REQUIRE(ldns_pkt_push_rr(p.get(), LDNS_SECTION_ANSWER, rr));
  }
  return p;
}

inline std::vector<uint8_t> wire(const ldns_pkt* p) {
  uint8_t* out = nullptr;
  size_t size = 0;
  REQUIRE(ldns_pkt2wire(&out, p, &size) == LDNS_STATUS_OK);
  std::vector<uint8_t> v(out, out + size);
  std::free(out);
  return v;
}

inline std::vector<uint8_t> responseWire(const std::string& qname, ldns_rr_type qtype, ldns_pkt_rcode rcode,
                                         const std::vector<std::string>& answers, uint16_t id = 4242) {
  auto p = response(qname, qtype, rcode, answers, id);
  return wire(p.get());
}

// Header: id, flags (QR|RD|RA), counts.
inline std::vector<uint8_t> header(uint16_t id, uint16_t qd, uint16_t an, uint8_t rcode = 0) {
  return {static_cast<uint8_t>(id >> 8),
          static_cast<uint8_t>(id & 0xff),
          0x81,
          static_cast<uint8_t>(0x80 | rcode),
          static_cast<uint8_t>(qd >> 8),
          static_cast<uint8_t>(qd & 0xff),
          static_cast<uint8_t>(an >> 8),
          static_cast<uint8_t>(an & 0xff),
          0,
          0,
          0,
          0};
}

// "db.example." as wire labels.
inline std::vector<uint8_t> name(const std::string& dotted) {
  std::vector<uint8_t> out;
  size_t start = 0;
  while (start < dotted.size()) {
    size_t dot = dotted.find('.', start);
    if (dot == std::string::npos) dot = dotted.size();
    out.push_back(static_cast<uint8_t>(dot - start));
    out.insert(out.end(), dotted.begin() + static_cast<long>(start), dotted.begin() + static_cast<long>(dot));
    start = dot + 1;
  }
  out.push_back(0);
  return out;
}

inline void append(std::vector<uint8_t>& v, std::initializer_list<uint8_t> bytes) {
  v.insert(v.end(), bytes);
}

}  // namespace pgreach::testing::dnspkt
