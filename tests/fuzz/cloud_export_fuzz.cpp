// Cloud CLI exports from anywhere: the same path the audit takes for each file of an
// export folder (parseExport, then mergeAwsExport / mergeAzureExport), then the
// evaluators over whatever loaded. Input: one or more files separated by NUL bytes,
// each "file name\ncontent" (the name matters: prefix-list ids, empty Azure arrays).
// Property: no crash, no hang; bad input is an Error. And whenever the fast
// security-group reader (aws_sg_fast.h) takes a file, it read what the exact reader reads.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "cloud/aws_eval.h"
#include "cloud/aws_model.h"
#include "cloud/aws_sg_fast.h"
#include "cloud/azure_eval.h"
#include "cloud/azure_model.h"
#include "cloud/export_dir.h"

namespace cloud = pgreach::cloud;
namespace net = pgreach::net;

namespace {

struct Piece {
  std::string name, text;
};

std::vector<Piece> split(std::string_view in) {
  std::vector<Piece> out;
  while (!in.empty() && out.size() < 16) {
    auto end = in.find('\0');
    auto chunk = in.substr(0, end);
    auto nl = chunk.find('\n');
    if (nl == std::string_view::npos || nl > 128) {
      out.push_back({"export.json", std::string(chunk)});
    } else {
      out.push_back({std::string(chunk.substr(0, nl)), std::string(chunk.substr(nl + 1))});
    }
    if (end == std::string_view::npos) break;
    in.remove_prefix(end + 1);
  }
  return out;
}

void evaluateAws(cloud::AwsAccount& acc) {
  acc.index();
  std::vector<net::IpAddress> addrs;
  for (const auto& eni : acc.interfaces) {
    for (const auto& a : eni.addresses) addrs.push_back(a);
  }
  if (auto a = net::IpAddress::parse("10.40.1.10")) addrs.push_back(*a);
  if (addrs.size() > 4) addrs.resize(4);
  for (const auto& client : addrs) {
    for (const auto& ep : addrs) {
      cloud::AwsPathQuery q;
      q.client = client;
      q.endpoint = ep;
      (void)cloud::evaluateAwsPath(acc, q);
    }
  }
  for (const auto& ep : acc.endpoints) {
    (void)cloud::auditAwsEndpoint(acc, ep, {"neon", cloud::regionFromName(ep.serviceName), ""});
    (void)cloud::endpointAddresses(acc, ep);
  }
  for (const auto& acl : acc.networkAcls) {
    if (addrs.empty()) break;
    (void)cloud::evaluateNaclRange(acl, false, addrs.front(), cloud::kProtoTcp, {1024, 65535});
    if (const auto* e = cloud::matchNacl(acl, true, addrs.front(), cloud::kProtoTcp, 5432)) {
      (void)cloud::freeRuleNumberBelow(acl, true, e->ruleNumber);
    }
  }
}

void evaluateAzure(const cloud::AzureNetwork& az) {
  std::vector<net::IpAddress> addrs;
  for (const auto& pe : az.privateEndpoints) {
    for (const auto& a : pe.addresses()) addrs.push_back(a);
  }
  if (auto a = net::IpAddress::parse("10.40.1.10")) addrs.push_back(*a);
  if (addrs.size() > 4) addrs.resize(4);
  for (const auto& client : addrs) {
    for (const auto& ep : addrs) {
      cloud::AzurePathQuery q;
      q.client = client;
      q.endpoint = ep;
      (void)cloud::evaluateAzurePath(az, q);
    }
  }
  for (const auto& pe : az.privateEndpoints) {
    cloud::AzureEndpointContext c;
    c.serverName = "labserver";
    c.client = addrs.back();
    c.clientKnown = true;
    (void)cloud::auditAzureEndpoint(az, pe, c);
  }
  for (const auto& nsg : az.nsgs) {
    auto d = cloud::evaluateNsg(nsg, true, addrs.back(), addrs.front(), cloud::kProtoTcp, 5432, {});
    if (d.rule) (void)cloud::freeNsgPriorityBelow(nsg, true, d.rule->priority);
  }
}

bool sameRules(const std::vector<cloud::SgRule>& a, const std::vector<cloud::SgRule>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].index != b[i].index || a[i].protocol != b[i].protocol || a[i].ports.from != b[i].ports.from ||
        a[i].ports.to != b[i].ports.to || a[i].describe() != b[i].describe())
      return false;
  }
  return true;
}

void checkFastSecurityGroups(const Piece& p) {
  std::vector<cloud::SecurityGroup> fast;
  if (!cloud::parseSecurityGroupsFast(p.text, fast)) return;
  cloud::AwsAccount exact;
  auto doc = cloud::parseExport(p.name, p.text);
  if (!doc || !cloud::mergeAwsExport(exact, p.name, *doc) || exact.securityGroups.size() != fast.size())
    std::abort();
  for (size_t i = 0; i < fast.size(); ++i) {
    const auto &f = fast[i], &e = exact.securityGroups[i];
    if (f.id != e.id || f.name != e.name || f.vpcId != e.vpcId || !sameRules(f.ingress, e.ingress) ||
        !sameRules(f.egress, e.egress))
      std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  cloud::AwsAccount aws;
  cloud::AzureNetwork azure;
  bool awsOk = true, azureOk = true;
  for (const auto& p : split(in)) {
    checkFastSecurityGroups(p);
    auto doc = cloud::parseExport(p.name, p.text);
    if (!doc) continue;
    if (awsOk && !cloud::mergeAwsExport(aws, p.name, *doc)) awsOk = false;
    if (azureOk && !cloud::mergeAzureExport(azure, p.name, *doc)) azureOk = false;
  }
  if (awsOk) evaluateAws(aws);
  if (azureOk) {
    cloud::linkEndpointNics(azure);  // as loadAzureDir does once every file is in
    evaluateAzure(azure);
  }
  return 0;
}
