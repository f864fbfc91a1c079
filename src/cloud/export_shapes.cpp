#include "cloud/export_shapes.h"

#include <map>

#include "util/strings.h"

namespace pgreach::cloud {

std::string kindLabel(const std::string& kind) {
  static const std::map<std::string, std::string> kLabels = {
      // AWS
      {"SecurityGroups", "security groups"},
      {"NetworkAcls", "network ACLs"},
      {"Subnets", "subnets"},
      {"Vpcs", "VPCs"},
      {"VpcEndpoints", "VPC endpoints"},
      {"NetworkInterfaces", "network interfaces"},
      {"RouteTables", "route tables"},
      {"EnableDnsSupport", "VPC attribute EnableDnsSupport"},
      {"EnableDnsHostnames", "VPC attribute EnableDnsHostnames"},
      {"PrefixListEntries", "prefix-list entries"},
      // Azure
      {"NetworkSecurityGroup", "NSGs"},
      {"EffectiveSecurityRules", "effective NSGs"},
      {"PrivateEndpoint", "private endpoints"},
      {"NetworkInterface", "network interfaces"},
      {"PrivateDnsLinks", "private DNS zone links"},
      {"ARecordSets", "A record sets"},
      {"RouteTable", "route tables"},
      {"VirtualNetwork", "virtual networks"},
      {"UnknownItems", "items of no known shape, not read"},
  };
  auto it = kLabels.find(kind);
  return it == kLabels.end() ? kind : it->second;
}

std::string ExportOutcome::describe() const {
  if (!read()) return file + ": ignored: " + reason;
  std::vector<std::string> parts;
  for (const auto& [kind, n] : contents) parts.push_back(kindLabel(kind) + ": " + std::to_string(n));
  return file + ": " + util::join(parts, ", ");
}

Json flattenArmProperties(const Json& doc) {
  if (doc.is_array()) {
    Json out = Json::array();
    for (const auto& e : doc) out.push_back(flattenArmProperties(e));
    return out;
  }
  if (!doc.is_object()) return doc;
  Json out = Json::object();
  for (const auto& [k, v] : doc.items()) {
    if (k == "properties" && v.is_object()) continue;
    out[k] = flattenArmProperties(v);
  }
  if (auto p = doc.find("properties"); p != doc.end() && p->is_object()) {
    for (const auto& [k, v] : p->items()) {
      if (!out.contains(k)) out[k] = flattenArmProperties(v);
    }
  }
  return out;
}

namespace {

// The first few keys, each cut short: the reason names the shape, it does not echo the file.
std::string keysOf(const Json& o) {
  constexpr size_t kMaxKeys = 6, kMaxKeyLength = 40;
  std::vector<std::string> keys;
  for (const auto& [k, v] : o.items()) {
    if (keys.size() == kMaxKeys) {
      keys.push_back("...");
      break;
    }
    keys.push_back(k.size() > kMaxKeyLength ? k.substr(0, kMaxKeyLength) + "..." : k);
  }
  return keys.empty() ? "none" : util::join(keys, ", ");
}

std::string kindOfValue(const Json& v) {
  if (v.is_object()) return "an object";
  if (v.is_array()) return "an array";
  if (v.is_string()) return "a string";
  if (v.is_boolean()) return "a boolean";
  if (v.is_null()) return "null";
  return "a number";
}

std::string listReason(const Json& list, const std::string& what) {
  if (list.empty()) return "an empty " + what + ": nothing in it says which kind of export it is";
  const Json& first = list.front();
  if (!first.is_object()) return "a " + what + " of " + kindOfValue(first) + " values, not an export";
  if (auto t = first.find("type"); t != first.end() && t->is_string() && !t->get<std::string>().empty())
    return "a " + what + " of Azure resources of type " + t->get<std::string>() +
           ", which pgreach does not read";
  return "a " + what + " of objects of no known export shape (keys of the first: " + keysOf(first) + ")";
}

}  // namespace

std::string unknownShapeReason(const Json& doc) {
  if (doc.is_array()) return listReason(doc, "JSON list");
  if (!doc.is_object()) return "a JSON document holding " + kindOfValue(doc) + ", not an export";
  if (auto t = doc.find("type"); t != doc.end() && t->is_string() && !t->get<std::string>().empty())
    return "an Azure resource of type " + t->get<std::string>() + ", which pgreach does not read";
  if (auto v = doc.find("value"); v != doc.end() && v->is_array())
    return listReason(*v, "{\"value\": [...]} list");
  // An ARM body without its `type` (the REST examples leave it out) still names its
  // kind in its id: .../networkSecurityGroups/nsg1/securityRules/rule1.
  if (auto id = doc.find("id"); id != doc.end() && id->is_string()) {
    const auto parts = util::split(id->get<std::string>(), '/');
    if (parts.size() >= 3 && id->get<std::string>().rfind("/subscriptions/", 0) == 0)
      return "an Azure resource (" + parts[parts.size() - 2] + " in its id), which pgreach does not read";
  }
  return "a JSON object of no known export shape (keys: " + keysOf(doc) + ")";
}

}  // namespace pgreach::cloud
