#include "checks/cloud/codes.h"

namespace pgreach::checks::cloud {

const std::vector<engine::CodeDecl>& cloudCodes() {
  static const std::vector<engine::CodeDecl> kCodes = {
      {"cloud.aaaa_not_from_endpoint", engine::Severity::Warning,
       "AAAA answers the IPv4-only endpoint did not publish",
       "DNS answers the target's name with IPv6 addresses that are not the VPC endpoint's, while the "
       "endpoint answers on IPv4 only (IpAddressType ipv4) or its private DNS publishes A records only "
       "(DnsOptions.DnsRecordIpType ipv4). Applications try the IPv6 answers first (getaddrinfo's order) and "
       "reach something else or wait for them to fail.",
       "A public or stale AAAA record beside the endpoint's private A records, or an endpoint created "
       "IPv4-only for a name that also has IPv6.",
       "Delete the stray AAAA record, or make the endpoint dual-stack so it publishes its own: aws ec2 "
       "modify-vpc-endpoint --vpc-endpoint-id <endpoint> --ip-address-type dualstack --dns-options "
       "DnsRecordIpType=dualstack."},
      {"cloud.azure_endpoint_not_verified", engine::Severity::Warning,
       "Private DNS zone link or A record not verified",
       "The private endpoint itself is in order, but no export showed the private DNS zone's link to the "
       "client's VNet or the server's A record, so the endpoint configuration is not verified as a whole.",
       "The folder given to --azure-json holds no `az network private-dns link vnet list` or "
       "`az network private-dns record-set a list` output for privatelink.postgres.database.azure.com.",
       "Add the two exports named in the finding to the folder and run the audit again."},
      {"cloud.azure_connection_pending", engine::Severity::Critical, "Private endpoint not provisioned",
       "The Azure private endpoint is not provisioned, or its private link connection is missing or not "
       "approved.",
       "Provisioning is still running or failed, or the server's owner has not approved the connection.",
       "Wait for provisioningState Succeeded and approve the connection on the server, or recreate the "
       "endpoint if it failed."},
      {"cloud.azure_network_policies_disabled", engine::Severity::Info,
       "NSG rules do not apply to the endpoint",
       "Private endpoint network policies are disabled on the endpoint's subnet, so its NSG rules do not "
       "apply "
       "to the private endpoint.",
       "The subnet default: Azure disables network policies for private endpoints unless enabled.",
       "Nothing to change unless you rely on the NSG to restrict access: then enable private endpoint "
       "network "
       "policies on the subnet."},
      {"cloud.azure_record_mismatch", engine::Severity::Critical,
       "A record does not point at the private endpoint",
       "The server's A record in privatelink.postgres.database.azure.com points at an address that is not "
       "the "
       "private endpoint's.",
       "A stale record from a deleted or recreated endpoint.",
       "Point the A record at the private endpoint's address and remove the stale address."},
      {"cloud.azure_record_missing", engine::Severity::Critical, "No A record in the privatelink zone",
       "privatelink.postgres.database.azure.com has no A record for the server.",
       "The endpoint was created without a DNS zone group, or the record was deleted.",
       "Add the A record for the server with the private endpoint's address (az network private-dns "
       "record-set "
       "a add-record), or create the endpoint's DNS zone group."},
      {"cloud.azure_route_appliance", engine::Severity::Warning, "Endpoint routed through an appliance",
       "A user route sends the private endpoint's address to a virtual appliance, which must forward "
       "PostgreSQL and see the return traffic.",
       "A forced-tunnelling or inspection route that covers the endpoint's range.",
       "Allow TCP 5432 through the appliance, or route the endpoint's address directly (delete the route)."},
      {"cloud.azure_wrong_group_id", engine::Severity::Critical,
       "Private endpoint for the wrong resource type",
       "The private endpoint's group id is not postgresqlServer: it is not an endpoint for a PostgreSQL "
       "server.",
       "The endpoint was created for another sub-resource.",
       "Recreate the endpoint with --group-id postgresqlServer."},
      {"cloud.azure_zone_not_linked", engine::Severity::Critical, "Private DNS zone not linked to the VNet",
       "privatelink.postgres.database.azure.com is not linked to the client's virtual network.",
       "The zone link was never created, or created for another VNet.",
       "Create a virtual network link from the private DNS zone to the client's VNet."},
      {"cloud.client_family_missing", engine::Severity::Critical,
       "Endpoint and client share no address family",
       "Every address of the endpoint is of a family (IPv6, say) that the client's interface in the export "
       "has no address of: no path from the client reaches the endpoint.",
       "An IPv6-only endpoint for an IPv4-only client (or the reverse).",
       "Give the client an address of the endpoint's family (a range on its subnet, an address on its "
       "interface), or make the endpoint dual-stack."},
      {"cloud.client_unknown", engine::Severity::Warning, "Client not found in the export",
       "The client given with --client-eni (or found otherwise) is not in the cloud export, so the path "
       "audit "
       "cannot place it.",
       "A typo, or an export from another account or region.",
       "Check --client-eni and --client-ip against the export, or re-export the configuration."},
      {"cloud.dns_endpoint_mismatch", engine::Severity::Critical,
       "DNS answers are not the endpoint's interfaces",
       "DNS resolves the host to addresses that are not the private endpoint's network interfaces.",
       "Private DNS is off, the zone is not linked, or a stale record points elsewhere.",
       "Enable private DNS on the endpoint (AWS) or link the privatelink zone to the VNet (Azure)."},
      {"cloud.drop_explained", engine::Severity::Info, "Silent drop explained by the audit",
       "A silent drop seen by tcp.connect matches a rule the cloud audit finds blocking the same path.",
       "The audit names the security group, NACL or route responsible.",
       "Apply the fix of the rule the finding names."},
      {"cloud.endpoint_ipv6_only_client_no_ipv6", engine::Severity::Critical,
       "IPv6-only endpoint for a client without IPv6",
       "The VPC endpoint answers on IPv6 only (IpAddressType ipv6) or its private DNS publishes AAAA "
       "records only (DnsOptions.DnsRecordIpType ipv6), and the client has no IPv6 address: the name gives "
       "the client nothing it can connect to (`Network is unreachable`).",
       "The endpoint or its DNS records were created IPv6-only while the client's subnet has no IPv6 range.",
       "Make the endpoint dual-stack (aws ec2 modify-vpc-endpoint --vpc-endpoint-id <endpoint> "
       "--ip-address-type dualstack --dns-options DnsRecordIpType=dualstack), or give the client IPv6 "
       "(aws ec2 associate-subnet-cidr-block, then aws ec2 assign-ipv6-addresses)."},
      {"cloud.endpoint_missing", engine::Severity::Critical, "No VPC endpoint for the database",
       "No interface VPC endpoint in the AWS export matches the target.",
       "The endpoint was never created, was deleted, or lives in another account, region or VPC than the "
       "export.",
       "Create an interface endpoint to the provider's endpoint service (see the provider's PrivateLink "
       "page)."},
      {"cloud.endpoint_not_available", engine::Severity::Critical, "VPC endpoint not available",
       "The VPC endpoint's state is not \"available\" (pending, pendingAcceptance, rejected...).",
       "The provider has not accepted the endpoint yet, or rejected it.",
       "Wait for acceptance (5-10 minutes), or ask the provider to accept it; recreate a rejected endpoint."},
      {"cloud.export_files", engine::Severity::Info, "Export files read and ignored",
       "Every file of the export folders: read, with what it held (kind and count), or ignored, with why "
       "(not JSON, a JSON shape pgreach does not read).",
       "Files of another kind beside the exports, or outputs of commands pgreach does not read.",
       "Nothing, when every file you meant is listed as read; otherwise export it with the command its "
       "reason names."},
      {"cloud.exports_unusable", engine::Severity::Warning, "No usable export file",
       "No file of an export folder holds anything pgreach reads, so the cloud audit has nothing to "
       "evaluate: nothing is verified.",
       "The wrong folder, outputs of other commands, or shapes pgreach does not read; the export_files "
       "list says why each file was ignored.",
       "Export the configuration with the commands in the README (aws ec2 describe-..., az network ... "
       "show/list) into the folder."},
      {"cloud.imds_unavailable", engine::Severity::Warning, "Instance metadata unavailable",
       "--imds was given but the instance metadata service did not say where this machine is.",
       "Not running on a cloud VM, IMDS disabled or hop-limited (containers), or a timeout.",
       "Pass --client-ip (and the subnet/groups) instead, or allow IMDS from this machine."},
      {"cloud.live_command_failed", engine::Severity::Info, "A cloud CLI command failed",
       "One of the aws/az CLI commands pgreach ran for --cloud-live failed; the audit misses what it lists "
       "(a "
       "warning when that part of the audit is incomplete).",
       "Missing permissions for that call, a CLI login that expired, or --cloud-cli-timeout too short.",
       "Run the command by hand to see why; check the CLI login and --cloud-cli-timeout."},
      {"cloud.live_failed", engine::Severity::Warning, "Live cloud collection failed",
       "--cloud-live could not collect the cloud configuration.",
       "The aws or az CLI is not installed or not logged in.",
       "Install and log in to the aws / az CLI, or export the JSON and use --aws-json DIR / --azure-json "
       "DIR."},
      {"cloud.nacl_egress_denied", engine::Severity::Critical, "NACL blocks the client's traffic out",
       "The client subnet's network ACL denies the outbound traffic to the endpoint on this port.",
       "NACLs are stateless and evaluated by rule number: a deny rule, or no allow rule before the default "
       "deny.",
       "Allow the port to the endpoint's subnet in the client subnet's outbound NACL rules."},
      {"cloud.nacl_ingress_denied", engine::Severity::Critical,
       "NACL blocks the traffic into the endpoint subnet",
       "The endpoint subnet's network ACL denies inbound traffic from the client on this port.",
       "NACLs are stateless and evaluated by rule number: a deny rule, or no allow rule before the default "
       "deny.",
       "Allow the port from the client's subnet in the endpoint subnet's inbound NACL rules."},
      {"cloud.nacl_ipv6_entry_missing", engine::Severity::Critical, "NACL has no IPv6 entry for the port",
       "A network ACL allows the port (or the return ports) for IPv4 but has no entry with an "
       "Ipv6CidrBlock that does, so the IPv6 traffic falls to the default deny.",
       "NACL entries are per family: IPv6 needs its own entries (--ipv6-cidr-block), which dual-stack "
       "migrations often forget.",
       "Add the IPv6 entry the finding names: aws ec2 create-network-acl-entry ... --ipv6-cidr-block "
       "<range> --rule-action allow."},
      {"cloud.nacl_return_denied", engine::Severity::Critical, "NACL blocks return traffic",
       "A network ACL denies the endpoint's replies to the client's ephemeral ports.",
       "NACLs are stateless: return traffic to 1024-65535 needs its own allow rule.",
       "Allow TCP 1024-65535 from the endpoint's subnet (inbound on the client's subnet, outbound on the "
       "endpoint's)."},
      {"cloud.no_endpoint_in_client_az", engine::Severity::Warning, "No endpoint in the client's zone",
       "The VPC endpoint has no subnet in the client's availability zone, so traffic crosses AZs.",
       "The endpoint's subnets do not cover every zone clients run in.",
       "aws ec2 modify-vpc-endpoint --vpc-endpoint-id <endpoint> --add-subnet-ids <a subnet in the client's "
       "AZ>"},
      {"cloud.no_route", engine::Severity::Critical, "No route to the destination",
       "The route table of the subnet has no route to the other side (forward or return).",
       "Peering or transit routing was not added for this range.",
       "Add a route to the destination through the peering/transit gateway (or, on Azure, fix the user "
       "route)."},
      {"cloud.nsg_denied", engine::Severity::Critical, "An NSG rule denies the traffic",
       "A network security group rule denies the client to the private endpoint on this port.",
       "A deny rule with a lower priority number than the allow rules.",
       "Add an allow rule with a lower priority number, or remove the deny rule."},
      {"cloud.nsg_ipv6_prefix_missing", engine::Severity::Critical,
       "NSG allows the port for IPv4 prefixes only",
       "The network security group's allow rule for the port names IPv4 prefixes only, so the IPv6 "
       "connection to the private endpoint falls through to a deny.",
       "Rules written for the IPv4 ranges before the VNet became dual-stack.",
       "Add an allow rule with the IPv6 prefix (az network nsg rule create ... --source-address-prefixes "
       "<IPv6 range>), or add the IPv6 prefix to the existing rule's address prefixes."},
      {"cloud.path_not_verified", engine::Severity::Warning, "Path not verified: exports missing",
       "At least one step of the client-to-endpoint path could not be evaluated from the exports, so the "
       "path is neither proved reachable nor proved blocked.",
       "An export that covers the step is missing: network ACLs, route tables, network interfaces (the "
       "endpoint's ENIs), security groups, or Azure's effective NSG of the client NIC.",
       "Run the read-only command the finding names (it carries this path's ids) into the export folder "
       "and audit again."},
      {"cloud.private_dns_disabled", engine::Severity::Critical, "Private DNS disabled on the VPC endpoint",
       "The VPC endpoint has PrivateDnsEnabled false, so the provider's name resolves publicly.",
       "Private DNS was not enabled when the endpoint was created or after the provider authorized it.",
       "In AWS, select the endpoint, \"Modify private DNS name\", \"Enable for this endpoint\"."},
      {"cloud.probe_disagreement", engine::Severity::Warning, "Probe and audit disagree",
       "tcp.connect and the cloud audit disagree: the probe connected where the audit finds the path "
       "blocked, "
       "or was dropped where the audit finds it open.",
       "A stale export, a client that is not where the audit placed it, or something the export does not "
       "show "
       "(an appliance, a host firewall, the provider's side).",
       "Re-export the configuration, check --client-ip, then host firewalls and the provider's side."},
      {"cloud.route_blackhole", engine::Severity::Critical, "Route is a blackhole",
       "The most specific route to the destination points at a target that no longer exists (blackhole).",
       "The peering connection, transit gateway attachment or appliance the route used was deleted.",
       "Delete the stale route, or point it at a live target."},
      {"cloud.route_via_appliance", engine::Severity::Info, "Traffic goes through an appliance",
       "The route to the endpoint goes through a network appliance (firewall, NAT instance).",
       "A route table sends the endpoint's range to an appliance; it must forward PostgreSQL and see the "
       "return traffic.",
       "Nothing to change if the appliance forwards TCP 5432 both ways; otherwise route the endpoint "
       "directly."},
      {"cloud.sg_egress_missing", engine::Severity::Critical, "Client security group blocks egress",
       "No outbound rule on the client's security groups allows traffic to the endpoint on this port.",
       "Security groups restricted to specific egress destinations that do not include the endpoint.",
       "Add an outbound rule for the port to the endpoint's security group or subnet CIDR."},
      {"cloud.sg_ingress_missing", engine::Severity::Critical, "Security group does not allow the port",
       "No inbound rule on the endpoint's security groups allows the client to the port.",
       "The security group was created without the database ports, or for another CIDR.",
       "Add an inbound rule for the port from the client's security group or subnet CIDR."},
      {"cloud.sg_ipv6_range_missing", engine::Severity::Critical,
       "Security group rule lists the IPv4 range only",
       "A security group rule opens the port for IPv4 ranges and lists no Ipv6Ranges, and no other rule "
       "admits the IPv6 peer: the same connection over IPv6 is dropped.",
       "Rules written before the VPC became dual-stack; the console and `--cidr` add IPv4 ranges only.",
       "Add the IPv6 range to the rule: aws ec2 authorize-security-group-ingress --group-id <sg> "
       "--ip-permissions 'IpProtocol=tcp,FromPort=<port>,ToPort=<port>,Ipv6Ranges=[{CidrIpv6=<range>}]'."},
      {"cloud.single_az", engine::Severity::Warning, "Endpoint in a single availability zone",
       "The VPC endpoint has subnets in only one availability zone: an AZ outage cuts the database off.",
       "The endpoint was created with one subnet.",
       "aws ec2 modify-vpc-endpoint --vpc-endpoint-id <endpoint> --add-subnet-ids <a subnet in another AZ>"},
      {"cloud.vpc_dns_hostnames_disabled", engine::Severity::Critical, "VPC DNS hostnames disabled",
       "The VPC has enableDnsHostnames off: private DNS for the endpoint does not apply.",
       "The VPC attribute was turned off, or the VPC was created without it.",
       "aws ec2 modify-vpc-attribute --vpc-id <vpc> --enable-dns-hostnames '{\"Value\":true}'"},
      {"cloud.vpc_dns_support_disabled", engine::Severity::Critical, "VPC DNS support disabled",
       "The VPC has enableDnsSupport off: private hosted zones (private DNS for the endpoint) do not "
       "resolve.",
       "The VPC attribute was turned off, or the VPC was created without it.",
       "aws ec2 modify-vpc-attribute --vpc-id <vpc> --enable-dns-support '{\"Value\":true}'"},
      {"cloud.wrong_service_name", engine::Severity::Critical, "Endpoint for the wrong service",
       "The VPC endpoint's service name is not the provider's service for the database's region (or the "
       "provider has no service in that region).",
       "The endpoint was created against another region's service, or a copied service name.",
       "Recreate the endpoint against the provider's service name for the database's region."},
  };
  return kCodes;
}

}  // namespace pgreach::checks::cloud
