#!/usr/bin/env python3
"""Generate the static cloud configuration that matches the pgreach lab.

One healthy description per cloud, and per scenario a small change to it, so
every folder stays consistent with the lab topology in ../lab.sh.

  python3 gen.py          write aws/<scenario>/*.json and azure/<scenario>/*.json
  python3 gen.py --check  exit 1 if the committed files differ from what it would write

AWS field names follow `aws ec2 describe-*` output, Azure ones `az network ... show`
(see shared/DOMAIN.md section 5). IDs are made up but shaped like the real ones.
"""
import copy
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

# ---- lab facts (keep in sync with lab.sh) ---------------------------------
VPC_CIDR = "10.40.0.0/16"
CLIENT_IP, EP_A, EP_B, DNS_IP = "10.40.1.10", "10.40.2.120", "10.40.3.118", "10.40.0.2"
# The lab is dual-stack: a ULA /48, one /64 per IPv4 /24 with the host part kept.
VPC6_CIDR = "fd40::/48"
CLIENT_IP6, EP_A6, EP_B6 = "fd40:0:0:1::10", "fd40:0:0:2::120", "fd40:0:0:3::118"
H_NEON = "ep-cool-lab-123456.vpce.us-east-1.aws.neon.tech"
H_PS = "pslab01.private-pg.psdb.cloud"
H_AZ = "labserver.postgres.database.azure.com"
H_AZ_PL = "labserver.privatelink.postgres.database.azure.com"

# ---- AWS -------------------------------------------------------------------
ACCOUNT = "111122223333"
VPC = "vpc-0a1b2c3d4e5f60718"
SUB_DNS = "subnet-0d0500000000000a0"
SUB_CLIENT = "subnet-0c1e4700000000001"
SUB_EP_A = "subnet-0e9a0000000000a02"
SUB_EP_B = "subnet-0e9b0000000000b03"
SG_CLIENT = "sg-0c1e470000000c1e4"
SG_EP = "sg-0e9d000000000e9d1"
ENI_CLIENT = "eni-0c1e47000000000c1"
ENI_EP_A = "eni-0e9a00000000002a0"
ENI_EP_B = "eni-0e9b00000000003b0"
ACL_DEFAULT = "acl-0defa000000000001"
ACL_CLIENT = "acl-0c1e4700000000002"
ACL_EP = "acl-0e9d000000000e9d3"
RTB = "rtb-0a1b2c3d4e5f60001"
VPCE = "vpce-0abc123def4567890"
VPCE_SVC = "vpce-svc-0123456789abcdef0"
TCP = "6"


def tcp_perm(port_from, port_to, cidr=VPC_CIDR, desc=None, cidr6=VPC6_CIDR):
    r = {"CidrIp": cidr}
    r6 = {"CidrIpv6": cidr6}
    if desc:
        r["Description"] = desc
        r6["Description"] = desc
    return {"IpProtocol": "tcp", "FromPort": port_from, "ToPort": port_to,
            "IpRanges": [r], "Ipv6Ranges": [r6], "PrefixListIds": [], "UserIdGroupPairs": []}


ALL_EGRESS = {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}], "Ipv6Ranges": [{"CidrIpv6": "::/0"}],
              "PrefixListIds": [], "UserIdGroupPairs": []}


def acl_entry(num, egress, action, proto="-1", cidr=VPC_CIDR, ports=None):
    """An entry for `cidr`; an IPv6 block gives an Ipv6CidrBlock entry, as AWS prints it."""
    e = {"RuleNumber": num, "Protocol": proto, "Egress": egress, "RuleAction": action}
    e["Ipv6CidrBlock" if ":" in cidr else "CidrBlock"] = cidr
    if ports:
        e["PortRange"] = {"From": ports[0], "To": ports[1]}
    return e


def dual(num, egress, action, proto="-1", cidr=VPC_CIDR, ports=None, cidr6=VPC6_CIDR):
    """An IPv4 entry and its IPv6 twin one rule number later (NACL entries are per family)."""
    return [acl_entry(num, egress, action, proto, cidr, ports), acl_entry(num + 1, egress, action, proto, cidr6, ports)]


