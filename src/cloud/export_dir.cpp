#include "cloud/export_dir.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <iterator>
#include <optional>
#include <utility>

#include "util/fd.h"

namespace pgreach::cloud {

namespace fs = std::filesystem;

// What one export may cost, whatever it holds (a 100k-rule account is ~15 MB of JSON):
// - a file above kMaxExportBytes is refused unread;
// - one up to kInMemoryBytes is read whole (the fast security-group reader needs its
//   text); a larger one is parsed straight from the file, 1 MB at a time;
// - at most kMaxHeldBytes of parsed values (estimated) are held at once: the lists
//   read item by item hold one item, everything else is held until the file ends;
// - one string, number or key (read from the file) holds at most kMaxTokenBytes.
// A file over a limit is refused by name: none of its content is merged.
constexpr std::uintmax_t kMaxExportBytes = 512ull * 1024 * 1024;
constexpr std::uintmax_t kInMemoryBytes = 64ull * 1024 * 1024;
constexpr size_t kMaxHeldBytes = 128ull * 1024 * 1024;
constexpr size_t kMaxTokenBytes = 16ull * 1024 * 1024;

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

// The bytes the parser reads: a file's text in memory, or the open file itself read
// 1 MB at a time. Either way it ends early, as if the file ended there, once
// kMaxTokenBytes pass without a parse event (one string, number or key that long):
// `runaway` then says so.
class ByteSource {
 public:
  explicit ByteSource(std::string_view text) : data_(text.data()), size_(text.size()) {}
  explicit ByteSource(int fd) : fd_(fd) {}

  bool atEnd() {
    if (pos_ == size_ && !refill()) return true;
    if (consumed_ - mark_ > kMaxTokenBytes) return runaway = true;
    return false;
  }
  char peek() const { return data_[pos_]; }
  void advance() {
    const char c = data_[pos_++];
    ++consumed_;
    if (!sawText) sawText = c != ' ' && c != '\t' && c != '\r' && c != '\n';
  }
  // A parse event happened: the current token starts afresh.
  void mark() { mark_ = consumed_; }

  bool runaway = false;     // one token was longer than kMaxTokenBytes
  bool readFailed = false;  // read(2) failed part way
  bool sawText = false;     // anything but blanks (an empty file is named as such)

 private:
  bool refill() {
    if (fd_ < 0) return false;
    buffer_.resize(size_t{1} << 20);
    for (;;) {
      const ssize_t n = ::read(fd_, buffer_.data(), buffer_.size());
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return readFailed = n < 0, false;
      data_ = buffer_.data(), size_ = static_cast<size_t>(n), pos_ = 0;
      return true;
    }
  }

  const char* data_ = nullptr;
  size_t size_ = 0, pos_ = 0;
  int fd_ = -1;
  std::vector<char> buffer_;
  size_t consumed_ = 0, mark_ = 0;
};

// An input iterator over a ByteSource, for nlohmann's iterator input adapter; the
// default-constructed one is the end.
class SourceIterator {
 public:
  using iterator_category = std::input_iterator_tag;
  using value_type = char;
  using difference_type = std::ptrdiff_t;
  using pointer = const char*;
  using reference = char;
  SourceIterator() = default;
  explicit SourceIterator(ByteSource* s) : s_(s) {}
  char operator*() const { return s_->peek(); }
  SourceIterator& operator++() {
    s_->advance();
    return *this;
  }
  bool operator==(const SourceIterator& o) const { return atEnd() == o.atEnd(); }
  bool operator!=(const SourceIterator& o) const { return !(*this == o); }

 private:
  bool atEnd() const { return s_ == nullptr || s_->atEnd(); }
  ByteSource* s_ = nullptr;
};

// A SAX handler that builds the DOM like Json::parse, except that each element of an
// array directly under a top-level key in `streamKeys` ("" for the top-level array
// itself) is built on its own, handed to `onElement`, and dropped. Containers are held by
// pointer on a stack: only the innermost one grows, so the pointers to its ancestors stay
// valid. It stops (`tooBig`) once what it holds passes kMaxHeldBytes, by an estimate of
// each value's cost.
class StreamingBuilder {
 public:
  using OnElement = std::function<Expected<bool>(const std::string& key, size_t index, const Json& element)>;
  StreamingBuilder(const std::vector<std::string>& streamKeys, OnElement onElement, ByteSource* source)
      : streamKeys_(streamKeys), onElement_(std::move(onElement)), source_(source) {}

