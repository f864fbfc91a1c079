#pragma once
// A secret (password, token) kept apart from everything printable: it has no stream
// operator, no implicit conversion, and its only printable form is <HIDDEN>.
#include <string>
#include <utility>

namespace pgreach::util {

inline constexpr const char* kHidden = "<HIDDEN>";

class Secret {
 public:
  Secret() = default;
  explicit Secret(std::string value) : value_(std::move(value)) {}
  bool empty() const { return value_.empty(); }
  // Only for handing to libpq or to the redactor; never for output.
  const std::string& reveal() const { return value_; }
  const char* printable() const { return value_.empty() ? "" : kHidden; }

 private:
  std::string value_;
};

}  // namespace pgreach::util
