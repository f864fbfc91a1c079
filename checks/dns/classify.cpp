#include "checks/dns/classify.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cstring>

namespace pgreach::checks::dns {
namespace {

struct CharFree {
  void operator()(char* p) const { std::free(p); }
};
using CString = std::unique_ptr<char, CharFree>;

std::string takeString(char* p) {
  CString owned(p);
  return owned ? std::string(owned.get()) : std::string();
}

std::string rdfName(const ldns_rdf* rdf) { return rdf ? canonicalName(takeString(ldns_rdf2str(rdf))) : ""; }

std::optional<net::IpAddress> rdfAddress(const ldns_rdf* rdf) {
  if (!rdf) return std::nullopt;
  net::IpAddress a;
  if (ldns_rdf_get_type(rdf) == LDNS_RDF_TYPE_A && ldns_rdf_size(rdf) == 4) {
    a.family = AF_INET;
    std::memcpy(a.bytes.data(), ldns_rdf_data(rdf), 4);
    return a;
  }
  if (ldns_rdf_get_type(rdf) == LDNS_RDF_TYPE_AAAA && ldns_rdf_size(rdf) == 16) {
    a.family = AF_INET6;
    std::memcpy(a.bytes.data(), ldns_rdf_data(rdf), 16);
    return a;
  }
  return std::nullopt;
}

Classified malformed(std::string reason) {
  Classified c;
  c.malformed = true;
  c.malformedReason = std::move(reason);
  c.rcodeName = "MALFORMED";
  c.cnameChain.push_back("");
  return c;
}

}  // namespace

std::string digLine(const ldns_rr* rr) {
  std::string s = takeString(ldns_rr2str(rr));
  // ldns separates fields with tabs and ends with a newline; one space reads better in a report.
  std::string out;
  bool space = false;
  for (char ch : s) {
    if (ch == '\t' || ch == '\n' || ch == ' ') {
      space = true;
      continue;
    }
    if (space && !out.empty()) out.push_back(' ');
    space = false;
    out.push_back(ch);
  }
  return out;
}

std::vector<std::string> Classified::headerLines() const {
  if (malformed) return {";; malformed response: " + malformedReason};
  std::string flags = "qr";
  if (authoritative) flags += " aa";
  if (truncated) flags += " tc";
  flags += " rd";
  if (recursionAvailable) flags += " ra";
  if (authenticData) flags += " ad";
  return {";; ->>HEADER<<- opcode: QUERY, status: " + rcodeName + ", id: " + std::to_string(id),
          ";; flags: " + flags + "; ANSWER: " + std::to_string(answerRecords)};
}

Classified classifyPacket(const ldns_pkt* pkt, std::string_view qname, ldns_rr_type qtype) {
  if (!pkt) return malformed("no packet");
  if (!ldns_pkt_qr(pkt)) return malformed("the QR bit is clear: a query, not a response");
  if (ldns_pkt_get_opcode(pkt) != LDNS_PACKET_QUERY) return malformed("opcode is not QUERY");
  Classified c;
  c.id = ldns_pkt_id(pkt);
  c.rcode = ldns_pkt_get_rcode(pkt);
  c.rcodeName = takeString(ldns_pkt_rcode2str(ldns_pkt_get_rcode(pkt)));
  if (c.rcodeName.empty()) c.rcodeName = "RCODE" + std::to_string(c.rcode);
  c.authoritative = ldns_pkt_aa(pkt);
  c.truncated = ldns_pkt_tc(pkt);
  c.authenticData = ldns_pkt_ad(pkt);
  c.recursionAvailable = ldns_pkt_ra(pkt);
  const std::string want = canonicalName(qname);
  c.cnameChain.push_back(want);

  // A response to another question is not an answer to ours (spoofing, a confused middlebox).
  if (const ldns_rr_list* q = ldns_pkt_question(pkt); q && ldns_rr_list_rr_count(q) > 0) {
    const ldns_rr* q0 = ldns_rr_list_rr(q, 0);
    if (rdfName(ldns_rr_owner(q0)) != want || ldns_rr_get_type(q0) != qtype) {
      return malformed("the question section asks for " + rdfName(ldns_rr_owner(q0)) + ", not " + want);
    }
  }

  const ldns_rr_list* answer = ldns_pkt_answer(pkt);
  c.answerRecords = answer ? ldns_rr_list_rr_count(answer) : 0;
  c.oversized = c.answerRecords > kMaxAnswerRecords;
  const size_t n = std::min(c.answerRecords, kMaxAnswerRecords);
  for (size_t i = 0; i < n; ++i) c.answerLines.push_back(digLine(ldns_rr_list_rr(answer, i)));

  // Walk the chain: from the current name, a CNAME moves on; stop when none matches.
  std::string current = want;
  for (size_t hop = 0; hop <= kMaxCnameChain; ++hop) {
    const ldns_rr* cname = nullptr;
    for (size_t i = 0; i < n; ++i) {
      const ldns_rr* rr = ldns_rr_list_rr(answer, i);
      if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_CNAME && rdfName(ldns_rr_owner(rr)) == current) {
        cname = rr;
        break;
      }
    }
    if (!cname) break;
    std::string next = rdfName(ldns_rr_rdf(cname, 0));
    if (next.empty() || std::find(c.cnameChain.begin(), c.cnameChain.end(), next) != c.cnameChain.end()) {
      c.cnameLoop = true;
      break;
    }
    if (hop == kMaxCnameChain) {
      c.cnameTooLong = true;
      break;
    }
    c.cnameChain.push_back(next);
    c.cnameTtls.push_back(ldns_rr_ttl(cname));
    current = next;
  }
  if (c.cnameLoop || c.cnameTooLong) return c;  // no final name to trust addresses from

