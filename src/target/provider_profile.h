#pragma once
// Everything pgreach knows about one managed-Postgres provider, as one row of one table
// (provider_profile.cpp): how its hostnames look, which ports it serves, what its proxy
// needs from TLS, the fix wording of the DNS findings and which playbook the report
// follows. Checks and reports read the row; none of them switches on the provider, so a
// new provider is a new row (and, optionally, its reports/playbooks/<name>.json).
#include <cstdint>
#include <string_view>
#include <vector>

#include "target/provider.h"

namespace pgreach::target {

// One way a hostname can look, matched on the lower-case name without its trailing dot.
// Every part that is set must hold; a pattern with no part set matches nothing.
struct HostPattern {
  std::string_view suffix;    // the name ends with it
  std::string_view prefix;    // the name starts with it
  std::string_view contains;  // the name contains it
  bool matches(std::string_view lowerName) const;
  bool empty() const { return suffix.empty() && prefix.empty() && contains.empty(); }
};

// Fix wording of the DNS findings, in the provider's own terms.
struct DnsFixes {
  std::string_view answerPublic;       // dns.answer_public
  std::string_view outsideVpc;         // dns.answer_outside_vpc, after the shared first sentence
  std::string_view nxdomain;           // dns.nxdomain, dns.no_address
  std::string_view publicHostname;     // dns.not_private_hostname (only with a privateHost pattern)
  std::string_view resolversDisagree;  // appended to dns.resolvers_disagree's fix ("" = nothing)
};

// A private DNS zone the provider's public name must CNAME through (Azure's privatelink
// zone). The codes are declared in checks/dns/codes.cpp.
struct PrivateZone {
  std::string_view zone;            // "privatelink.postgres.database.azure.com"; "" = none
  std::string_view notInChainCode;  // the chain does not pass through the zone
  std::string_view notInChainFix;
  std::string_view nxdomainCode;  // the chain reaches the zone, which has no record
  std::string_view nxdomainFix;
};

// A proxy that routes connections by TLS SNI, so connecting by IP address cannot work
// (tls.sni_impossible) unless the connection string names the endpoint another way.
struct SniRouting {
  bool required = false;
  std::string_view endpointOption;  // in libpq's "options", it replaces SNI ("endpoint")
  std::string_view summary;         // tls.sni_impossible's summary
  std::string_view fix;
};

// A root CA the provider's documentation tells clients to trust (tls.trust_store). The
// subject is matched as OpenSSL (and so libpq) looks a root up: by its whole name.
struct TrustRoot {
  std::string_view country, organization, unit, commonName;  // "" = not in the name
  std::string_view download;                                 // where the provider points
};

// How long the network path to the provider keeps an idle TCP flow (tcp.keepalive).
struct PathIdleTimeout {
  int seconds = 0;         // 0 = no figure known: tcp.keepalive does not judge
  std::string_view basis;  // what the figure rests on, quoted in the finding
};

struct ProviderProfile {
  Provider id = Provider::Generic;
  std::string_view name;      // --provider, the report's "Provider:" line
  std::string_view playbook;  // reports/playbooks/<playbook>.json
  // detectProvider picks the first row with a pattern the hostname matches.
  std::vector<HostPattern> hostPatterns;
  // The private (PrivateLink) form of its hostnames. Empty: every name counts as private
  // (the public name CNAMEs to the private endpoint when that is set up), and
  // dns.not_private_hostname is never raised.
  HostPattern privateHost;
  // The cloud its private endpoints live in ("aws", "azure"); "" = either: --cloud-live
  // runs only that cloud's CLI (checks/cloud/cloud_context.cpp).
  std::string_view cloud;
  // Ports to probe besides the target's own.
  std::vector<uint16_t> defaultPorts;
  // A managed provider: an sslmode that does not verify the server is a warning.
  bool managed = false;
  SniRouting sni;
  // Roots the application's trust store must hold (all of them), and why.
  std::vector<TrustRoot> trustRoots;
  std::string_view trustRootsBasis;
  PathIdleTimeout idleTimeout;
  DnsFixes dnsFixes;
  PrivateZone privateZone;
};

// The row for `p` (its position in the table).
const ProviderProfile& profileOf(Provider p);
// Every row, generic first.
const std::vector<ProviderProfile>& allProfiles();

}  // namespace pgreach::target
