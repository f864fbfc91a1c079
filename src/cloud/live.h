#pragma once
// --cloud-live: runs the read-only `aws ec2 describe-*` and `az network ... list`
// commands (found on PATH) and writes each answer as a file into a fresh private
// directory (mode 0700), which the loaders then read like any --aws-json / --azure-json
// folder. Every command has its own timeout and the whole collection a deadline; a
// command that does not finish is killed with its process group.
#include <chrono>
#include <string>
#include <vector>

#include "util/expected.h"

namespace pgreach::cloud {

struct CommandResult {
  int exitCode = -1;
  bool timedOut = false;
  bool notFound = false;
};

// Runs argv (looked up in PATH) with stdout to `outFile` and stderr to `errFile`.
CommandResult runToFile(const std::vector<std::string>& argv, const std::string& outFile,
                        const std::string& errFile, std::chrono::milliseconds timeout);

struct LiveCollection {
  std::string dir;                    // where the exports were written
  std::vector<std::string> ran;       // commands that produced a file
  std::vector<std::string> failures;  // "aws ec2 describe-vpcs: timed out after 20s"
  // Failures of commands without whose answer the audit is blind to a part of the path
  // (an NSG list that timed out): the caller reports these louder than `failures`.
  std::vector<std::string> incomplete;
};

// Whether `name` is an executable file in one of PATH's folders.
bool onPath(const std::string& name);

// Collects the AWS exports. `region` may be empty (the CLI's own default). Errors only
// when nothing could be collected (no `aws` on PATH, every command failed).
Expected<LiveCollection> collectAwsLive(const std::string& region, std::chrono::milliseconds perCommand,
                                        std::chrono::steady_clock::time_point deadline);

// Collects the Azure exports with list commands that need no resource names:
// private endpoints, NSGs, route tables, VNets, private DNS zones, then for each zone
// named privatelink.postgres.database.azure.com (at most 10) its VNet links and A
// records. `resourceGroup` ("" = the whole subscription) narrows every list but the
// zones' (the zone often lives in a shared group). The NIC holding one of `clientIps`
// (--client-ip, else the host's own addresses) is looked up in `az network nic list`
// and its effective NSG rules are read
// (`nic list-effective-nsg --ids`): a NIC-level NSG shows nowhere else. Answers that are
// not JSON are dropped and named as failures. Errors only when nothing could be collected.
Expected<LiveCollection> collectAzureLive(const std::string& resourceGroup,
                                          const std::vector<std::string>& clientIps,
                                          std::chrono::milliseconds perCommand,
                                          std::chrono::steady_clock::time_point deadline);

// Removes every folder collectAwsLive/collectAzureLive made in this process. Called once a run's checks
// have all finished (they read the exports from the folder until then).
void removeLiveCollections();

}  // namespace pgreach::cloud
