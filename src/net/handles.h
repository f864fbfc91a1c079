#pragma once
// Every C handle pgreach holds, owned once: a unique_ptr with the library's free function,
// or a small move-only class where the handle is not a pointer (a file descriptor, a BPF
// program). Code never frees one of these by hand, so an early return cannot leak it.
// ldns/common.h does `#define bool _Bool` unless stdbool.h came first, which breaks
// libstdc++ under clang (the fuzz build): include it before ldns.
#include <stdbool.h>

#include <ldns/ldns.h>
#include <libpq-fe.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <pcap/pcap.h>
#include <unistd.h>

#include <memory>
#include <utility>

#include "util/fd.h"

namespace pgreach::net {

// A deleter that calls `Free`; unique_ptr never calls it with nullptr.
template <typename T, void (*Free)(T*)>
struct FreeWith {
  void operator()(T* p) const { Free(p); }
};

// ldns
using LdnsPktPtr = std::unique_ptr<ldns_pkt, FreeWith<ldns_pkt, ldns_pkt_free>>;
using LdnsRdfPtr = std::unique_ptr<ldns_rdf, FreeWith<ldns_rdf, ldns_rdf_deep_free>>;
using LdnsResolverPtr = std::unique_ptr<ldns_resolver, FreeWith<ldns_resolver, ldns_resolver_deep_free>>;
using LdnsRrListPtr = std::unique_ptr<ldns_rr_list, FreeWith<ldns_rr_list, ldns_rr_list_deep_free>>;

// libpcap
using PcapPtr = std::unique_ptr<pcap_t, FreeWith<pcap_t, pcap_close>>;
using PcapDumperPtr = std::unique_ptr<pcap_dumper_t, FreeWith<pcap_dumper_t, pcap_dump_close>>;
// A compiled filter: pcap_compile(handle, program.get(), ...) fills it, the destructor frees
// it (pcap_freecode is a no-op on a program that never compiled).
class BpfProgram {
 public:
  BpfProgram() = default;
  ~BpfProgram() { pcap_freecode(&program_); }
  BpfProgram(const BpfProgram&) = delete;
  BpfProgram& operator=(const BpfProgram&) = delete;
  bpf_program* get() { return &program_; }

 private:
  bpf_program program_{};
};

// OpenSSL
using SslCtxPtr = std::unique_ptr<SSL_CTX, FreeWith<SSL_CTX, SSL_CTX_free>>;
using SslPtr = std::unique_ptr<SSL, FreeWith<SSL, SSL_free>>;
using X509Ptr = std::unique_ptr<X509, FreeWith<X509, X509_free>>;
using X509StorePtr = std::unique_ptr<X509_STORE, FreeWith<X509_STORE, X509_STORE_free>>;
using X509StoreCtxPtr = std::unique_ptr<X509_STORE_CTX, FreeWith<X509_STORE_CTX, X509_STORE_CTX_free>>;
using X509NamePtr = std::unique_ptr<X509_NAME, FreeWith<X509_NAME, X509_NAME_free>>;
using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, FreeWith<EVP_PKEY, EVP_PKEY_free>>;
using BioPtr = std::unique_ptr<BIO, FreeWith<BIO, BIO_free_all>>;

// libpq
using PgConnPtr = std::unique_ptr<PGconn, FreeWith<PGconn, PQfinish>>;
using PgResultPtr = std::unique_ptr<PGresult, FreeWith<PGresult, PQclear>>;
using PgConninfoPtr = std::unique_ptr<PQconninfoOption, FreeWith<PQconninfoOption, PQconninfoFree>>;
// A string libpq allocated (PQencryptPasswordConn, ...): PQfreemem takes void*.
struct PqFreemem {
  void operator()(char* p) const { PQfreemem(p); }
};
using PgStringPtr = std::unique_ptr<char, PqFreemem>;

// File descriptors: util::Fd (util/fd.h), named here too so every handle has its alias
// in one header.
using Fd = util::Fd;

}  // namespace pgreach::net
