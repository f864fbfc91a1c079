#pragma once
// A registry of named entries, built on first use. The one template behind the check
// registry (engine/registry.h), the report formats (reports/render.h) and the finding-code
// tables registered outside checks (engine/codes.h).
//
// Plugins add themselves from their own translation unit at static-initialisation time,
// into `Registry<T>::global()`. A duplicate name throws: two plugins claiming one name is a
// bug that must not depend on link order. Tests either build a Registry<T> of their own
// or add a fake to the global one for a scope (ScopedRegistration).
#include <algorithm>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pgreach::util {

template <typename T>
class Registry {
 public:
  using Entry = std::pair<std::string, T>;

  // The process-wide instance that self-registering plugins add to. A function-local
  // static, so it exists before the first static initialiser that registers into it.
  static Registry& global() {
    static Registry registry;
    return registry;
  }

  // Throws std::logic_error when `name` is taken.
  void add(std::string name, T entry) {
    if (find(name)) throw std::logic_error("duplicate registration: " + name);
    entries_.emplace_back(std::move(name), std::move(entry));
  }
  // Removes `name`; false when it was not there.
  bool remove(std::string_view name) {
    auto it = std::find_if(entries_.begin(), entries_.end(), [&](const Entry& e) { return e.first == name; });
    if (it == entries_.end()) return false;
    entries_.erase(it);
    return true;
  }
  // The entry called `name`, or nullptr. The pointer is valid until the next add/remove.
  const T* find(std::string_view name) const {
    for (const auto& e : entries_) {
      if (e.first == name) return &e.second;
    }
    return nullptr;
  }
  // Every entry, in registration order (which follows link order: sort where order shows).
  const std::vector<Entry>& entries() const { return entries_; }
  std::vector<std::string> names() const {
    std::vector<std::string> out;
    out.reserve(entries_.size());
    for (const auto& e : entries_) out.push_back(e.first);
    return out;
  }

 private:
  std::vector<Entry> entries_;
};

// Adds an entry for the lifetime of this object: how a test puts a fake into a global
// registry without leaving it behind for the next test.
template <typename T>
class ScopedRegistration {
 public:
  ScopedRegistration(Registry<T>& registry, std::string name, T entry)
      : registry_(registry), name_(std::move(name)) {
    registry_.add(name_, std::move(entry));
  }
  ~ScopedRegistration() { registry_.remove(name_); }
  ScopedRegistration(const ScopedRegistration&) = delete;
  ScopedRegistration& operator=(const ScopedRegistration&) = delete;

 private:
  Registry<T>& registry_;
  std::string name_;
};

}  // namespace pgreach::util
