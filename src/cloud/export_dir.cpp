#include "cloud/export_dir.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace pgreach::cloud {

namespace fs = std::filesystem;

// Exports above this size are refused rather than read into memory (a 100k-rule
// account is ~40 MB).
constexpr std::uintmax_t kMaxExportBytes = 512ull * 1024 * 1024;

Expected<Json> parseExport(const std::string& name, const std::string& text) {
  try {
    return Json::parse(text);
  } catch (const Json::parse_error& e) {
    std::string why = e.what();
    // nlohmann prefixes "[json.exception.parse_error.101] parse error at line 3, column 1: ..."
    if (auto p = why.find("] "); p != std::string::npos) why = why.substr(p + 2);
    if (text.find_first_not_of(" \t\r\n") == std::string::npos) why = "the file is empty";
    return makeError(name + ": not valid JSON (" + why + ")");
  }
}

Expected<std::vector<ExportFile>> readExportDir(const std::string& dir) {
  std::vector<ExportFile> out;
  auto r = forEachExport(dir, [&](const std::string& name, const Json& doc) -> Expected<bool> {
    out.push_back({name, doc});
    return true;
  });
  if (!r) return makeError(r.error());
  return out;
}

Expected<bool> forEachExport(const std::string& dir,
                             const std::function<Expected<bool>(const std::string& name, const Json& doc)>& fn) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return makeError(dir + ": not a directory");
  std::vector<fs::path> paths;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const auto& p = it->path();
    if (p.filename().string().rfind('.', 0) == 0) continue;
    if (!it->is_regular_file(ec)) continue;
    paths.push_back(p);
  }
  if (ec) return makeError(dir + ": " + ec.message());
  std::sort(paths.begin(), paths.end());
  for (const auto& p : paths) {
    const std::string name = p.filename().string();
    if (fs::file_size(p, ec) > kMaxExportBytes) return makeError(name + ": larger than 512 MB, not read");
    std::ifstream in(p, std::ios::binary);
    if (!in) return makeError(name + ": cannot be read");
    std::string text(static_cast<size_t>(fs::file_size(p, ec)), '\0');
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    text.resize(static_cast<size_t>(in.gcount()));
    auto doc = parseExport(name, text);
    if (!doc) {
      // A note or script beside the exports is not an export; a .json that does not
      // parse is a broken one.
      if (p.extension() != ".json") continue;
      return makeError(doc.error());
    }
    if (auto r = fn(name, *doc); !r) return makeError(r.error());
  }
  return true;
}

}  // namespace pgreach::cloud
