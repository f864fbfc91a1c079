#pragma once
// Domain names as DNS compares them.
#include <string>
#include <string_view>

namespace pgreach::net {

// Canonical form of a domain name for comparison: lowercase, one trailing dot.
std::string canonicalName(std::string_view name);

}  // namespace pgreach::net
