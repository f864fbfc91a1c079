#include "net/tls_client.h"

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

namespace pgreach::net {
namespace {

struct GeneralNamesFree {
  void operator()(GENERAL_NAMES* g) const { GENERAL_NAMES_free(g); }
};
struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};

// Per-connection verification log, reached from the verify callback via ex_data.
struct VerifyLog {
  std::vector<VerifyError> errors;
};
int verifyLogIndex() {
  static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

// Records every error and carries on, so one handshake shows all the problems.
int recordingVerify(int ok, X509_STORE_CTX* store) {
  if (ok) return 1;
  auto* ssl = static_cast<SSL*>(X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
  auto* log = ssl ? static_cast<VerifyLog*>(SSL_get_ex_data(ssl, verifyLogIndex())) : nullptr;
  const int code = X509_STORE_CTX_get_error(store);
  const int depth = X509_STORE_CTX_get_error_depth(store);
  if (log && log->errors.size() < 32) {
    bool seen = false;
    for (const auto& e : log->errors) seen = seen || (e.code == code && e.depth == depth);
    if (!seen) log->errors.push_back({depth, code, X509_verify_cert_error_string(code)});
  }
  return 1;
}

std::string nameToString(const X509_NAME* name) {
  std::unique_ptr<BIO, BioFree> bio(BIO_new(BIO_s_mem()));
  if (!bio || !name) return "";
  X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  return len > 0 ? std::string(data, static_cast<size_t>(len)) : std::string();
}

void timeFields(const ASN1_TIME* t, std::string& iso, long long& epoch) {
  if (!t) return;
  struct tm tmv {};
  if (ASN1_TIME_to_tm(t, &tmv) != 1) return;
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tmv);
  iso = buf;
  epoch = static_cast<long long>(timegm(&tmv));
}

std::string ipToString(const ASN1_OCTET_STRING* ip) {
  const unsigned char* d = ASN1_STRING_get0_data(ip);
  const int n = ASN1_STRING_length(ip);
  char buf[64];
  if (n == 4) {
    std::snprintf(buf, sizeof buf, "%u.%u.%u.%u", d[0], d[1], d[2], d[3]);
    return buf;
  }
  if (n == 16) {
    std::string out;
    for (int i = 0; i < 16; i += 2) {
      std::snprintf(buf, sizeof buf, "%s%x", i ? ":" : "", (d[i] << 8) | d[i + 1]);
      out += buf;
    }
    return out;
  }
  return "?";
}

CertInfo describe(X509* cert) {
  CertInfo c;
  c.subject = nameToString(X509_get_subject_name(cert));
  c.issuer = nameToString(X509_get_issuer_name(cert));
  c.selfSigned = X509_check_issued(cert, cert) == X509_V_OK;
  timeFields(X509_get0_notBefore(cert), c.notBefore, c.notBeforeEpoch);
  timeFields(X509_get0_notAfter(cert), c.notAfter, c.notAfterEpoch);
  std::unique_ptr<GENERAL_NAMES, GeneralNamesFree> names(
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr)));
  for (int i = 0; names && i < sk_GENERAL_NAME_num(names.get()) && i < 200; ++i) {
    const GENERAL_NAME* g = sk_GENERAL_NAME_value(names.get(), i);
    if (g->type == GEN_DNS) {
      const auto* s = g->d.dNSName;
      c.sans.push_back("DNS:" + std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                                            static_cast<size_t>(ASN1_STRING_length(s))));
    } else if (g->type == GEN_IPADD) {
      c.sans.push_back("IP:" + ipToString(g->d.iPAddress));
    }
  }
  if (EVP_PKEY* key = X509_get0_pubkey(cert)) {
    c.keyBits = EVP_PKEY_get_bits(key);
    const char* type = EVP_PKEY_get0_type_name(key);
    c.keyType = type ? type : "unknown";
  }
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int mdLen = 0;
  if (X509_digest(cert, EVP_sha256(), md, &mdLen) == 1) {
    char hex[4];
    for (unsigned int i = 0; i < mdLen; ++i) {
      std::snprintf(hex, sizeof hex, i ? ":%02X" : "%02X", md[i]);
      c.sha256 += hex;
    }
  }
  return c;
}

std::string opensslErrors() {
  std::string out;
  for (int i = 0; i < 8; ++i) {
    unsigned long e = ERR_get_error();
    if (e == 0) break;
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out;
}

}  // namespace

std::string_view toString(TlsOutcome o) {
  switch (o) {
    case TlsOutcome::Ok:
      return "ok";
    case TlsOutcome::Timeout:
      return "timeout";
    case TlsOutcome::Closed:
      return "closed";
    case TlsOutcome::Reset:
      return "reset";
    case TlsOutcome::ProtocolError:
      return "protocol_error";
    case TlsOutcome::LocalError:
      return "local_error";
  }
  return "local_error";
}

bool isIpLiteral(const std::string& text) { return IpAddress::parse(text).has_value(); }