def default_denies():
    return [acl_entry(32767, False, "deny", cidr="0.0.0.0/0"), acl_entry(32767, True, "deny", cidr="0.0.0.0/0"),
            acl_entry(32768, False, "deny", cidr="::/0"), acl_entry(32768, True, "deny", cidr="::/0")]


def aws_healthy():
    d = {}
    d["describe-vpcs"] = {"Vpcs": [{
        "VpcId": VPC, "OwnerId": ACCOUNT, "State": "available", "CidrBlock": VPC_CIDR,
        "CidrBlockAssociationSet": [{"AssociationId": "vpc-cidr-assoc-0a1b2c3d4e5f60001", "CidrBlock": VPC_CIDR,
                                     "CidrBlockState": {"State": "associated"}}],
        "Ipv6CidrBlockAssociationSet": [{"AssociationId": "vpc-cidr-assoc-0a1b2c3d4e5f60006",
                                         "Ipv6CidrBlock": VPC6_CIDR,
                                         "Ipv6CidrBlockState": {"State": "associated"},
                                         "NetworkBorderGroup": "us-east-1", "Ipv6Pool": "ipv6pool-ec2-lab"}],
        "IsDefault": False, "Tags": [{"Key": "Name", "Value": "pgreach-lab"}]}]}
    subnets = [
        (SUB_DNS, "10.40.0.0/24", "fd40::/64", "us-east-1a", "lab-dns (resolver 10.40.0.2 = VPC base + 2)"),
        (SUB_CLIENT, "10.40.1.0/24", "fd40:0:0:1::/64", "us-east-1a", "lab-client"),
        (SUB_EP_A, "10.40.2.0/24", "fd40:0:0:2::/64", "us-east-1a", "lab-endpoint-a"),
        (SUB_EP_B, "10.40.3.0/24", "fd40:0:0:3::/64", "us-east-1b", "lab-endpoint-b"),
    ]
    d["describe-subnets"] = {"Subnets": [
        {"SubnetId": s, "VpcId": VPC, "CidrBlock": c, "AvailabilityZone": az, "State": "available",
         "MapPublicIpOnLaunch": False, "AssignIpv6AddressOnCreation": False,
         "Ipv6CidrBlockAssociationSet": [{"AssociationId": "subnet-cidr-assoc-" + s[len("subnet-"):],
                                          "Ipv6CidrBlock": c6, "Ipv6CidrBlockState": {"State": "associated"}}],
         "Tags": [{"Key": "Name", "Value": n}]} for s, c, c6, az, n in subnets]}
    d["describe-security-groups"] = {"SecurityGroups": [
        {"GroupId": SG_CLIENT, "GroupName": "lab-client", "Description": "pgreach lab client",
         "OwnerId": ACCOUNT, "VpcId": VPC, "IpPermissions": [], "IpPermissionsEgress": [copy.deepcopy(ALL_EGRESS)]},
        {"GroupId": SG_EP, "GroupName": "lab-postgres-endpoint", "Description": "PrivateLink endpoint for Postgres",
         "OwnerId": ACCOUNT, "VpcId": VPC,
         "IpPermissions": [tcp_perm(5432, 5432, desc="postgres"), tcp_perm(5433, 5433, desc="heroku pgbouncer"),
                           tcp_perm(6432, 6432, desc="pgbouncer / psbouncer")],
         "IpPermissionsEgress": [copy.deepcopy(ALL_EGRESS)]},
    ]}
    d["describe-network-acls"] = {"NetworkAcls": [
        {"NetworkAclId": ACL_DEFAULT, "VpcId": VPC, "IsDefault": True, "OwnerId": ACCOUNT,
         "Associations": [{"NetworkAclAssociationId": "aclassoc-0d05000000000001", "NetworkAclId": ACL_DEFAULT,
                           "SubnetId": SUB_DNS}],
         "Entries": dual(100, False, "allow", cidr="0.0.0.0/0", cidr6="::/0")
         + dual(100, True, "allow", cidr="0.0.0.0/0", cidr6="::/0") + default_denies()},
        {"NetworkAclId": ACL_CLIENT, "VpcId": VPC, "IsDefault": False, "OwnerId": ACCOUNT,
         "Associations": [{"NetworkAclAssociationId": "aclassoc-0c1e4700000000001", "NetworkAclId": ACL_CLIENT,
                           "SubnetId": SUB_CLIENT}],
         "Entries": [
             *dual(100, True, "allow", TCP, ports=(5432, 5433)),
             *dual(110, True, "allow", TCP, ports=(6432, 6432)),
             *dual(120, True, "allow", "17", ports=(53, 53)),
             *dual(130, True, "allow", TCP, ports=(53, 53)),
             *dual(100, False, "allow", TCP, ports=(1024, 65535)),
             *dual(110, False, "allow", "17", ports=(1024, 65535)),
         ] + default_denies()},
        {"NetworkAclId": ACL_EP, "VpcId": VPC, "IsDefault": False, "OwnerId": ACCOUNT,
         "Associations": [
             {"NetworkAclAssociationId": "aclassoc-0e9d00000000000a", "NetworkAclId": ACL_EP, "SubnetId": SUB_EP_A},
             {"NetworkAclAssociationId": "aclassoc-0e9d00000000000b", "NetworkAclId": ACL_EP, "SubnetId": SUB_EP_B}],
         "Entries": [
             *dual(100, False, "allow", TCP, ports=(5432, 5433)),
             *dual(110, False, "allow", TCP, ports=(6432, 6432)),
             *dual(100, True, "allow", TCP, ports=(1024, 65535)),
         ] + default_denies()},
    ]}
    dns_names = [
        {"DnsName": f"{VPCE}-lab00001.{VPCE_SVC}.us-east-1.vpce.amazonaws.com", "HostedZoneId": "Z7HUB22UULQXV"},
        {"DnsName": f"{VPCE}-lab00001-us-east-1a.{VPCE_SVC}.us-east-1.vpce.amazonaws.com", "HostedZoneId": "Z7HUB22UULQXV"},
        {"DnsName": f"{VPCE}-lab00001-us-east-1b.{VPCE_SVC}.us-east-1.vpce.amazonaws.com", "HostedZoneId": "Z7HUB22UULQXV"},
        {"DnsName": H_NEON, "HostedZoneId": "Z0LABPRIVATE00001NEON"},
        {"DnsName": H_PS, "HostedZoneId": "Z0LABPRIVATE0002PSCALE"},
    ]
    d["describe-vpc-endpoints"] = {"VpcEndpoints": [{
        "VpcEndpointId": VPCE, "VpcEndpointType": "Interface", "VpcId": VPC,
        "ServiceName": f"com.amazonaws.vpce.us-east-1.{VPCE_SVC}", "State": "available",
        "PrivateDnsEnabled": True, "IpAddressType": "dualstack", "DnsOptions": {"DnsRecordIpType": "dualstack"},
        "SubnetIds": [SUB_EP_A, SUB_EP_B],
        "NetworkInterfaceIds": [ENI_EP_A, ENI_EP_B], "Groups": [{"GroupId": SG_EP, "GroupName": "lab-postgres-endpoint"}],
        "DnsEntries": dns_names, "RouteTableIds": [], "OwnerId": ACCOUNT,
        "CreationTimestamp": "2025-01-01T00:00:00.000Z"}]}

    def eni(eid, sub, az, ip, ip6, sg, itype, desc):
        return {"NetworkInterfaceId": eid, "InterfaceType": itype, "SubnetId": sub, "VpcId": VPC,
                "AvailabilityZone": az, "Description": desc, "Groups": [{"GroupId": sg}],
                "PrivateIpAddress": ip, "PrivateIpAddresses": [{"Primary": True, "PrivateIpAddress": ip}],
                "Ipv6Addresses": [{"Ipv6Address": ip6, "IsPrimaryIpv6": False}],
                "Status": "in-use", "RequesterManaged": itype == "vpc_endpoint", "TagSet": []}
    d["describe-network-interfaces"] = {"NetworkInterfaces": [
        eni(ENI_CLIENT, SUB_CLIENT, "us-east-1a", CLIENT_IP, CLIENT_IP6, SG_CLIENT, "interface", "lab client"),
        eni(ENI_EP_A, SUB_EP_A, "us-east-1a", EP_A, EP_A6, SG_EP, "vpc_endpoint", f"VPC Endpoint Interface {VPCE}"),
        eni(ENI_EP_B, SUB_EP_B, "us-east-1b", EP_B, EP_B6, SG_EP, "vpc_endpoint", f"VPC Endpoint Interface {VPCE}"),
    ]}
    # The lab has no internet gateway and no default route: only the local route.
    d["describe-route-tables"] = {"RouteTables": [{
        "RouteTableId": RTB, "VpcId": VPC, "OwnerId": ACCOUNT,
        "Associations": [{"Main": True, "RouteTableAssociationId": "rtbassoc-0a1b2c3d4e5f60001", "RouteTableId": RTB,
                          "AssociationState": {"State": "associated"}}],
        "Routes": [{"DestinationCidrBlock": VPC_CIDR, "GatewayId": "local", "Origin": "CreateRouteTable",
                    "State": "active"},
                   {"DestinationIpv6CidrBlock": VPC6_CIDR, "GatewayId": "local", "Origin": "CreateRouteTable",
                    "State": "active"}]}]}
    d["describe-vpc-attribute-enableDnsSupport"] = {"VpcId": VPC, "EnableDnsSupport": {"Value": True}}
    d["describe-vpc-attribute-enableDnsHostnames"] = {"VpcId": VPC, "EnableDnsHostnames": {"Value": True}}
    return d


