#include "engine/cloud_facts.h"

namespace pgreach::engine {

const cloud::CloudNetwork* CloudContextFacts::network(std::string_view kind) const {
  for (const auto& n : networks) {
    if (n->kind() == kind) return n.get();
  }
  return nullptr;
}

std::string CloudContextFacts::exportDir(std::string_view kind) const {
  auto it = exportDirs.find(kind);
  return it == exportDirs.end() ? std::string() : it->second;
}

nlohmann::json CloudContextFacts::toJson() const {
  nlohmann::json j = nlohmann::json::object();
  // Every export file, read (what it held) or ignored (why), for every cloud alike.
  nlohmann::json exportFiles = nlohmann::json::array();
  std::vector<std::string> ignored;
  auto list = [&](const std::string& cloud, const std::vector<cloud::ExportOutcome>& outcomes) {
    for (const auto& o : outcomes) {
      nlohmann::json contents = nlohmann::json::array();
      for (const auto& [kind, count] : o.contents) contents.push_back({{"kind", kind}, {"count", count}});
      nlohmann::json f = {{"cloud", cloud}, {"file", o.file}, {"read", o.read()}, {"contents", contents}};
      if (!o.read()) {
        f["reason"] = o.reason;
        ignored.push_back(o.file);
      }
      exportFiles.push_back(std::move(f));
    }
  };
  for (const auto& n : networks) {
    const std::string kind(n->kind());
    j[kind + "_dir"] = exportDir(kind);
    j[kind + "_files"] = n->files();
    list(kind, n->outcomes());
  }
  if (!networks.empty()) j["export_files"] = std::move(exportFiles);
  if (!ignored.empty()) j["ignored_files"] = ignored;
  if (!liveCommands.empty()) j["live_commands"] = liveCommands;
  if (imds)
    j["imds"] = {{"vpc_id", imds->vpcId}, {"interface_id", imds->interfaceId}, {"vpc_cidrs", imds->vpcCidrs}};
  j["client"] = {{"ip", client.ip ? client.ip->toString() : ""},
                 {"subnet_id", client.subnetId},
                 {"security_groups", client.securityGroups},
                 {"region", client.region},
                 {"az", client.az}};
  j["vpc_cidrs"] = vpcCidrs;
  j["platform_resolvers"] = platformResolvers;
  j["source"] = source;
  return j;
}

std::vector<std::string> AwsEndpointFacts::addresses() const {
  std::vector<std::string> out;
  for (const auto& e : endpoints) out.insert(out.end(), e.addresses.begin(), e.addresses.end());
  return out;
}

nlohmann::json AwsEndpointFacts::toJson() const {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& e : endpoints) {
    nlohmann::json allow = nlohmann::json::object();
    for (const auto& [port, allowed] : e.groupsAllowClient) allow[std::to_string(port)] = allowed;
    list.push_back({{"id", e.id},
                    {"state", e.state},
                    {"service_name", e.serviceName},
                    {"private_dns_enabled", e.privateDnsEnabled},
                    {"subnet_ids", e.subnetIds},
                    {"addresses", e.addresses},
                    {"security_groups_allow_client", allow}});
  }
  return {{"endpoints", std::move(list)}};
}

std::vector<std::string> AzureEndpointFacts::addresses() const {
  std::vector<std::string> out;
  for (const auto& e : endpoints) out.insert(out.end(), e.addresses.begin(), e.addresses.end());
  return out;
}

nlohmann::json AzureEndpointFacts::toJson() const {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& e : endpoints) {
    nlohmann::json conns = nlohmann::json::array();
    for (const auto& c : e.connections)
      conns.push_back({{"name", c.name}, {"status", c.status}, {"group_ids", c.groupIds}});
    list.push_back({{"name", e.name},
                    {"provisioning_state", e.provisioningState},
                    {"addresses", e.addresses},
                    {"connections", conns}});
  }
  return {{"endpoints", std::move(list)}};
}

nlohmann::json CloudPathFacts::toJson() const {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& v : paths) list.push_back(v.toJson());
  return {{"paths", std::move(list)}};
}

}  // namespace pgreach::engine
