#pragma once
// Least privilege. Only packet capture needs privileges (CAP_NET_RAW for the pcap
// handle on "any" and for the raw ICMP socket fallback). So the pgreach binary opens
// those handles first, while it is still single-threaded, and then drops every
// capability from the effective, permitted, inheritable, ambient and bounding sets. When
// running as root it keeps uid 0 (files it writes stay root's) but can no longer do
// anything a capability guards, and an exec'd child (aws CLI for --cloud-live) cannot
// regain them either. tcp.connect later adopts the handles opened early
// (LiveCapture::open and IcmpListener::open take them from net/capture_reserve.h).
//
// Why early rather than in tcp.connect: capabilities are per thread on Linux. The checks
// run on worker threads spawned by the scheduler, so a drop inside one check would leave
// the main thread (and every worker spawned later) privileged. Dropping before the first
// thread exists makes every later thread inherit the empty sets.
#include <cstdint>
#include <optional>
#include <string>

#include "util/expected.h"

namespace pgreach::net {

// The capability masks of one task, from the text of /proc/<pid>/status (pure: tested
// on fixtures). A field absent or malformed is nullopt.
struct CapabilitySets {
  uint64_t inheritable = 0, permitted = 0, effective = 0, bounding = 0, ambient = 0;
};
std::optional<CapabilitySets> parseProcStatusCapabilities(const std::string& statusText);

// The calling thread's sets, read from /proc/thread-self/status.
std::optional<CapabilitySets> currentCapabilities();

// Drops every capability of the calling thread (all five sets; the bounding set only
// when CAP_SETPCAP allows it). Refuses when the process has more than one thread, since
// the others would keep theirs. Idempotent; a no-op success for an unprivileged process.
Expected<bool> dropAllCapabilities();

// `--run-as NAME`: the account a root run switches to once its handles are open (like
// tcpdump -Z), so every file it reads or writes later is that user's business.
struct RunAsUser {
  std::string name;
  uint32_t uid = 0, gid = 0;
};
Expected<RunAsUser> lookUpUser(const std::string& name);

// The same, keeping the capabilities in `keep` (a mask of 1 << CAP_*) that the process
// still holds, in the permitted, effective and bounding sets; with `user`, the process
// also switches to that uid, gid and its groups (and checks uid 0 cannot come back).
Expected<bool> dropCapabilitiesExcept(uint64_t keep, const std::optional<RunAsUser>& user = std::nullopt);

// For runs that open captures later, one per target (a fleet, `diagnose --config`):
// every capability but CAP_NET_RAW goes.
Expected<bool> keepOnlyNetRaw(const std::optional<RunAsUser>& user = std::nullopt);

// What main() calls for a single-target `diagnose`: opens the capture handles tcp.connect
// will need (pcap on "any", else a raw ICMP socket), then drops every capability.
// Returns what was reserved ("pcap", "icmp-raw-socket" or "none") or why the drop failed.
Expected<std::string> openCaptureThenDropPrivileges(const std::optional<RunAsUser>& user = std::nullopt);

}  // namespace pgreach::net
