// cloud.context: which cloud inputs there are (exports, live CLI, instance metadata),
// and where the client sits: its address, subnet, security groups, region and zone.
// It parses every export once: later checks, other stages and the report read the
// parsed models, the client, the VPC CIDRs and the platform resolvers from its
// CloudContextFacts (engine/cloud_facts.h).
#include <ifaddrs.h>

#include <algorithm>
#include <map>
#include <memory>

#include "checks/cloud/cloud_common.h"
#include "checks/cloud/codes.h"
#include "cloud/aws_eval.h"
#include "cloud/imds.h"
#include "cloud/live.h"
#include "cloud/registry.h"
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

// The client's address of the family `ip` is not: from its interface in an export, else
// (when `ip` is one of this host's own addresses, so pgreach runs on the client) this
// host's first address of that family inside an exported subnet. A dual-stack endpoint's
// paths are evaluated per family from there (cloud_common.h).
std::optional<net::IpAddress> otherFamilyAddress(const std::optional<net::IpAddress>& ip,
                                                 const pc::ClientPlacement& place,
                                                 const engine::CloudContextFacts& facts) {
  if (!ip) return std::nullopt;
  for (const auto& a : place.interfaceAddresses) {
    if (a.family != ip->family) return a;
  }
  if (place.interfaceListed) return std::nullopt;
  const auto local = localAddresses();
  if (std::find(local.begin(), local.end(), *ip) == local.end()) return std::nullopt;
  for (const auto& a : local) {
    if (a.family == ip->family) continue;
    for (const auto& network : facts.networks) {
      if (network->inExportedSubnet(a)) return a;
    }
  }
  return std::nullopt;
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

// "no cloud inputs: give --aws-json DIR, --azure-json DIR, --cloud-live or --imds": one
// option per registered cloud.
std::string noInputs() {
  std::string out = "no cloud inputs: give ";
  for (const auto* kind : pc::cloudsInOrder()) out += "--" + kind->optionName() + " DIR, ";
  return out + "--cloud-live or --imds";
}

// Lists every export file as a finding's evidence (so every format shows it): read, with
// what it held, or ignored, with why. A folder with no usable file gets a warning of its
// own. Returns whether any folder given had a usable file (true when none was given).
bool accountForFiles(const engine::CloudContextFacts& facts, CheckResult& r) {
  constexpr size_t kMaxLines = 200;
  std::vector<std::string> evidence;
  size_t read = 0, ignored = 0, usableDirs = 0, dirs = 0;
  for (const auto& network : facts.networks) {
    const std::string cloud(network->kind());
    const auto& outcomes = network->outcomes();
    ++dirs;
    bool usable = false;
    for (const auto& o : outcomes) {
      (o.read() ? read : ignored) += 1;
      usable = usable || o.read();
      if (evidence.size() < kMaxLines) evidence.push_back(cloud + " " + o.describe());
    }
    if (usable) {
      ++usableDirs;
      continue;
    }
    const auto* kind = pc::clouds().find(cloud);
    r.findings.push_back(
        {"cloud.exports_unusable",
         Severity::Warning,
         (kind ? kind->displayName : cloud) + " export " + facts.exportDir(cloud) +
             (outcomes.empty() ? ": the folder holds no file"
                               : ": none of its " + std::to_string(outcomes.size()) +
                                     " files holds anything pgreach reads"),
         {},
         "Export the configuration with the commands in the README into the folder; each ignored file's "
         "reason says what it holds instead."});
  }
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
    // kind -> export folder: the --<kind>-json options, and what --cloud-live collected.
    std::map<std::string, std::string> dirs;
    for (const auto& [kind, dir] : o.exportDirs) {
      if (!dir.empty()) dirs[kind] = dir;
    }
    // --cloud-live knows the aws and az CLIs by name (cloud/live.h): a cloud without a
    // collector is read from its --<kind>-json folder only.
    const std::string awsDirPath = dirs.count("aws") ? dirs["aws"] : "";
    const std::string azureDirPath = dirs.count("azure") ? dirs["azure"] : "";
    if (o.live && (awsDirPath.empty() || azureDirPath.empty())) {
      auto live = collectLive(ctx, awsDirPath.empty(), azureDirPath.empty(), r, facts.liveCommands);
      if (!live.error.empty()) {
        if (live.awsDir.empty() && live.azureDir.empty() && dirs.empty() && !o.imds) {
          return failedInput(live.error);
        }
        r.findings.push_back({"cloud.live_failed",
                              Severity::Warning,
                              live.error,
                              {},
                              "Install and log in to the aws / az CLI, or export the JSON and use --aws-json "
                              "DIR / --azure-json DIR."});
      }
      if (!live.awsDir.empty()) dirs["aws"] = live.awsDir;
      if (!live.azureDir.empty()) dirs["azure"] = live.azureDir;
    }
    if (dirs.empty() && !o.imds && o.clientIp.empty()) return skipped(noInputs());
    // Each export is parsed here, once per run, in registry order; later checks share the
    // parsed models.
    for (const auto* kind : pc::cloudsInOrder()) {
      auto dir = dirs.find(kind->kind);
      if (dir == dirs.end()) continue;
      auto network = kind->load(dir->second);
      if (!network) return failedInput(kind->displayName + " export: " + network.error());
      facts.networks.push_back(std::move(*network));
      facts.exportDirs[kind->kind] = dir->second;
    }
    const bool exportsUsable = accountForFiles(facts, r);
    // What only AWS has: --client-eni, and the instance metadata that names the client's
    // interface (the Azure IMDS answers when Azure alone was exported).
    const auto aws = pc::awsAccountOf(facts.network("aws"));
    const bool azureOnly = facts.network("azure") && !aws;

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
      if (azureOnly) {
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
        const auto n = std::find_if(facts.networks.begin(), facts.networks.end(),
                                    [&](const auto& network) { return network->inExportedSubnet(a); });
        if (n != facts.networks.end()) {
          ip = a, source = std::string((*n)->kind()) + "-json";
          break;
        }
      }
    }
    // Each cloud fills what it knows of where the client sits (what flags and instance
    // metadata said first) and names its network's ranges and resolvers.
    pc::ClientPlacement place{subnetId, az, groups, {}, {}, {}, false};
    for (const auto& network : facts.networks) network->placeClient(ip, place);
    subnetId = place.subnetId, az = place.az, groups = place.securityGroups;
    if (region.empty()) region = pc::regionFromName(ctx.target().primary().name());
    if (region.empty() && az.size() > 1) region = az.substr(0, az.size() - 1);

    std::vector<std::string> cidrs = ctx.config().dns.vpcCidrs;
    auto addCidr = [&](const std::string& c) {
      if (std::find(cidrs.begin(), cidrs.end(), c) == cidrs.end()) cidrs.push_back(c);
    };
    for (const auto& c : place.cidrs) addCidr(c);
    std::vector<std::string> resolvers = std::move(place.resolvers);

    const auto clientOther = otherFamilyAddress(ip, place, facts);
    facts.client = {ip, subnetId, region, az, groups, clientOther, place.interfaceListed};
    facts.vpcCidrs = std::move(cidrs);
    facts.platformResolvers = std::move(resolvers);
    if (source.empty())
      source = facts.networks.empty() ? "flags" : std::string(facts.networks.front()->kind()) + "-json";
    facts.source = source;
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
    r.summary = "client " + ip->toString() +
                (clientOther ? " and " + clientOther->toString() : std::string()) +
                (subnetId.empty() ? "" : " in " + subnetId) + " (from " + from + ")";
    return r;
  }
};

engine::RegisterCheck<CloudContext> registered;

}  // namespace
}  // namespace pgreach::checks::cloud
