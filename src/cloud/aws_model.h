#pragma once
// The AWS network model the audit evaluates, loaded from `aws ec2 describe-*` JSON
// exports (field names as the CLI prints them; DOMAIN.md section 5).
//
// Recognising files: by content, whatever they are called. The top-level key decides
// (Vpcs, Subnets, SecurityGroups, NetworkAcls, VpcEndpoints, NetworkInterfaces,
// RouteTables, EnableDnsSupport/EnableDnsHostnames from describe-vpc-attribute, Entries
// from get-managed-prefix-list-entries). A prefix-list file says which list it holds
// with a top-level "PrefixListId" key when present; otherwise the file name must start
// with the id (`pl-0123abcd.json`, `pl-0123abcd-entries.json`), because the CLI output
// itself does not carry it. Besides the CLI's list output, one object of a list (as
// `--query 'SecurityGroups[0]'` or a copy from the console prints it), a bare array of
// them (`--query 'SecurityGroups'`) and `create-*` output wrapped in one key
// (`{"NetworkAcl": {...}}`, `{"Subnet": {...}}`) are read as that list. Other files are
// listed as ignored, with the reason (outcomes).
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "cloud/export_shapes.h"
#include "cloud/json_fields.h"
#include "cloud/ports.h"
#include "net/address.h"
#include "util/expected.h"

namespace pgreach::cloud {

struct SgRule {
  int protocol = kProtoAll;
  PortRange ports;
  std::vector<net::Cidr> cidrs;          // IpRanges and Ipv6Ranges
  std::vector<std::string> prefixLists;  // PrefixListIds
  std::vector<std::string> groupRefs;    // UserIdGroupPairs[].GroupId
  size_t index = 0;                      // position in IpPermissions / IpPermissionsEgress
  std::string describe() const;          // "tcp 5432 from 10.0.0.0/16, sg-123"
};

struct SecurityGroup {
  std::string id, name, vpcId;
  std::vector<SgRule> ingress, egress;
};

struct NaclEntry {
  int ruleNumber = 0;
  int protocol = kProtoAll;
  PortRange ports;
  bool egress = false;
  net::Cidr cidr;
  bool allow = false;
  std::string describe() const;  // "rule 100 allow tcp 5432-5433 10.40.0.0/16"
};

struct NetworkAcl {
  std::string id, vpcId;
  bool isDefault = false;
  std::vector<std::string> subnetIds;
  std::vector<NaclEntry> entries;  // sorted by (egress, rule number)
};

struct Subnet {
  std::string id, vpcId, az;
  std::optional<net::Cidr> cidr;
  std::vector<net::Cidr> ipv6Cidrs;
};

struct Vpc {
  std::string id;
  std::vector<net::Cidr> cidrs;  // primary first
  std::optional<bool> dnsSupport, dnsHostnames;
};

struct Route {
  net::Cidr destination;
  std::string target;  // "local", "igw-...", "eni-...", "" when unknown
  bool blackhole = false;
};

struct RouteTable {
  std::string id, vpcId;
  bool main = false;
  std::vector<std::string> subnetIds;
  std::vector<Route> routes;
};

struct NetworkInterface {
  std::string id, type, subnetId, vpcId, az;
  std::vector<std::string> groups;
  std::vector<net::IpAddress> addresses;
};

struct VpcEndpoint {
  std::string id, type, vpcId, serviceName, state;
  std::optional<bool> privateDnsEnabled;
  // The families the endpoint answers on (IpAddressType: "ipv4", "dualstack", "ipv6") and
  // the records its private DNS publishes (DnsOptions.DnsRecordIpType: "ipv4", "dualstack",
  // "ipv6", "service-defined"), lower case; "" when the export predates them.
  std::string ipAddressType, dnsRecordIpType;
  std::vector<std::string> subnetIds, networkInterfaceIds, groups, dnsNames;
};

class AwsAccount {
 public:
  std::vector<Vpc> vpcs;
  std::vector<Subnet> subnets;
  std::vector<SecurityGroup> securityGroups;
  std::vector<NetworkAcl> networkAcls;
  std::vector<RouteTable> routeTables;
  std::vector<NetworkInterface> interfaces;
  std::vector<VpcEndpoint> endpoints;
  std::map<std::string, std::vector<net::Cidr>> prefixLists;
  std::vector<std::string> loadedKinds;   // "SecurityGroups", ... (what was present)
  std::vector<std::string> files;         // files read, with their kind
  std::vector<std::string> ignoredFiles;  // JSON of a shape we do not use
  std::vector<ExportOutcome> outcomes;    // every file, read or ignored, in name order

  bool has(std::string_view kind) const;
  // Rebuilds the lookup indexes; call after filling or changing the vectors.
  void index();

  const Vpc* vpc(const std::string& id) const;
  const Subnet* subnet(const std::string& id) const;
  const SecurityGroup* securityGroup(const std::string& id) const;
  const NetworkInterface* interface(const std::string& id) const;
  const NetworkInterface* interfaceByAddress(const net::IpAddress& a) const;
  const VpcEndpoint* endpoint(const std::string& id) const;
  // The subnet whose CIDR holds `a` (most specific), or nullptr.
  const Subnet* subnetContaining(const net::IpAddress& a) const;
  const NetworkAcl* naclForSubnet(const std::string& subnetId) const;
  // The explicitly associated table, else the VPC's main table.
  const RouteTable* routeTableForSubnet(const std::string& subnetId) const;
  // Whether an interface carrying `groupId` has address `a` (group references).
  bool addressCarriesGroup(const net::IpAddress& a, const std::string& groupId) const;

 private:
  std::unordered_map<std::string, size_t> vpcIdx_, subnetIdx_, sgIdx_, eniIdx_, vpceIdx_, naclBySubnet_,
      rtBySubnet_, mainRtByVpc_;
  struct AddressHash {
    size_t operator()(const net::IpAddress& a) const;
  };
  std::unordered_map<net::IpAddress, size_t, AddressHash> eniByAddr_;
};

// Parses one export and merges it into `account`. `fileName` is used in messages and,
// for prefix lists without a PrefixListId key, as the list id. Errors name the file and field.
Expected<bool> mergeAwsExport(AwsAccount& account, const std::string& fileName, const Json& doc);
// Reads every regular file in `dir` (not hidden ones), recognises exports by content.
Expected<AwsAccount> loadAwsDir(const std::string& dir);

}  // namespace pgreach::cloud
