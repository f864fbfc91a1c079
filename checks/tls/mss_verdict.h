#pragma once
// The verdict on a TLS handshake that stalled after the server agreed to TLS, from the
// retries tls.handshake made: smaller MSS values, then the default MSS once more. Pure:
// unit-tested with hand-made tries (tests/checks/tls/mss_verdict_test.cpp).
#include <string>
#include <vector>

#include "checks/common/tls_common.h"
#include "engine/result.h"

namespace pgreach::checks::tls {

// One retry of a stalled handshake on a connection that announced a smaller MSS (mss 0:
// the default MSS, tried again after a smaller one worked).
struct MssTry {
  int mss = 0;
  bool arrived = false;  // the server's flight came through (completed, or an alert)
  long long ms = 0;
  std::string detail;
};

// The finding for a handshake that stalled at the default MSS (`detail`: how it stalled):
// tls.path_mtu_blackhole only when a smaller MSS worked and the default MSS stalled again;
// tls.handshake_timeout naming a slow server when the default MSS then completed, a stalled
// server when small packets stalled too, and "not proven" when there was no time to tell.
engine::Finding stalledHandshake(const OpenProbe& probe, const std::string& detail,
                                 const std::vector<MssTry>& tries);

}  // namespace pgreach::checks::tls
