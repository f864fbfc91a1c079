#include "checks/dns/codes.h"

namespace pgreach::checks::dns {

const std::vector<engine::CodeDecl>& dnsCodes() {
  static const std::vector<engine::CodeDecl> kCodes = {
      {"dns.aaaa_no_ipv6_route", engine::Severity::Warning, "AAAA answer with no IPv6 route",
       "The name has AAAA answers but this machine has no IPv6 route to them; libpq tries them and reports "
       "\"Network is unreachable\". Critical when there is no IPv4 answer to fall back on.",
       "The zone publishes IPv6 addresses while this network is IPv4-only.",
       "Either give this machine IPv6 routing to the endpoint or remove the AAAA record."},
      {"dns.answer_in_vpc", engine::Severity::Info, "The name resolves inside the VPC",
       "The hostname resolved to addresses inside the VPC/VNet's ranges.",
       "The expected outcome for a private endpoint with private DNS.", "Nothing to change."},
      {"dns.answer_outside_vpc", engine::Severity::Critical, "Private answer outside the VPC",
       "The hostname resolved to private addresses that are outside the VPC/VNet's ranges: not this "
       "network's "
       "endpoint.",
       "A private zone for another VPC, a stale record, or an endpoint created in another network; the "
       "traffic "
       "would need peering or transit routing to get there.",
       "Make the name resolve to the endpoint in this VPC: enable private DNS on this VPC's endpoint, or "
       "associate/link the private zone with this network."},
      {"dns.answer_private", engine::Severity::Info, "The name resolves to private addresses",
       "The hostname resolved to private addresses; with no VPC ranges known, pgreach cannot tell whether "
       "they "
       "are this network's.",
       "The expected outcome for a private endpoint.",
       "Nothing to change; pass --vpc-cidr to check the addresses are inside this VPC."},
      {"dns.answer_public", engine::Severity::Critical, "The name resolves to a public address",
       "The hostname resolved to addresses outside the VPC/VNet: traffic would leave through the public "
       "endpoint instead of the private one.",
       "Private DNS is not enabled on the VPC endpoint, the private hosted zone/private DNS zone is not "
       "associated with this network, or the client uses a resolver outside the VPC.",
       "Enable private DNS on the endpoint (AWS \"Modify private DNS name\" / Azure private DNS zone link) "
       "and "
       "resolve through the VPC resolver."},
      {"dns.azure_chain_not_privatelink", engine::Severity::Warning,
       "Azure name does not go through privatelink",
       "The Azure server name does not resolve through privatelink.postgres.database.azure.com.",
       "No private endpoint with a DNS zone group for the server, or the resolver used does not see the "
       "private DNS zone.",
       "Create a private endpoint for the server with a DNS zone group for "
       "privatelink.postgres.database.azure.com, link the zone to the VNet, and forward custom DNS to "
       "168.63.129.16."},
      {"dns.azure_privatelink_nxdomain", engine::Severity::Critical,
       "Azure privatelink CNAME target has no record",
       "The server name is a CNAME to <server>.privatelink.postgres.database.azure.com, but that name gives "
       "NXDOMAIN.",
       "The private DNS zone privatelink.postgres.database.azure.com is not linked to the VNet, or it has no "
       "A "
       "record for the server, or custom DNS does not forward to 168.63.129.16.",
       "Link the private DNS zone to the VNet (`az network private-dns link vnet create`), add the A record "
       "for the private endpoint, and forward custom DNS to 168.63.129.16."},
      {"dns.error_rcode", engine::Severity::Critical, "The resolver answered with an error",
       "The resolver answered with an error code other than NXDOMAIN, SERVFAIL or REFUSED.",
       "An unusual resolver state (NOTIMP, FORMERR, ...), often a resolver or forwarder that is "
       "misconfigured.",
       "Look at the rcode in the evidence and check the resolver's configuration; try the VPC resolver."},
      {"dns.hosts_override", engine::Severity::Warning, "/etc/hosts overrides DNS",
       "/etc/hosts has an entry for the host, so the connection goes to that address, not to what DNS "
       "answers.",
       "A stale /etc/hosts line, often left from a test or an old endpoint; it outlives endpoint changes.",
       "Remove or correct the host's line in /etc/hosts and let DNS answer the name."},
      {"dns.invalid_resolver", engine::Severity::Warning, "A --resolver value was ignored",
       "A resolver given on the command line is not an IP address, so it was not asked.",
       "A typo, or a host name where an address is expected.",
       "Give resolvers as an IP address, optionally with #port (10.0.0.2, 10.0.0.2#5353)."},
      {"dns.invalid_vpc_cidr", engine::Severity::Warning, "A --vpc-cidr value was ignored",
       "A VPC CIDR given on the command line could not be parsed, so answers are not judged against it.",
       "A typo, or an address without a prefix length.", "Give CIDRs as 10.0.0.0/16."},
      {"dns.long_ttl", engine::Severity::Warning, "Long TTL on a private answer",
       "A private answer is cached for more than an hour: after the endpoint's address changes, clients keep "
       "the stale one that long.",
       "A hand-made record with a default long TTL.",
       "Lower the record's TTL (private endpoint records normally use 10-300 s), or flush resolver caches "
       "after changing the endpoint."},
      {"dns.malformed_answer", engine::Severity::Critical, "Malformed DNS answer",
       "The resolver's reply could not be parsed as a DNS message for the question asked.",
       "A broken resolver or middlebox, or something that is not a DNS server on port 53.",
       "Check which server answers on the resolver's address and port; try the VPC resolver."},
      {"dns.no_address", engine::Severity::Critical, "The name exists but has no address",
       "The resolver answered NOERROR with no A/AAAA record (NODATA): the name exists, but not with an "
       "address.",
       "The record set is empty or holds other types only, or a private zone has the name without its A "
       "record.",
       "Add the A record for the endpoint (or fix the CNAME chain) in the zone that serves this name."},
      {"dns.no_resolver", engine::Severity::Warning, "No DNS resolver to ask",
       "There was no DNS server to query directly: only getaddrinfo was used, so the answers cannot be "
       "compared or inspected.",
       "/etc/resolv.conf lists no usable nameserver and no --resolver was given.",
       "Check /etc/resolv.conf, or pass --resolver."},
      {"dns.no_system_resolver", engine::Severity::Warning, "No nameserver in /etc/resolv.conf",
       "/etc/resolv.conf is missing, unreadable or lists no nameserver.",
       "A broken or empty resolver configuration (a container image, a resolver manager that has not written "
       "it yet).",
       "Without a nameserver the C library cannot resolve names: check /etc/resolv.conf."},
      {"dns.no_vpc_context", engine::Severity::Info, "No VPC CIDRs known",
       "No VPC/VNet address ranges were known, so DNS answers are judged only as private or public, not as "
       "inside or outside this network.",
       "Neither --vpc-cidr nor a cloud configuration (--aws-json, --azure-json, --cloud-live, --imds) was "
       "given.",
       "Pass --vpc-cidr (or cloud configuration) so pgreach can tell whether an answer is inside this "
       "network."},
      {"dns.not_private_hostname", engine::Severity::Warning, "Public hostname instead of the private one",
       "The connection string uses the provider's public hostname, not its private (PrivateLink) hostname.",
       "Neon and PlanetScale give private endpoints their own hostnames; the public one resolves to the "
       "public "
       "proxy.",
       "Neon: use the hostname with .vpce. in it (ep-<name>-<id>.vpce.<region>.aws.neon.tech) after enabling "
       "private DNS for the endpoint. PlanetScale: use the <endpoint>.private-pg.psdb.cloud hostname with "
       "\"Enable DNS name\" on the VPC endpoint."},
      {"dns.nxdomain", engine::Severity::Critical, "The name does not exist",
       "The resolver answered NXDOMAIN: the hostname has no record at all.",
       "A typo in the hostname, a private DNS zone that is not linked to this VPC/VNet, or an endpoint whose "
       "private DNS name was never enabled.",
       "Check the hostname against the provider's console; enable the endpoint's private DNS name (AWS: "
       "\"Modify private DNS name\") or link the private DNS zone to the VNet."},
      {"dns.oversized_answer", engine::Severity::Warning, "Oversized DNS answer",
       "The resolver answered with more records than pgreach reads; only the first ones were judged.",
       "Runaway records in the zone, or a misbehaving resolver.", "Check the zone for runaway records."},
      {"dns.refused", engine::Severity::Critical, "The resolver refused the query",
       "The DNS server answered REFUSED: it will not resolve this name for this client.",
       "The resolver does not serve recursion to this address (an authoritative-only server, or an ACL), or "
       "it "
       "is not the resolver the VPC provides.",
       "Use a resolver that serves this network (the VPC resolver: the VPC CIDR base + 2, or 168.63.129.16 "
       "on "
       "Azure), or allow this client on it."},
      {"dns.resolution_failed", engine::Severity::Critical, "Name resolution failed",
       "The name could not be resolved to any address.",
       "See the DNS evidence: NXDOMAIN, SERVFAIL, timeout or an empty answer.",
       "Fix the DNS record or the resolver configuration shown in the evidence."},
      {"dns.resolvers_disagree", engine::Severity::Warning, "Resolvers give different answers",
       "Two resolvers (e.g. the system one and the platform one) returned different addresses for the same "
       "name.",
       "Split-horizon DNS is broken: a custom DNS server does not forward the private zone to the platform "
       "resolver, or a stale cache.",
       "Make custom DNS forward the provider's zone to the platform resolver; clear the DNS cache."},
      {"dns.servfail", engine::Severity::Critical, "The resolver failed (SERVFAIL)",
       "The resolver could not produce an answer and returned SERVFAIL.",
       "A broken forwarder or conditional forwarding rule, DNSSEC validation failure, or an unreachable "
       "upstream resolver.",
       "Test the platform resolver directly (`dig @<resolver> <host>`); fix the forwarder so that it "
       "forwards "
       "to the VPC resolver (VPC CIDR base + 2) or Azure DNS 168.63.129.16."},
      {"dns.system_differs", engine::Severity::Warning, "getaddrinfo and DNS disagree",
       "The C library (what libpq uses) resolves the host to different addresses than DNS answers.",
       "nsswitch, a local cache (systemd-resolved, nscd, dnsmasq) or another resolver answers for the C "
       "library.",
       "Check /etc/nsswitch.conf and local caches (systemd-resolved, nscd, dnsmasq): libpq uses what "
       "getaddrinfo returns."},
      {"dns.system_failed", engine::Severity::Warning, "getaddrinfo failed",
       "The C library's resolver could not resolve the host name, so libpq cannot either (\"could not "
       "translate host name\").",
       "The name does not exist for the resolvers this machine uses, they fail, or nsswitch does not consult "
       "DNS.",
       "libpq cannot resolve the name: see the DNS findings for why."},
      {"dns.system_timeout", engine::Severity::Warning, "getaddrinfo did not answer in time",
       "The C library's resolver (what libpq uses) had not answered within the probe timeout.",
       "The C library asks each nameserver in /etc/resolv.conf in turn (options timeout: and attempts:); a "
       "silent first nameserver delays every connection.",
       "Remove or fix the silent nameserver in /etc/resolv.conf, or lower its timeout; see the DNS findings "
       "for which resolver is silent."},
      {"dns.timeout", engine::Severity::Critical, "The resolver did not answer",
       "No DNS answer arrived before the timeout.",
       "The resolver is down, a firewall drops UDP/TCP 53, or the resolv.conf nameserver is unreachable from "
       "this subnet.",
       "Check /etc/resolv.conf and that UDP and TCP 53 to the resolver are allowed; try the platform "
       "resolver."},
      {"dns.tcp_fallback_failed", engine::Severity::Critical, "Truncated answer, and DNS over TCP failed",
       "A resolver's UDP answer had the TC bit set and the retry over TCP did not get an answer.",
       "Something drops or rejects TCP port 53 between the client and the resolver (a security group, NSG, "
       "NACL or local firewall that allows only UDP 53), or the resolver does not serve TCP.",
       "Allow TCP port 53 from the client to the resolver as well as UDP."},
      {"dns.truncated", engine::Severity::Info, "UDP answer truncated",
       "A resolver truncated its UDP answer and pgreach asked again over TCP.",
       "The answer did not fit in a UDP message; clients then need TCP port 53.",
       "Make sure TCP port 53 to the resolver is allowed as well as UDP."},
  };
  return kCodes;
}

}  // namespace pgreach::checks::dns
