#include "checks/tls/cert_eval.h"

#include <openssl/x509_vfy.h>

#include "checks/common/tls_common.h"
#include "util/peer_text.h"

namespace pgreach::checks::tls {
namespace {

using engine::Finding;
using engine::Severity;

std::string joinSans(const std::vector<std::string>& sans) {
  std::string out;
  for (const auto& s : sans) out += (out.empty() ? "" : ", ") + util::PeerText(s).shown();
  return out.empty() ? "(no subjectAltName)" : out;
}

bool isUntrustedCode(int code) {
  return code == X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT || code == X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN ||
         code == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY ||
         code == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT || code == X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE ||
         code == X509_V_ERR_CERT_UNTRUSTED || code == X509_V_ERR_CERT_SIGNATURE_FAILURE ||
         code == X509_V_ERR_INVALID_CA || code == X509_V_ERR_CERT_REJECTED;
}

// "2 h 5 min", "3 days": how far ahead a certificate's start is.
std::string aheadBy(long long seconds) {
  if (seconds >= 86400) return std::to_string(seconds / 86400) + " day(s)";
  if (seconds >= 3600)
    return std::to_string(seconds / 3600) + " h " + std::to_string(seconds % 3600 / 60) + " min";
  if (seconds >= 60) return std::to_string(seconds / 60) + " min";
  return std::to_string(seconds) + " s";
}

// A certificate whose validity has not started: which side's clock is likely wrong. A
// synchronised clock here is believed, so the certificate was issued or installed early;
// an unsynchronised one is the likely fault; unknown, a start less than a day ahead points
// at this clock (issuers backdate, they do not postdate), more at the certificate.
Finding notYetValid(const CertJudgement& j, const std::string& notBefore, long long ahead,
                    std::vector<std::string> evidence, Severity sev) {
  const std::string at = j.where.empty() ? "" : j.where + ": ";
  const bool clockLikely = j.clockSynchronised ? !*j.clockSynchronised : ahead < 86400;
  evidence.push_back(at + "this host's clock: " +
                     (!j.clockSynchronised ? std::string("synchronisation unknown (ntp_adjtime failed)")
                      : *j.clockSynchronised
                          ? std::string("synchronised (the kernel reports NTP lock)")
                          : std::string("not synchronised (the kernel reports STA_UNSYNC)")));
  std::string summary = "the server certificate is not valid before " + notBefore + ", " + aheadBy(ahead) +
                        " from now by this host's clock: ";
  if (clockLikely) {
    summary += "this host's clock is likely behind";
    return {"tls.cert_not_yet_valid", sev, summary, std::move(evidence),
            "Synchronise this host's clock (timedatectl set-ntp true, or chrony / systemd-timesyncd with a "
            "reachable NTP server; AWS: 169.254.169.123, Azure: the host's time sync), then retry."};
  }
  summary += "the certificate was likely issued or installed ahead of its start";
  return {"tls.cert_not_yet_valid", sev, summary, std::move(evidence),
          "Install a certificate whose validity has started (or wait until " + notBefore +
              "); check the clock of the server or of whoever issued it."};
}

}  // namespace

long long daysUntil(long long nowEpoch, long long thenEpoch) {
  const long long diff = thenEpoch - nowEpoch;
  return diff >= 0 ? diff / 86400 : -((-diff + 86399) / 86400);
}

std::vector<Finding> judgeHandshake(const CertJudgement& j) {
  std::vector<Finding> out;
  const auto& h = j.handshake;
  const bool verifyChain = sslmodeVerifiesChain(j.sslmode);
  const bool verifyHost = sslmodeVerifiesHost(j.sslmode);
  // With require/prefer libpq accepts any certificate: problems are warnings then.
  const Severity chainSev = verifyChain ? Severity::Critical : Severity::Warning;
  const Severity hostSev = verifyHost ? Severity::Critical : Severity::Warning;
  const std::string at = j.where.empty() ? "" : j.where + ": ";

  if (h.chain.empty()) {
    out.push_back({"tls.no_certificate",
                   chainSev,
                   "the server sent no certificate",
                   {at + "empty chain"},
                   "Configure a certificate on the server."});
    return out;
  }
  const auto& leaf = h.chain.front();
  // Subject, issuer and names are the peer's text.
  std::vector<std::string> leafEvidence = {
      at + "subject: " + util::PeerText(leaf.subject).shown(),
      at + "issuer: " + util::PeerText(leaf.issuer).shown(), at + "names: " + joinSans(leaf.sans),
      at + "valid " + leaf.notBefore + " .. " + leaf.notAfter, at + "sha256 " + leaf.sha256};

  // Validity from the certificate itself: meaningful even with no trust store.
  const long long days = daysUntil(j.nowEpoch, leaf.notAfterEpoch);
  if (leaf.notAfterEpoch && j.nowEpoch > leaf.notAfterEpoch) {
    out.push_back(
        {"tls.cert_expired", chainSev,
         "the server certificate expired on " + leaf.notAfter + " (" + std::to_string(-days) + " days ago)",
         leafEvidence,
         "Renew the server certificate (managed providers rotate theirs: if you pinned a copy "
         "or reach an old endpoint, that is the cause)."});
  } else if (leaf.notBeforeEpoch && j.nowEpoch < leaf.notBeforeEpoch) {
    out.push_back(notYetValid(j, leaf.notBefore, leaf.notBeforeEpoch - j.nowEpoch, leafEvidence, chainSev));
  } else if (leaf.notAfterEpoch && days < j.certWarnDays) {
    out.push_back(
        {"tls.cert_expiring", Severity::Warning,
         "the server certificate expires in " + std::to_string(days) + " days (" + leaf.notAfter + ")",
         leafEvidence, "Renew the certificate before " + leaf.notAfter + "."});
  }

  // Chain trust, from the verification log (time errors are reported above).
  if (j.rootCertKnown) {
    std::vector<std::string> untrusted;
    std::vector<std::string> otherErrors;
    for (const auto& e : h.verifyErrors) {
      if (e.code == X509_V_ERR_CERT_HAS_EXPIRED || e.code == X509_V_ERR_CERT_NOT_YET_VALID) {
        if (e.depth > 0) otherErrors.push_back(at + "depth " + std::to_string(e.depth) + ": " + e.text);
        continue;
      }
      std::string line = at + "depth " + std::to_string(e.depth) + ": " + e.text + " (X509 error " +
                         std::to_string(e.code) + ")";
      (isUntrustedCode(e.code) ? untrusted : otherErrors).push_back(line);
    }
    if (!untrusted.empty()) {
      untrusted.push_back(at + "trust store: " + j.rootCert);
      untrusted.insert(untrusted.end(), leafEvidence.begin(), leafEvidence.end());
      out.push_back(
          {"tls.cert_untrusted", chainSev,
           leaf.selfSigned ? "the server certificate is self-signed and not in the trust store"
                           : "the server certificate does not chain to a trusted CA",
           untrusted,
           "Point sslrootcert at the CA that issued the server certificate (the provider's CA bundle, or "
           "sslrootcert=system for public CAs). If the issuer is unexpected, something intercepts TLS."});
    }
    if (!otherErrors.empty()) {
      out.push_back({"tls.cert_invalid", chainSev, "the certificate chain failed verification", otherErrors,
                     "Fix the chain the server sends (intermediates, key usage)."});
    }
  } else if (verifyChain) {
    out.push_back({"tls.no_root_cert",
                   Severity::Critical,
                   "sslmode=" + j.sslmode + " needs a trust store, and none was given or found",
                   {"sslrootcert is unset and ~/.postgresql/root.crt does not exist"},
                   "Set sslrootcert to the provider's CA file (or sslrootcert=system with libpq 16+)."});
  }

  if (h.hostChecked && !h.hostMatches) {
    // verify-ca deliberately skips the host name: only informative there.
    out.push_back(
        {"tls.cert_wrong_host", j.sslmode == "verify-ca" ? Severity::Info : hostSev,
         "the server certificate does not name \"" + j.host + "\"; it names " + joinSans(leaf.sans),
         leafEvidence,
         "Connect by a name the certificate lists (for PrivateLink, the provider's private hostname with "
         "private DNS enabled, not the VPC endpoint's own DNS name or an IP), or reissue the certificate."});
  }

  if (h.protocolVersion && h.protocolVersion < TLS1_2_VERSION) {
    out.push_back(
        {"tls.old_protocol",
         Severity::Warning,
         "the server negotiated " + h.protocol + " (below TLS 1.2)",
         {at + "protocol " + h.protocol + ", cipher " + h.cipher},
         "Set ssl_min_protocol_version = 'TLSv1.2' on the server; libpq 13+ refuses older protocols by "
         "default."});
  }
  const bool weakRsa =
      (leaf.keyType == "RSA" || leaf.keyType == "RSA-PSS" || leaf.keyType == "DSA" || leaf.keyType == "DH") &&
      leaf.keyBits > 0 && leaf.keyBits < 2048;
  const bool weakEc = leaf.keyType == "EC" && leaf.keyBits > 0 && leaf.keyBits < 224;
  if (weakRsa || weakEc) {
    out.push_back({"tls.weak_key",
                   Severity::Warning,
                   "the server key is " + leaf.keyType + " " + std::to_string(leaf.keyBits) + " bits",
                   {at + "key " + leaf.keyType + " " + std::to_string(leaf.keyBits)},
                   "Use RSA 2048+ or ECDSA P-256+."});
  }
  return out;
}

}  // namespace pgreach::checks::tls