def sg(d, gid):
    return next(g for g in d["describe-security-groups"]["SecurityGroups"] if g["GroupId"] == gid)


def acl(d, aid):
    return next(a for a in d["describe-network-acls"]["NetworkAcls"] if a["NetworkAclId"] == aid)


def aws_scenarios():
    h = aws_healthy()
    out = {"healthy": h}

    d = copy.deepcopy(h)  # endpoint SG lacks 6432
    g = sg(d, SG_EP)
    g["IpPermissions"] = [p for p in g["IpPermissions"] if p["FromPort"] != 6432]
    out["sg-missing-6432"] = d

    d = copy.deepcopy(h)  # endpoint NACL egress mirrors the inbound ports: no ephemeral return
    a = acl(d, ACL_EP)
    a["Entries"] = [e for e in a["Entries"] if not (e["Egress"] and e["RuleNumber"] in (100, 101))]
    a["Entries"][0:0] = [*dual(100, True, "allow", TCP, ports=(5432, 5433)),
                         *dual(110, True, "allow", TCP, ports=(6432, 6432))]
    out["nacl-no-ephemeral"] = d

    out["refused-5433"] = copy.deepcopy(h)  # configuration is fine; nothing listens

    d = copy.deepcopy(h)  # an explicit deny on 5432 from the client subnet, before the allow
    a = acl(d, ACL_EP)
    a["Entries"][0:0] = dual(90, False, "deny", TCP, cidr="10.40.1.0/24", ports=(5432, 5432),
                             cidr6="fd40:0:0:1::/64")
    out["icmp-admin-prohibited"] = d

    d = copy.deepcopy(h)  # v6-dropped: the endpoint SG's rules name the IPv4 range only (no Ipv6Ranges)
    for p in sg(d, SG_EP)["IpPermissions"]:
        p["Ipv6Ranges"] = []
    out["v6-dropped"] = d

    d = copy.deepcopy(h)  # private DNS not enabled on the endpoint: names answer public
    ep = d["describe-vpc-endpoints"]["VpcEndpoints"][0]
    ep["PrivateDnsEnabled"] = False
    ep["DnsEntries"] = [e for e in ep["DnsEntries"] if e["DnsName"].endswith("vpce.amazonaws.com")]
    out["dns-public"] = d
    return out


