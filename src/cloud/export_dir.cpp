#include "cloud/export_dir.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <utility>

#include "util/fd.h"

namespace pgreach::cloud {

namespace fs = std::filesystem;

// Exports above this size are refused rather than read into memory (a 100k-rule
// account is ~40 MB).
constexpr std::uintmax_t kMaxExportBytes = 512ull * 1024 * 1024;

namespace {

std::string notValidJson(std::string_view text, std::string why) {
  // nlohmann prefixes "[json.exception.parse_error.101] parse error at line 3, column 1: ..."
  if (auto p = why.find("] "); p != std::string::npos) why = why.substr(p + 2);
  if (text.find_first_not_of(" \t\r\n") == std::string::npos) why = "the file is empty";
  return "not valid JSON (" + why + ")";
}
std::string notValidJson(const std::string& name, std::string_view text, std::string why) {
  return name + ": " + notValidJson(text, std::move(why));
}

// A SAX handler that builds the DOM like Json::parse, except that each element of an
// array directly under a top-level key in `streamKeys` is built on its own, handed to
// `onElement`, and dropped. Containers are held by pointer on a stack: only the
// innermost one grows, so the pointers to its ancestors stay valid.
class StreamingBuilder {
 public:
  using OnElement = std::function<Expected<bool>(const std::string& key, size_t index, const Json& element)>;
  StreamingBuilder(const std::vector<std::string>& streamKeys, OnElement onElement)
      : streamKeys_(streamKeys), onElement_(std::move(onElement)) {}

  Json root;
  std::string parseError;     // nlohmann's message when the text is not JSON
  std::string callbackError;  // the first error `onElement` returned

  bool null() { return put(Json(nullptr)); }
  bool boolean(bool v) { return put(Json(v)); }
  bool number_integer(Json::number_integer_t v) { return put(Json(v)); }
  bool number_unsigned(Json::number_unsigned_t v) { return put(Json(v)); }
  bool number_float(Json::number_float_t v, const std::string&) { return put(Json(v)); }
  bool string(std::string& v) { return put(Json(std::move(v))); }
  bool binary(Json::binary_t& v) { return put(Json(std::move(v))); }
  bool start_object(std::size_t) { return open(Json::object()); }
  bool start_array(std::size_t) {
    // An array under a streamed top-level key: its elements go out one by one.
    const bool stream = stack_.size() == 1 && stack_.back()->is_object() &&
                        std::find(streamKeys_.begin(), streamKeys_.end(), key_) != streamKeys_.end();
    if (!open(Json::array())) return false;
    if (stream) streamArray_ = stack_.back(), streamKey_ = key_, streamIndex_ = 0;
    return true;
  }
  bool key(std::string& k) {
    key_ = std::move(k);
    return true;
  }
  bool end_object() { return close(); }
  bool end_array() {
    if (stack_.back() == streamArray_) streamArray_ = nullptr;
    return close();
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& e) {
    parseError = e.what();
    return false;
  }

 private:
  // Adds a scalar to the innermost container (or makes it the root).
  bool put(Json v) {
    if (stack_.empty()) return root = std::move(v), true;
    Json* into = stack_.back();
    if (into->is_array())
      into->push_back(std::move(v));
    else
      (*into)[key_] = std::move(v);
    return into != streamArray_ || emit();
  }
  bool open(Json container) {
    if (stack_.empty()) {
      root = std::move(container);
      stack_.push_back(&root);
      return true;
    }
    Json* into = stack_.back();
    if (into->is_array()) {
      into->push_back(std::move(container));
      stack_.push_back(&into->back());
    } else {
      stack_.push_back(&((*into)[key_] = std::move(container)));
    }
    return true;
  }
  bool close() {
    stack_.pop_back();
    return stack_.empty() || stack_.back() != streamArray_ || emit();
  }
  // The streamed array's last element is complete: hand it out, then free it. After a
  // bad element the rest is still parsed (not handed out): a syntax error further on
  // must win, as it does when the whole file is parsed before anything is read.
  bool emit() {
    if (callbackError.empty()) {
      auto r = onElement_(streamKey_, streamIndex_, streamArray_->back());
      if (!r) callbackError = r.error();
    }
    ++streamIndex_;
    streamArray_->get_ref<Json::array_t&>().pop_back();
    return true;
  }

