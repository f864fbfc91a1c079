#include "engine/registry.h"

#include <algorithm>
#include <stdexcept>

namespace pgreach::engine {

Registry& Registry::instance() {
  static Registry registry;
  return registry;
}

void Registry::add(CheckFactory factory) {
  auto probe = factory();
  const std::string id = probe->info().id;
  if (std::find(ids_.begin(), ids_.end(), id) != ids_.end()) {
    throw std::logic_error("duplicate check id registered: " + id);
  }
  ids_.push_back(id);
  factories_.push_back(std::move(factory));
}

std::vector<std::unique_ptr<Check>> Registry::createAll() const {
  std::vector<std::unique_ptr<Check>> out;
  out.reserve(factories_.size());
  for (const auto& f : factories_) out.push_back(f());
  return out;
}

std::vector<CheckInfo> Registry::infos() const {
  std::vector<CheckInfo> out;
  for (const auto& f : factories_) out.push_back(f()->info());
  return out;
}

}  // namespace pgreach::engine
