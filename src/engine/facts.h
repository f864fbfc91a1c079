#pragma once
// Typed facts: what one check hands to a later check or to a renderer (resolved
// addresses, port results, handshake facts, the parsed cloud exports). Each kind is a
// struct deriving from Facts with one serialiser, toJson(), which is what the JSON
// report shows as the check's `data` and what report.schema.json describes.
//
// Readers ask for the kind they expect: `if (const auto* f = r.factsAs<TcpFacts>())`.
// A result whose check did not run, or ran into an error, has no facts; readers treat
// that as "nothing known", never as a pass.
#include <memory>
#include <nlohmann/json.hpp>

namespace pgreach::engine {

class Facts {
 public:
  virtual ~Facts() = default;
  virtual nlohmann::json toJson() const = 0;

 protected:
  Facts() = default;
  Facts(const Facts&) = default;
  Facts& operator=(const Facts&) = default;
};

}  // namespace pgreach::engine
