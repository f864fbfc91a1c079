#include "engine/tcp_facts.h"

namespace pgreach::engine {

nlohmann::json TcpConnectFacts::toJson() const {
  nlohmann::json probesJson = nlohmann::json::array();
  for (const auto& v : probes) {
    nlohmann::json p = {{"host", v.host},         {"address", v.address},      {"port", v.port},
                        {"outcome", v.outcome},   {"elapsed_ms", v.elapsedMs}, {"code", v.code},
                        {"attempts", v.attempts}, {"open_count", v.openCount}, {"flaky", v.flaky}};
    if (!v.socketError.empty()) p["socket_error"] = v.socketError;
    if (v.connectMs)
      p["connect_ms"] = {
          {"min", v.connectMs->min}, {"median", v.connectMs->median}, {"max", v.connectMs->max}};
    if (v.wire) {
      const auto& e = *v.wire;
      nlohmann::json icmp = nlohmann::json::array();
      for (const auto& x : e.icmp)
        icmp.push_back({{"from", x.from}, {"type", x.type}, {"code", x.code}, {"kind", x.kind}});
      p["wire"] = {{"syns", e.syns},        {"syn_retransmissions", e.synRetransmissions},
                   {"syn_acks", e.synAcks}, {"rst_from_server", e.rstFromServer},
                   {"icmp", icmp},          {"replies_from_other", e.repliesFromOther}};
    }
    probesJson.push_back(std::move(p));
  }
  nlohmann::json j{{"probes", probesJson}, {"capture", capture}, {"repeat", repeat}};
  if (captureFilePackets) j["capture_file_packets"] = *captureFilePackets;
  if (!captureFile.empty()) j["capture_file"] = captureFile;
  return j;
}

}  // namespace pgreach::engine
