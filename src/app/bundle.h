#pragma once
// The support bundle (--bundle FILE.tar.gz): what a support engineer needs to see the
// problem without a call: the Markdown, HTML and JSON reports, the packet capture and
// certificate chain when checks recorded them, the effective options and the versions
// of pgreach, libpq, OpenSSL and ldns. Every member passes the run's Redactor; with
// --mask-addresses IP addresses are masked too, the same address always the same way.
#include <map>
#include <string>

#include "cli/options.h"
#include "reports/report/report.h"
#include "util/expected.h"
#include "util/redact.h"

namespace pgreach::app {

class AddressMasker {
 public:
  // Replaces every IPv4/IPv6 address in `text` by "ip-masked-N" (N fixed per address).
  std::string apply(const std::string& text);

 private:
  std::map<std::string, std::string> masks_;
};

// The effective options as JSON, without secrets (the conninfo as the report prints it).
std::string effectiveOptionsJson(const cli::Options& o, const reports::Report& r);
// "pgreach X\nlibpq N\nOpenSSL ...\nldns ..."
std::string versionsText();

Expected<bool> writeBundle(const std::string& path, const reports::Report& report,
                           const cli::Options& options, const util::Redactor& redactor, bool maskAddresses);

}  // namespace pgreach::app