  const std::vector<std::string>& streamKeys_;
  OnElement onElement_;
  std::vector<Json*> stack_;
  std::string key_;
  Json* streamArray_ = nullptr;
  std::string streamKey_;
  size_t streamIndex_ = 0;
};

// A file's bytes in anonymous memory mapped with MAP_POPULATE and filled by read(2). A
// 15 MB export would otherwise be zero-filled by std::string and then faulted in page by
// page, which on a VM cost more than the copy itself. (Not the file mapped directly: a
// file truncated while it is parsed would kill the process with SIGBUS.)
class ExportText {
 public:
  ExportText() = default;
  ExportText(ExportText&& o) noexcept
      : data_(std::exchange(o.data_, nullptr)), capacity_(std::exchange(o.capacity_, 0)), size_(o.size_) {}
  ExportText& operator=(ExportText&&) = delete;
  ExportText(const ExportText&) = delete;
  ExportText& operator=(const ExportText&) = delete;
  ~ExportText() {
    if (data_) ::munmap(data_, capacity_);
  }

  // At most `size` bytes of `path` (its size when listed); the caller has already
  // refused anything but a regular file under the size cap.
  static Expected<ExportText> read(const fs::path& path, std::uintmax_t size, const std::string& name) {
    ExportText t;
    // O_NONBLOCK: a FIFO swapped in after the listing must not block the open.
    util::Fd fd(::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY));
    struct stat st {};
    if (!fd.valid() || ::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode))
      return makeError(name + ": cannot be read");
    if (size == 0) return Expected<ExportText>(std::move(t));
    void* m =
        ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    if (m == MAP_FAILED) return makeError(name + ": cannot be read");
    t.data_ = static_cast<char*>(m);
    t.capacity_ = size;
    while (t.size_ < size) {
      const ssize_t n = ::read(fd.get(), t.data_ + t.size_, size - t.size_);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return makeError(name + ": cannot be read");
      if (n == 0) break;
      t.size_ += static_cast<size_t>(n);
    }
    return Expected<ExportText>(std::move(t));
  }

  std::string_view view() const { return {data_, size_}; }

 private:
  char* data_ = nullptr;
  size_t capacity_ = 0, size_ = 0;
};

}  // namespace

Expected<Json> parseExport(const std::string& name, std::string_view text) {
  try {
    return Json::parse(text);
  } catch (const Json::exception& e) {  // parse_error, and out_of_range for a number like 1e999
    return makeError(notValidJson(name, text, e.what()));
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

Expected<bool> forEachExport(
    const std::string& dir, const std::function<Expected<bool>(const std::string& name, const Json& doc)>& fn,
    const ExportIgnoredFn& ignored) {
  return forEachExport(dir, {}, nullptr, nullptr, fn, ignored);
}

Expected<bool> forEachExport(
    const std::string& dir, const std::vector<std::string>& streamKeys, const ExportElementFn& element,
    const ExportTextFn& whole,
    const std::function<Expected<bool>(const std::string& name, const Json& doc)>& fn,
    const ExportIgnoredFn& ignored) {
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
    const std::uintmax_t size = fs::file_size(p, ec);
    if (size > kMaxExportBytes) return makeError(name + ": larger than 512 MB, not read");
    auto read = ExportText::read(p, size, name);
    if (!read) return makeError(read.error());
    const std::string_view text = read->view();
    if (whole && p.extension() == ".json") {
      auto taken = whole(name, text);
      if (!taken) return makeError(taken.error());
      if (*taken) continue;
    }
    if (element && !streamKeys.empty() && p.extension() == ".json") {
      // Elements merged before a later syntax error do not matter: the error fails the load.
      // (One leniency: a file holding two streamed lists, or one list twice, has all of
      // them read, where the exact reader keeps one.)
      StreamingBuilder b(streamKeys, [&](const std::string& key, size_t i, const Json& el) {
        return element(name, key, i, el);
      });
      const bool ok = Json::sax_parse(text, &b);
      if (!ok)
        return makeError(
            notValidJson(name, text, b.parseError.empty() ? "unexpected end of input" : b.parseError));
      if (!b.callbackError.empty()) return makeError(b.callbackError);
      if (auto r = fn(name, b.root); !r) return makeError(r.error());
      continue;
    }
    Json doc;
    try {
      doc = Json::parse(text);
    } catch (const Json::exception& e) {
      // A note or script beside the exports is not an export (listed as ignored); a
      // .json that does not parse is a broken one.
      if (p.extension() != ".json") {
        // Without nlohmann's "; last read: '...'": a file that is not an export may hold
        // anything (a .env beside the exports), and its text must not reach the report.
        std::string why = e.what();
        if (auto cut = why.find("; last read"); cut != std::string::npos) why.erase(cut);
        if (ignored) ignored(name, notValidJson(text, why));
        continue;
      }
      return makeError(notValidJson(name, text, e.what()));
    }
    if (auto r = fn(name, doc); !r) return makeError(r.error());
  }
  return true;
}

}  // namespace pgreach::cloud
