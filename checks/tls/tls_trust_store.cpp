// tls.trust_store: whether the trust store the application's libpq will read (sslrootcert,
// ~/.postgresql/root.crt, or the system store for sslrootcert=system) holds every root CA
// the provider's documentation tells clients to trust. tls.handshake verifies today's
// chain against the same store; this one catches the bundle that verifies today and
// breaks at the provider's next CA rotation (Azure: DigiCert Global Root G2, Microsoft RSA
// Root Certificate Authority 2017, DigiCert Global Root CA). Reads files only.
#include "checks/common/tls_codes.h"
#include "checks/common/tls_common.h"
#include "engine/registry.h"
#include "net/trust_store.h"
#include "target/provider_profile.h"

namespace pgreach::checks::tls {
namespace {

using engine::CheckResult;
using engine::Severity;

constexpr const char* kTrustStoreId = "tls.trust_store";

class TlsTrustStore final : public engine::Check {
 public:
  const engine::CheckInfo& info() const override {
    static const engine::CheckInfo kInfo = engine::withCodes(
        {kTrustStoreId,
         engine::Stage::Tls,
         "Check that the trust store libpq will use holds every root CA the provider documents",
         {},
         engine::Millis(5000)},
        engine::pickCodes(tlsCodes(), {"tls.trust_store_missing_root"}));
    return kInfo;
  }

  CheckResult run(engine::CheckContext& ctx) override {
    CheckResult r;
    const auto& target = ctx.target();
    const auto& profile = target::profileOf(target.provider());
    const std::string sslmode = target.sslmode();
    r.status = engine::Status::Skip;
    // Nothing to look at (no documented roots, no store read): not applicable, not "not run".
    r.stateOverride = util::ResultState::NotApplicable;
    if (profile.trustRoots.empty()) {
      r.summary = "the " + std::string(profile.name) +
                  " profile names no root CA to hold: tls.handshake verifies the served chain";
      return r;
    }
    if (!sslmodeVerifiesChain(sslmode)) {
      r.summary = "sslmode=" + (sslmode.empty() ? std::string("prefer") : sslmode) +
                  " does not verify the server certificate: libpq reads no trust store";
      return r;
    }
    r.stateOverride.reset();
    const std::string store = rootCertFor(target);
    if (store.empty()) {
      r.stateOverride = util::ResultState::NotVerified;
      r.summary =
          "no trust store to check: sslrootcert is unset and ~/.postgresql/root.crt does not exist "
          "(tls.handshake reports it)";
      return r;
    }
    std::vector<net::RootName> names;
    for (const auto& root : profile.trustRoots)
      names.push_back({std::string(root.country), std::string(root.organization), std::string(root.unit),
                       std::string(root.commonName)});
    auto held = net::trustStoreHolds(store, names);
    const std::string where =
        store == "system" ? std::string("the system trust store (sslrootcert=system)") : store;
    if (!held) {
      r.stateOverride = util::ResultState::NotVerified;
      r.summary = "trust store not checked: " + held.error();
      return r;
    }
    std::vector<std::string> missing, present;
    std::string downloads;
    for (size_t i = 0; i < names.size(); ++i) {
      const std::string cn(profile.trustRoots[i].commonName);
      if ((*held)[i]) {
        present.push_back(cn);
      } else {
        missing.push_back(cn);
        downloads +=
            (downloads.empty() ? "" : "; ") + cn + ": " + std::string(profile.trustRoots[i].download);
      }
    }
    if (!missing.empty()) {
      std::vector<std::string> evidence;
      for (const auto& m : missing) evidence.push_back(where + " has no certificate with subject CN=" + m);
      for (const auto& p : present) evidence.push_back(where + " holds " + p);
      evidence.push_back(std::string(profile.trustRootsBasis));
      std::string list;
      for (const auto& m : missing) list += (list.empty() ? "" : ", ") + m;
      r.findings.push_back(
          {"tls.trust_store_missing_root", Severity::Warning,
           "the trust store libpq will use (" + where + ") lacks " + list +
               ": the connection fails with 'certificate verify failed' once " + std::string(profile.name) +
               " serves a chain to it",
           evidence,
           store == "system"
               ? "Update the system's CA certificates (apt-get install --only-upgrade ca-certificates; "
                 "update-ca-certificates), or add the missing roots: " +
                     downloads + "."
               : "Append the missing roots (PEM) to " + store + ": " + downloads + "."});
    }
    r.status = engine::statusFromFindings(r.findings);
    r.summary = missing.empty() ? where + " holds all " + std::to_string(names.size()) + " root CAs " +
                                      std::string(profile.name) + " documents"
                                : where + " lacks " + std::to_string(missing.size()) + " of the " +
                                      std::to_string(names.size()) + " root CAs " +
                                      std::string(profile.name) + " documents";
    return r;
  }
};

engine::RegisterCheck<TlsTrustStore> registered;

}  // namespace
}  // namespace pgreach::checks::tls
