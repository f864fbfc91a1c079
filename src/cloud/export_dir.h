#pragma once
// Reading a folder of CLI exports: every regular, non-hidden file, parsed as JSON.
// A file that is not valid JSON (a truncated download) is an error naming the file.
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "cloud/json_fields.h"
#include "util/expected.h"

namespace pgreach::cloud {

struct ExportFile {
  std::string name;  // file name only, for messages
  Json doc;
};

// Files in name order, so results do not depend on directory order.
Expected<std::vector<ExportFile>> readExportDir(const std::string& dir);
// Called for a file that is not read at all: one not named `.json` that does not parse
// as JSON (a note or script beside the exports). It is listed, never silently skipped; a
// `.json` that does not parse stays an error (a broken export must not be half-read).
using ExportIgnoredFn = std::function<void(const std::string& name, const std::string& reason)>;
// The same, one file at a time: each document is handed to `fn` and freed before the
// next is parsed (a 100k-rule account would otherwise hold every DOM at once). Stops at
// the first error, of reading or of `fn`.
Expected<bool> forEachExport(
    const std::string& dir, const std::function<Expected<bool>(const std::string& name, const Json& doc)>& fn,
    const ExportIgnoredFn& ignored = nullptr);
// The same, streaming the big arrays of `.json` files: in a top-level object, each
// element of an array under one of `streamKeys` ("SecurityGroups") goes to `element` as
// soon as it is parsed and is freed right after, so no DOM of the whole file is built
// (a 100k-rule account spends more time allocating and freeing that DOM than reading
// it). `doc` then gets the rest of the document, those arrays left empty. Errors and
// their messages are the same as the other form's.
// `whole`, when given, sees each file's text first and may take it all (returns true):
// a faster reader for one kind of file.
using ExportElementFn = std::function<Expected<bool>(const std::string& name, const std::string& key,
                                                     size_t index, const Json& element)>;
using ExportTextFn = std::function<Expected<bool>(const std::string& name, std::string_view text)>;
Expected<bool> forEachExport(
    const std::string& dir, const std::vector<std::string>& streamKeys, const ExportElementFn& element,
    const ExportTextFn& whole,
    const std::function<Expected<bool>(const std::string& name, const Json& doc)>& doc,
    const ExportIgnoredFn& ignored = nullptr);
// Parses `text` as the content of `name`.
Expected<Json> parseExport(const std::string& name, std::string_view text);

}  // namespace pgreach::cloud
