#include "target/provider_profile.h"

#include <stdexcept>

namespace pgreach::target {
namespace {

// Shared by the providers reached through an AWS VPC endpoint.
constexpr std::string_view kAwsEndpointOutsideVpc =
    "Compare with the VPC endpoint's network interface addresses (aws ec2 "
    "describe-vpc-endpoints / describe-network-interfaces).";

// The idle timeout of the AWS providers' path: a PrivateLink endpoint service sits behind a
// Network Load Balancer (inferred for Neon, PlanetScale and Heroku, whose services are
// PrivateLink endpoint services).
constexpr PathIdleTimeout kAwsIdleTimeout = {
    350,
    "AWS documents a 350-second idle timeout for TCP flows through a Network Load Balancer (which every "
    "PrivateLink endpoint service sits behind), a NAT gateway and a Transit Gateway"};

// The table. A new provider is one row here (and, for its own report sections, a
// reports/playbooks/<playbook>.json; without one the report uses the generic sections).
// A row's Provider is its position. Fix texts are shown to users as they are written.
std::vector<ProviderProfile> makeProfiles() {
  std::vector<ProviderProfile> rows;

  ProviderProfile generic;
  generic.name = "generic";
  generic.playbook = "generic";
  generic.dnsFixes = {
      "The name resolves to a public address, so the private path is not used: make the private DNS zone "
      "visible to this machine's resolver.",
      "Compare the answer with the endpoint's real private addresses.",
      "Check the hostname's spelling and that this machine's resolver can see the zone it lives in.",
      "",
      "",
  };
  rows.push_back(generic);

  ProviderProfile neon;
  neon.name = "neon";
  neon.playbook = "neon";
  neon.hostPatterns = {{".neon.tech", "", ""}};
  neon.privateHost = {"", "", ".vpce."};
  neon.cloud = "aws";
  neon.defaultPorts = {5432};
  neon.managed = true;
  neon.idleTimeout = kAwsIdleTimeout;
  neon.sni = {true, "endpoint", "connecting by IP address sends no SNI, and the Neon proxy routes by SNI",
              "Connect by the endpoint's hostname (with private DNS enabled on the VPC endpoint), or "
              "pass options=endpoint%3D<endpoint-id>."};
  neon.dnsFixes = {
      "Enable private DNS for the endpoint (Neon: \"Enable Private DNS\"): in AWS, select the VPC endpoint "
      "you created, select Modify private DNS name, select Enable for this endpoint, and save (aws ec2 "
      "modify-vpc-endpoint --vpc-endpoint-id <vpce-id> --private-dns-enabled), once Neon has authorized the "
      "endpoint; the VPC needs enableDnsSupport and enableDnsHostnames. Connect to the .vpce. hostname.",
      kAwsEndpointOutsideVpc,
      "Check the hostname Neon gives for private access (ep-<name>-<id>.vpce.<region>.aws.neon.tech) and "
      "enable private DNS for the VPC endpoint.",
      "Use the private hostname with .vpce. in it (ep-<name>-<id>.vpce.<region>.aws.neon.tech), "
      "after enabling private DNS for the endpoint.",
      "",
  };
  rows.push_back(neon);

  ProviderProfile planetscale;
  planetscale.name = "planetscale";
  planetscale.playbook = "planetscale";
  planetscale.hostPatterns = {{".psdb.cloud", "", ""}};
  planetscale.privateHost = {".private-pg.psdb.cloud", "", ""};
  planetscale.cloud = "aws";
  planetscale.defaultPorts = {5432, 6432};
  planetscale.managed = true;
  planetscale.idleTimeout = kAwsIdleTimeout;
  planetscale.dnsFixes = {
      "On the VPC endpoint for PlanetScale, open \"Additional settings\" and select the \"Enable DNS name\" "
      "checkbox (aws ec2 modify-vpc-endpoint --vpc-endpoint-id <vpce-id> --private-dns-enabled), with the "
      "VPC's enableDnsSupport and enableDnsHostnames turned on; then `dig +short "
      "<endpoint>.private-pg.psdb.cloud` must show private addresses.",
      kAwsEndpointOutsideVpc,
      "Check the <endpoint>.private-pg.psdb.cloud hostname and turn on \"Enable DNS name\" on the VPC "
      "endpoint.",
      "Use the <endpoint>.private-pg.psdb.cloud hostname of the PlanetScale private endpoint, with "
      "\"Enable DNS name\" on the VPC endpoint.",
      "",
  };
  rows.push_back(planetscale);

  ProviderProfile heroku;
  heroku.name = "heroku";
  heroku.playbook = "heroku";
  // Its VPC endpoint names, and the ec2-*.compute*.amazonaws.com endpoint URLs.
  heroku.hostPatterns = {{".vpce.amazonaws.com", "", ""}, {".amazonaws.com", "ec2-", ".compute"}};
  heroku.cloud = "aws";
  heroku.defaultPorts = {5432, 5433};
  heroku.managed = true;
  heroku.idleTimeout = kAwsIdleTimeout;
  heroku.dnsFixes = {
      "Connect with the VPC endpoint DNS name from DATABASE_ENDPOINT_<ID>_URL and make sure this VPC's "
      "resolver (enableDnsSupport) answers it with the endpoint's private addresses.",
      kAwsEndpointOutsideVpc,
      "Use the VPC endpoint DNS name from DATABASE_ENDPOINT_<ID>_URL; the endpoint may have been deleted.",
      "",
      "",
  };
  rows.push_back(heroku);

  ProviderProfile azure;
  azure.name = "azure";
  azure.playbook = "azure";
  azure.hostPatterns = {{".postgres.database.azure.com", "", ""}};
  azure.cloud = "azure";
  azure.defaultPorts = {5432, 6432};
  azure.managed = true;
  azure.idleTimeout = {
      240,
      "Azure documents no idle timeout for Private Link; pgreach uses 240 s, the default TCP idle timeout of "
      "Azure Load Balancer (4 minutes), which Private Link services sit behind"};
  // Azure's TLS page for Flexible Server ("Configure TLS on the client"): the server chain
  // moves between these roots during its CA rotations, so a bundle needs all three.
  azure.trustRoots = {
      {"US", "DigiCert Inc", "www.digicert.com", "DigiCert Global Root G2",
       "https://cacerts.digicert.com/DigiCertGlobalRootG2.crt.pem"},
      {"US", "Microsoft Corporation", "", "Microsoft RSA Root Certificate Authority 2017",
       "https://www.microsoft.com/pkiops/certs/Microsoft%20RSA%20Root%20Certificate%20Authority%202017.crt "
       "(DER: openssl x509 -inform der -in <file> -out <file>.pem)"},
      {"US", "DigiCert Inc", "www.digicert.com", "DigiCert Global Root CA",
       "https://cacerts.digicert.com/DigiCertGlobalRootCA.crt.pem"},
  };
  azure.trustRootsBasis =
      "Azure's TLS documentation for Flexible Server asks clients to trust DigiCert Global Root G2, "
      "Microsoft "
      "RSA Root Certificate Authority 2017 and DigiCert Global Root CA, so that the connection survives its "
      "certificate rotations";
  azure.dnsFixes = {
      "Link the private DNS zone privatelink.postgres.database.azure.com to the client's VNet "
      "(az network private-dns link vnet create --zone-name privatelink.postgres.database.azure.com "
      "...), and if the VNet uses custom DNS servers, forward postgres.database.azure.com to "
      "Azure DNS 168.63.129.16.",
      "Check the A record in privatelink.postgres.database.azure.com against the private "
      "endpoint's IP (az network private-endpoint show ... customDnsConfigs).",
      "Check the server name; link privatelink.postgres.database.azure.com to the VNet and "
      "forward custom DNS to 168.63.129.16.",
      "",
      "On Azure, custom DNS servers must forward postgres.database.azure.com to 168.63.129.16.",
  };
  azure.privateZone = {
      "privatelink.postgres.database.azure.com",
      "dns.azure_chain_not_privatelink",
      "Create a private endpoint for the server with a DNS zone group for "
      "privatelink.postgres.database.azure.com, link the zone to the VNet, and forward custom DNS "
      "to 168.63.129.16.",
      "dns.azure_privatelink_nxdomain",
      "In the private DNS zone privatelink.postgres.database.azure.com, add the A record for the "
      "server (the private endpoint's DNS zone group does this) and link the zone to the client's "
      "VNet (az network private-dns link vnet create ...). With custom DNS servers, forward "
      "postgres.database.azure.com to Azure DNS 168.63.129.16.",
  };
  rows.push_back(azure);

  for (std::size_t i = 0; i < rows.size(); ++i) rows[i].id = Provider::atRow(i);
  return rows;
}

}  // namespace

bool HostPattern::matches(std::string_view lowerName) const {
  if (empty()) return false;
  if (lowerName.size() < suffix.size() ||
      lowerName.compare(lowerName.size() - suffix.size(), suffix.size(), suffix) != 0) {
    return false;
  }
  if (lowerName.compare(0, prefix.size(), prefix) != 0) return false;
  return contains.empty() || lowerName.find(contains) != std::string_view::npos;
}

const std::vector<ProviderProfile>& allProfiles() {
  static const std::vector<ProviderProfile> rows = makeProfiles();
  return rows;
}

const ProviderProfile& profileOf(Provider p) {
  const auto& rows = allProfiles();
  if (p.row() >= rows.size()) throw std::logic_error("provider without a profile row");
  return rows[p.row()];
}

}  // namespace pgreach::target
