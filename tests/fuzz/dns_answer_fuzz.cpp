// DNS responses from a hostile or broken resolver: classifyWire over the raw bytes, for
// a fixed lab name and for the question the packet itself carries (so the CNAME walk and
// answer reading run, not just the question mismatch). Property: no crash, no hang, and
// the result is consistent (a chain always has its query name first).
#include <stdbool.h>  // before ldns: see checks/dns/classify.h

#include <ldns/ldns.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "checks/dns/classify.h"

namespace dns = pgreach::checks::dns;

namespace {

void classify(const uint8_t* data, size_t size, const std::string& qname, ldns_rr_type qtype) {
  auto c = dns::classifyWire(data, size, qname, qtype);
  (void)c.headerLines();
  if (!c.malformed) {
    if (c.cnameChain.empty()) std::abort();  // finalName() would read past the end
    (void)c.finalName();
    if (c.answerLines.size() > dns::kMaxAnswerRecords) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  classify(data, size, "ep-cool-lab-123456.vpce.us-east-1.aws.neon.tech", LDNS_RR_TYPE_A);
  ldns_pkt* raw = nullptr;
  if (ldns_wire2pkt(&raw, data, size) != LDNS_STATUS_OK) return 0;
  pgreach::net::LdnsPktPtr pkt(raw);
  const ldns_rr_list* q = ldns_pkt_question(pkt.get());
  if (!q || ldns_rr_list_rr_count(q) == 0) return 0;
  const ldns_rr* rr = ldns_rr_list_rr(q, 0);
  const ldns_rdf* owner = ldns_rr_owner(rr);
  if (!owner) return 0;
  char* name = ldns_rdf2str(owner);
  if (!name) return 0;
  std::string qname(name);
  free(name);
  classify(data, size, qname, LDNS_RR_TYPE_A);
  classify(data, size, qname, LDNS_RR_TYPE_AAAA);
  (void)dns::classifyPacket(pkt.get(), qname, ldns_rr_get_type(rr));
  return 0;
}
