#pragma once
// Managed-Postgres providers and what follows from each: default ports, how the
// private hostname looks. What each provider is lives in one table,
// target/provider_profile.{h,cpp}; these functions read it.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pgreach::target {

// A provider is a row of the profile table (target/provider_profile.cpp), by position.
// The named constants are for code and tests that name one provider; a new provider is a
// new row and needs none (a unit test checks each constant names its row).
class Provider {
 public:
  constexpr Provider() = default;
  static constexpr Provider atRow(std::size_t row) { return Provider(row); }
  constexpr std::size_t row() const { return row_; }
  friend constexpr bool operator==(Provider a, Provider b) { return a.row_ == b.row_; }
  friend constexpr bool operator!=(Provider a, Provider b) { return a.row_ != b.row_; }

  static const Provider Generic, Neon, PlanetScale, Heroku, Azure;

 private:
  explicit constexpr Provider(std::size_t row) : row_(row) {}
  std::size_t row_ = 0;
};
inline constexpr Provider Provider::Generic{0};
inline constexpr Provider Provider::Neon{1};
inline constexpr Provider Provider::PlanetScale{2};
inline constexpr Provider Provider::Heroku{3};
inline constexpr Provider Provider::Azure{4};

std::string_view toString(Provider p);
std::optional<Provider> providerFromString(std::string_view name);
// The names --provider takes, generic last, joined by `separator` (help and error texts).
std::string providerNames(std::string_view separator);

// Detects the provider from a hostname by the profiles' host patterns: Neon *.neon.tech,
// PlanetScale *.psdb.cloud, Azure *.postgres.database.azure.com, Heroku's VPC endpoint
// names (*.vpce.amazonaws.com) and its ec2-*.compute*.amazonaws.com endpoint URLs.
// Anything else is Generic.
Provider detectProvider(std::string_view hostname);

// Whether the hostname is in the provider's private (PrivateLink) form.
bool isPrivateHostname(Provider p, std::string_view hostname);

// Ports to probe, sorted: the target's own port and the profile's default ports (Neon
// 5432; PlanetScale 5432, 6432; Heroku 5432, 5433; Azure 5432, 6432; Generic none).
std::vector<uint16_t> defaultPorts(Provider p, uint16_t targetPort);

}  // namespace pgreach::target
