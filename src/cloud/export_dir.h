#pragma once
// Reading a folder of CLI exports: every regular, non-hidden file, parsed as JSON.
// A file that is not valid JSON (a truncated download) is an error naming the file.
#include <functional>
#include <string>
#include <vector>

#include "cloud/json_fields.h"
#include "engine/expected.h"

namespace pgreach::cloud {

struct ExportFile {
  std::string name;  // file name only, for messages
  Json doc;
};

// Files in name order, so results do not depend on directory order.
Expected<std::vector<ExportFile>> readExportDir(const std::string& dir);
// The same, one file at a time: each document is handed to `fn` and freed before the
// next is parsed (a 100k-rule account would otherwise hold every DOM at once). Stops at
// the first error, of reading or of `fn`.
Expected<bool> forEachExport(const std::string& dir,
                             const std::function<Expected<bool>(const std::string& name, const Json& doc)>& fn);
// Parses `text` as the content of `name`.
Expected<Json> parseExport(const std::string& name, const std::string& text);

}  // namespace pgreach::cloud
