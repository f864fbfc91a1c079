#include "target/provider.h"

#include <algorithm>

#include "target/provider_profile.h"
#include "util/strings.h"

namespace pgreach::target {

// Everything here reads the profile table (provider_profile.cpp).

std::string_view toString(Provider p) { return profileOf(p).name; }

std::optional<Provider> providerFromString(std::string_view name) {
  const std::string n = util::toLower(name);
  for (const auto& row : allProfiles()) {
    if (row.name == n) return row.id;
  }
  return std::nullopt;
}

std::string providerNames(std::string_view separator) {
  std::string out;
  for (const auto& row : allProfiles()) {
    if (row.id == Provider::Generic) continue;
    out += std::string(row.name) + std::string(separator);
  }
  return out + std::string(profileOf(Provider::Generic).name);
}

Provider detectProvider(std::string_view hostname) {
  const std::string h = util::toLower(util::trimTrailingDot(hostname));
  for (const auto& row : allProfiles()) {
    for (const auto& pattern : row.hostPatterns) {
      if (pattern.matches(h)) return row.id;
    }
  }
  return Provider::Generic;
}

bool isPrivateHostname(Provider p, std::string_view hostname) {
  const HostPattern& privateHost = profileOf(p).privateHost;
  return privateHost.empty() || privateHost.matches(util::toLower(util::trimTrailingDot(hostname)));
}

std::vector<uint16_t> defaultPorts(Provider p, uint16_t targetPort) {
  std::vector<uint16_t> ports{targetPort};
  for (uint16_t port : profileOf(p).defaultPorts) {
    if (std::find(ports.begin(), ports.end(), port) == ports.end()) ports.push_back(port);
  }
  std::sort(ports.begin(), ports.end());
  return ports;
}

}  // namespace pgreach::target
