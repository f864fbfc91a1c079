#pragma once
// The command line, parsed once into an immutable struct that is passed down.
// No global variables_map: everything a check may read is here.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/expected.h"

namespace pgreach::cli {

enum class Command { Diagnose, Checks, Help, Version };

struct Options {
  Command command = Command::Diagnose;
  std::string conninfo;  // as given (may hold a password: never print it)
  bool conninfoGiven = false;
  std::string provider;  // "" = detect from the hostname
  std::vector<uint16_t> ports;
  std::vector<std::string> vpcCidrs;
  std::vector<std::string> resolvers;
  std::chrono::milliseconds probeTimeout{3000};
  std::chrono::milliseconds deadline{30000};
  std::vector<std::string> only;  // check ids or stage names
  std::vector<std::string> skip;
  std::vector<std::string> formats{"text"};
  std::string output;  // file; "" = stdout
  std::string configFile;
  bool color = true;  // still only when stdout is a terminal
  int verbosity = 0;
  bool json = false;  // `pgreach checks --json`
  int maxParallel = 16;
  // --- tls ---
  int certWarnDays = 21;  // tls.cert_expiring below this many days
};

// Parses argv. On bad input returns an Error whose message names what was wrong.
Expected<Options> parseOptions(int argc, const char* const argv[]);

// The --help text (with examples and exit codes).
std::string helpText();

}  // namespace pgreach::cli
