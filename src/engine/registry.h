#pragma once
// The registry of checks, built on first use. Checks add themselves from their own
// translation unit with `namespace { engine::RegisterCheck<MyCheck> registered; }`.
// The bookkeeping (order, duplicates, scoped fakes) is util::Registry's; this adds what is
// particular to checks: the name is CheckInfo::id, and an entry is a factory.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "engine/check.h"
#include "util/registry.h"

namespace pgreach::engine {

using CheckFactory = std::function<std::unique_ptr<Check>()>;

class Registry {
 public:
  // The registry self-registering checks add to.
  static Registry& instance();
  // Throws std::logic_error on a duplicate id.
  void add(CheckFactory factory);
  // Fresh instances of every registered check, in registration order.
  std::vector<std::unique_ptr<Check>> createAll() const;
  std::vector<CheckInfo> infos() const;
  // The underlying entries, keyed by check id: a test adds a fake check for its scope with
  // util::ScopedRegistration<CheckFactory>(Registry::instance().entries(), id, factory).
  util::Registry<CheckFactory>& entries() { return entries_; }

 private:
  util::Registry<CheckFactory> entries_;
};

template <typename T>
struct RegisterCheck {
  RegisterCheck() {
    Registry::instance().add([] { return std::make_unique<T>(); });
  }
};

}  // namespace pgreach::engine
