#pragma once
// Whether this host's clock is kept in step by NTP (chrony, systemd-timesyncd, ntpd), as
// the kernel reports it: what tells a certificate issued ahead of time from a clock that
// is behind.
#include <optional>

namespace pgreach::net {

// true: synchronised; false: the kernel says unsynchronised (STA_UNSYNC / TIME_ERROR);
// nullopt: it could not be asked.
std::optional<bool> systemClockSynchronised();

}  // namespace pgreach::net
