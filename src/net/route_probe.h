#pragma once
// Whether this machine has a route to an address, asked of the kernel with a UDP
// connect(): it picks a route and source address but sends no packet.
#include "net/address.h"

namespace pgreach::net {

bool hasRouteTo(const IpAddress& address);

}  // namespace pgreach::net
