#pragma once
// What the C library resolves a name to (getaddrinfo: /etc/hosts, nsswitch, resolv.conf
// with its own timeouts and retries), bounded by a timeout of ours. getaddrinfo cannot be
// interrupted, so it runs on a detached thread that owns its own state; when it is late
// we stop waiting and it finishes (or the process exits) on its own.
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "net/address.h"

namespace pgreach::net {

struct SystemLookup {
  bool finished = false;             // false: still running when the timeout passed
  int gaiError = 0;                  // getaddrinfo's return code (0 = success)
  std::string error;                 // gai_strerror text
  std::vector<IpAddress> addresses;  // unique, in the library's order
  std::chrono::microseconds elapsed{0};
};

// A lookup started now; wait() collects it.
class PendingSystemLookup {
 public:
  explicit PendingSystemLookup(const std::string& host);
  PendingSystemLookup(PendingSystemLookup&&) noexcept;
  PendingSystemLookup& operator=(PendingSystemLookup&&) noexcept;
  ~PendingSystemLookup();
  // Waits until `deadline` at most.
  SystemLookup wait(std::chrono::steady_clock::time_point deadline);

 private:
  struct State;
  std::shared_ptr<State> state_;
};

SystemLookup lookupSystem(const std::string& host, std::chrono::milliseconds timeout);

}  // namespace pgreach::net
