#pragma once
// What became of each export file, and the shapes of export the loaders normalise before
// they parse: users paste the CLI's list output, one object from `show`/`describe`, ARM
// REST bodies with `properties` nested (what `az rest` and the portal's JSON view give),
// `{"value": [...]}` lists and `create` outputs wrapped in one key. The loaders bring all
// of them to the CLI's flat list shape once, at load time, so the evaluators see one model.
#include <string>
#include <utility>
#include <vector>

#include "cloud/json_fields.h"

namespace pgreach::cloud {

// One file of an export folder: read (what it held, kind by kind) or ignored (why). A
// file read may hold zero items (`{"value": []}`, the effective NSGs of a NIC without an
// NSG): that is evidence too, and is listed as read.
struct ExportOutcome {
  std::string file;
  std::vector<std::pair<std::string, size_t>> contents;  // kind ("SecurityGroups") → items
  std::string reason;                                    // why it was ignored; empty when read

  bool read() const { return reason.empty(); }
  // "sg.json: security groups: 3" / "notes.txt: ignored: not JSON (...)"
  std::string describe() const;
};

// How a kind reads in a sentence: "SecurityGroups" → "security groups".
std::string kindLabel(const std::string& kind);

// The ARM REST shape brought to the CLI's: every `properties` object is lifted into the
// object that holds it (keys the object already has win), at every depth.
Json flattenArmProperties(const Json& doc);

// Why a document of no known shape was refused, naming what it is: its ARM `type`, the
// keys of an object (the first few), or what a list holds.
std::string unknownShapeReason(const Json& doc);

}  // namespace pgreach::cloud
