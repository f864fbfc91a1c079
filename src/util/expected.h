#pragma once
// Expected<T>: a value, or an error message for an operational failure of our own
// (an unreadable file, a malformed connection string). Network behaviour is never an
// Expected error: it is a Finding.
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace pgreach {

struct Error {
  std::string message;
};

template <typename T>
class Expected {
 public:
  Expected(T value) : v_(std::move(value)) {}      // NOLINT: implicit by design
  Expected(Error error) : v_(std::move(error)) {}  // NOLINT
  bool ok() const { return std::holds_alternative<T>(v_); }
  explicit operator bool() const { return ok(); }
  T& value() { return std::get<T>(v_); }
  const T& value() const { return std::get<T>(v_); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() { return value(); }
  const T& operator*() const { return value(); }
  const std::string& error() const { return std::get<Error>(v_).message; }

 private:
  std::variant<T, Error> v_;
};

inline Error makeError(std::string message) { return Error{std::move(message)}; }

}  // namespace pgreach
