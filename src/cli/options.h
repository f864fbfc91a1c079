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

enum class Command { Diagnose, Checks, Help, Version, Explain };

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
  // --- reports ---
  std::string outputDir;      // --output-dir: one file per format (report.<ext>)
  std::string bundle;         // --bundle FILE.tar.gz: support bundle
  bool maskAddresses = false; // --mask-addresses: mask IP addresses in the bundle
  std::string store;          // --store DSN: append the JSON report to a central PostgreSQL (secret)
  std::string explainCode;    // `pgreach explain CODE`
  std::string targetName;     // set by --config fleets: the [target.NAME] being run
};

// Parses argv. On bad input returns an Error whose message names what was wrong.
Expected<Options> parseOptions(int argc, const char* const argv[]);

// The --help text (with examples and exit codes).
std::string helpText();

}  // namespace pgreach::cli
