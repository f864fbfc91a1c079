#include "cloud/json_fields.h"
#include "util/json_dump.h"

#include <cmath>
#include <limits>

namespace pgreach::cloud {

std::string describeValue(const Json& v) {
  switch (v.type()) {
    case Json::value_t::null:
      return "null";
    case Json::value_t::object:
      return "an object";
    case Json::value_t::array:
      return "an array";
    case Json::value_t::string: {
      std::string s = v.get<std::string>();
      if (s.size() > 60) s = s.substr(0, 57) + "...";
      return "\"" + s + "\"";
    }
    case Json::value_t::boolean:
      return v.get<bool>() ? "true" : "false";
    default:
      return util::dumpJson(v);
  }
}

std::string fieldPath(std::string_view path, std::string_view key) {
  if (path.empty()) return std::string(key);
  std::string out(path);
  out += '.';
  out += key;
  return out;
}

std::string indexPath(std::string_view path, size_t i) {
  std::string out(path);
  out += '[';
  out += std::to_string(i);
  out += ']';
  return out;
}

void fail(const std::string& path, const std::string& what) { throw FieldError(path + ": " + what); }

namespace {
const Json* find(const Json& parent, std::string_view key, std::string_view path) {
  if (!parent.is_object())
    fail(path.empty() ? std::string("(top level)") : std::string(path),
         "expected an object, got " + describeValue(parent));
  auto it = parent.find(std::string(key));
  if (it == parent.end() || it->is_null()) return nullptr;
  return &*it;
}
const Json& need(const Json& parent, std::string_view key, std::string_view path) {
  const Json* v = find(parent, key, path);
  if (!v) fail(fieldPath(path, key), "missing");
  return *v;
}
void expect(bool ok, const Json& v, std::string_view path, std::string_view key, const char* what) {
  if (!ok) fail(fieldPath(path, key), std::string("expected ") + what + ", got " + describeValue(v));
}
long long toInt(const Json& v, std::string_view path, std::string_view key) {
  // 2^63: the first double past long long's range. Casting a double outside the range
  // (6.9e90 as a FromPort, found by the cloud_export fuzzer) is undefined behaviour.
  constexpr double kRangeEnd = 9223372036854775808.0;
  if (v.is_number_unsigned()) {
    const auto u = v.get<unsigned long long>();
    if (u <= static_cast<unsigned long long>(std::numeric_limits<long long>::max()))
      return static_cast<long long>(u);
  } else if (v.is_number_integer()) {
    return v.get<long long>();
  } else if (v.is_number_float()) {
    const double d = v.get<double>();
    if (std::isfinite(d) && std::trunc(d) == d && d >= -kRangeEnd && d < kRangeEnd)
      return static_cast<long long>(d);
  }
  expect(false, v, path, key, v.is_number() ? "a whole number in range" : "a number");
  return 0;
}
net::Cidr toCidr(const Json& v, std::string_view path, std::string_view key) {
  expect(v.is_string(), v, path, key, "a CIDR block string");
  auto c = net::Cidr::parse(v.get<std::string>());
  if (!c) fail(fieldPath(path, key), "expected a CIDR block, got " + describeValue(v));
  return *c;
}
}  // namespace

const Json& requireObject(const Json& parent, std::string_view key, std::string_view path) {
  const Json& v = need(parent, key, path);
  expect(v.is_object(), v, path, key, "an object");
  return v;
}
const Json& requireArray(const Json& parent, std::string_view key, std::string_view path) {
  const Json& v = need(parent, key, path);
  expect(v.is_array(), v, path, key, "an array");
  return v;
}
const Json* optArray(const Json& parent, std::string_view key, std::string_view path) {
  const Json* v = find(parent, key, path);
  if (v) expect(v->is_array(), *v, path, key, "an array");
  return v;
}
const Json* optObject(const Json& parent, std::string_view key, std::string_view path) {
  const Json* v = find(parent, key, path);
  if (v) expect(v->is_object(), *v, path, key, "an object");
  return v;
}
std::string requireString(const Json& parent, std::string_view key, std::string_view path) {
  const Json& v = need(parent, key, path);
  expect(v.is_string(), v, path, key, "a string");
  return v.get<std::string>();
}
std::optional<std::string> optString(const Json& parent, std::string_view key, std::string_view path) {
  const Json* v = find(parent, key, path);
  if (!v) return std::nullopt;
  expect(v->is_string(), *v, path, key, "a string");
  return v->get<std::string>();
}
long long requireInt(const Json& parent, std::string_view key, std::string_view path) {
  return toInt(need(parent, key, path), path, key);
}
std::optional<long long> optInt(const Json& parent, std::string_view key, std::string_view path) {
  const Json* v = find(parent, key, path);
  if (!v) return std::nullopt;
  return toInt(*v, path, key);
}
std::optional<bool> optBool(const Json& parent, std::string_view key, std::string_view path) {
  const Json* v = find(parent, key, path);
  if (!v) return std::nullopt;
  expect(v->is_boolean(), *v, path, key, "true or false");
  return v->get<bool>();
}
bool requireBool(const Json& parent, std::string_view key, std::string_view path) {
  const Json& v = need(parent, key, path);
  expect(v.is_boolean(), v, path, key, "true or false");
  return v.get<bool>();
}
net::Cidr requireCidr(const Json& parent, std::string_view key, std::string_view path) {
  return toCidr(need(parent, key, path), path, key);
}
std::optional<net::Cidr> optCidr(const Json& parent, std::string_view key, std::string_view path) {
  const Json* v = find(parent, key, path);
  if (!v) return std::nullopt;
  return toCidr(*v, path, key);
}
std::vector<std::string> optStringArray(const Json& parent, std::string_view key, std::string_view path) {
  std::vector<std::string> out;
  const Json* a = optArray(parent, key, path);
  if (!a) return out;
  const std::string p = fieldPath(path, key);
  for (size_t i = 0; i < a->size(); ++i) {
    const Json& e = (*a)[i];
    if (!e.is_string()) fail(indexPath(p, i), "expected a string, got " + describeValue(e));
    out.push_back(e.get<std::string>());
  }
  return out;
}
const Json& elementObject(const Json& array, size_t i, std::string_view arrayPath) {
  const Json& e = array[i];
  if (!e.is_object()) fail(indexPath(arrayPath, i), "expected an object, got " + describeValue(e));
  return e;
}

}  // namespace pgreach::cloud
