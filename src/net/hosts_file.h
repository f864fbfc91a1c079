#pragma once
// The /etc/hosts format, parsed without any I/O (the caller reads the file), so the
// parser is tested on text alone.
#include <string>
#include <string_view>
#include <vector>

#include "net/address.h"

namespace pgreach::net {

// Addresses an /etc/hosts-format text gives `host`: canonical names and aliases, compared
// case-insensitively and without the trailing dot; comments and unparsable lines are
// skipped, each address appears once, and at most 100000 lines are read.
std::vector<IpAddress> parseEtcHosts(std::string_view content, std::string_view host);

// The lines that name `host` (same matching and bound as parseEtcHosts), as they are
// written, with their 1-based numbers: the evidence a report quotes.
struct HostsLine {
  int number = 0;
  std::string text;
};
std::vector<HostsLine> etcHostsLinesFor(std::string_view content, std::string_view host);

}  // namespace pgreach::net
