#include "app/bundle.h"
#include "util/json_dump.h"

// ldns/common.h does `#define bool _Bool` unless stdbool.h came first, which breaks
// libstdc++ under clang (the fuzz build): include it before ldns.
#include <stdbool.h>

#include <arpa/inet.h>
#include <ldns/ldns.h>
#include <libpq-fe.h>
#include <openssl/crypto.h>

#include <ctime>
#include <nlohmann/json.hpp>
#include <regex>

#include "app/tar_gz.h"
#include "engine/tcp_facts.h"
#include "engine/tls_facts.h"
#include "reports/render/prom_time.h"
#include "reports/render/render.h"
#include "util/atomic_file.h"

namespace pgreach::app {
namespace {

bool isAddress(const std::string& s) {
  unsigned char buf[16];
  if (s.find(':') == std::string::npos) return inet_pton(AF_INET, s.c_str(), buf) == 1;
  // "d::" is a valid IPv6 address but, in a report, a C++ scope: require a digit.
  if (s.find_first_of("0123456789") == std::string::npos) return false;
  return inet_pton(AF_INET6, s.c_str(), buf) == 1;
}

}  // namespace

std::string AddressMasker::apply(const std::string& text) {
  static const std::regex kAddr(R"([0-9A-Fa-f:.]*[0-9A-Fa-f][0-9A-Fa-f:.]*)");
  std::string out;
  size_t last = 0;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), kAddr); it != std::sregex_iterator(); ++it) {
    std::string m = it->str();
    size_t pos = static_cast<size_t>(it->position());
    // Trim punctuation a sentence or a port suffix leaves around an address.
    while (!m.empty() && (m.back() == '.' || m.back() == ':')) m.pop_back();
    if (!isAddress(m)) {
      // "10.0.0.1:5432" is an address and a port: try without the last :part.
      auto colon = m.rfind(':');
      if (colon != std::string::npos && m.find(':') == colon && isAddress(m.substr(0, colon))) {
        m = m.substr(0, colon);
      } else {
        continue;
      }
    }
    const bool glued =
        (pos > 0 && (std::isalnum(static_cast<unsigned char>(text[pos - 1])) || text[pos - 1] == '_')) ||
        (pos + m.size() < text.size() &&
         (std::isalpha(static_cast<unsigned char>(text[pos + m.size()])) || text[pos + m.size()] == '_'));
    if (glued) continue;  // part of a word or a hostname label, not an address
    auto [slot, inserted] = masks_.try_emplace(m, "");
    if (inserted) slot->second = "ip-masked-" + std::to_string(masks_.size());
    out.append(text, last, pos - last);
    out += slot->second;
    last = pos + m.size();
  }
  out.append(text, last, std::string::npos);
  return out;
}

std::string effectiveOptionsJson(const cli::Options& o, const reports::Report& r) {
  nlohmann::json j = {{"conninfo", r.target.conninfo},
                      {"provider", o.provider.empty() ? r.target.provider : o.provider},
                      {"ports", r.target.ports},
                      {"vpc_cidrs", o.vpcCidrs},
                      {"resolvers", o.resolvers},
                      {"timeout_ms", o.probeTimeout.count()},
                      {"deadline_ms", o.deadline.count()},
                      {"only", o.only},
                      {"skip", o.skip},
                      {"formats", o.formats},
                      {"output", o.output},
                      {"output_dir", o.outputDir},
                      {"config", o.configFile},
                      {"store", o.store.empty() ? "" : "<set>"},  // a DSN: never copied
                      {"mask_addresses", o.maskAddresses},
                      {"max_parallel", o.maxParallel}};
  return util::dumpJson(j, 2) + "\n";
}

std::string versionsText() {
  const int pq = PQlibVersion();
  std::string out = "pgreach " PGREACH_VERSION "\n";
  out += "libpq " + std::to_string(pq / 10000) + "." + std::to_string(pq % 100) + " (" + std::to_string(pq) +
         ")\n";
  out += std::string(OpenSSL_version(OPENSSL_VERSION)) + "\n";
  out += std::string("ldns ") + ldns_version() + "\n";
  return out;
}

Expected<bool> writeBundle(const std::string& path, const reports::Report& report,
                           const cli::Options& options, const util::Redactor& redactor, bool maskAddresses) {
  std::vector<TarEntry> entries;
  const std::string dir = "pgreach-bundle/";
  for (const auto& [format, name] :
       {std::pair{"markdown", "report.md"}, {"html", "report.html"}, {"json", "report.json"}}) {
    if (auto text = reports::render(report, format, {})) entries.push_back({dir + name, *text});
  }
  entries.push_back({dir + "options.json", effectiveOptionsJson(options, report)});
  entries.push_back({dir + "versions.txt", versionsText()});
  for (const auto& c : report.checks) {
    // tcp.connect's --capture-file, when the check wrote one.
    if (const auto* tcp = c.factsAs<engine::TcpConnectFacts>(); tcp && !tcp->captureFile.empty()) {
      // A capture holds addresses in binary form that cannot be masked: leave it out then.
      if (maskAddresses) {
        entries.push_back(
            {dir + "capture.txt", "The packet capture was left out: --mask-addresses was given.\n"});
      } else if (auto bytes = util::readFile(tcp->captureFile)) {
        entries.push_back({dir + "capture.pcap", *bytes});
      }
    }
    // The certificate details each probe saw (subject, issuer, SANs, validity, sha256).
    if (const auto* hs = c.factsAs<engine::HandshakeFacts>()) {
      nlohmann::json chains = nlohmann::json::array();
      for (const auto& p : hs->probes) {
        if (!p.handshakeRan) continue;
        nlohmann::json chain = nlohmann::json::array();
        for (const auto& cert : p.chain) chain.push_back(engine::certJson(cert));
        chains.push_back({{"address", p.address}, {"port", p.port}, {"chain", chain}});
      }
      redactor.applyToStrings(chains);  // the subjects are the peer's text: masked before JSON escapes them
      if (!chains.empty()) entries.push_back({dir + c.id + ".chain.json", util::dumpJson(chains, 2) + "\n"});
    }
  }
  AddressMasker masker;
  for (auto& e : entries) {
    e.content = redactor.apply(std::move(e.content));
    if (maskAddresses && e.name.find(".pcap") == std::string::npos) e.content = masker.apply(e.content);
  }
  const long long mtime = reports::parseIsoUtc(report.startedAt).value_or(0);
  auto tar = makeTar(entries, mtime);
  if (!tar) return makeError(tar.error());
  auto gz = gzip(*tar);
  if (!gz) return makeError(gz.error());
  return util::writeFileAtomically(path, *gz);
}

}  // namespace pgreach::app
