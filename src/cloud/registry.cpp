#include "cloud/registry.h"

#include <algorithm>

namespace pgreach::cloud {

CloudRegistry& clouds() { return CloudRegistry::global(); }

std::vector<const CloudKind*> cloudsInOrder() {
  std::vector<const CloudKind*> out;
  for (const auto& e : clouds().entries()) out.push_back(&e.second);
  std::sort(out.begin(), out.end(), [](const CloudKind* a, const CloudKind* b) { return a->kind < b->kind; });
  return out;
}

}  // namespace pgreach::cloud
