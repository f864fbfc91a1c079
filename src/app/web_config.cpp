#include "app/web_config.h"

#include <crypt.h>
#include <dlfcn.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/sha.h>

#include <algorithm>
#include <memory>

#include "net/handles.h"
#include "util/atomic_file.h"
#include "util/strings.h"

namespace pgreach::app {
namespace {

constexpr size_t kMaxWebConfigBytes = 64 * 1024;
constexpr size_t kMaxUsers = 64;

// A scalar as YAML writes it here: plain, 'single' or "double" quoted (no escapes
// inside double quotes but \" and \\), a trailing " # comment" dropped.
Expected<std::string> scalar(std::string v) {
  v = util::trim(v);
  if (v.empty()) return makeError("a value is required");
  if (v.front() == '\'' || v.front() == '"') {
    const char q = v.front();
    std::string out;
    size_t i = 1;
    for (; i < v.size() && v[i] != q; ++i) {
      if (q == '"' && v[i] == '\\' && i + 1 < v.size()) {
        ++i;
        if (v[i] != '"' && v[i] != '\\') return makeError("only \\\" and \\\\ escapes are supported");
      } else if (q == '\'' && v[i] == '\'' && i + 1 < v.size() && v[i + 1] == '\'') {
        ++i;
      }
      out += v[i];
    }
    if (i >= v.size()) return makeError("unterminated quoted value");
    std::string rest = util::trim(v.substr(i + 1));
    if (!rest.empty() && rest[0] != '#') return makeError("text after the quoted value");
    return out;
  }
  if (const auto hash = v.find(" #"); hash != std::string::npos) v = util::trim(v.substr(0, hash));
  if (v.front() == '[' || v.front() == '{' || v.front() == '&' || v.front() == '*' || v.front() == '|' ||
      v.front() == '>' || v.front() == '!') {
    return makeError("only plain or quoted scalar values are supported");
  }
  return v;
}

}  // namespace

Expected<WebConfig> parseWebConfig(std::string_view text, const std::string& origin) {
  if (text.size() > kMaxWebConfigBytes) return makeError(origin + ": larger than 64 KiB");
  if (text.find('\0') != std::string_view::npos) return makeError(origin + ": contains a NUL byte");
  WebConfig cfg;
  std::string section;  // the current top-level key
  size_t lineNo = 0;
  for (const auto& raw : util::split(std::string(text), '\n')) {
    ++lineNo;
    const std::string where = origin + ":" + std::to_string(lineNo) + ": ";
    std::string line = raw;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const std::string trimmed = util::trim(line);
    if (trimmed.empty() || trimmed[0] == '#') continue;
    if (trimmed == "---") continue;
    if (line.find('\t') != std::string::npos) return makeError(where + "tabs are not allowed in YAML");
    const size_t indent = line.find_first_not_of(' ');
    const auto colon = trimmed.find(':');
    if (trimmed[0] == '-') return makeError(where + "lists are not supported here");
    if (colon == std::string::npos) return makeError(where + "expected key: value");
    std::string key = util::trim(trimmed.substr(0, colon));
    if (key.size() >= 2 && (key.front() == '"' || key.front() == '\'') && key.back() == key.front())
      key = key.substr(1, key.size() - 2);
    const std::string rest = util::trim(trimmed.substr(colon + 1));
    if (indent == 0) {
      if (key != "tls_server_config" && key != "basic_auth_users") {
        return makeError(where + "unsupported key \"" + key.substr(0, 40) +
                         "\" (pgreach supports tls_server_config: cert_file, key_file and basic_auth_users)");
      }
      if (!rest.empty() && rest[0] != '#')
        return makeError(where + key + " must be a mapping (indented lines)");
      section = key;
      continue;
    }
    if (section.empty()) return makeError(where + "indented line outside a section");
    auto value = scalar(rest);
    if (!value) return makeError(where + key.substr(0, 40) + ": " + value.error());
    if (section == "tls_server_config") {
      if (key == "cert_file")
        cfg.certFile = *value;
      else if (key == "key_file")
        cfg.keyFile = *value;
      else
        return makeError(where + "unsupported tls_server_config key \"" + key.substr(0, 40) +
                         "\" (supported: cert_file, key_file)");
    } else {
      if (key.empty() || key.size() > 64) return makeError(where + "a user name is 1-64 characters");
      if (cfg.users.count(key)) return makeError(where + "user \"" + key + "\" is listed twice");
      if (cfg.users.size() >= kMaxUsers) return makeError(where + "more than 64 users");
      const std::string& h = *value;
      if (!(util::startsWith(h, "$2a$") || util::startsWith(h, "$2b$") || util::startsWith(h, "$2y$")) ||
          h.size() != 60) {
        // Never quote the value: it may be a password pasted by mistake.
        return makeError(where + "the password of \"" + key +
                         "\" must be a bcrypt hash ($2y$..., 60 characters; htpasswd -nBC 10 USER)");
      }
      cfg.users[key] = h;
    }
  }
  if (cfg.certFile.empty() != cfg.keyFile.empty())
    return makeError(origin + ": tls_server_config needs both cert_file and key_file");
  return cfg;
}

Expected<WebConfig> loadWebConfig(const std::string& path) {
  auto text = util::readFile(path, kMaxWebConfigBytes + 1);
  if (!text) return makeError(path + ": " + text.error());
  auto cfg = parseWebConfig(*text, path);
  if (!cfg) return cfg;
  for (const auto* f : {&cfg->certFile, &cfg->keyFile}) {
    if (f->empty()) continue;
    if (auto r = util::readFile(*f); !r) return makeError(path + ": " + *f + ": " + r.error());
  }
  return cfg;
}

TlsMaterial::~TlsMaterial() { OPENSSL_cleanse(key.data(), key.size()); }

namespace {

// PEM_read_bio_PrivateKey asks for a passphrase on the terminal without a callback; a
// server started by systemd has none, so an encrypted key is refused instead.
int noPassphrase(char*, int, int, void*) { return -1; }

std::string nameText(const X509_NAME* name) {
  net::BioPtr out(BIO_new(BIO_s_mem()));
  if (!out || X509_NAME_print_ex(out.get(), name, 0, XN_FLAG_RFC2253) < 0) return "?";
  char* data = nullptr;
  const long n = BIO_get_mem_data(out.get(), &data);
  return std::string(data, static_cast<size_t>(std::max(0L, std::min(n, 256L))));
}

// The serial's bytes in hex, as `openssl x509 -serial` prints them.
std::string serialText(const X509* cert) {
  const ASN1_INTEGER* serial = X509_get0_serialNumber(cert);
  const unsigned char* bytes = ASN1_STRING_get0_data(serial);
  const int n = ASN1_STRING_length(serial);
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (int i = 0; i < n && i < 32; ++i) {
    out += kHex[bytes[i] >> 4];
    out += kHex[bytes[i] & 15];
  }
  return out.empty() ? "0" : out;
}

}  // namespace

Expected<TlsMaterial> loadTlsMaterial(const WebConfig& cfg, const std::string& origin) {
  TlsMaterial m;
  auto cert = util::readFile(cfg.certFile);
  if (!cert) return makeError(origin + ": cert_file " + cfg.certFile + ": " + cert.error());
  m.cert = std::move(*cert);
  {
    auto key = util::readFile(cfg.keyFile);
    if (!key) return makeError(origin + ": key_file " + cfg.keyFile + ": " + key.error());
    m.key = std::move(*key);
  }
  // The OpenSSL error queue of this thread is left empty whichever way this ends.
  struct ClearErrors {
    ~ClearErrors() { ERR_clear_error(); }
  } clearErrors;
  net::BioPtr certBio(BIO_new_mem_buf(m.cert.data(), static_cast<int>(m.cert.size())));
  net::X509Ptr x509(certBio ? PEM_read_bio_X509(certBio.get(), nullptr, &noPassphrase, nullptr) : nullptr);
  if (!x509) return makeError(origin + ": cert_file " + cfg.certFile + ": no PEM certificate in it");
  net::BioPtr keyBio(BIO_new_mem_buf(m.key.data(), static_cast<int>(m.key.size())));
  net::EvpPkeyPtr key(keyBio ? PEM_read_bio_PrivateKey(keyBio.get(), nullptr, &noPassphrase, nullptr)
                             : nullptr);
  if (!key)
    return makeError(origin + ": key_file " + cfg.keyFile +
                     ": no unencrypted PEM private key in it (an encrypted key needs a passphrase at start)");
  if (X509_check_private_key(x509.get(), key.get()) != 1)
    return makeError(origin + ": key_file " + cfg.keyFile + " is not the key of cert_file " + cfg.certFile);
  unsigned char digest[SHA256_DIGEST_LENGTH];
  std::string both = m.cert + '\0' + m.key;
  SHA256(reinterpret_cast<const unsigned char*>(both.data()), both.size(), digest);
  OPENSSL_cleanse(both.data(), both.size());
  m.digest.assign(reinterpret_cast<const char*>(digest), sizeof digest);
  m.subject = nameText(X509_get_subject_name(x509.get()));
  m.serial = serialText(x509.get());
  Expected<TlsMaterial> out(std::move(m));
  return out;
}

namespace {
// libxcrypt is loaded on first use rather than linked, like libmicrohttpd (serve.cpp): only
// `serve` with basic auth needs it.
using CryptRn = decltype(&::crypt_rn);
CryptRn cryptRn() {
  static CryptRn fn = [] {
    void* lib = ::dlopen("libcrypt.so.1", RTLD_NOW | RTLD_LOCAL);
    return lib ? reinterpret_cast<CryptRn>(::dlsym(lib, "crypt_rn")) : nullptr;
  }();
  return fn;
}
}  // namespace

bool bcryptMatches(const std::string& password, const std::string& hash) {
  if (hash.size() != 60 || hash[0] != '$' || hash[1] != '2') return false;
  const CryptRn crypt_rn = cryptRn();
  if (crypt_rn == nullptr) return false;
  auto data = std::make_unique<crypt_data>();  // ~32 kB: not on a connection thread's stack
  const char* out =
      crypt_rn(password.c_str(), hash.c_str(), data.get(), static_cast<int>(sizeof(crypt_data)));
  const bool ok = out != nullptr && out[0] != '*' && std::string_view(out).size() == hash.size() &&
                  CRYPTO_memcmp(out, hash.data(), hash.size()) == 0;
  OPENSSL_cleanse(data.get(), sizeof(crypt_data));
  return ok;
}

}  // namespace pgreach::app
