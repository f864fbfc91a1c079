// cloud.context: which cloud inputs there are (exports, live CLI, instance metadata),
// and where the client sits: its address, subnet, security groups, region and zone.
// It parses every export once: later checks, other stages and the report read the
// parsed models, the client, the VPC CIDRs and the platform resolvers from its
// CloudContextFacts (engine/cloud_facts.h).
#include <ifaddrs.h>

#include <memory>

#include "checks/cloud/cloud_common.h"
#include "checks/cloud/codes.h"
#include "cloud/aws_eval.h"
#include "cloud/azure_eval.h"
#include "cloud/imds.h"
#include "cloud/live.h"
#include "engine/registry.h"
#include "target/provider.h"
#include "target/provider_profile.h"
#include "util/strings.h"

namespace pgreach::checks::cloud {
namespace {

using engine::CheckResult;
using engine::Finding;
using engine::Severity;
namespace pc = pgreach::cloud;

std::vector<net::IpAddress> localAddresses() {
  std::vector<net::IpAddress> out;
  ifaddrs* raw = nullptr;
  if (::getifaddrs(&raw) != 0) return out;
  std::unique_ptr<ifaddrs, decltype(&::freeifaddrs)> list(raw, &::freeifaddrs);
  for (ifaddrs* i = list.get(); i; i = i->ifa_next) {
    if (!i->ifa_addr) continue;
    if (auto a = net::IpAddress::fromSockaddr(i->ifa_addr)) out.push_back(*a);
  }
  return out;
}

// AWS: the VPC resolver at the primary CIDR's base + 2. 169.254.169.253 is the same
// Route 53 Resolver at a link-local address: only named when base + 2 is unknown, so one
// service is not asked (and judged) twice.
std::vector<std::string> awsResolvers(const pc::Vpc* vpc) {
  if (vpc && !vpc->cidrs.empty() && vpc->cidrs.front().base.isV4() && vpc->cidrs.front().size() > 2) {
    return {vpc->cidrs.front().at(2).toString()};
  }
  return {"169.254.169.253"};
}

struct LiveDirs {
  std::string awsDir, azureDir;
  std::string error;  // what could not be collected, and why
};

// --cloud-live: which CLIs to run. The hostname decides when it names a provider (an
// Azure Flexible Server is not reached over AWS PrivateLink, nor Neon over Azure Private
// Link); otherwise every CLI on PATH runs. Commands that ran go to data.live_commands,
// failed ones become findings on `r`.
LiveDirs collectLive(engine::CheckContext& ctx, bool wantAws, bool wantAzure, CheckResult& r,
                     std::vector<std::string>& ran) {
  const auto& o = ctx.config().cloud;
  const std::string_view cloud =
      target::profileOf(target::detectProvider(ctx.target().primary().name())).cloud;
  if (cloud == "azure")
    wantAws = false;
  else if (cloud == "aws")
    wantAzure = false;
  const bool haveAws = pc::onPath("aws"), haveAz = pc::onPath("az");
  LiveDirs out;
  std::vector<std::string> errors;
  if (wantAws && wantAzure && !haveAws && !haveAz) {
    out.error = "--cloud-live: neither the aws nor the az CLI is installed (not found on PATH)";
    return out;
  }
  if (wantAws && !haveAws && !wantAzure)
    errors.push_back("--cloud-live: the aws CLI is not installed (not found on PATH)");
  if (wantAzure && !haveAz && !wantAws) {
    errors.push_back(
        "--cloud-live: the az CLI is not installed (not found on PATH), needed for the Azure host " +
        ctx.target().primary().name());
  }
  const auto deadline = std::chrono::steady_clock::now() + ctx.remaining();
  auto take = [&](Expected<pc::LiveCollection> live, std::string& dir) {
    if (!live) return errors.push_back(live.error());
    dir = live->dir;
    ran.insert(ran.end(), live->ran.begin(), live->ran.end());
    for (const auto& f : live->failures)
      r.findings.push_back({"cloud.live_command_failed", Severity::Info, f, {}, ""});
    for (const auto& f : live->incomplete) {
      r.findings.push_back(
          {"cloud.live_command_failed",
           Severity::Warning,
           f,
           {"the audit misses what this command lists"},
           "Run the command by hand to see why; check the CLI login and --cloud-cli-timeout."});
    }
  };
  if (wantAws && haveAws) take(pc::collectAwsLive(o.region, o.cliTimeout, deadline), out.awsDir);
  if (wantAzure && haveAz) {
    // The client NIC is found by --client-ip, else by this host's own IPv4 addresses.
    std::vector<std::string> clientIps;
    if (!o.clientIp.empty()) {
      clientIps.push_back(o.clientIp);
    } else {
      for (const auto& a : localAddresses()) {
        const bool loopback = a.bytes[0] == 127, linkLocal = a.bytes[0] == 169 && a.bytes[1] == 254;
        if (a.isV4() && !loopback && !linkLocal) clientIps.push_back(a.toString());
      }
    }
    take(pc::collectAzureLive(o.azureResourceGroup, clientIps, o.cliTimeout, deadline), out.azureDir);
  }
  out.error = util::join(errors, "; ");
  return out;
}

// Lists every export file as a finding's evidence (so every format shows it): read, with
// what it held, or ignored, with why. A folder with no usable file gets a warning of its
// own. Returns whether any folder given had a usable file (true when none was given).
bool accountForFiles(const pc::AwsAccount* aws, const std::string& awsDir, const pc::AzureNetwork* azure,
                     const std::string& azureDir, CheckResult& r) {
  constexpr size_t kMaxLines = 200;
  std::vector<std::string> evidence;
  size_t read = 0, ignored = 0, usableDirs = 0, dirs = 0;
  auto account = [&](const char* cloud, const std::vector<pc::ExportOutcome>& outcomes,
                     const std::string& dir) {
    ++dirs;
    bool usable = false;
    for (const auto& o : outcomes) {
      (o.read() ? read : ignored) += 1;
      usable = usable || o.read();
      if (evidence.size() < kMaxLines) evidence.push_back(std::string(cloud) + " " + o.describe());
    }
    if (usable) return void(++usableDirs);
    r.findings.push_back(
        {"cloud.exports_unusable",
         Severity::Warning,
         std::string(cloud == std::string("aws") ? "AWS" : "Azure") + " export " + dir +
             (outcomes.empty() ? ": the folder holds no file"
                               : ": none of its " + std::to_string(outcomes.size()) +
                                     " files holds anything pgreach reads"),
         {},
         "Export the configuration with the commands in the README into the folder; each ignored file's "
         "reason says what it holds instead."});
  };
  if (aws) account("aws", aws->outcomes, awsDir);
  if (azure) account("azure", azure->outcomes, azureDir);
  if (dirs == 0) return true;
  if (read + ignored > evidence.size())
    evidence.push_back("... and " + std::to_string(read + ignored - evidence.size()) + " more");
  r.findings.insert(r.findings.begin(), {"cloud.export_files", Severity::Info,
                                         "export files: " + std::to_string(read) + " read, " +
                                             std::to_string(ignored) + " ignored",
                                         std::move(evidence), ""});
  return usableDirs > 0;
}

class CloudContext final : public engine::Check {
 public:
  const engine::CheckInfo& info() const override {
    static const engine::CheckInfo kInfo =
        engine::withCodes({kContextId,
                           engine::Stage::Cloud,
                           "Load the cloud configuration and locate the client (subnet, groups, region)",
                           {},
                           engine::Millis(30000)},
                          engine::pickCodes(cloudCodes(), {"cloud.live_command_failed", "cloud.live_failed",
                                                           "cloud.client_unknown", "cloud.imds_unavailable",
                                                           "cloud.export_files", "cloud.exports_unusable"}));
    return kInfo;
  }