# ---- Azure -----------------------------------------------------------------
SUBSCRIPTION = "00000000-0000-4000-8000-00000000a1ab"
RG = "pgreach-lab-rg"
ARM = f"/subscriptions/{SUBSCRIPTION}/resourceGroups/{RG}/providers"
VNET_ID = f"{ARM}/Microsoft.Network/virtualNetworks/lab-vnet"
NSG_ID = f"{ARM}/Microsoft.Network/networkSecurityGroups/lab-pe-nsg"
RT_ID = f"{ARM}/Microsoft.Network/routeTables/lab-rt"
PE_ID = f"{ARM}/Microsoft.Network/privateEndpoints/labserver-pe"
ZONE_ID = f"{ARM}/Microsoft.Network/privateDnsZones/privatelink.postgres.database.azure.com"
SERVER_ID = f"{ARM}/Microsoft.DBforPostgreSQL/flexibleServers/labserver"


def subnet_id(name):
    return f"{VNET_ID}/subnets/{name}"


def nsg_rule(name, prio, direction, access, proto, src, sport, dst, dport, desc=""):
    r = {"name": name, "id": f"{NSG_ID}/securityRules/{name}", "priority": prio, "direction": direction,
         "access": access, "protocol": proto, "provisioningState": "Succeeded", "description": desc}
    r["sourceAddressPrefix"] = src
    r["sourcePortRange"] = sport
    r["destinationAddressPrefix"] = dst
    if isinstance(dport, list):
        r["destinationPortRanges"] = dport
    else:
        r["destinationPortRange"] = dport
    return r


