#pragma once
// Last line of defence for secrets: every byte pgreach writes (reports, stderr, logs)
// passes through a Redactor that knows the run's secret values and the shapes secrets
// take (URI userinfo, password=..., PlanetScale pscale_pw_ tokens).
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace pgreach::util {

class Redactor {
 public:
  // Adds a literal secret value to mask wherever it appears (ignored when shorter
  // than 3 characters, which would mask ordinary text).
  void addSecret(std::string value);
  // Masks every known secret and secret-shaped token in `text`.
  std::string apply(std::string text) const;
  // The same for every string (and object key) in a JSON value, before it is dumped:
  // the secret is matched as the peer sent it, not as JSON escaped it.
  void applyToStrings(nlohmann::json& j) const;

 private:
  std::vector<std::string> secrets_;
};

// The pattern-based part alone (no literal secrets).
std::string redactPatterns(std::string text);

}  // namespace pgreach::util
