// The Azure evaluator on tests/data/cloud/azure/base: NSG priorities, service tags,
// routes, and the private endpoint's connection, zone link and record.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "cloud/azure_eval.h"
#include "util/strings.h"

using namespace pgreach;
using namespace pgreach::cloud;

namespace {

// The fixture as loaded: it has no effective-NSG export, so the client NIC's step is unknown.
AzureNetwork loaded() {
  auto net = loadAzureDir(std::string(PGREACH_SOURCE_DIR) + "/tests/data/cloud/azure/base");
  REQUIRE(net.ok());
  return std::move(*net);
}

// The fixture as if `az network nic list-effective-nsg` had been exported and listed no
// NSG on the client's NIC (`{"value": []}`): every step can be evaluated.
AzureNetwork base() {
  auto net = loaded();
  net.loadedKinds.push_back("EffectiveSecurityRules");
  return net;
}
net::IpAddress ip(const char* s) { return *net::IpAddress::parse(s); }

PathVerdict path(const AzureNetwork& n, const char* client, const char* endpoint, int port) {
  AzurePathQuery q;
  q.client = ip(client);
  q.endpoint = ip(endpoint);
  q.port = port;
  return evaluateAzurePath(n, q);
}

NsgRule rule(const std::string& name, int prio, bool allow, int port) {
  NsgRule r;
  r.name = name, r.priority = prio, r.inbound = true, r.allow = allow, r.protocol = kProtoTcp;
  r.sources = {"*"}, r.destinations = {"*"}, r.sourcePorts = {PortRange{}},
  r.destinationPorts = {PortRange{port, port}};
  return r;
}

void addRule(Nsg& n, NsgRule r) {
  n.rules.push_back(r);
  std::stable_sort(n.rules.begin(), n.rules.end(),
                   [](const NsgRule& a, const NsgRule& b) { return a.priority < b.priority; });
}

std::vector<AuditFinding> peFindings(const AzureNetwork& n) {
  AzureEndpointContext c;
  c.serverName = "mydb";
  c.client = ip("10.1.1.10");
  c.clientKnown = true;
  return auditAzureEndpoint(n, n.privateEndpoints[0], c);
}
bool hasCode(const std::vector<AuditFinding>& fs, const std::string& code) {
  return std::any_of(fs.begin(), fs.end(), [&](const AuditFinding& f) { return f.code == code; });
}

}  // namespace

TEST_CASE("azure fixture loads by shape", "[unit][cloud]") {
  auto n = base();
  CHECK(n.vnets.size() == 1);
  CHECK(n.nsgs.size() == 1);
  CHECK(n.nsgs[0].rules.size() == 8);
  CHECK(n.nsgs[0].rules.front().priority == 200);  // sorted by priority
  CHECK(n.privateEndpoints.size() == 1);
  CHECK(n.links.size() == 1);
  CHECK(n.links[0].zone == "privatelink.postgres.database.azure.com");
  CHECK(n.records.size() == 1);
  CHECK(n.routeTables.size() == 1);
}

TEST_CASE("azure healthy path is allowed by the rule at priority 200", "[unit][cloud]") {
  auto n = base();
  auto v = path(n, "10.1.1.10", "10.1.2.4", 5432);
  CHECK(v.reachable());
  CHECK(v.steps[3].decidedBy.find("AllowPostgres (priority 200") != std::string::npos);
  // The 0.0.0.0/0 -> Internet user route does not beat the endpoint's /32 system route.
  CHECK(v.steps[2].decidedBy.find("InterfaceEndpoint") != std::string::npos);
  CHECK(peFindings(n).empty());
}