TlsHandshakeResult tlsHandshake(Stream& stream, const TlsClientOptions& options, Deadline deadline) {
  TlsHandshakeResult r;
  const auto start = std::chrono::steady_clock::now();
  ERR_clear_error();
  SslCtxPtr ctx(SSL_CTX_new(TLS_client_method()));
  if (!ctx) {
    r.detail = "SSL_CTX_new failed";
    return r;
  }
  // Observe what the server offers, including old protocols we then report on.
  SSL_CTX_set_security_level(ctx.get(), 0);
  SSL_CTX_set_min_proto_version(ctx.get(), TLS1_VERSION);
  SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, recordingVerify);
  if (options.rootCert == "system") {
    SSL_CTX_set_default_verify_paths(ctx.get());
  } else if (!options.rootCert.empty()) {
    if (SSL_CTX_load_verify_locations(ctx.get(), options.rootCert.c_str(), nullptr) != 1) {
      r.detail = "cannot load root certificate file " + options.rootCert + ": " + opensslErrors();
      return r;
    }
  }
  SslPtr ssl(SSL_new(ctx.get()));
  if (!ssl) {
    r.detail = "SSL_new failed";
    return r;
  }
  VerifyLog log;
  SSL_set_ex_data(ssl.get(), verifyLogIndex(), &log);
  SSL_set_fd(ssl.get(), stream.fd());
  if (!options.sni.empty()) SSL_set_tlsext_host_name(ssl.get(), options.sni.c_str());
  if (!options.alpn.empty()) {
    std::string wire;
    for (const auto& p : options.alpn) {
      wire += static_cast<char>(p.size());
      wire += p;
    }
    SSL_set_alpn_protos(ssl.get(), reinterpret_cast<const unsigned char*>(wire.data()),
                        static_cast<unsigned int>(wire.size()));
  }

  bool done = false;
  for (int i = 0; i < 10000 && !done; ++i) {
    ERR_clear_error();
    errno = 0;
    int rc = SSL_connect(ssl.get());
    if (rc == 1) {
      done = true;
      break;
    }
    int e = SSL_get_error(ssl.get(), rc);
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
      if (!waitFd(stream.fd(), e == SSL_ERROR_WANT_WRITE, deadline)) {
        r.outcome = TlsOutcome::Timeout;
        r.detail = "no TLS handshake progress before the deadline";
        break;
      }
      continue;
    }
    const int savedErrno = errno;
    std::string errs = opensslErrors();
    if (e == SSL_ERROR_SYSCALL && (savedErrno == ECONNRESET || savedErrno == EPIPE)) {
      r.outcome = TlsOutcome::Reset;
      r.detail = std::strerror(savedErrno);
    } else if (e == SSL_ERROR_ZERO_RETURN || (e == SSL_ERROR_SYSCALL && savedErrno == 0) ||
               errs.find("unexpected eof") != std::string::npos) {
      r.outcome = TlsOutcome::Closed;
      r.detail = "the server closed the connection during the TLS handshake";
    } else {
      r.outcome = TlsOutcome::ProtocolError;
      r.detail = errs.empty() ? "TLS handshake failed" : errs;
    }
    break;
  }
  r.elapsed = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start);
  r.verifyErrors = log.errors;
  SSL_set_ex_data(ssl.get(), verifyLogIndex(), nullptr);
  if (STACK_OF(X509)* chain = SSL_get_peer_cert_chain(ssl.get())) {
    for (int i = 0; i < sk_X509_num(chain) && i < 16; ++i)
      r.chain.push_back(describe(sk_X509_value(chain, i)));
  }
  if (!done) {
    if (r.outcome == TlsOutcome::LocalError) r.outcome = TlsOutcome::ProtocolError;
    return r;
  }
  r.outcome = TlsOutcome::Ok;
  r.protocol = SSL_get_version(ssl.get());
  r.protocolVersion = SSL_version(ssl.get());
  if (const char* c = SSL_get_cipher_name(ssl.get())) r.cipher = c;
  const unsigned char* alpn = nullptr;
  unsigned int alpnLen = 0;
  SSL_get0_alpn_selected(ssl.get(), &alpn, &alpnLen);
  if (alpn && alpnLen) r.alpn.assign(reinterpret_cast<const char*>(alpn), alpnLen);
  if (!options.verifyHost.empty()) {
    X509Ptr leaf(SSL_get1_peer_certificate(ssl.get()));
    if (leaf) {
      r.hostChecked = true;
      // libpq's verify-full: an IP literal host is matched against IP SANs, a name
      // against DNS SANs (wildcards in the leftmost label), the CN only without SANs.
      if (isIpLiteral(options.verifyHost)) {
        r.hostMatches = X509_check_ip_asc(leaf.get(), options.verifyHost.c_str(), 0) == 1;
      } else {
        r.hostMatches = X509_check_host(leaf.get(), options.verifyHost.c_str(), options.verifyHost.size(),
                                        X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS, nullptr) == 1;
      }
    }
  }
  stream.adoptTls(std::move(ctx), std::move(ssl));
  return r;
}

}  // namespace pgreach::net