def default_nsg_rules():
    rows = [
        ("AllowVnetInBound", 65000, "Inbound", "Allow", "VirtualNetwork", "VirtualNetwork"),
        ("AllowAzureLoadBalancerInBound", 65001, "Inbound", "Allow", "AzureLoadBalancer", "*"),
        ("DenyAllInBound", 65500, "Inbound", "Deny", "*", "*"),
        ("AllowVnetOutBound", 65000, "Outbound", "Allow", "VirtualNetwork", "VirtualNetwork"),
        ("AllowInternetOutBound", 65001, "Outbound", "Allow", "*", "Internet"),
        ("DenyAllOutBound", 65500, "Outbound", "Deny", "*", "*"),
    ]
    out = []
    for name, prio, direction, access, src, dst in rows:
        r = nsg_rule(name, prio, direction, access, "*", src, "*", dst, "*")
        r["id"] = f"{NSG_ID}/defaultSecurityRules/{name}"
        out.append(r)
    return out


def azure_healthy():
    d = {}
    d["nsg"] = {
        "name": "lab-pe-nsg", "id": NSG_ID, "location": "eastus", "resourceGroup": RG,
        "type": "Microsoft.Network/networkSecurityGroups", "provisioningState": "Succeeded",
        "securityRules": [nsg_rule("AllowPostgresFromVnet", 200, "Inbound", "Allow", "Tcp", VPC_CIDR, "*", "*",
                                   ["5432", "5433", "6432"], "postgres and pgbouncer from the VNet")],
        "defaultSecurityRules": default_nsg_rules(),
        "subnets": [{"id": subnet_id("lab-pe-a"), "resourceGroup": RG}, {"id": subnet_id("lab-pe-b"), "resourceGroup": RG}],
    }
    d["private-endpoint"] = {
        "name": "labserver-pe", "id": PE_ID, "location": "eastus", "resourceGroup": RG,
        "type": "Microsoft.Network/privateEndpoints", "provisioningState": "Succeeded",
        "subnet": {"id": subnet_id("lab-pe-a"), "resourceGroup": RG},
        "customDnsConfigs": [{"fqdn": H_AZ, "ipAddresses": [EP_A]}],
        "networkInterfaces": [{"id": f"{ARM}/Microsoft.Network/networkInterfaces/labserver-pe.nic.0001",
                               "resourceGroup": RG}],
        "privateLinkServiceConnections": [{
            "name": "labserver-pe", "id": f"{PE_ID}/privateLinkServiceConnections/labserver-pe",
            "groupIds": ["postgresqlServer"], "privateLinkServiceId": SERVER_ID, "provisioningState": "Succeeded",
            "privateLinkServiceConnectionState": {"status": "Approved", "description": "Auto-approved",
                                                  "actionsRequired": "None"}}],
        "manualPrivateLinkServiceConnections": [],
    }
    d["dns-links"] = [{
        "name": "lab-vnet-link", "id": f"{ZONE_ID}/virtualNetworkLinks/lab-vnet-link", "resourceGroup": RG,
        "type": "Microsoft.Network/privateDnsZones/virtualNetworkLinks", "location": "global",
        "registrationEnabled": False, "virtualNetwork": {"id": VNET_ID, "resourceGroup": RG},
        "virtualNetworkLinkState": "Completed", "provisioningState": "Succeeded"}]
    d["dns-records"] = [{
        "name": "labserver", "id": f"{ZONE_ID}/A/labserver", "resourceGroup": RG,
        "type": "Microsoft.Network/privateDnsZones/A", "fqdn": H_AZ_PL + ".", "ttl": 10,
        "isAutoRegistered": False, "aRecords": [{"ipv4Address": EP_A}]}]
    # No user-defined route leaves the VNet: the lab has no default route.
    d["route-table"] = {
        "name": "lab-rt", "id": RT_ID, "location": "eastus", "resourceGroup": RG,
        "type": "Microsoft.Network/routeTables", "provisioningState": "Succeeded",
        "disableBgpRoutePropagation": True,
        "routes": [{"name": "vnet-local", "id": f"{RT_ID}/routes/vnet-local", "addressPrefix": VPC_CIDR,
                    "nextHopType": "VnetLocal", "provisioningState": "Succeeded"}],
        "subnets": [{"id": subnet_id("lab-client"), "resourceGroup": RG}]}

    def vsub(name, prefix, nsg=False, rt=False):
        s = {"name": name, "id": subnet_id(name), "addressPrefix": prefix, "provisioningState": "Succeeded",
             "privateEndpointNetworkPolicies": "Enabled", "privateLinkServiceNetworkPolicies": "Enabled",
             "resourceGroup": RG}
        if nsg:
            s["networkSecurityGroup"] = {"id": NSG_ID, "resourceGroup": RG}
        if rt:
            s["routeTable"] = {"id": RT_ID, "resourceGroup": RG}
        return s
    d["vnet"] = {
        "name": "lab-vnet", "id": VNET_ID, "location": "eastus", "resourceGroup": RG,
        "type": "Microsoft.Network/virtualNetworks", "provisioningState": "Succeeded",
        "addressSpace": {"addressPrefixes": [VPC_CIDR]},
        # The lab's resolver plays a custom DNS server that forwards to 168.63.129.16.
        "dhcpOptions": {"dnsServers": [DNS_IP]},
        "subnets": [vsub("lab-dns", "10.40.0.0/24"), vsub("lab-client", "10.40.1.0/24", rt=True),
                    vsub("lab-pe-a", "10.40.2.0/24", nsg=True), vsub("lab-pe-b", "10.40.3.0/24", nsg=True)]}
    return d


