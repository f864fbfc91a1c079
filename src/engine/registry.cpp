#include "engine/registry.h"

namespace pgreach::engine {

Registry& Registry::instance() {
  static Registry registry;
  return registry;
}

void Registry::add(CheckFactory factory) {
  std::string id = factory()->info().id;
  entries_.add(std::move(id), std::move(factory));
}

std::vector<std::unique_ptr<Check>> Registry::createAll() const {
  std::vector<std::unique_ptr<Check>> out;
  out.reserve(entries_.entries().size());
  for (const auto& [id, factory] : entries_.entries()) out.push_back(factory());
  return out;
}

std::vector<CheckInfo> Registry::infos() const {
  std::vector<CheckInfo> out;
  for (const auto& [id, factory] : entries_.entries()) out.push_back(factory()->info());
  return out;
}

}  // namespace pgreach::engine
