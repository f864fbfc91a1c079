#pragma once
// One DNS query/response exchange with a resolver, bounded by a deadline: UDP first (one
// retransmission half-way), then TCP when the answer came back truncated, all within the
// same deadline. The transport hands back the raw response bytes untouched so the
// classifier (checks/dns/classify.h) sees exactly what the resolver sent.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "net/address.h"

namespace pgreach::net {

struct DnsServer {
  IpAddress address;
  uint16_t port = 53;
  // "10.40.0.2", "10.40.0.2#5353", "10.40.0.2:5353", "::1", "[::1]:5353", "::1#5353".
  static std::optional<DnsServer> parse(std::string_view text);
  // The way dig prints it: "10.40.0.2#53".
  std::string label() const;
  bool operator==(const DnsServer& o) const { return address == o.address && port == o.port; }
};

enum class ExchangeOutcome {
  Answered,     // bytes came back (they may still be garbage: the classifier decides)
  Timeout,      // nothing before the deadline
  Refused,      // ICMP port unreachable (UDP) or RST (TCP): nothing listens on 53
  Unreachable,  // no route / ICMP host or net unreachable
  LocalError,   // socket() and friends failed here
};

std::string_view toString(ExchangeOutcome o);

struct ExchangeResult {
  ExchangeOutcome outcome = ExchangeOutcome::LocalError;
  std::vector<uint8_t> wire;      // the response as received (TCP: without the length prefix)
  bool truncatedOverUdp = false;  // the UDP answer had TC set, so TCP was tried
  bool viaTcp = false;            // `wire` came over TCP
  std::chrono::microseconds elapsed{0};
  std::string detail;  // strerror text or what happened
};

// Sends `query` (DNS wire format, id in its first two bytes) to `server` and waits for a
// response with the same id until `deadline`. Never waits past the deadline.
ExchangeResult exchangeDns(const DnsServer& server, const std::vector<uint8_t>& query,
                           std::chrono::steady_clock::time_point deadline);

}  // namespace pgreach::net