TEST_CASE("azure priorities: a later deny, then a deny at 100 before an allow at 200", "[unit][cloud]") {
  auto n = base();
  auto v = path(n, "10.1.1.10", "10.1.2.4", 5433);  // only DenyOthers (300) matches
  REQUIRE_FALSE(v.reachable());
  CHECK(v.firstBlock()->code == "cloud.nsg_denied");
  CHECK(v.firstBlock()->decidedBy.find("DenyOthers (priority 300") != std::string::npos);
  CHECK(
      v.firstBlock()->fix.find(
          "az network nsg rule create --resource-group rg-test --nsg-name nsg-pe --name allow-postgres-5433 "
          "--priority 299") != std::string::npos);
  CHECK(v.firstBlock()->fix.find("--source-address-prefixes 10.1.1.10/32") != std::string::npos);

  addRule(n.nsgs[0], rule("DenyPg", 100, false, 5432));
  auto v2 = path(n, "10.1.1.10", "10.1.2.4", 5432);
  REQUIRE_FALSE(v2.reachable());
  CHECK(v2.firstBlock()->decidedBy.find("DenyPg (priority 100, Deny") != std::string::npos);
  CHECK(v2.firstBlock()->fix.find("--name DenyPg --priority 101") !=
        std::string::npos);  // nothing ranks above 100
  // At 250 the same deny comes after the allow and changes nothing.
  n.nsgs[0].rules.erase(n.nsgs[0].rules.begin());
  addRule(n.nsgs[0], rule("DenyPgLate", 250, false, 5432));
  CHECK(path(n, "10.1.1.10", "10.1.2.4", 5432).reachable());
}

TEST_CASE("azure service tags and defaults", "[unit][cloud]") {
  const std::vector<net::Cidr> vnet{*net::Cidr::parse("10.1.0.0/16")};
  CHECK(nsgPrefixMatches("VirtualNetwork", ip("10.1.5.5"), vnet));
  CHECK_FALSE(nsgPrefixMatches("VirtualNetwork", ip("10.2.5.5"), vnet));
  CHECK(nsgPrefixMatches("AzureLoadBalancer", ip("168.63.129.16"), vnet));
  CHECK_FALSE(nsgPrefixMatches("AzureLoadBalancer", ip("10.1.5.5"), vnet));
  CHECK(nsgPrefixMatches("Internet", ip("203.0.113.9"), vnet));
  CHECK_FALSE(nsgPrefixMatches("Internet", ip("10.1.5.5"), vnet));
  CHECK(nsgPrefixMatches("*", ip("10.9.9.9"), vnet));
  CHECK_FALSE(nsgPrefixMatches("Storage.EastUS", ip("10.1.5.5"), vnet));
  // Without custom rules the defaults decide: AllowVnetInBound (65000) admits VNet traffic,
  // DenyAllInBound (65500) the rest.
  auto n = base();
  auto& rules = n.nsgs[0].rules;
  rules.erase(std::remove_if(rules.begin(), rules.end(), [](const NsgRule& r) { return r.priority < 65000; }),
              rules.end());
  auto v = path(n, "10.1.1.10", "10.1.2.4", 5432);
  CHECK(v.reachable());
  CHECK(v.steps[3].decidedBy.find("AllowVnetInBound (priority 65000") != std::string::npos);
  auto d = evaluateNsg(n.nsgs[0], true, ip("10.7.0.1"), ip("10.1.2.4"), kProtoTcp, 5432,
                       {*net::Cidr::parse("10.1.0.0/16")});
  REQUIRE(d.rule);
  CHECK(d.rule->name == "DenyAllInBound");
  CHECK(freeNsgPriorityBelow(n.nsgs[0], true, 65500) == 4096);
}

TEST_CASE("azure network policies off: the subnet NSG does not filter the endpoint", "[unit][cloud]") {
  auto n = base();
  for (auto& s : n.vnets[0].subnets) s.privateEndpointNetworkPolicies = "Disabled";
  auto v = path(n, "10.1.1.10", "10.1.2.4", 5433);
  CHECK(v.reachable());
  CHECK(v.steps[3].outcome == StepOutcome::NotApplicable);
  CHECK(hasCode(peFindings(n), "cloud.azure_network_policies_disabled"));
}

TEST_CASE("azure routes: None drops, an appliance for the endpoint /32 is flagged", "[unit][cloud]") {
  auto n = base();
  n.routeTables[0].routes.push_back({"drop-pe", *net::Cidr::parse("10.1.2.4/32"), "None", ""});
  auto v = path(n, "10.1.1.10", "10.1.2.4", 5432);
  REQUIRE_FALSE(v.reachable());
  CHECK(v.firstBlock()->code == "cloud.route_blackhole");
  CHECK(v.firstBlock()->fix.find("route-table route delete") != std::string::npos);
  n.routeTables[0].routes.back() = {"via-fw", *net::Cidr::parse("10.1.2.4/32"), "VirtualAppliance",
                                    "10.1.9.4"};
  auto v2 = path(n, "10.1.1.10", "10.1.2.4", 5432);
  CHECK(v2.reachable());
  CHECK(v2.steps[2].note.find("10.1.9.4") != std::string::npos);
  CHECK(hasCode(peFindings(n), "cloud.azure_route_appliance"));
}

