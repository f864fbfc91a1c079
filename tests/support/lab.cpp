#include "support/lab.h"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <map>
#include <mutex>
#include <sstream>

namespace pgreach::testing {

std::string labPrefix() {
  const char* p = std::getenv("PGREACH_LAB_PREFIX");
  return p && *p ? p : "pgr";
}

std::string labScript() { return std::string(PGREACH_SOURCE_DIR) + "/tests/lab/lab.sh"; }

std::string clientNamespace() { return labPrefix() + "-client"; }

void labScenario(const std::string& scenario) {
  auto r = runProcess({"bash", labScript(), "scenario", scenario}, std::chrono::seconds(60));
  INFO("lab.sh scenario " << scenario << " stdout:\n" << r.out << "\nstderr:\n" << r.err);
  REQUIRE(r.exitCode == 0);
}

ProcessResult runInClient(const std::vector<std::string>& argv, std::chrono::milliseconds limit) {
  std::vector<std::string> full{"ip", "netns", "exec", clientNamespace()};
  full.insert(full.end(), argv.begin(), argv.end());
  return runProcess(full, limit);
}

ProcessResult pgreachInClient(const std::vector<std::string>& args, std::chrono::milliseconds limit) {
  std::vector<std::string> argv{pgreachBinary()};
  argv.insert(argv.end(), args.begin(), args.end());
  return runInClient(argv, limit);
}

std::string labEnv(const std::string& key) {
  static std::mutex mu;
  static std::map<std::string, std::string> cache;
  static bool loaded = false;
  std::lock_guard<std::mutex> g(mu);
  if (!loaded) {
    auto r = runProcess({"bash", labScript(), "env"}, std::chrono::seconds(20));
    std::istringstream in(r.out);
    std::string line;
    while (std::getline(in, line)) {
      if (line.rfind("export ", 0) == 0) line = line.substr(7);
      auto eq = line.find('=');
      if (eq == std::string::npos) continue;
      std::string v = line.substr(eq + 1);
      if (v.size() >= 2 && (v.front() == '"' || v.front() == '\'') && v.back() == v.front())
        v = v.substr(1, v.size() - 2);
      cache[line.substr(0, eq)] = v;
    }
    loaded = true;
  }
  auto it = cache.find(key);
  return it == cache.end() ? std::string() : it->second;
}

std::string labConninfo(const std::string& host, const std::string& extra) {
  return "host=" + host + " user=" + labEnv("LAB_USER") + " dbname=" + labEnv("LAB_DB") +
         " sslmode=verify-full sslrootcert=" + labEnv("LAB_CA") + (extra.empty() ? "" : " " + extra);
}

const nlohmann::json& reportCheck(const nlohmann::json& report, const std::string& id) {
  for (const auto& c : report["checks"]) {
    if (c["id"] == id) return c;
  }
  FAIL("check " << id << " missing from the report");
  static const nlohmann::json kNone;
  return kNone;
}

}  // namespace pgreach::testing
