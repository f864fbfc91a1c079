#pragma once
// The registry of checks, built on first use. Checks add themselves from their own
// translation unit with `namespace { engine::RegisterCheck<MyCheck> registered; }`.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "engine/check.h"

namespace pgreach::engine {

using CheckFactory = std::function<std::unique_ptr<Check>()>;

class Registry {
 public:
  static Registry& instance();
  // Throws std::logic_error on a duplicate id.
  void add(CheckFactory factory);
  // Fresh instances of every registered check, in registration order.
  std::vector<std::unique_ptr<Check>> createAll() const;
  std::vector<CheckInfo> infos() const;

 private:
  std::vector<CheckFactory> factories_;
  std::vector<std::string> ids_;
};

template <typename T>
struct RegisterCheck {
  RegisterCheck() {
    Registry::instance().add([] { return std::make_unique<T>(); });
  }
};

}  // namespace pgreach::engine