TEST_CASE("azure unlinked zone, a pending connection, a wrong record", "[unit][cloud]") {
  auto n = base();
  n.links.clear();
  auto fs = peFindings(n);
  REQUIRE(hasCode(fs, "cloud.azure_zone_not_linked"));
  CHECK(fs[0].fix.find("az network private-dns link vnet create") != std::string::npos);
  n = base();
  n.links[0].state = "InProgress";
  CHECK(hasCode(peFindings(n), "cloud.azure_zone_not_linked"));
  n = base();
  n.privateEndpoints[0].connections[0].status = "Pending";
  CHECK(hasCode(peFindings(n), "cloud.azure_connection_pending"));
  n = base();
  n.records[0].addresses = {ip("10.1.2.99")};
  CHECK(hasCode(peFindings(n), "cloud.azure_record_mismatch"));
  n.records.clear();
  CHECK(hasCode(peFindings(n), "cloud.azure_record_missing"));
  n = base();
  n.privateEndpoints[0].connections[0].groupIds = {"sqlServer"};
  CHECK(hasCode(peFindings(n), "cloud.azure_wrong_group_id"));
}

TEST_CASE("azure effective NSG export parses expanded prefixes", "[unit][cloud]") {
  AzureNetwork n;
  auto doc = Json::parse(
      R"({"value":[{"networkSecurityGroup":{"id":"/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/nic-nsg"},
    "association":{"networkInterface":{"id":"/x/nic1"}},
    "effectiveSecurityRules":[
     {"name":"securityRules/DenyPgOut","protocol":"Tcp","sourcePortRange":"0-65535","destinationPortRange":"5432-5432",
      "expandedSourceAddressPrefix":[],"expandedDestinationAddressPrefix":["10.1.2.0/24"],"sourceAddressPrefix":"*",
      "destinationAddressPrefix":"10.1.2.0/24","access":"Deny","priority":150,"direction":"Outbound"},
     {"name":"defaultSecurityRules/AllowVnetOutBound","protocol":"All","sourcePortRange":"0-65535","destinationPortRange":"0-65535",
      "expandedSourceAddressPrefix":["10.1.0.0/16"],"expandedDestinationAddressPrefix":["10.1.0.0/16"],
      "access":"Allow","priority":65000,"direction":"Outbound"}]}]})");
  REQUIRE(mergeAzureExport(n, "effective.json", doc).ok());
  REQUIRE(n.nsgs.size() == 1);
  CHECK(n.nsgs[0].effective);
  CHECK(n.nsgs[0].rules[0].name == "DenyPgOut");
  CHECK(n.nsgs[0].rules[1].sources == std::vector<std::string>{"10.1.0.0/16"});
  auto base_ = base();
  base_.nsgs.push_back(n.nsgs[0]);
  auto v = path(base_, "10.1.1.10", "10.1.2.4", 5432);
  REQUIRE_FALSE(v.reachable());
  CHECK(v.firstBlock()->component == "client NIC network security group outbound");
  CHECK(v.firstBlock()->decidedBy.find("DenyPgOut") != std::string::npos);
}

TEST_CASE("azure: an NSG seen in nsg list and in a NIC's effective rules applies to its subnet once",
          "[unit][cloud]") {
  auto n = base();
  const AzureSubnet* subnet = nullptr;
  for (const auto& v : n.vnets) {
    for (const auto& s : v.subnets) {
      if (!n.nsgsForSubnet(s).empty()) subnet = &s;
    }
  }
  REQUIRE(subnet != nullptr);
  const auto before = n.nsgsForSubnet(*subnet).size();
  Nsg copy = *n.nsgsForSubnet(*subnet).front();
  copy.effective = true;
  copy.id = util::toLower(copy.id);  // ids compare case-insensitively
  copy.subnetIds = {subnet->id};
  const std::string subnetId = subnet->id;
  n.nsgs.push_back(copy);
  CHECK(n.nsgsForSubnet(*n.subnetById(subnetId)).size() == before);
}

