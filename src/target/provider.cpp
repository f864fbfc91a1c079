#include "target/provider.h"

#include <algorithm>

#include "util/strings.h"

namespace pgreach::target {

std::string_view toString(Provider p) {
  switch (p) {
    case Provider::Generic: return "generic";
    case Provider::Neon: return "neon";
    case Provider::PlanetScale: return "planetscale";
    case Provider::Heroku: return "heroku";
    case Provider::Azure: return "azure";
  }
  return "generic";
}

std::optional<Provider> providerFromString(std::string_view name) {
  const std::string n = util::toLower(name);
  for (Provider p : {Provider::Generic, Provider::Neon, Provider::PlanetScale, Provider::Heroku, Provider::Azure}) {
    if (toString(p) == n) return p;
  }
  return std::nullopt;
}

Provider detectProvider(std::string_view hostname) {
  const std::string h = util::toLower(util::trimTrailingDot(hostname));
  if (util::endsWith(h, ".neon.tech")) return Provider::Neon;
  if (util::endsWith(h, ".psdb.cloud")) return Provider::PlanetScale;
  if (util::endsWith(h, ".postgres.database.azure.com")) return Provider::Azure;
  if (util::endsWith(h, ".vpce.amazonaws.com")) return Provider::Heroku;
  if (util::startsWith(h, "ec2-") && util::endsWith(h, ".amazonaws.com") &&
      h.find(".compute") != std::string::npos) {
    return Provider::Heroku;
  }
  return Provider::Generic;
}

bool isPrivateHostname(Provider p, std::string_view hostname) {
  const std::string h = util::toLower(util::trimTrailingDot(hostname));
  switch (p) {
    case Provider::Neon: return h.find(".vpce.") != std::string::npos;
    case Provider::PlanetScale: return util::endsWith(h, ".private-pg.psdb.cloud");
    case Provider::Azure: return true;  // the public name CNAMEs to privatelink when set up
    case Provider::Heroku: return true;
    case Provider::Generic: return true;
  }
  return true;
}

std::vector<uint16_t> defaultPorts(Provider p, uint16_t targetPort) {
  std::vector<uint16_t> ports{targetPort};
  auto add = [&ports](uint16_t port) {
    if (std::find(ports.begin(), ports.end(), port) == ports.end()) ports.push_back(port);
  };
  switch (p) {
    case Provider::Neon: add(5432); break;
    case Provider::PlanetScale: add(5432); add(6432); break;
    case Provider::Heroku: add(5432); add(5433); break;
    case Provider::Azure: add(5432); add(6432); break;
    case Provider::Generic: break;
  }
  std::sort(ports.begin(), ports.end());
  return ports;
}

}  // namespace pgreach::target