  CheckResult run(engine::CheckContext& ctx) override {
    const auto& o = ctx.config().cloud;
    CheckResult r;
    engine::CloudContextFacts facts;
    std::string awsDirPath = o.awsJsonDir, azureDirPath = o.azureJsonDir;
    if (o.live && (awsDirPath.empty() || azureDirPath.empty())) {
      auto live = collectLive(ctx, awsDirPath.empty(), azureDirPath.empty(), r, facts.liveCommands);
      if (!live.error.empty()) {
        if (live.awsDir.empty() && live.azureDir.empty() && awsDirPath.empty() && azureDirPath.empty() &&
            !o.imds) {
          return failedInput(live.error);
        }
        r.findings.push_back({"cloud.live_failed",
                              Severity::Warning,
                              live.error,
                              {},
                              "Install and log in to the aws / az CLI, or export the JSON and use --aws-json "
                              "DIR / --azure-json DIR."});
      }
      if (!live.awsDir.empty()) awsDirPath = live.awsDir;
      if (!live.azureDir.empty()) azureDirPath = live.azureDir;
    }
    if (awsDirPath.empty() && azureDirPath.empty() && !o.imds && o.clientIp.empty()) {
      return skipped("no cloud inputs: give --aws-json DIR, --azure-json DIR, --cloud-live or --imds");
    }
    // Each export is parsed here, once per run; later checks share the parsed models.
    std::shared_ptr<const pc::AwsAccount> aws;
    std::shared_ptr<const pc::AzureNetwork> azure;
    if (!awsDirPath.empty()) {
      auto a = pc::loadAwsDir(awsDirPath);
      if (!a) return failedInput("AWS export: " + a.error());
      aws = std::make_shared<const pc::AwsAccount>(std::move(*a));
      facts.awsDir = awsDirPath;
    }
    if (!azureDirPath.empty()) {
      auto a = pc::loadAzureDir(azureDirPath);
      if (!a) return failedInput("Azure export: " + a.error());
      azure = std::make_shared<const pc::AzureNetwork>(std::move(*a));
      facts.azureDir = azureDirPath;
    }
    const bool exportsUsable = accountForFiles(aws.get(), awsDirPath, azure.get(), azureDirPath, r);
    facts.aws = aws;
    facts.azure = azure;
    if (aws) facts.networks.push_back(pc::awsNetwork(aws));
    if (azure) facts.networks.push_back(pc::azureNetwork(azure));

    std::string source;
    std::optional<net::IpAddress> ip;
    std::string subnetId, region = o.region, az;
    std::vector<std::string> groups;
    if (!o.clientIp.empty()) {
      ip = net::IpAddress::parse(o.clientIp);
      source = "flags";
    }
    if (!ip && !o.clientEni.empty() && aws) {
      if (const auto* eni = aws->interface(o.clientEni); eni && !eni->addresses.empty()) {
        ip = eni->addresses.front();
        source = "flags";
      } else {
        r.findings.push_back({"cloud.client_unknown",
                              Severity::Warning,
                              "--client-eni " + o.clientEni + " is not in the export",
                              {},
                              ""});
      }
    }
    if (!ip && o.imds) {
      auto ep = pc::HttpEndpoint::parse(o.imdsEndpoint);
      if (!ep) return failedInput(ep.error());
      const auto t = std::min(o.imdsTimeout, ctx.remaining());
      if (azure && !aws) {
        auto info = pc::fetchAzureInstance(*ep, t);
        if (info && !info->privateIps.empty()) {
          ip = net::IpAddress::parse(info->privateIps.front());
          region = region.empty() ? info->location : region;
          source = "imds";
        } else {
          r.findings.push_back({"cloud.imds_unavailable",
                                Severity::Warning,
                                info ? "Azure IMDS: no private address" : info.error(),
                                {},
                                ""});
        }
      } else {
        auto info = pc::fetchAwsInstance(*ep, t);
        if (info && !info->localIps.empty()) {
          ip = net::IpAddress::parse(info->localIps.front());
          subnetId = info->subnetId;
          groups = info->securityGroupIds;
          if (region.empty()) region = info->region;
          az = info->az;
          source = "imds";
          facts.imds = engine::CloudContextFacts::Imds{info->vpcId, info->interfaceId, info->vpcCidrs};
        } else {
          r.findings.push_back({"cloud.imds_unavailable",
                                Severity::Warning,
                                info ? "AWS IMDS: no local address" : info.error(),
                                {},
                                ""});
        }
      }
    }
    if (!ip) {
      // The first local address that falls in an exported subnet.
      for (const auto& a : localAddresses()) {
        if (aws && aws->subnetContaining(a)) {
          ip = a, source = "aws-json";
          break;
        }
        if (azure && azure->subnetContaining(a).second) {
          ip = a, source = "azure-json";
          break;
        }
      }
    }
    const pc::Vpc* vpc = nullptr;
    if (ip && aws) {
      if (const auto* eni = aws->interfaceByAddress(*ip)) {
        if (subnetId.empty()) subnetId = eni->subnetId;
        if (groups.empty()) groups = eni->groups;
        if (az.empty()) az = eni->az;
        vpc = aws->vpc(eni->vpcId);
      }
      if (const auto* s = subnetId.empty() ? aws->subnetContaining(*ip) : aws->subnet(subnetId)) {
        if (subnetId.empty()) subnetId = s->id;
        if (az.empty()) az = s->az;
        if (!vpc) vpc = aws->vpc(s->vpcId);
      }
    }
    if (ip && azure && subnetId.empty()) {
      if (auto [vn, sn] = azure->subnetContaining(*ip); sn) subnetId = sn->id;
    }
    if (region.empty()) region = pc::regionFromName(ctx.target().primary().name());
    if (region.empty() && az.size() > 1) region = az.substr(0, az.size() - 1);

    std::vector<std::string> cidrs = ctx.config().dns.vpcCidrs;
    auto addCidr = [&](const std::string& c) {
      if (std::find(cidrs.begin(), cidrs.end(), c) == cidrs.end()) cidrs.push_back(c);
    };
    if (vpc) {
      for (const auto& c : vpc->cidrs) addCidr(c.toString());
    } else if (aws) {
      for (const auto& v : aws->vpcs)
        for (const auto& c : v.cidrs) addCidr(c.toString());
    }
    if (azure) {
      const pc::Vnet* vn = ip ? azure->vnetContaining(*ip) : nullptr;
      for (const auto& v : azure->vnets) {
        if (vn && &v != vn) continue;
        for (const auto& c : v.prefixes) addCidr(c.toString());
      }
    }
    std::vector<std::string> resolvers;
    if (aws) resolvers = awsResolvers(vpc ? vpc : (aws->vpcs.empty() ? nullptr : &aws->vpcs.front()));
    if (azure) resolvers.push_back("168.63.129.16");

    facts.client = {ip, subnetId, region, az, groups};
    facts.vpcCidrs = std::move(cidrs);
    facts.platformResolvers = std::move(resolvers);
    facts.source = source.empty() ? (aws ? "aws-json" : azure ? "azure-json" : "flags") : source;
    const std::string from = facts.source;
    r.setFacts(std::move(facts));
    if (!exportsUsable) {
      // Exports were asked for and none could be read: the audit has nothing to stand on.
      // Not verified, never a pass (the verdict is UNKNOWN, exit 3).
      r.status = engine::Status::Error;
      r.stateOverride = util::ResultState::NotVerified;
      r.summary = "no usable export file: nothing could be audited";
      return r;
    }
    if (!ip) {
      r.findings.push_back(
          {"cloud.client_unknown",
           Severity::Warning,
           "the client's address is unknown: the path cannot be evaluated",
           {"no --client-ip/--client-eni, no instance metadata, no local address in an exported subnet"},
           "Give --client-ip ADDRESS (or --client-eni eni-..., or --imds on the VM)."});
      r.status = engine::Status::Warn;
      r.summary = "cloud configuration loaded; client unknown";
      return r;
    }
    r.status = engine::statusFromFindings(r.findings);
    r.summary =
        "client " + ip->toString() + (subnetId.empty() ? "" : " in " + subnetId) + " (from " + from + ")";
    return r;
  }
};

engine::RegisterCheck<CloudContext> registered;

}  // namespace
}  // namespace pgreach::checks::cloud
