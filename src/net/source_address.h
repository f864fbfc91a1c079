#pragma once
// The local address the kernel would use to reach `destination`: a UDP connect() picks
// the route and source without sending anything, getsockname() reads it back.
#include <optional>

#include "net/address.h"

namespace pgreach::net {

std::optional<IpAddress> sourceAddressFor(const IpAddress& destination);

}  // namespace pgreach::net
