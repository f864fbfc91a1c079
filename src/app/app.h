#pragma once
// The program behind main(): parses the command line, runs a command, writes output.
// Takes its streams as parameters so tests can run it in-process.
#include <ostream>

namespace pgreach::app {

// Returns the process exit code (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN).
int run(int argc, const char* const argv[], std::ostream& out, std::ostream& err, bool outIsTerminal);

}  // namespace pgreach::app
