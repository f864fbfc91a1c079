#include "cloud/live.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <thread>

#include "cloud/export_dir.h"
#include "util/strings.h"

namespace pgreach::cloud {

using Clock = std::chrono::steady_clock;

CommandResult runToFile(const std::vector<std::string>& argv, const std::string& outFile, const std::string& errFile,
                        std::chrono::milliseconds timeout) {
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

Expected<LiveCollection> collectAwsLive(const std::string& region, std::chrono::milliseconds perCommand,
                                        Clock::time_point deadline) {
  std::string tmpl = (std::getenv("TMPDIR") ? std::string(std::getenv("TMPDIR")) : std::string("/tmp")) + "/pgreach-aws-XXXXXX";
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  if (!::mkdtemp(buf.data())) return makeError("--cloud-live: cannot create a temporary directory");
  LiveCollection c;
  c.dir = buf.data();
  {
    std::lock_guard<std::mutex> lock(liveDirsMutex);
    liveDirs.push_back(c.dir);
  }
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
    const auto limit = std::min(perCommand, left);
    const std::string out = c.dir + "/" + file, err = c.dir + "/." + file + ".stderr";
    auto r = runToFile(argv, out, err, limit);
    if (r.exitCode == 0) {
      c.ran.push_back(shown);
      return true;
    }
    ::unlink(out.c_str());
    if (r.notFound) c.failures.push_back("aws: not found on PATH");
    else if (r.timedOut) c.failures.push_back(shown + ": timed out after " + util::formatDuration(limit.count()));
    else c.failures.push_back(shown + ": exit " + std::to_string(r.exitCode));
    return false;
  };
  if (!run("describe-vpcs.json", {"describe-vpcs"}) && !c.failures.empty() && util::startsWith(c.failures.back(), "aws: not found")) {
    return makeError("--cloud-live: the aws CLI is not installed (not found on PATH)");
  }
  for (const char* cmd : {"describe-subnets", "describe-security-groups", "describe-network-acls", "describe-route-tables",
                          "describe-network-interfaces", "describe-vpc-endpoints"}) {
    run(std::string(cmd) + ".json", {cmd});
  }
  // Per-VPC DNS attributes and the prefix lists rules refer to: ids come from the answers.
  std::ifstream vpcs(c.dir + "/describe-vpcs.json");
  std::string text((std::istreambuf_iterator<char>(vpcs)), std::istreambuf_iterator<char>());
  if (auto doc = parseExport("describe-vpcs.json", text); doc && doc->is_object() && (*doc)["Vpcs"].is_array()) {
    int n = 0;
    for (const auto& v : (*doc)["Vpcs"]) {
      if (++n > 20 || !v.is_object() || !v.contains("VpcId") || !v["VpcId"].is_string()) break;
      const std::string id = v["VpcId"].get<std::string>();
      for (const char* attr : {"enableDnsSupport", "enableDnsHostnames"}) {
        run("vpc-attribute-" + id + "-" + attr + ".json", {"describe-vpc-attribute", "--vpc-id", id, "--attribute", attr});
      }
    }
  }
  std::ifstream sgs(c.dir + "/describe-security-groups.json");
  std::string sgText((std::istreambuf_iterator<char>(sgs)), std::istreambuf_iterator<char>());
  std::set<std::string> lists;
  for (size_t p = sgText.find("\"pl-"); p != std::string::npos && lists.size() < 20; p = sgText.find("\"pl-", p + 1)) {
    const size_t end = sgText.find('"', p + 1);
    if (end != std::string::npos) lists.insert(sgText.substr(p + 1, end - p - 1));
  }
  for (const auto& pl : lists) run(pl + ".json", {"get-managed-prefix-list-entries", "--prefix-list-id", pl});
  if (c.ran.empty()) return makeError("--cloud-live: no aws command succeeded (" + util::join(c.failures, "; ") + ")");
  return c;
}

}  // namespace pgreach::cloud