  Json root;
  std::string parseError;     // nlohmann's message when the text is not JSON
  std::string callbackError;  // the first error `onElement` returned
  bool tooBig = false;        // held more than kMaxHeldBytes: stopped

  bool null() { return put(Json(nullptr), 0); }
  bool boolean(bool v) { return put(Json(v), 0); }
  bool number_integer(Json::number_integer_t v) { return put(Json(v), 0); }
  bool number_unsigned(Json::number_unsigned_t v) { return put(Json(v), 0); }
  bool number_float(Json::number_float_t v, const std::string&) { return put(Json(v), 0); }
  bool string(std::string& v) {
    const size_t n = v.size();
    return put(Json(std::move(v)), n);
  }
  bool binary(Json::binary_t& v) {
    const size_t n = v.size();
    return put(Json(std::move(v)), n);
  }
  bool start_object(std::size_t) { return open(Json::object()); }
  bool start_array(std::size_t) {
    // An array under a streamed top-level key, or the streamed top-level array: its
    // elements go out one by one.
    const bool streamed = [&] {
      if (stack_.empty()) return std::find(streamKeys_.begin(), streamKeys_.end(), "") != streamKeys_.end();
      return stack_.size() == 1 && stack_.back()->is_object() &&
             std::find(streamKeys_.begin(), streamKeys_.end(), key_) != streamKeys_.end();
    }();
    const std::string key = stack_.empty() ? std::string() : key_;
    if (!open(Json::array())) return false;
    if (streamed) streamArray_ = stack_.back(), streamKey_ = key, streamIndex_ = 0;
    return true;
  }
  bool key(std::string& k) {
    touch();
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
  // What a value costs, roughly as nlohmann stores it: a node, its text, and in an
  // object the map entry and its key.
  static constexpr size_t kNodeCost = 48;

  void touch() {
    if (source_) source_->mark();
  }
  // Charges `bytes` for a value added to `into`; false (and `tooBig`) past the limit.
  bool charge(const Json* into, size_t bytes) {
    if (into && into == streamArray_) heldBeforeElement_ = held_;
    held_ += kNodeCost + bytes + (into && into->is_object() ? kNodeCost + key_.size() : 0);
    if (held_ <= kMaxHeldBytes) return true;
    tooBig = true;
    return false;
  }
  // Adds a scalar to the innermost container (or makes it the root).
  bool put(Json v, size_t textBytes) {
    touch();
    if (stack_.empty()) return root = std::move(v), true;
    Json* into = stack_.back();
    if (!charge(into, textBytes)) return false;
    if (into->is_array())
      into->push_back(std::move(v));
    else
      (*into)[key_] = std::move(v);
    return into != streamArray_ || emit();
  }
  bool open(Json container) {
    touch();
    if (stack_.empty()) {
      root = std::move(container);
      stack_.push_back(&root);
      return true;
    }
    Json* into = stack_.back();
    if (!charge(into, 0)) return false;
    if (into->is_array()) {
      into->push_back(std::move(container));
      stack_.push_back(&into->back());
    } else {
      stack_.push_back(&((*into)[key_] = std::move(container)));
    }
    return true;
  }
  bool close() {
    touch();
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
    held_ = heldBeforeElement_;
    return true;
  }

  const std::vector<std::string>& streamKeys_;
  OnElement onElement_;
  ByteSource* source_;
  std::vector<Json*> stack_;
  std::string key_;
  Json* streamArray_ = nullptr;
  std::string streamKey_;
  size_t streamIndex_ = 0;
  size_t held_ = 0, heldBeforeElement_ = 0;
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

  // At most `size` bytes of the open regular file `fd`.
  static Expected<ExportText> read(int fd, size_t size, const std::string& name) {
    ExportText t;
    if (size == 0) return Expected<ExportText>(std::move(t));
    void* m =
        ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    if (m == MAP_FAILED) return makeError(name + ": cannot be read");
    t.data_ = static_cast<char*>(m);
    t.capacity_ = size;
    while (t.size_ < size) {
      const ssize_t n = ::read(fd, t.data_ + t.size_, size - t.size_);
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

std::string megabytes(std::uintmax_t bytes) { return std::to_string(bytes / (1024 * 1024)) + " MB"; }

// Parses one file with a StreamingBuilder: from `text` when it was read whole, else from
// `fd`. Returns the document, or an error naming the file; `*notJson` is set when the
// only fault is that the text is not JSON (a note beside the exports).
Expected<Json> parseFile(const std::string& name, std::optional<std::string_view> text, int fd,
                         const std::vector<std::string>& streamKeys,
                         const StreamingBuilder::OnElement& onElement, std::string* notJson) {
  std::optional<ByteSource> source;
  if (text)
    source.emplace(*text);
  else
    source.emplace(fd);
  StreamingBuilder b(streamKeys, onElement, &*source);
  const bool ok =
      text ? Json::sax_parse(*text, &b) : Json::sax_parse(SourceIterator(&*source), SourceIterator(), &b);
  if (b.tooBig)
    return makeError(
        name + ": holds more than " + megabytes(kMaxHeldBytes) +
        " of JSON outside the lists pgreach reads one item at a time: not read (export only what "
        "pgreach reads: the describe-* or az ... list output)");
  if (source->runaway && source->sawText)
    return makeError(name + ": more than " + megabytes(kMaxTokenBytes) +
                     " without a complete value: not read");
  if (source->readFailed) return makeError(name + ": cannot be read");
  if (!ok) {
    const std::string why = b.parseError.empty() ? "unexpected end of input" : b.parseError;
    const std::string_view seen = text ? *text : source->sawText ? "x" : "";
    // Without nlohmann's "; last read: '...'" for a file that is not an export: it may
    // hold anything (a .env beside the exports), and its text must not reach the report.
    *notJson = notValidJson(seen, why.substr(0, why.find("; last read")));
    return makeError(notValidJson(name, seen, why));
  }
  if (!b.callbackError.empty()) return makeError(b.callbackError);
  return std::move(b.root);
}

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
  const std::vector<std::string> noKeys;
  for (const auto& p : paths) {
    const std::string name = p.filename().string();
    const bool json = p.extension() == ".json";
    // O_NONBLOCK: a FIFO swapped in after the listing must not block the open.
    util::Fd fd(::open(p.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY));
    struct stat st {};
    if (!fd.valid() || ::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode))
      return makeError(name + ": cannot be read");
    const auto size = static_cast<std::uintmax_t>(st.st_size);
    if (size > kMaxExportBytes)
      return makeError(name + ": larger than " + megabytes(kMaxExportBytes) + ", not read");
    std::optional<ExportText> read;
    if (size <= kInMemoryBytes) {
      auto r = ExportText::read(fd.get(), static_cast<size_t>(size), name);
      if (!r) return makeError(r.error());
      read.emplace(std::move(*r));
    }
    const std::optional<std::string_view> text =
        read ? std::optional<std::string_view>(read->view()) : std::nullopt;
    if (whole && json && text) {
      auto taken = whole(name, *text);
      if (!taken) return makeError(taken.error());
      if (*taken) continue;
    }
    // Only a `.json` file has its lists read item by item: a file of another name may
    // turn out not to be JSON, and must then not have merged anything. (Elements merged
    // before a later syntax error do not matter: the error fails the load. One leniency:
    // a file holding two streamed lists, or one list twice, has all of them read, where
    // the exact reader keeps one.)
    const bool stream = element && json && !streamKeys.empty();
    std::string notJson;
    auto doc = parseFile(
        name, text, fd.get(), stream ? streamKeys : noKeys,
        [&](const std::string& key, size_t i, const Json& el) { return element(name, key, i, el); },
        &notJson);
    if (!doc) {
      // A note or script beside the exports is not an export (listed as ignored); a
      // .json that does not parse is a broken one.
      if (!json && !notJson.empty()) {
        if (ignored) ignored(name, notJson);
        continue;
      }
      return makeError(doc.error());
    }
    if (auto r = fn(name, *doc); !r) return makeError(r.error());
  }
  return true;
}

}  // namespace pgreach::cloud
