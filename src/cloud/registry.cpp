#include "cloud/registry.h"

#include <algorithm>

#include "cloud/aws_eval.h"
#include "cloud/azure_eval.h"

namespace pgreach::cloud {

CloudRegistry& clouds() {
  static CloudRegistry registry = [] {
    CloudRegistry r;
    // The table: one line per cloud.
    for (CloudKind kind : {awsCloud(), azureCloud()}) {
      std::string name = kind.kind;
      r.add(std::move(name), std::move(kind));
    }
    return r;
  }();
  return registry;
}

std::vector<const CloudKind*> cloudsInOrder() {
  std::vector<const CloudKind*> out;
  for (const auto& e : clouds().entries()) out.push_back(&e.second);
  std::sort(out.begin(), out.end(), [](const CloudKind* a, const CloudKind* b) { return a->kind < b->kind; });
  return out;
}

}  // namespace pgreach::cloud