  // Only records owned by the chain's last name count: anything else in the section is
  // out of bailiwick for this question.
  for (size_t i = 0; i < n; ++i) {
    const ldns_rr* rr = ldns_rr_list_rr(answer, i);
    if (ldns_rr_get_type(rr) != qtype || rdfName(ldns_rr_owner(rr)) != current) continue;
    if (auto a = rdfAddress(ldns_rr_rdf(rr, 0))) {
      bool dup = std::any_of(c.addresses.begin(), c.addresses.end(),
                             [&](const AddressAnswer& x) { return x.address == *a; });
      if (!dup) c.addresses.push_back({*a, ldns_rr_ttl(rr)});
    }
  }
  return c;
}

Classified classifyWire(const uint8_t* data, size_t size, std::string_view qname, ldns_rr_type qtype,
                        std::optional<uint16_t> expectedId) {
  if (!data || size == 0) return malformed("empty response");
  if (size < 12) return malformed("only " + std::to_string(size) + " bytes: shorter than a DNS header (12)");
  if (size > 65535) return malformed("larger than any DNS message (" + std::to_string(size) + " bytes)");
  const uint16_t id = static_cast<uint16_t>((data[0] << 8) | data[1]);
  if (expectedId && id != *expectedId)
    return malformed("response id " + std::to_string(id) + " does not match the query");
  if (!(data[2] & 0x80)) return malformed("the QR bit is clear: a query, not a response");
  ldns_pkt* raw = nullptr;
  const ldns_status st = ldns_wire2pkt(&raw, data, size);
  net::LdnsPktPtr pkt(raw);
  if (st != LDNS_STATUS_OK || !pkt) {
    Classified c = malformed(std::string("ldns_wire2pkt: ") + ldns_get_errorstr_by_id(st));
    c.id = id;
    c.rcode = data[3] & 0x0f;
    return c;
  }
  return classifyPacket(pkt.get(), qname, qtype);
}

std::vector<uint8_t> buildQuery(std::string_view qname, ldns_rr_type qtype) {
  net::LdnsRdfPtr name(ldns_dname_new_frm_str(std::string(qname).c_str()));
  if (!name) return {};
  net::LdnsPktPtr q(ldns_pkt_query_new(name.get(), qtype, LDNS_RR_CLASS_IN, LDNS_RD));
  if (!q) return {};  // `name` is still ours, and freed here
  name.release();     // the packet's question owns it now
  ldns_pkt_set_random_id(q.get());
  ldns_pkt_set_ad(q.get(), true);
  ldns_pkt_set_edns_udp_size(q.get(), 1232);
  uint8_t* wire = nullptr;
  size_t size = 0;
  if (ldns_pkt2wire(&wire, q.get(), &size) != LDNS_STATUS_OK || !wire) return {};
  CString owned(reinterpret_cast<char*>(wire));
  return std::vector<uint8_t>(wire, wire + size);
}

}  // namespace pgreach::checks::dns
