#include "net/privileges.h"

#include <dirent.h>
#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

#include "net/capture.h"
#include "net/capture_reserve.h"

namespace pgreach::net {
namespace {

// "Name:\t0000003fffffffff" on a line of its own: at most 16 hex digits.
bool parseHexField(const std::string& text, const std::string& name, uint64_t& out) {
  std::istringstream lines(text);
  std::string line;
  const std::string key = name + ":";
  while (std::getline(lines, line)) {
    if (line.compare(0, key.size(), key) != 0) continue;
    size_t pos = key.size();
    while (pos < line.size() && (line[pos] == ' ' || line[pos] == '\t')) ++pos;
    const std::string hex = line.substr(pos);
    if (hex.empty() || hex.size() > 16) return false;
    for (char c : hex) {
      if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
    }
    out = std::stoull(hex, nullptr, 16);
    return true;
  }
  return false;
}

size_t threadCount() {
  size_t n = 0;
  if (DIR* d = ::opendir("/proc/self/task")) {
    while (dirent* e = ::readdir(d)) {
      if (e->d_name[0] != '.') ++n;
    }
    ::closedir(d);
  }
  return n;
}

}  // namespace

std::optional<CapabilitySets> parseProcStatusCapabilities(const std::string& statusText) {
  CapabilitySets s;
  if (!parseHexField(statusText, "CapInh", s.inheritable) ||
      !parseHexField(statusText, "CapPrm", s.permitted) ||
      !parseHexField(statusText, "CapEff", s.effective) || !parseHexField(statusText, "CapBnd", s.bounding)) {
    return std::nullopt;
  }
  // CapAmb is absent on kernels before 4.3: no ambient set means none.
  if (!parseHexField(statusText, "CapAmb", s.ambient)) s.ambient = 0;
  return s;
}

std::optional<CapabilitySets> currentCapabilities() {
  std::ifstream in("/proc/thread-self/status");
  if (!in) return std::nullopt;
  std::stringstream ss;
  ss << in.rdbuf();
  return parseProcStatusCapabilities(ss.str());
}

Expected<bool> dropAllCapabilities() { return dropCapabilitiesExcept(0); }

Expected<RunAsUser> lookUpUser(const std::string& name) {
  if (name.empty()) return makeError("--run-as: empty user name");
  std::vector<char> buf(16384);
  passwd pw{};
  passwd* found = nullptr;
  if (::getpwnam_r(name.c_str(), &pw, buf.data(), buf.size(), &found) != 0 || !found) {
    return makeError("--run-as: no such user \"" + name + "\"");
  }
  return RunAsUser{found->pw_name, found->pw_uid, found->pw_gid};
}

Expected<bool> dropCapabilitiesExcept(uint64_t keep, const std::optional<RunAsUser>& user) {
  if (threadCount() > 1)
    return makeError("cannot drop capabilities: other threads are running and would keep theirs");
  // The bounding set first: dropping from it needs CAP_SETPCAP, which goes last below.
  // It stops an exec'd child running as root from regaining capabilities.
  const auto now = currentCapabilities();
  if (now && (now->effective & (uint64_t{1} << CAP_SETPCAP)) != 0) {
    for (int cap = 0; cap < 64; ++cap) {
      if (keep & (uint64_t{1} << cap)) continue;
      if (::prctl(PR_CAPBSET_READ, cap, 0, 0, 0) != 1) continue;  // beyond the kernel's last, or gone
      if (::prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0) {
        return makeError(std::string("cannot drop capability ") + std::to_string(cap) +
                         " from the bounding set: " + std::strerror(errno));
      }
    }
  }
  ::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);  // EINVAL before 4.3: nothing to clear
  if (user) {
    // Like tcpdump -Z: groups, gid, then uid; KEEPCAPS carries `keep` across setuid.
    if (keep != 0) ::prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0);
    if (::initgroups(user->name.c_str(), user->gid) != 0 || ::setgid(user->gid) != 0 ||
        ::setuid(user->uid) != 0) {
      return makeError("--run-as " + user->name + ": cannot switch to it: " + std::strerror(errno));
    }
    ::prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
    if (::setuid(0) == 0)
      return makeError("--run-as " + user->name + ": uid 0 could be regained; refusing to run");
  }
  __user_cap_header_struct header{};
  header.version = _LINUX_CAPABILITY_VERSION_3;
  header.pid = 0;
  __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
  // Keep only what is asked for and still held; an unprivileged process keeps nothing.
  const uint64_t held = now ? now->permitted & keep : 0;
  data[0].permitted = data[0].effective = static_cast<uint32_t>(held);
  data[1].permitted = data[1].effective = static_cast<uint32_t>(held >> 32);
  if (::syscall(SYS_capset, &header, data) != 0) {
    return makeError(std::string("cannot drop capabilities: capset: ") + std::strerror(errno));
  }
  return true;
}

Expected<bool> keepOnlyNetRaw(const std::optional<RunAsUser>& user) {
  return dropCapabilitiesExcept(uint64_t{1} << CAP_NET_RAW, user);
}

Expected<std::string> openCaptureThenDropPrivileges(const std::optional<RunAsUser>& user) {
  std::string reserved = "none";
  if (reservePcap("any", kHandshakeSnaplen)) {
    reserved = "pcap";
  } else if (reserveIcmpSocket()) {
    reserved = "icmp-raw-socket";
  }
  auto dropped = dropCapabilitiesExcept(0, user);
  if (!dropped) return makeError(dropped.error());
  return reserved;
}

}  // namespace pgreach::net
