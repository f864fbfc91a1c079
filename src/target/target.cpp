#include "target/target.h"

#include <sys/stat.h>

#include <libpq-fe.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <memory>
#include <optional>
#include <set>

#include "net/handles.h"
#include "target/pgpass.h"
#include "target/strip_option.h"
#include "util/atomic_file.h"
#include "util/strings.h"

namespace pgreach::target {
namespace {

// libpq's parse messages quote the token it choked on, which may be (part of) a password,
// and a `"` inside that token makes quote pairing useless. So each message is matched
// against libpq's own templates: placeholders that hold conninfo text become <...>,
// except an unknown option's name when it is keyword-shaped (the keyword, not a value),
// and line numbers and service names, which carry no secret. A message that matches no
// template keeps only its words before the first quote or colon.
enum class Slot { Hidden, Keyword, Shown };
struct ParseTemplate {
  const char* text;         // libpq's format, with %s / %c / %d
  std::vector<Slot> slots;  // what to do with each %s / %c in order (%d is always shown)
};

const std::vector<ParseTemplate>& parseTemplates() {
  static const std::vector<ParseTemplate> k = {
      {"missing \"=\" after \"%s\" in connection info string", {Slot::Hidden}},
      {"unterminated quoted string in connection info string", {}},
      {"invalid connection option \"%s\"", {Slot::Keyword}},
      {"invalid percent-encoded token: \"%s\"", {Slot::Hidden}},
      {"forbidden value %00 in percent-encoded value: \"%s\"", {Slot::Hidden}},
      {"invalid URI propagated to internal parser routine: \"%s\"", {Slot::Hidden}},
      {"end of string reached when looking for matching \"]\" in IPv6 host address in URI: \"%s\"",
       {Slot::Hidden}},
      {"IPv6 host address may not be empty in URI: \"%s\"", {Slot::Hidden}},
      {"unexpected character \"%c\" at position %d in URI (expected \":\" or \"/\"): \"%s\"",
       {Slot::Hidden, Slot::Hidden}},
      {"extra key/value separator \"=\" in URI query parameter: \"%s\"", {Slot::Hidden}},
      {"missing key/value separator \"=\" in URI query parameter: \"%s\"", {Slot::Hidden}},
      {"invalid URI query parameter: \"%s\"", {Slot::Hidden}},
      {"definition of service \"%s\" not found", {Slot::Shown}},
      {"service file \"%s\" not found", {Slot::Shown}},
      {"syntax error in service file \"%s\", line %d", {Slot::Shown}},
      {"line %d too long in service file \"%s\"", {Slot::Shown}},
      {"nested service specifications not supported in service file \"%s\", line %d", {Slot::Shown}},
      {"could not get home directory to locate service definition file", {}},
      {"out of memory", {}},
  };
  return k;
}

// Matches `msg` from `m` against `tpl` from `t`; fills `caps` with the text of each
// %s / %c / %d in order. %s is matched shortest-first with backtracking (bounded: a
// template has at most three placeholders and a message is capped below).
bool matchTemplate(std::string_view tpl, size_t t, std::string_view msg, size_t m,
                   std::vector<std::string>& caps) {
  while (t < tpl.size()) {
    if (tpl[t] == '%' && t + 1 < tpl.size() &&
        (tpl[t + 1] == 's' || tpl[t + 1] == 'c' || tpl[t + 1] == 'd')) {
      const char kind = tpl[t + 1];
      size_t lo = kind == 'c' ? 1 : (kind == 'd' ? 1 : 0);
      size_t hi = kind == 'c' ? 1 : msg.size() - m;
      for (size_t len = lo; len <= hi && m + len <= msg.size(); ++len) {
        std::string_view piece = msg.substr(m, len);
        if (kind == 'd' && !std::all_of(piece.begin(), piece.end(),
                                        [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }))
          break;
        caps.emplace_back(piece);
        if (matchTemplate(tpl, t + 2, msg, m + len, caps)) return true;
        caps.pop_back();
      }
      return false;
    }
    if (m >= msg.size() || msg[m] != tpl[t]) return false;
    ++t, ++m;
  }
  return m == msg.size();
}

bool keywordShaped(std::string_view s) {
  return !s.empty() && s.size() <= 32 &&
         std::all_of(s.begin(), s.end(), [](char c) { return (c >= 'a' && c <= 'z') || c == '_'; });
}

std::string scrubParseError(std::string msg, const std::set<std::string, std::less<>>& keywords) {
  while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
  if (msg.size() > 4096) msg.resize(4096);
  for (const auto& tpl : parseTemplates()) {
    std::vector<std::string> caps;
    if (!matchTemplate(tpl.text, 0, msg, 0, caps)) continue;
    std::string out;
    size_t slot = 0, cap = 0;
    std::string_view t = tpl.text;
    for (size_t i = 0; i < t.size(); ++i) {
      if (t[i] == '%' && i + 1 < t.size() && (t[i + 1] == 's' || t[i + 1] == 'c' || t[i + 1] == 'd')) {
        const std::string& piece = caps[cap++];
        if (t[i + 1] == 'd') {
          out += piece;
        } else {
          const Slot how = slot < tpl.slots.size() ? tpl.slots[slot] : Slot::Hidden;
          ++slot;
          const bool show =
              how == Slot::Shown || (how == Slot::Keyword && (keywords.count(piece) || keywordShaped(piece)));
          out += show ? piece : std::string("<...>");
        }
        ++i;
      } else if (t[i] == '%' && i + 1 < t.size() && t[i + 1] == '%') {
        out += '%';
        ++i;
      } else {
        out += t[i];
      }
    }
    return out;
  }
  const size_t cut = msg.find_first_of("\":");
  std::string head = util::trim(msg.substr(0, cut));
  return (head.empty() ? std::string("libpq rejected it") : head) +
         " (details not shown: they may quote a password)";
}

std::set<std::string, std::less<>> knownKeywords() {
  std::set<std::string, std::less<>> keys;
  net::PgConninfoPtr defs(PQconndefaults());
  for (auto* o = defs.get(); o && o->keyword; ++o) keys.insert(o->keyword);
  return keys;
}

bool isSecret(const PQconninfoOption& o) { return o.dispchar && o.dispchar[0] == '*'; }

// PQconndefaults() reads PGSERVICE from the environment; a `service=` inside the
// string must win, as it does inside libpq.
class ScopedServiceEnv {
 public:
  explicit ScopedServiceEnv(const std::string& service) {
    if (service.empty()) return;
    if (const char* old = std::getenv("PGSERVICE")) saved_ = old, hadOld_ = true;
    ::setenv("PGSERVICE", service.c_str(), 1);
    active_ = true;
  }
  ~ScopedServiceEnv() {
    if (!active_) return;
    if (hadOld_)
      ::setenv("PGSERVICE", saved_.c_str(), 1);
    else
      ::unsetenv("PGSERVICE");
  }
  ScopedServiceEnv(const ScopedServiceEnv&) = delete;
  ScopedServiceEnv& operator=(const ScopedServiceEnv&) = delete;

