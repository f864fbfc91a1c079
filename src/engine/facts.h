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
#include <utility>

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

// Facts whose JSON form was changed after the check returned (a secret masked before
// rendering, a partial shape in a golden test): toJson() shows `shown`, while typed
// readers still get `inner` (CheckResult::factsAs looks through it).
class ShownFacts final : public Facts {
 public:
  ShownFacts(std::shared_ptr<const Facts> inner, nlohmann::json shown)
      : inner_(std::move(inner)), shown_(std::move(shown)) {
    // Shown twice (a golden report, then redacted): keep pointing at the typed facts.
    if (const auto* again = dynamic_cast<const ShownFacts*>(inner_.get())) {
      auto typed = again->inner_;
      inner_ = std::move(typed);
    }
  }
  nlohmann::json toJson() const override { return shown_; }
  const Facts* inner() const { return inner_.get(); }

 private:
  std::shared_ptr<const Facts> inner_;
  nlohmann::json shown_;
};

}  // namespace pgreach::engine
