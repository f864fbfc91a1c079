#pragma once
// --cloud-live: runs the read-only `aws ec2 describe-*` commands (found on PATH) and
// writes each answer as a file into a fresh private directory (mode 0700), which the
// loaders then read like any --aws-json folder. Every command has its own timeout and
// the whole collection a deadline; a command that does not finish is killed.
#include <chrono>
#include <string>
#include <vector>

#include "engine/expected.h"

namespace pgreach::cloud {

struct CommandResult {
  int exitCode = -1;
  bool timedOut = false;
  bool notFound = false;
};

// Runs argv (looked up in PATH) with stdout to `outFile` and stderr to `errFile`.
CommandResult runToFile(const std::vector<std::string>& argv, const std::string& outFile, const std::string& errFile,
                        std::chrono::milliseconds timeout);

struct LiveCollection {
  std::string dir;                    // where the exports were written
  std::vector<std::string> ran;       // commands that produced a file
  std::vector<std::string> failures;  // "aws ec2 describe-vpcs: timed out after 20s"
};

// Collects the AWS exports. `region` may be empty (the CLI's own default). Errors only
// when nothing could be collected (no `aws` on PATH, every command failed).
Expected<LiveCollection> collectAwsLive(const std::string& region, std::chrono::milliseconds perCommand,
                                        std::chrono::steady_clock::time_point deadline);

// Removes every folder collectAwsLive made in this process. Called once a run's checks
// have all finished (they read the exports from the folder until then).
void removeLiveCollections();

}  // namespace pgreach::cloud
