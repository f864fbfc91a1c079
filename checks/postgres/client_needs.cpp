#include "checks/postgres/client_needs.h"

#include <algorithm>

#include "net/address.h"

namespace pgreach::checks::postgres {
namespace {

// Connection options and the libpq major version that introduced them (libpq's release
// notes); an older libpq refuses the whole string: invalid connection option "<kw>".
struct NewOption {
  const char* keyword;
  int since;
};
constexpr NewOption kNewOptions[] = {
    {"target_session_attrs", 10},
    {"passfile", 10},
    {"gssencmode", 12},
    {"tcp_user_timeout", 12},
    {"channel_binding", 13},
    {"sslpassword", 13},
    {"ssl_min_protocol_version", 13},
    {"ssl_max_protocol_version", 13},
    {"sslsni", 14},
    {"require_auth", 16},
    {"sslcertmode", 16},
    {"load_balance_hosts", 16},
    {"sslnegotiation", 17},
};

std::string upgradeTo(int major) {
  return "Upgrade the application's libpq (or the driver that bundles it) to " + std::to_string(major) +
         " or later";
}

}  // namespace

std::string neonEndpointId(const std::string& host) {
  if (host.empty() || net::IpAddress::parse(host)) return "";
  const auto dot = host.find('.');
  if (dot == std::string::npos || dot == 0) return "";
  std::string id = host.substr(0, dot);
  const std::string pooler = "-pooler";
  if (id.size() > pooler.size() && id.compare(id.size() - pooler.size(), pooler.size(), pooler) == 0)
    id.resize(id.size() - pooler.size());
  return id;
}

std::vector<ClientNeed> clientNeeds(const target::Target& target, const target::ProviderProfile& profile) {
  std::vector<ClientNeed> needs;
  if (profile.managed) {
    needs.push_back({"SCRAM-SHA-256 password authentication",
                     std::string(profile.name) + " authenticates passwords with SCRAM-SHA-256", 10,
                     "SCRAM authentication requires libpq version 10 or above", upgradeTo(10) + "."});
  }
  const std::string host = target.primary().host;
  if (profile.sni.required && !host.empty() && !net::IpAddress::parse(host)) {
    const std::string id = neonEndpointId(host);
    std::string fix = upgradeTo(14) + " (it sends SNI)";
    if (!id.empty() && !profile.sni.endpointOption.empty())
      fix += ", or add options=" + std::string(profile.sni.endpointOption) + "%3D" + id +
             " to the connection string";
    needs.push_back({"TLS SNI (the " + std::string(profile.name) + " proxy routes connections by it)",
                     "the host is a " + std::string(profile.name) + " endpoint", 14,
                     "ERROR: Endpoint ID is not specified. Either please upgrade the postgres client library "
                     "(libpq) for SNI support or pass the endpoint ID ...",
                     fix + "."});
  }
  for (const auto& o : kNewOptions) {
    if (!target.isExplicit(o.keyword)) continue;
    needs.push_back({std::string("the connection option ") + o.keyword,
                     std::string(o.keyword) + " is in the connection string", o.since,
                     std::string("invalid connection option \"") + o.keyword + "\"",
                     upgradeTo(o.since) + ", or remove " + o.keyword + " from the connection string."});
  }
  if (target.option("sslrootcert") == "system") {
    needs.push_back({"sslrootcert=system (the system's trusted roots)",
                     "sslrootcert=system is in the connection string", 16,
                     "root certificate file \"system\" does not exist",
                     upgradeTo(16) + ", or set sslrootcert to the system bundle file "
                                     "(/etc/ssl/certs/ca-certificates.crt on Debian and Ubuntu, "
                                     "/etc/pki/tls/certs/ca-bundle.crt on RHEL and Amazon Linux)."});
  }
  std::stable_sort(needs.begin(), needs.end(),
                   [](const ClientNeed& a, const ClientNeed& b) { return a.minMajor < b.minMajor; });
  return needs;
}

}  // namespace pgreach::checks::postgres
