#include "target/target.h"

#include <sys/stat.h>

#include <libpq-fe.h>

#include <cstdlib>
#include <memory>
#include <optional>
#include <set>

#include "target/strip_option.h"
#include "util/strings.h"

namespace pgreach::target {
namespace {

struct ConninfoFree {
  void operator()(PQconninfoOption* o) const { PQconninfoFree(o); }
};
using ConninfoPtr = std::unique_ptr<PQconninfoOption, ConninfoFree>;

struct PqFree {
  void operator()(char* p) const { PQfreemem(p); }
};
using PqString = std::unique_ptr<char, PqFree>;

// libpq's messages quote the token it choked on, which may be (part of) a password.
// Keep quoted tokens that are known option keywords; mask the rest.
std::string scrubParseError(std::string msg, const std::set<std::string, std::less<>>& keywords) {
  while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
  std::string out;
  size_t i = 0;
  while (i < msg.size()) {
    if (msg[i] != '"') {
      out += msg[i++];
      continue;
    }
    size_t close = msg.find('"', i + 1);
    if (close == std::string::npos) {
      out += "\"<...>";
      break;
    }
    std::string token = msg.substr(i + 1, close - i - 1);
    out += '"';
    out += keywords.count(token) ? token : std::string("<...>");
    out += '"';
    i = close + 1;
  }
  return out;
}

std::set<std::string, std::less<>> knownKeywords() {
  std::set<std::string, std::less<>> keys;
  ConninfoPtr defs(PQconndefaults());
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
    if (hadOld_) ::setenv("PGSERVICE", saved_.c_str(), 1);
    else ::unsetenv("PGSERVICE");
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
    return makeError("invalid port \"" + text + "\" in the connection string (expected 1-65535)");
  }
  return static_cast<uint16_t>(v);
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

std::string scrubConninfoMessage(std::string message) { return scrubParseError(std::move(message), knownKeywords()); }

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
      return makeError(what + ": " + path + " is not a regular file (a FIFO, device or directory); libpq would block or read it forever");
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

  // libpq before 17 rejects `sslnegotiation`: take it out and remember it (strip_option.h).
  std::optional<std::string> sslnegotiation;
  std::string input(conninfo);
  if (!keywords.count("sslnegotiation")) {
    auto stripped = stripOption(input, "sslnegotiation");
    input = std::move(stripped.conninfo);
    sslnegotiation = stripped.value;
    if (!sslnegotiation) {
      if (const char* env = std::getenv("PGSSLNEGOTIATION"); env && *env) sslnegotiation = env;
    }
  }
  char* rawErr = nullptr;
  ConninfoPtr parsed(PQconninfoParse(input.c_str(), &rawErr));
  PqString err(rawErr);
  if (!parsed) {
    std::string msg = err ? scrubParseError(err.get(), keywords) : std::string("out of memory");
    return makeError("malformed connection string: " + msg);
  }

  std::string service;
  for (auto* o = parsed.get(); o->keyword; ++o) {
    if (o->val && std::string_view(o->keyword) == "service") service = o->val;
  }
  ScopedServiceEnv serviceEnv(service);
  ConninfoPtr defaults(PQconndefaults());
  if (!defaults) return makeError("could not read libpq's defaults (PGSERVICE or pg_service.conf unreadable?)");

  std::map<std::string, std::string, std::less<>> explicitValues;
  for (auto* o = parsed.get(); o->keyword; ++o) {
    if (!o->val) continue;
    const std::string key = o->keyword;
    if (key == "password") t.password_ = util::Secret(o->val);
    else if (key == "sslpassword") t.sslpassword_ = util::Secret(o->val);
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
    if (it != explicitValues.end()) t.effective_[key] = it->second;
    else if (o->val) {
      t.effective_[key] = o->val;
      // Environment-provided values count as given by the user.
      if (o->envvar && std::getenv(o->envvar)) t.explicit_.emplace_back(key, o->val);
    }
  }

  if (sslnegotiation) {
    t.explicit_.emplace_back("sslnegotiation", *sslnegotiation);
    t.effective_["sslnegotiation"] = *sslnegotiation;
  }

  // Hosts, hostaddrs and ports are comma-separated lists, matched by position.
  const auto hostList = util::split(t.option("host"), ',');
  const auto addrList = t.option("hostaddr").empty() ? std::vector<std::string>{} : util::split(t.option("hostaddr"), ',');
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
      return makeError("no host in the connection string or PGHOST: libpq would use a Unix-domain socket, "
                       "and pgreach diagnoses network paths (give host=NAME)");
    }
    if (!h.host.empty() && h.host.front() == '/') {
      return makeError("host \"" + h.host + "\" is a Unix-domain socket directory: pgreach diagnoses network paths");
    }
    t.hosts_.push_back(std::move(h));
  }
  if (t.hosts_.empty()) {
    return makeError("no host in the connection string or PGHOST (give host=NAME)");
  }
  t.provider_ = detectProvider(t.primary().name());
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
