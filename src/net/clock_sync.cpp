#include "net/clock_sync.h"

#include <sys/timex.h>

namespace pgreach::net {

std::optional<bool> systemClockSynchronised() {
  struct timex tx {};
  tx.modes = 0;  // read only
  const int state = ::ntp_adjtime(&tx);
  if (state == -1) return std::nullopt;
  return state != TIME_ERROR && (tx.status & STA_UNSYNC) == 0;
}

}  // namespace pgreach::net