def azure_scenarios():
    h = azure_healthy()
    out = {"healthy": h}

    d = copy.deepcopy(h)
    d["nsg"]["securityRules"].insert(0, nsg_rule("DenyPgBouncer6432", 100, "Inbound", "Deny", "Tcp", "*", "*", "*",
                                                 "6432", "blocks pgbouncer"))
    out["sg-missing-6432"] = d

    d = copy.deepcopy(h)  # zone exists with its record, but is linked to no VNet
    d["dns-links"] = []
    out["azure-chain-broken"] = d

    d = copy.deepcopy(h)  # connection waiting for approval by the server owner
    c = d["private-endpoint"]["privateLinkServiceConnections"][0]
    d["private-endpoint"]["manualPrivateLinkServiceConnections"] = [c]
    d["private-endpoint"]["privateLinkServiceConnections"] = []
    c["privateLinkServiceConnectionState"] = {"status": "Pending", "description": "Awaiting approval",
                                              "actionsRequired": "None"}
    out["azure-pending"] = d
    return out


# ---- write / check -----------------------------------------------------------
def render():
    files = {}
    for cloud, scen in (("aws", aws_scenarios()), ("azure", azure_scenarios())):
        for name, docs in scen.items():
            for fname, doc in docs.items():
                files[os.path.join(cloud, name, fname + ".json")] = json.dumps(doc, indent=2) + "\n"
    return files


def main():
    check = "--check" in sys.argv[1:]
    bad = 0
    for rel, text in sorted(render().items()):
        path = os.path.join(HERE, rel)
        old = open(path).read() if os.path.exists(path) else None
        if old == text:
            continue
        if check:
            print(f"out of date: {rel}", file=sys.stderr)
            bad += 1
        else:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w") as f:
                f.write(text)
            print(f"wrote {rel}")
    if check and bad:
        print("run: python3 tests/lab/cloud/gen.py", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
