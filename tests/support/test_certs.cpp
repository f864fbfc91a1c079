#include "support/test_certs.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <cstring>
#include <functional>
#include <stdexcept>

#include "net/handles.h"

namespace pgreach::testing {
namespace {

std::string pemOf(const std::function<int(BIO*)>& write) {
  net::BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || write(bio.get()) != 1) throw std::runtime_error("test certificate: PEM write failed");
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(n));
}

}  // namespace

TestCert makeTestCert(const std::string& cn, long serial) {
  net::EvpPkeyPtr key(EVP_EC_gen("P-256"));
  net::X509Ptr x(X509_new());
  if (!key || !x) throw std::runtime_error("test certificate: out of memory");
  X509_set_version(x.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x.get()), serial);
  X509_gmtime_adj(X509_getm_notBefore(x.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(x.get()), 2 * 86400);
  X509_set_pubkey(x.get(), key.get());
  X509_NAME* name = X509_get_subject_name(x.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn.c_str()), -1,
                             -1, 0);
  X509_set_issuer_name(x.get(), name);
  if (X509_sign(x.get(), key.get(), EVP_sha256()) == 0) throw std::runtime_error("test certificate: sign");
  TestCert out;
  out.certPem = pemOf([&](BIO* b) { return PEM_write_bio_X509(b, x.get()); });
  out.keyPem = pemOf(
      [&](BIO* b) { return PEM_write_bio_PrivateKey(b, key.get(), nullptr, nullptr, 0, nullptr, nullptr); });
  return out;
}

PresentedCert presentedCert(uint16_t port, int timeoutMs) {
  PresentedCert out;
  net::Fd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return out;
  // Blocking socket, every call bounded: SO_SNDTIMEO bounds connect on Linux too.
  timeval tv{timeoutMs / 1000, (timeoutMs % 1000) * 1000};
  ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd.get(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&a), sizeof a) != 0) return out;
  net::SslCtxPtr ctx(SSL_CTX_new(TLS_client_method()));
  if (!ctx) return out;
  SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_NONE, nullptr);
  net::SslPtr ssl(SSL_new(ctx.get()));
  if (!ssl || SSL_set_fd(ssl.get(), fd.get()) != 1) return out;
  const int rc = SSL_connect(ssl.get());
  if (rc == 1) {
    net::X509Ptr peer(SSL_get1_peer_certificate(ssl.get()));
    if (peer) {
      char cn[256] = {};
      X509_NAME_get_text_by_NID(X509_get_subject_name(peer.get()), NID_commonName, cn, sizeof cn);
      out.cn = cn;
      out.serial = ASN1_INTEGER_get(X509_get0_serialNumber(peer.get()));
      out.ok = true;
    }
    SSL_shutdown(ssl.get());
  }
  ERR_clear_error();
  return out;
}

}  // namespace pgreach::testing
