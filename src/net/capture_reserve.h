#pragma once
// Capture handles opened early, while the process still has its capabilities, and
// adopted later by the capture-open path (see net/privileges.h for why). Each reserved
// handle is taken at most once; a handle nobody takes is closed at exit.
#include "net/handles.h"

namespace pgreach::net {

// Opens and activates a pcap handle on `device` with the settings LiveCapture uses and
// a filter that matches nothing (so no packet queues up before tcp.connect installs its
// own). Returns false when it could not (no permission, no such device).
bool reservePcap(const char* device, int snaplen);
// Opens a raw ICMP socket (the fallback tcp.connect uses when pcap is unavailable).
bool reserveIcmpSocket();

// The reserved handle for `device`/`snaplen`, or nullptr; ownership passes to the caller.
PcapPtr takeReservedPcap(const char* device, int snaplen);
// The reserved raw ICMP socket, or an invalid Fd; ownership passes to the caller.
Fd takeReservedIcmpSocket();

}  // namespace pgreach::net
