#pragma once
// Runs a command with a time limit and captures its output: how integration tests call
// the real pgreach binary and the lab script.
#include <chrono>
#include <string>
#include <vector>

namespace pgreach::testing {

struct ProcessResult {
  int exitCode = -1;  // -1 when killed by the time limit or a signal
  bool timedOut = false;
  std::string out;
  std::string err;
  std::chrono::milliseconds elapsed{0};
  long maxRssKb = 0;  // the child's peak resident memory (getrusage)
};

// argv[0] is looked up in PATH. Environment is inherited plus `extraEnv` ("K=V").
ProcessResult runProcess(const std::vector<std::string>& argv, std::chrono::milliseconds limit,
                         const std::vector<std::string>& extraEnv = {});

// The pgreach binary built alongside the tests.
std::string pgreachBinary();

}  // namespace pgreach::testing