 private:
  std::string saved_;
  bool hadOld_ = false;
  bool active_ = false;
};

Expected<uint16_t> parsePort(const std::string& text) {
  if (text.empty()) return uint16_t{5432};
  char* end = nullptr;
  long v = std::strtol(text.c_str(), &end, 10);
  if (!end || *end != '\0' || v < 1 || v > 65535) {
    // Only digits are echoed: in a URI whose password holds a raw '/' or ':', libpq takes
    // part of the password for the port.
    const bool digits = std::all_of(text.begin(), text.end(),
                                    [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
    return makeError(
        digits
            ? "invalid port \"" + text + "\" in the connection string (expected 1-65535)"
            : std::string("invalid port in the connection string (not a number; value not shown). In a URI, "
                          "percent-encode '/', ':', '@' and '#' in the password (%2F, %3A, %40, %23)"));
  }
  return static_cast<uint16_t>(v);
}

// libpq reads these as integers when it connects (parse_int_param). What it would refuse
// there is refused here, before any probe, by keyword and without the value (a URI typo
// can put part of a password anywhere); what it accepts (0 or -1: wait without a limit,
// which pgreach bounds by --deadline anyway) is the application's setting, diagnosed as given.
constexpr const char* kIntegerKeywords[] = {"connect_timeout",     "keepalives",       "keepalives_idle",
                                            "keepalives_interval", "keepalives_count", "tcp_user_timeout"};

bool libpqInteger(const std::string& text) {
  const char* s = text.c_str();
  char* end = nullptr;
  errno = 0;
  const long v = std::strtol(s, &end, 10);
  if (end == s || errno == ERANGE || v < INT_MIN || v > INT_MAX) return false;
  while (*end != '\0' && std::isspace(static_cast<unsigned char>(*end))) ++end;
  return *end == '\0';
}

std::string quoteValue(const std::string& v) {
  bool needs = v.empty();
  for (char c : v) needs = needs || c == ' ' || c == '\'' || c == '\\';
  if (!needs) return v;
  std::string out = "'";
  for (char c : v) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

std::string percentEncode(const std::string& v) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : v) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

}  // namespace

std::string scrubConninfoMessage(std::string message) {
  return scrubParseError(std::move(message), knownKeywords());
}

bool looksLikeUri(std::string_view conninfo) {
  return util::startsWith(conninfo, "postgresql://") || util::startsWith(conninfo, "postgres://");
}

namespace {
// libpq reads these with fopen() while parsing (the service file, through PQconndefaults)
// or connecting (the passfile): a FIFO there blocks before any deadline starts and a
// device is read forever. Only a regular file, or none, is let through.
Expected<bool> checkLibpqFiles() {
  std::vector<std::pair<std::string, std::string>> files;
  for (const char* var : {"PGSERVICEFILE", "PGPASSFILE"}) {
    if (const char* v = std::getenv(var); v && *v) files.emplace_back(var, v);
  }
  if (const char* home = std::getenv("HOME"); home && *home) {
    files.emplace_back("~/.pg_service.conf", std::string(home) + "/.pg_service.conf");
  }
  for (const auto& [what, path] : files) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) continue;  // absent: libpq handles that itself
    if (!S_ISREG(st.st_mode)) {
      return makeError(
          what + ": " + path +
          " is not a regular file (a FIFO, device or directory); libpq would block or read it forever");
    }
  }
  return true;
}
}  // namespace

Expected<Target> Target::parse(std::string_view conninfo) {
  if (auto files = checkLibpqFiles(); !files) return makeError(files.error());
  Target t;
  t.fromUri_ = looksLikeUri(conninfo);
  const auto keywords = knownKeywords();

  // Options newer than the linked libpq (15), which rejects keywords it does not know:
  // taken out and remembered (strip_option.h), so pgreach reads them as the application's
  // newer libpq would. sslnegotiation: libpq 17 (direct TLS); load_balance_hosts: libpq
  // 16 (hosts tried in random order; pgreach probes every host either way).
  struct NewerOption {
    const char* keyword;
    const char* envvar;
    std::vector<std::string_view> values;  // what libpq accepts
  };
  static const NewerOption kNewer[] = {{"sslnegotiation", "PGSSLNEGOTIATION", {"postgres", "direct"}},
                                       {"load_balance_hosts", "PGLOADBALANCEHOSTS", {"disable", "random"}}};
  std::vector<std::pair<std::string, std::string>> newer;
  std::string input(conninfo);
  for (const auto& opt : kNewer) {
    if (keywords.count(opt.keyword)) continue;
    auto stripped = stripOption(input, opt.keyword);
    input = std::move(stripped.conninfo);
    std::optional<std::string> value = stripped.value;
    if (!value) {
      if (const char* env = std::getenv(opt.envvar); env && *env) value = env;
    }
    if (!value) continue;
    if (std::find(opt.values.begin(), opt.values.end(), *value) == opt.values.end()) {
      // libpq's own words; the value is not echoed (it could be anything the user typed).
      return makeError(
          std::string("malformed connection string: invalid ") + opt.keyword + " value (expected " +
          util::join(std::vector<std::string>(opt.values.begin(), opt.values.end()), " or ") + ")");
    }
    newer.emplace_back(opt.keyword, *value);
  }
  char* rawErr = nullptr;
  net::PgConninfoPtr parsed(PQconninfoParse(input.c_str(), &rawErr));
  net::PgStringPtr err(rawErr);
  if (!parsed) {
    std::string msg = err ? scrubParseError(err.get(), keywords) : std::string("out of memory");
    return makeError("malformed connection string: " + msg);
  }

  std::string service;
  for (auto* o = parsed.get(); o->keyword; ++o) {
    if (o->val && std::string_view(o->keyword) == "service") service = o->val;
  }
  ScopedServiceEnv serviceEnv(service);
  net::PgConninfoPtr defaults(PQconndefaults());
  if (!defaults)
    return makeError("could not read libpq's defaults (PGSERVICE or pg_service.conf unreadable?)");

  std::map<std::string, std::string, std::less<>> explicitValues;
  for (auto* o = parsed.get(); o->keyword; ++o) {
    if (!o->val) continue;
    const std::string key = o->keyword;
    if (key == "password")
      t.password_ = util::Secret(o->val);
    else if (key == "sslpassword")
      t.sslpassword_ = util::Secret(o->val);
    if (isSecret(*o)) {
      t.secretKeywords_.push_back(key);
      continue;
    }
    t.explicit_.emplace_back(key, o->val);
    explicitValues[key] = o->val;
  }
  for (auto* o = defaults.get(); o->keyword; ++o) {
    const std::string key = o->keyword;
    if (isSecret(*o)) {
      // Environment fallback (PGPASSWORD) when the string did not set one.
      if (key == "password" && t.password_.empty() && o->val) t.password_ = util::Secret(o->val);
      if (key == "sslpassword" && t.sslpassword_.empty() && o->val) t.sslpassword_ = util::Secret(o->val);
      continue;
    }
    auto it = explicitValues.find(key);
    if (it != explicitValues.end())
      t.effective_[key] = it->second;
    else if (o->val) {
      t.effective_[key] = o->val;
      // Environment-provided values count as given by the user.
      if (o->envvar && std::getenv(o->envvar)) t.explicit_.emplace_back(key, o->val);
    }
  }

  for (const auto& [keyword, value] : newer) {
    t.explicit_.emplace_back(keyword, value);
    t.effective_[keyword] = value;
  }

  for (const char* k : kIntegerKeywords) {
    const std::string v = t.option(k);
    if (!v.empty() && !libpqInteger(v))
      return makeError(std::string("connection option \"") + k + "\" is not an integer (value not shown)");
  }

  // Hosts, hostaddrs and ports are comma-separated lists, matched by position.
  const auto hostList = util::split(t.option("host"), ',');
  const auto addrList =
      t.option("hostaddr").empty() ? std::vector<std::string>{} : util::split(t.option("hostaddr"), ',');
  const auto portList = util::split(t.option("port"), ',');
  size_t n = std::max(hostList.size(), addrList.size());
  if (!addrList.empty() && !t.option("host").empty() && addrList.size() != hostList.size()) {
    return makeError("could not match " + std::to_string(hostList.size()) + " host names to " +
                     std::to_string(addrList.size()) + " hostaddr values");
  }
  if (portList.size() != 1 && portList.size() != n) {
    return makeError("could not match " + std::to_string(portList.size()) + " port numbers to " +
                     std::to_string(n) + " hosts");
  }
  for (size_t i = 0; i < n; ++i) {
    HostSpec h;
    if (i < hostList.size()) h.host = util::trim(hostList[i]);
    if (i < addrList.size()) h.hostaddr = util::trim(addrList[i]);
    auto port = parsePort(util::trim(portList.size() == 1 ? portList[0] : portList[i]));
    if (!port) return makeError(port.error());
    h.port = *port;
    if (h.host.empty() && h.hostaddr.empty()) {
      return makeError(
          "no host in the connection string or PGHOST: libpq would use a Unix-domain socket, "
          "and pgreach diagnoses network paths (give host=NAME)");
    }
    if (h.host.find('@') != std::string::npos) {
      // postgresql://u:pa@ss@host: libpq ends the user info at the first '@', so the rest
      // of the password became the host name. Never echoed.
      return makeError(
          "the host name in the connection string contains '@' (value not shown): in a URI, "
          "percent-encode '@' in the password as %40");
    }
    if (!h.host.empty() && h.host.front() == '/') {
      return makeError("host \"" + h.host +
                       "\" is a Unix-domain socket directory: pgreach diagnoses network paths");
    }
    t.hosts_.push_back(std::move(h));
  }
  if (t.hosts_.empty()) {
    return makeError("no host in the connection string or PGHOST (give host=NAME)");
  }
  t.provider_ = detectProvider(t.primary().name());
  if (t.password_.empty()) {
    // libpq will take the password from the passfile: the first matching line per host.
    // Read once here, so a server that echoes it (an ErrorResponse, a NOTICE) meets the
    // redactor too (secretValues).
    const std::string path = pgpassPath(t.option("passfile"));
    if (auto content =
            path.empty() ? Expected<std::string>(makeError("none")) : util::readFile(path, 1 << 20)) {
      for (const auto& h : t.hosts_) {
        auto pw = pgpassPassword(*content, h.name(), std::to_string(h.port), t.dbname(), t.user());
        if (pw && !pw->empty()) t.passfilePasswords_.emplace_back(*pw);
      }
    }
  }
  return t;
}

std::string Target::option(std::string_view keyword) const {
  auto it = effective_.find(keyword);
  return it == effective_.end() ? std::string() : it->second;
}

bool Target::isExplicit(std::string_view keyword) const {
  for (const auto& [k, v] : explicit_) {
    if (k == keyword) return true;
  }
  for (const auto& k : secretKeywords_) {
    if (k == keyword) return true;
  }
  return false;
}

std::string Target::dbname() const {
  std::string db = option("dbname");
  return db.empty() ? user() : db;
}

std::vector<std::string> Target::secretValues() const {
  std::vector<std::string> out;
  if (!password_.empty()) out.push_back(password_.reveal());
  if (!sslpassword_.empty()) out.push_back(sslpassword_.reveal());
  for (const auto& p : passfilePasswords_) out.push_back(p.reveal());
  return out;
}

std::string Target::printable() const { return fromUri_ ? printableUri() : printableKeywordValue(); }

std::string Target::printableKeywordValue() const {
  std::vector<std::string> parts;
  for (const auto& [k, v] : explicit_) parts.push_back(k + "=" + quoteValue(v));
  if (!password_.empty()) parts.push_back(std::string("password=") + util::kHidden);
  if (!sslpassword_.empty()) parts.push_back(std::string("sslpassword=") + util::kHidden);
  return util::join(parts, " ");
}

std::string Target::printableUri() const {
  std::string uri = "postgresql://";
  if (isExplicit("user")) {
    uri += percentEncode(user());
    if (!password_.empty()) uri += std::string(":") + util::kHidden;
    uri += "@";
  } else if (!password_.empty()) {
    uri += std::string(":") + util::kHidden + "@";
  }
  std::vector<std::string> hostParts;
  for (const auto& h : hosts_) {
    std::string part = h.host.find(':') != std::string::npos ? "[" + h.host + "]" : h.host;
    if (isExplicit("port")) part += ":" + std::to_string(h.port);
    hostParts.push_back(part);
  }
  uri += util::join(hostParts, ",");
  if (isExplicit("dbname")) uri += "/" + percentEncode(option("dbname"));
  std::vector<std::string> query;
  for (const auto& [k, v] : explicit_) {
    if (k == "user" || k == "host" || k == "port" || k == "dbname") continue;
    query.push_back(k + "=" + percentEncode(v));
  }
  if (!sslpassword_.empty()) query.push_back(std::string("sslpassword=") + util::kHidden);
  if (!query.empty()) uri += "?" + util::join(query, "&");
  return uri;
}

}  // namespace pgreach::target
