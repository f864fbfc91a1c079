#pragma once
// Reading a folder of CLI exports: every regular, non-hidden file, parsed as JSON.
// A file that is not valid JSON (a truncated download) is an error naming the file.
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
// Parses `text` as the content of `name`.
Expected<Json> parseExport(const std::string& name, const std::string& text);

}  // namespace pgreach::cloud
