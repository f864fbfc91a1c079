#pragma once
// What tcp.connect hands to the TLS and Postgres stages, the report's path, the
// monitoring line and the support bundle: one struct, one serialiser (the JSON report's
// `data`, described in reports/schema/report.schema.json).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/facts.h"

namespace pgreach::engine {

struct TcpIcmpFacts {
  std::string from;
  int type = 0, code = 0;
  std::string kind;
};

// What the packet capture saw for one probed address:port.
struct TcpWireFacts {
  int syns = 0, synRetransmissions = 0, synAcks = 0, rstFromServer = 0, repliesFromOther = 0;
  std::vector<TcpIcmpFacts> icmp;
};

struct TcpConnectMs {
  double min = 0, median = 0, max = 0;
};

struct TcpProbeFacts {
  std::string host;
  std::string address;
  uint16_t port = 0;
  std::string outcome;  // "open", "refused", "timeout"...: tcp_classify's outcome names
  double elapsedMs = 0;
  std::string code;  // the finding code the outcome maps to
  size_t attempts = 0;
  int openCount = 0;
  bool flaky = false;
  std::string socketError;                // the ICMP error the socket reported, "" if none
  std::optional<TcpConnectMs> connectMs;  // over the open attempts
  std::optional<TcpWireFacts> wire;       // when there was a capture

  bool open() const { return outcome == "open"; }
};

struct TcpConnectFacts : Facts {
  std::vector<TcpProbeFacts> probes;
  std::string capture = "none";  // "pcap", "icmp-raw-socket" or "none"
  int repeat = 0;                // rounds run
  std::optional<int> captureFilePackets;
  std::string captureFile;  // --capture-file when it was written ("" otherwise): the bundle reads it

  nlohmann::json toJson() const override;
};

}  // namespace pgreach::engine
