#include "cloud/live.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include "cloud/azure_model.h"
#include "cloud/export_dir.h"
#include "util/strings.h"

namespace pgreach::cloud {

using Clock = std::chrono::steady_clock;

// Private DNS zones named privatelink.postgres.database.azure.com read per run (one per
// resource group at most; more is a subscription worth narrowing with -g).
constexpr int kMaxAzureZones = 10;
// The loader's own limit for one export (export_dir.cpp).
constexpr std::uintmax_t kMaxAnswerBytes = 512ull * 1024 * 1024;

CommandResult runToFile(const std::vector<std::string>& argv, const std::string& outFile,
                        const std::string& errFile, std::chrono::milliseconds timeout) {
  CommandResult r;
  if (argv.empty()) return r;
  const pid_t pid = ::fork();
  if (pid < 0) return r;
  if (pid == 0) {
    ::setpgid(0, 0);  // its own group, so a timeout kills what it started too
    const int out = ::open(outFile.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    const int err = ::open(errFile.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    const int in = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (out < 0 || err < 0 || in < 0) ::_exit(126);
    ::dup2(in, 0), ::dup2(out, 1), ::dup2(err, 2);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execvp(args[0], args.data());
    ::_exit(127);
  }
  const auto deadline = Clock::now() + timeout;
  int status = 0;
  for (;;) {
    const pid_t w = ::waitpid(pid, &status, WNOHANG);
    if (w == pid) break;
    if (w < 0 && errno != EINTR) return r;
    if (Clock::now() >= deadline) {
      ::kill(-pid, SIGKILL);
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      r.timedOut = true;
      return r;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (WIFEXITED(status)) {
    r.exitCode = WEXITSTATUS(status);
    r.notFound = r.exitCode == 127;
  }
  return r;
}

namespace {
std::mutex liveDirsMutex;
std::vector<std::string> liveDirs;  // made by collectAwsLive, removed by removeLiveCollections
}  // namespace

void removeLiveCollections() {
  std::lock_guard<std::mutex> lock(liveDirsMutex);
  for (const auto& dir : liveDirs) {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  liveDirs.clear();
}

bool onPath(const std::string& name) {
  const char* path = std::getenv("PATH");
  if (!path || name.empty() || name.find('/') != std::string::npos) return false;
  for (const auto& dir : util::split(path, ':')) {
    const std::string f = (dir.empty() ? std::string(".") : dir) + "/" + name;
    std::error_code ec;
    if (std::filesystem::is_regular_file(f, ec) && ::access(f.c_str(), X_OK) == 0) return true;
  }
  return false;
}

namespace {

// A fresh 0700 folder under $TMPDIR (mkdtemp), registered for removeLiveCollections.
Expected<std::string> makeLiveDir(const std::string& cloud) {
  std::string tmpl = (std::getenv("TMPDIR") ? std::string(std::getenv("TMPDIR")) : std::string("/tmp")) +
                     "/pgreach-" + cloud + "-XXXXXX";
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  if (!::mkdtemp(buf.data())) return makeError("--cloud-live: cannot create a temporary directory");
  std::lock_guard<std::mutex> lock(liveDirsMutex);
  liveDirs.push_back(buf.data());
  return std::string(buf.data());
}

std::string readWhole(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// The first non-empty line of a command's stderr, shortened: "ERROR: Please run 'az login'".
std::string firstErrorLine(const std::string& file) {
  std::ifstream in(file);
  std::string line;
  for (int n = 0; n < 50 && std::getline(in, line); ++n) {
    line = util::trim(line);
    if (!line.empty()) return line.size() > 160 ? line.substr(0, 160) + "..." : line;
  }
  return "";
}

// Two commands in a row that time out mean the cloud's API is out of reach from here (a
// private subnet without a NAT gateway or an interface endpoint for the API): the rest are
// not started, rather than each waiting its full --cloud-cli-timeout.
class TimeoutBreaker {
 public:
  // "" when the next command may run, else why it is not run.
  std::string refusal() const {
    return inRow_ >= 2
               ? "not run: the two commands before it timed out (is the cloud API reachable from this host?)"
               : "";
  }
  void record(bool timedOut) { inRow_ = timedOut ? inRow_ + 1 : 0; }

 private:
  int inRow_ = 0;
};

// A file name part from a resource group name (letters, digits, . _ - kept).
std::string fileSafe(const std::string& s) {
  std::string out;
  for (char ch : s)
    out += (std::isalnum(static_cast<unsigned char>(ch)) || ch == '.' || ch == '_' || ch == '-') ? ch : '_';
  return out.empty() ? "_" : out;
}

}  // namespace

Expected<LiveCollection> collectAwsLive(const std::string& region, std::chrono::milliseconds perCommand,
                                        Clock::time_point deadline) {
  auto dir = makeLiveDir("aws");
  if (!dir) return makeError(dir.error());
  LiveCollection c;
  c.dir = *dir;
  TimeoutBreaker breaker;
  auto run = [&](const std::string& file, std::vector<std::string> args) {
    std::vector<std::string> argv{"aws", "ec2"};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.push_back("--output");
    argv.push_back("json");
    if (!region.empty()) argv.push_back("--region"), argv.push_back(region);
    const std::string shown = util::join(argv, " ");
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) {
      c.failures.push_back(shown + ": not run, the deadline has passed");
      return false;
    }
    if (const auto why = breaker.refusal(); !why.empty()) {
      c.failures.push_back(shown + ": " + why);
      return false;
    }
    const auto limit = std::min(perCommand, left);
    const std::string out = c.dir + "/" + file, err = c.dir + "/." + file + ".stderr";
    auto r = runToFile(argv, out, err, limit);
    breaker.record(r.timedOut);
    if (r.exitCode == 0) {
      c.ran.push_back(shown);
      return true;
    }
    ::unlink(out.c_str());
    if (r.notFound)
      c.failures.push_back("aws: not found on PATH");
    else if (r.timedOut)
      c.failures.push_back(shown + ": timed out after " + util::formatDuration(limit.count()));
    else
      c.failures.push_back(shown + ": exit " + std::to_string(r.exitCode));
    return false;
  };
  if (!run("describe-vpcs.json", {"describe-vpcs"}) && !c.failures.empty() &&
      util::startsWith(c.failures.back(), "aws: not found")) {
    return makeError("--cloud-live: the aws CLI is not installed (not found on PATH)");
  }
  for (const char* cmd : {"describe-subnets", "describe-security-groups", "describe-network-acls",
                          "describe-route-tables", "describe-network-interfaces", "describe-vpc-endpoints"}) {
    run(std::string(cmd) + ".json", {cmd});
  }
  // Per-VPC DNS attributes and the prefix lists rules refer to: ids come from the answers.
  std::ifstream vpcs(c.dir + "/describe-vpcs.json");
  std::string text((std::istreambuf_iterator<char>(vpcs)), std::istreambuf_iterator<char>());
  if (auto doc = parseExport("describe-vpcs.json", text);
      doc && doc->is_object() && (*doc)["Vpcs"].is_array()) {
    int n = 0;
    for (const auto& v : (*doc)["Vpcs"]) {
      if (++n > 20 || !v.is_object() || !v.contains("VpcId") || !v["VpcId"].is_string()) break;
      const std::string id = v["VpcId"].get<std::string>();
      for (const char* attr : {"enableDnsSupport", "enableDnsHostnames"}) {
        run("vpc-attribute-" + id + "-" + attr + ".json",
            {"describe-vpc-attribute", "--vpc-id", id, "--attribute", attr});
      }
    }
  }
  std::ifstream sgs(c.dir + "/describe-security-groups.json");
  std::string sgText((std::istreambuf_iterator<char>(sgs)), std::istreambuf_iterator<char>());
  std::set<std::string> lists;
  for (size_t p = sgText.find("\"pl-"); p != std::string::npos && lists.size() < 20;
       p = sgText.find("\"pl-", p + 1)) {
    const size_t end = sgText.find('"', p + 1);
    if (end != std::string::npos) lists.insert(sgText.substr(p + 1, end - p - 1));
  }
  for (const auto& pl : lists) run(pl + ".json", {"get-managed-prefix-list-entries", "--prefix-list-id", pl});
  if (c.ran.empty())
    return makeError("--cloud-live: no aws command succeeded (" + util::join(c.failures, "; ") + ")");
  return c;
}

Expected<LiveCollection> collectAzureLive(const std::string& resourceGroup,
                                          const std::vector<std::string>& clientIps,
                                          std::chrono::milliseconds perCommand, Clock::time_point deadline) {
  if (!resourceGroup.empty() && resourceGroup[0] == '-') {
    return makeError("--azure-resource-group: \"" + resourceGroup + "\" is not a resource group name");
  }
  auto dir = makeLiveDir("az");
  if (!dir) return makeError(dir.error());
  LiveCollection c;
  c.dir = *dir;
  bool missing = false;
  TimeoutBreaker breaker;
  // Runs `az network ARGS -o json`; keeps the answer as `file` only when it is JSON.
  auto run = [&](const std::string& file, std::vector<std::string> args, bool narrow,
                 bool sayEmpty = true) -> std::optional<Json> {
    std::vector<std::string> argv{"az", "network"};
    argv.insert(argv.end(), args.begin(), args.end());
    if (narrow && !resourceGroup.empty()) argv.push_back("--resource-group"), argv.push_back(resourceGroup);
    argv.push_back("-o");
    argv.push_back("json");
    argv.push_back("--only-show-errors");
    const std::string shown = util::join(argv, " ");
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) {
      c.incomplete.push_back(shown + ": not run, the deadline has passed");
      return std::nullopt;
    }
    if (const auto why = breaker.refusal(); !why.empty()) {
      c.incomplete.push_back(shown + ": " + why);
      return std::nullopt;
    }
    const auto limit = std::min(perCommand, left);
    const std::string out = c.dir + "/" + file, err = c.dir + "/." + file + ".stderr";
    const auto r = runToFile(argv, out, err, limit);
    breaker.record(r.timedOut);
    std::string why;
    std::optional<Json> doc;
    std::error_code ec;
    if (r.exitCode == 0 && std::filesystem::file_size(out, ec) > kMaxAnswerBytes) {
      why = "the answer is larger than 512 MB, not read";
    } else if (r.exitCode == 0) {
      auto parsed = parseExport(file, readWhole(out));
      if (parsed)
        doc = std::move(*parsed);
      else
        why = "the answer is " + parsed.error().substr(file.size() + 2);  // "not valid JSON (...)"
    } else if (r.notFound) {
      missing = true;
      why = "not found on PATH";
    } else if (r.timedOut) {
      why = "timed out after " + util::formatDuration(limit.count()) + " (killed)";
    } else {
      const std::string line = firstErrorLine(err);
      why = "exit " + std::to_string(r.exitCode) + (line.empty() ? "" : ": " + line);
    }
    ::unlink(err.c_str());
    if (doc) {
      c.ran.push_back(shown);
      // An empty list carries no shape for the loader: say so rather than let a check
      // skip without a reason (no private endpoint at all is the likeliest cause).
      if (doc->is_array() && doc->empty() && narrow && sayEmpty) {
        c.failures.push_back(shown + ": listed nothing" +
                             (resourceGroup.empty() ? "" : " in resource group " + resourceGroup));
      }
      return doc;
    }
    ::unlink(out.c_str());
    c.incomplete.push_back(shown + ": " + why);
    return std::nullopt;
  };
  run("private-endpoints.json", {"private-endpoint", "list"}, true);
  if (missing) return makeError("--cloud-live: the az CLI is not installed (not found on PATH)");
  // The NICs: where an endpoint in a DNS zone group (no customDnsConfigs) has its address,
  // and where the client's NIC is found.
  auto nics = run("nics.json", {"nic", "list"}, true, false);
  run("nsgs.json", {"nsg", "list"}, true);
  run("route-tables.json", {"route-table", "list"}, true);
  run("vnets.json", {"vnet", "list"}, true);
  // Hidden: the zone list is no export the loader knows, only where to look next.
  auto zones = run(".private-dns-zones.json", {"private-dns", "zone", "list"}, false);
  if (zones) {
    int n = 0;
    for (const auto& z : zones->is_array() ? *zones : Json::array()) {
      if (!z.is_object() || !z.contains("name") || !z["name"].is_string()) continue;
      const std::string name = z["name"].get<std::string>();
      if (util::toLower(util::trimTrailingDot(name)) != "privatelink.postgres.database.azure.com") continue;
      std::string rg = z.contains("resourceGroup") && z["resourceGroup"].is_string()
                           ? z["resourceGroup"].get<std::string>()
                           : "";
      if (rg.empty() && z.contains("id") && z["id"].is_string())
        rg = azureIdSegment(z["id"].get<std::string>(), "resourceGroups");
      if (rg.empty() || rg[0] == '-') continue;
      if (++n > kMaxAzureZones) {
        c.failures.push_back("more than " + std::to_string(kMaxAzureZones) + " zones named " + name +
                             ": the others were not read");
        break;
      }
      const std::string tag = std::to_string(n) + "-" + fileSafe(rg);
      run("dns-links-" + tag + ".json", {"private-dns", "link", "vnet", "list", "-g", rg, "-z", name}, false);
      run("dns-records-" + tag + ".json", {"private-dns", "record-set", "a", "list", "-g", rg, "-z", name},
          false);
    }
    if (n == 0) {
      // No such zone anywhere: nothing links it and nothing holds the record, which is
      // what empty lists say to the loader.
      std::ofstream(c.dir + "/dns-links-none.json") << "[]\n";
      std::ofstream(c.dir + "/dns-records-none.json") << "[]\n";
      c.failures.push_back("no private DNS zone privatelink.postgres.database.azure.com in the subscription");
    }
  }
  // The client NIC's own NSG only shows in its effective rules, which need the NIC's id:
  // found by the client's address in the NIC list.
  if (!clientIps.empty() && !c.ran.empty()) {
    if (nics) {
      std::string nicId;
      for (const auto& n : nics->is_array() ? *nics : Json::array()) {
        if (!n.is_object() || !n.contains("ipConfigurations") || !n["ipConfigurations"].is_array()) continue;
        for (const auto& ipc : n["ipConfigurations"]) {
          if (ipc.is_object() && ipc.contains("privateIPAddress") && ipc["privateIPAddress"].is_string() &&
              std::find(clientIps.begin(), clientIps.end(), ipc["privateIPAddress"].get<std::string>()) !=
                  clientIps.end() &&
              n.contains("id") && n["id"].is_string())
            nicId = n["id"].get<std::string>();
        }
        if (!nicId.empty()) break;
      }
      if (nicId.empty()) {
        c.failures.push_back("no network interface with " + util::join(clientIps, " or ") +
                             " in az network nic list: its NIC-level NSG is not evaluated");
      } else if (nicId[0] != '-') {
        run("effective-nsg-client-nic.json", {"nic", "list-effective-nsg", "--ids", nicId}, false);
      }
    }
  }
  if (c.ran.empty())
    return makeError("--cloud-live: no az command succeeded (" + util::join(c.incomplete, "; ") + ")");
  return c;
}

}  // namespace pgreach::cloud
