#pragma once
// Text a peer or a file chose: a server's error message or notice, server_version, a
// certificate subject, an export value. A type of its own so it is never mistaken for
// text pgreach wrote: checks keep it as received (raw(), for matching and for the JSON
// report, which escapes it) and put it into a finding or evidence line through shown(),
// with control characters made visible; each renderer then escapes it for its format,
// and the redactor sees the report's strings before any of that (reports::redactReport).
#include <string>
#include <utility>

#include "util/strings.h"

namespace pgreach::util {

class PeerText {
 public:
  PeerText() = default;
  explicit PeerText(std::string raw) : raw_(std::move(raw)) {}

  // As received; never print it as it is.
  const std::string& raw() const { return raw_; }
  // For a finding or evidence line: ESC, CR, LF... shown as \x1b, \r, \n.
  std::string shown() const { return escapeControl(raw_); }
  bool empty() const { return raw_.empty(); }

  bool operator==(const PeerText& o) const { return raw_ == o.raw_; }
  bool operator!=(const PeerText& o) const { return raw_ != o.raw_; }

 private:
  std::string raw_;
};

}  // namespace pgreach::util