TEST_CASE("azure: an endpoint without customDnsConfigs takes its address from its NIC export",
          "[unit][cloud]") {
  const std::string nicId =
      "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/networkInterfaces/pe.nic.1";
  const auto pe = nlohmann::json::parse(R"([{"name": "pe", "customDnsConfigs": [],
      "networkInterfaces": [{"id": ")" + nicId +
                                        R"("}],
      "privateLinkServiceConnections": [{"name": "c", "groupIds": ["postgresqlServer"],
        "privateLinkServiceConnectionState": {"status": "Approved"}}]}])");
  // `az network nic list`: the endpoint's NIC (id differing in case only) and another one.
  const auto nics = nlohmann::json::parse(R"([
      {"id": ")" + util::toLower(nicId) + R"(", "type": "Microsoft.Network/networkInterfaces",
       "ipConfigurations": [{"privateIPAddress": "10.1.2.7"}, {"privateIPAddress": null}]},
      {"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/networkInterfaces/vm",
       "ipConfigurations": [{"privateIPAddress": "10.1.1.10"}]}])");
  AzureNetwork n;
  REQUIRE(mergeAzureExport(n, "pe.json", pe).ok());
  linkEndpointNics(n);
  CHECK(n.privateEndpoints[0].addresses().empty());  // no NIC export yet: nothing to evaluate
  REQUIRE(mergeAzureExport(n, "nics.json", nics).ok());
  CHECK(n.has("NetworkInterface"));
  linkEndpointNics(n);
  REQUIRE(n.privateEndpoints[0].addresses().size() == 1);
  CHECK(n.privateEndpoints[0].addresses()[0] == ip("10.1.2.7"));

  // A NIC whose address is not an address names the file and the field.
  auto bad = nlohmann::json::parse(R"([{"id": ")" + nicId +
                                   R"(", "ipConfigurations": [{"privateIPAddress": "10.1.2"}]}])");
  auto r = mergeAzureExport(n, "nics-bad.json", bad);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().find("nics-bad.json") != std::string::npos);
  CHECK(r.error().find("[0].ipConfigurations[0].privateIPAddress") != std::string::npos);
}

TEST_CASE("azure: without an effective-NSG export the client NIC step is not verified, not n/a",
          "[unit][cloud]") {
  auto n = loaded();
  auto v = path(n, "10.1.1.10", "10.1.2.4", 5432);
  INFO(v.summary());
  CHECK(v.state() == PathState::NotVerified);
  CHECK_FALSE(v.blocked());
  REQUIRE(v.unknownSteps().size() == 1);
  const PathStep& nic = *v.unknownSteps().front();
  CHECK(nic.component == "client NIC network security group outbound");
  CHECK(util::startsWith(nic.settleWith, "az network nic list-effective-nsg "));
  // With a NIC export holding the client, the command carries its id.
  const std::string nicId =
      "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/networkInterfaces/vm";
  n.nics.push_back({nicId, {ip("10.1.1.10")}, {}});
  v = path(n, "10.1.1.10", "10.1.2.4", 5432);
  CHECK(v.unknownSteps().front()->settleWith ==
        "az network nic list-effective-nsg --ids " + nicId + " -o json");
  // Exported (even empty): evaluated, and no NSG on the NIC is not applicable.
  CHECK(path(base(), "10.1.1.10", "10.1.2.4", 5432).state() == PathState::Reachable);
}

TEST_CASE("azure: a client in no exported VNet gets no claimed system route", "[unit][cloud]") {
  auto v = path(base(), "192.168.7.7", "10.1.2.4", 5432);
  const PathStep* route = nullptr;
  for (const auto& s : v.steps) {
    if (s.component == "client subnet route table") route = &s;
  }
  REQUIRE(route != nullptr);
  CHECK(route->outcome == StepOutcome::Unknown);
  CHECK(route->decidedBy.find("/32") == std::string::npos);
  CHECK(route->note.find("not in an exported VNet") != std::string::npos);
  CHECK(route->settleWith == "az network vnet list -o json");
}

TEST_CASE("azure: a pending connection without a name is named by its endpoint", "[unit][cloud]") {
  auto n = base();
  n.privateEndpoints[0].connections[0].status = "Pending";
  n.privateEndpoints[0].connections[0].name.clear();
  bool named = false;
  for (const auto& f : peFindings(n)) {
    if (f.code != "cloud.azure_connection_pending") continue;
    CHECK(f.summary.find("connection  is") == std::string::npos);
    named = f.summary.find("of private endpoint " + n.privateEndpoints[0].name + " is Pending") !=
            std::string::npos;
  }
  CHECK(named);
}
