#!/usr/bin/env python3
"""Generates a synthetic AWS account as `aws ec2 describe-*` exports for the audit benchmark.

Full size (--scale 1): 100 VPCs, 5,000 subnets, 10,000 security groups with 100,000 rules,
2,000 network ACLs, 5,000 client interfaces (one per subnet, two groups each) and one
interface VPC endpoint per VPC with two interfaces. --scale 0.1 gives a tenth of everything
(VPC count included), for the growth measurement. Deterministic (seeded).
"""
import argparse, json, os, random

ap = argparse.ArgumentParser()
ap.add_argument("--scale", type=float, default=1.0)
ap.add_argument("--out", required=True)
a = ap.parse_args()
rnd = random.Random(7)
os.makedirs(a.out, exist_ok=True)
S = a.scale
n_vpcs, n_subnets, n_sgs, n_rules, n_acls = int(100 * S), int(5000 * S), int(10000 * S), int(100000 * S), int(2000 * S)
subnets_per_vpc, sgs_per_vpc, acls_per_vpc = n_subnets // n_vpcs, n_sgs // n_vpcs, n_acls // n_vpcs
rules_per_sg = n_rules // n_sgs

def dump(name, obj):
    with open(os.path.join(a.out, name), "w") as f:
        json.dump(obj, f, separators=(",", ":"))

vpcs, subnets, sgs, acls, rts, enis, eps = [], [], [], [], [], [], []
for v in range(n_vpcs):
    vid = "vpc-%08x" % v
    base = "10.%d" % (v % 250)
    vpcs.append({"VpcId": vid, "CidrBlock": base + ".0.0/16", "CidrBlockAssociationSet": [{"CidrBlock": base + ".0.0/16"}]})
    sg_ids = ["sg-%08x%04x" % (v, g) for g in range(sgs_per_vpc)]
    ep_sg = sg_ids[0]
    for g, gid in enumerate(sg_ids):
        ing, egr = [], []
        for r in range(rules_per_sg):
            port = rnd.choice([5432, 6432, 5433, 443, 22, 8080, 3306])
            perm = {"IpProtocol": rnd.choice(["tcp", "tcp", "tcp", "udp", "-1"]), "IpRanges": [], "Ipv6Ranges": [],
                    "PrefixListIds": [], "UserIdGroupPairs": []}
            if perm["IpProtocol"] != "-1":
                perm["FromPort"], perm["ToPort"] = port, port + rnd.choice([0, 0, 0, 10])
            kind = rnd.random()
            if kind < 0.8:
                perm["IpRanges"].append({"CidrIp": "%s.%d.0/24" % (base, rnd.randrange(subnets_per_vpc))})
            elif kind < 0.9:
                perm["UserIdGroupPairs"].append({"GroupId": rnd.choice(sg_ids), "UserId": "111122223333"})
            else:
                perm["Ipv6Ranges"].append({"CidrIpv6": "2600:1f18:%x::/56" % v})
            (ing if r % 2 == 0 else egr).append(perm)
        if g == 0:  # the endpoint group admits the VPC on 5432
            ing.append({"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432, "IpRanges": [{"CidrIp": base + ".0.0/16"}]})
        if g == 1:  # most clients may reach 5432
            egr.append({"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432, "IpRanges": [{"CidrIp": base + ".0.0/16"}]})
        sgs.append({"GroupId": gid, "GroupName": "g%d" % g, "VpcId": vid, "IpPermissions": ing, "IpPermissionsEgress": egr})
    sub_ids = []
    for s in range(subnets_per_vpc):
        sid = "subnet-%08x%04x" % (v, s)
        sub_ids.append(sid)
        subnets.append({"SubnetId": sid, "VpcId": vid, "CidrBlock": "%s.%d.0/24" % (base, s),
                        "AvailabilityZone": "us-east-1" + "abc"[s % 3], "State": "available"})
        enis.append({"NetworkInterfaceId": "eni-c%08x%04x" % (v, s), "InterfaceType": "interface", "SubnetId": sid, "VpcId": vid,
                     "AvailabilityZone": "us-east-1" + "abc"[s % 3],
                     "Groups": [{"GroupId": sg_ids[1 + (s % 3 != 0)]}, {"GroupId": rnd.choice(sg_ids)}],
                     "PrivateIpAddress": "%s.%d.10" % (base, s), "PrivateIpAddresses": [{"PrivateIpAddress": "%s.%d.10" % (base, s)}],
                     "TagSet": []})
    for n in range(acls_per_vpc):
        assoc = sub_ids[n::acls_per_vpc]
        entries = []
        for i in range(8):
            egress = i % 2 == 1
            entries.append({"RuleNumber": 100 + 10 * (i // 2), "Protocol": "6", "Egress": egress,
                            "CidrBlock": base + ".0.0/16", "RuleAction": "deny" if rnd.random() < 0.1 else "allow",
                            "PortRange": {"From": 1024, "To": 65535} if i < 2 else {"From": 5432, "To": 5433}})
        for egress in (False, True):
            entries.append({"RuleNumber": 32767, "Protocol": "-1", "Egress": egress, "CidrBlock": "0.0.0.0/0", "RuleAction": "deny"})
        acls.append({"NetworkAclId": "acl-%08x%04x" % (v, n), "VpcId": vid, "IsDefault": n == 0,
                     "Associations": [{"SubnetId": x} for x in assoc], "Entries": entries})
    rts.append({"RouteTableId": "rtb-%08x" % v, "VpcId": vid, "Associations": [{"Main": True}],
                "Routes": [{"DestinationCidrBlock": base + ".0.0/16", "GatewayId": "local", "State": "active"},
                           {"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": "igw-%08x" % v, "State": "active"}]})
    ep_enis = []
    for k in range(2):
        eid = "eni-e%08x%d" % (v, k)
        ep_enis.append(eid)
        enis.append({"NetworkInterfaceId": eid, "InterfaceType": "vpc_endpoint", "SubnetId": sub_ids[k], "VpcId": vid,
                     "AvailabilityZone": "us-east-1" + "ab"[k], "Groups": [{"GroupId": ep_sg}],
                     "PrivateIpAddress": "%s.%d.200" % (base, k), "PrivateIpAddresses": [{"PrivateIpAddress": "%s.%d.200" % (base, k)}],
                     "TagSet": []})
    eps.append({"VpcEndpointId": "vpce-%08x" % v, "VpcEndpointType": "Interface", "VpcId": vid,
                "ServiceName": "com.amazonaws.vpce.us-east-1.vpce-svc-0ccf08d7888526333", "State": "available",
                "PrivateDnsEnabled": True, "SubnetIds": sub_ids[:2], "NetworkInterfaceIds": ep_enis, "Groups": [{"GroupId": ep_sg}],
                "DnsEntries": []})

dump("describe-vpcs.json", {"Vpcs": vpcs})
dump("describe-subnets.json", {"Subnets": subnets})
dump("describe-security-groups.json", {"SecurityGroups": sgs})
dump("describe-network-acls.json", {"NetworkAcls": acls})
dump("describe-route-tables.json", {"RouteTables": rts})
dump("describe-network-interfaces.json", {"NetworkInterfaces": enis})
dump("describe-vpc-endpoints.json", {"VpcEndpoints": eps})
rules = sum(len(g["IpPermissions"]) + len(g["IpPermissionsEgress"]) for g in sgs)
print("vpcs=%d subnets=%d sgs=%d sg_rules=%d nacls=%d enis=%d endpoints=%d" % (len(vpcs), len(subnets), len(sgs), rules, len(acls), len(enis), len(eps)))
