#pragma once
// What a DNS response says, read defensively: a pure function over the raw bytes a
// resolver sent (or an ldns_pkt), so hostile or broken answers are tested without a
// network and come out as a description ("malformed: ..."), never a crash.
// ldns/common.h does `#define bool _Bool` unless stdbool.h came first, which breaks
// libstdc++ under clang (the fuzz build): include it before ldns.
#include <stdbool.h>

#include <ldns/ldns.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "net/address.h"
#include "net/dns_name.h"
#include "net/handles.h"

namespace pgreach::checks::dns {

// Answers beyond this many records are not read: no real endpoint has that many.
inline constexpr size_t kMaxAnswerRecords = 64;
// CNAME chain length we follow before calling it a loop or abuse.
inline constexpr size_t kMaxCnameChain = 16;

struct AddressAnswer {
  net::IpAddress address;
  uint32_t ttl = 0;
};

struct Classified {
  bool malformed = false;
  std::string malformedReason;  // why, when malformed
  int rcode = 0;                // LDNS_RCODE_*
  std::string rcodeName;        // "NOERROR", "NXDOMAIN", "SERVFAIL", "REFUSED"...
  uint16_t id = 0;
  bool authoritative = false, truncated = false, authenticData = false, recursionAvailable = false;
  // The names walked from the question through CNAMEs: [qname, target, ...] (lowercase,
  // with the trailing dot).
  std::vector<std::string> cnameChain;
  std::vector<uint32_t> cnameTtls;       // TTL of each CNAME hop (cnameChain.size() - 1 entries)
  bool cnameLoop = false;                // the chain came back to a name already seen
  bool cnameTooLong = false;             // more than kMaxCnameChain hops without a loop
  std::vector<AddressAnswer> addresses;  // A/AAAA records owned by the chain's last name
  size_t answerRecords = 0;              // records in the answer section
  bool oversized = false;                // more than kMaxAnswerRecords
  std::vector<std::string> answerLines;  // the answer section as dig prints it (at most kMaxAnswerRecords)

  bool noError() const { return !malformed && rcode == LDNS_RCODE_NOERROR; }
  const std::string& finalName() const { return cnameChain.back(); }
  // ";; ->>HEADER<<- opcode: QUERY, status: NOERROR, id: 4242" and ";; flags: qr rd ra ad; ..."
  std::vector<std::string> headerLines() const;
};

// Canonical form of a domain name for comparison: lowercase, one trailing dot.
using net::canonicalName;

// Classifies a response packet for the question (qname, qtype = LDNS_RR_TYPE_A/AAAA).
Classified classifyPacket(const ldns_pkt* pkt, std::string_view qname, ldns_rr_type qtype);

// Parses raw bytes with ldns_wire2pkt after sanity checks of our own; a parse failure,
// a message that is not a response, or a mismatching question is `malformed`.
// `expectedId`, when given, must match.
Classified classifyWire(const uint8_t* data, size_t size, std::string_view qname, ldns_rr_type qtype,
                        std::optional<uint16_t> expectedId = std::nullopt);

// The query we send: RD set, AD set (RFC 6840 5.7: ask for the AD bit), EDNS0 with a
// 1232-byte UDP size, random id. Empty on a name ldns cannot encode.
std::vector<uint8_t> buildQuery(std::string_view qname, ldns_rr_type qtype);

// A record the way dig prints it: "name. 300 IN A 10.40.2.120".
std::string digLine(const ldns_rr* rr);

}  // namespace pgreach::checks::dns
