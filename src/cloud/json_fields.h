#pragma once
// Typed access to fields of a cloud CLI export that names the exact place of anything
// malformed: `SecurityGroups[3].IpPermissions[0].FromPort: expected a number, got "abc"`.
// Loaders throw FieldError from deep inside a parse and turn it into an Expected error
// (with the file name in front) at their boundary.
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "net/address.h"
#include "util/expected.h"

namespace pgreach::cloud {

struct FieldError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

using Json = nlohmann::json;

// "abc" → "\"abc\"", 12 → "12", objects/arrays → "an object"/"an array", null → "null".
std::string describeValue(const Json& v);
// `path` + "." + key, or key alone when path is empty.
std::string fieldPath(std::string_view path, std::string_view key);
std::string indexPath(std::string_view path, size_t i);

[[noreturn]] void fail(const std::string& path, const std::string& what);

// Runs `parse` (returning bool or Expected<bool>), turning a FieldError or a JSON error thrown
// inside it into an Error naming the file: the loaders' boundary.
template <typename F>
Expected<bool> namingFile(const std::string& fileName, F&& parse) {
  try {
    return parse();
  } catch (const FieldError& e) {
    return makeError(fileName + ": " + e.what());
  } catch (const Json::exception& e) {
    return makeError(fileName + ": unexpected JSON shape (" + std::string(e.what()) + ")");
  }
}

// Required members throw when missing or of the wrong type; opt* return nullopt when
// missing or null, and throw when present with the wrong type.
const Json& requireObject(const Json& parent, std::string_view key, std::string_view path);
const Json& requireArray(const Json& parent, std::string_view key, std::string_view path);
const Json* optArray(const Json& parent, std::string_view key, std::string_view path);
const Json* optObject(const Json& parent, std::string_view key, std::string_view path);
std::string requireString(const Json& parent, std::string_view key, std::string_view path);
std::optional<std::string> optString(const Json& parent, std::string_view key, std::string_view path);
long long requireInt(const Json& parent, std::string_view key, std::string_view path);
std::optional<long long> optInt(const Json& parent, std::string_view key, std::string_view path);
std::optional<bool> optBool(const Json& parent, std::string_view key, std::string_view path);
bool requireBool(const Json& parent, std::string_view key, std::string_view path);
// A CIDR block string ("10.0.0.0/16"); a bare address is a host block.
net::Cidr requireCidr(const Json& parent, std::string_view key, std::string_view path);
std::optional<net::Cidr> optCidr(const Json& parent, std::string_view key, std::string_view path);
// An array of strings.
std::vector<std::string> optStringArray(const Json& parent, std::string_view key, std::string_view path);
// The element must be an object.
const Json& elementObject(const Json& array, size_t i, std::string_view arrayPath);

}  // namespace pgreach::cloud
