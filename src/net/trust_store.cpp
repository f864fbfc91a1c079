#include "net/trust_store.h"

#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include "net/handles.h"

namespace pgreach::net {
namespace {

X509NamePtr makeName(const RootName& r) {
  X509NamePtr name(X509_NAME_new());
  if (!name) return name;
  const std::pair<const char*, const std::string*> parts[] = {
      {"C", &r.country}, {"O", &r.organization}, {"OU", &r.unit}, {"CN", &r.commonName}};
  for (const auto& [field, value] : parts) {
    if (value->empty()) continue;
    if (X509_NAME_add_entry_by_txt(name.get(), field, MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>(value->c_str()),
                                   static_cast<int>(value->size()), -1, 0) != 1)
      return nullptr;
  }
  return name;
}

}  // namespace

Expected<std::vector<bool>> trustStoreHolds(const std::string& store, const std::vector<RootName>& roots) {
  X509StorePtr st(X509_STORE_new());
  if (!st) return makeError("out of memory");
  if (store == "system") {
    if (X509_STORE_set_default_paths(st.get()) != 1) {
      ERR_clear_error();
      return makeError("could not load the system trust store (OpenSSL's default paths)");
    }
  } else if (X509_STORE_load_locations(st.get(), store.c_str(), nullptr) != 1) {
    ERR_clear_error();
    return makeError("could not read " + store + " as a PEM file of CA certificates");
  }
  X509StoreCtxPtr ctx(X509_STORE_CTX_new());
  if (!ctx || X509_STORE_CTX_init(ctx.get(), st.get(), nullptr, nullptr) != 1)
    return makeError("out of memory");
  std::vector<bool> held;
  for (const auto& r : roots) {
    X509NamePtr name = makeName(r);
    bool found = false;
    if (name) {
      // Looks in the loaded file and, for the system store, the hashed directory too.
      STACK_OF(X509)* certs = X509_STORE_CTX_get1_certs(ctx.get(), name.get());
      found = certs && sk_X509_num(certs) > 0;
      if (certs) sk_X509_pop_free(certs, X509_free);
    }
    held.push_back(found);
  }
  ERR_clear_error();
  return held;
}

}  // namespace pgreach::net
