#pragma once
// What the application's libpq must be able to do for this target and connection string,
// each with the first libpq major version that can (pg.client). Pure: no network, no
// libpq calls, so it judges the application's client, never pgreach's own.
#include <string>
#include <vector>

#include "target/provider_profile.h"
#include "target/target.h"

namespace pgreach::checks::postgres {

struct ClientNeed {
  std::string feature;  // "TLS SNI (the Neon proxy routes by it)"
  std::string
      because;       // what asks for it: "the host is a Neon endpoint", "sslsni=1 in the connection string"
  int minMajor = 0;  // first libpq major version with it
  std::string symptom;  // what an older libpq shows
  std::string fix;      // what to change when the application's libpq is older
};

// Every need of `target` (its provider row and its explicit options), oldest version first.
std::vector<ClientNeed> clientNeeds(const target::Target& target, const target::ProviderProfile& profile);

// Neon's endpoint id: the first label of the host, without "-pooler" ("" when the host is
// an address or has no dot).
std::string neonEndpointId(const std::string& host);

}  // namespace pgreach::checks::postgres
