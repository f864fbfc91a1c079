// Loads a folder of AWS exports and evaluates every client→endpoint path: each
// non-endpoint interface to every endpoint interface in its VPC, on port 5432.
// Prints phase timings as one JSON line (for bench_audit.sh).
#include <chrono>
#include <iostream>
#include <map>

#include "cloud/aws_eval.h"

using namespace pgreach::cloud;
using Clock = std::chrono::steady_clock;

static double ms(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: pgreach_bench_audit EXPORT_DIR [PORT]\n";
    return 2;
  }
  const int port = argc > 2 ? std::atoi(argv[2]) : 5432;
  const auto t0 = Clock::now();
  auto acc = loadAwsDir(argv[1]);
  if (!acc) {
    std::cerr << acc.error() << "\n";
    return 1;
  }
  const auto t1 = Clock::now();
  std::map<std::string, std::vector<pgreach::net::IpAddress>> endpointsByVpc;
  for (const auto& ep : acc->endpoints) {
    for (const auto& a : endpointAddresses(*acc, ep)) endpointsByVpc[ep.vpcId].push_back(a);
  }
  size_t paths = 0, reachable = 0, rules = 0;
  std::map<std::string, size_t> blockedBy;
  for (const auto& g : acc->securityGroups) rules += g.ingress.size() + g.egress.size();
  for (const auto& eni : acc->interfaces) {
    if (eni.type == "vpc_endpoint" || eni.addresses.empty()) continue;
    for (const auto& ep : endpointsByVpc[eni.vpcId]) {
      AwsPathQuery q;
      q.client = eni.addresses.front();
      q.endpoint = ep;
      q.port = port;
      auto v = evaluateAwsPath(*acc, q);
      ++paths;
      if (const PathStep* b = v.firstBlock()) ++blockedBy[b->code];
      else ++reachable;
    }
  }
  const auto t2 = Clock::now();
  std::cout << "{\"security_groups\":" << acc->securityGroups.size() << ",\"sg_rules\":" << rules
            << ",\"nacls\":" << acc->networkAcls.size() << ",\"subnets\":" << acc->subnets.size()
            << ",\"interfaces\":" << acc->interfaces.size() << ",\"paths\":" << paths << ",\"reachable\":" << reachable
            << ",\"load_ms\":" << ms(t0, t1) << ",\"evaluate_ms\":" << ms(t1, t2) << ",\"total_ms\":" << ms(t0, t2)
            << ",\"blocked_by\":{";
  bool first = true;
  for (const auto& [code, n] : blockedBy) {
    std::cout << (first ? "" : ",") << "\"" << code << "\":" << n;
    first = false;
  }
  std::cout << "}}\n";
  return 0;
}
