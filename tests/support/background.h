#pragma once
// A long-running child (pgreach serve, prometheus) for one test: its stdout and stderr
// go to a file, and the destructor ends it (SIGTERM, then SIGKILL after a bounded wait)
// whichever way the test ends. Plus a minimal HTTP/1.1 client over loopback for talking
// to it, with every wait bounded.
#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace pgreach::testing {

class Background {
 public:
  Background(const std::vector<std::string>& argv, const std::string& logPath);
  ~Background();
  Background(const Background&) = delete;
  Background& operator=(const Background&) = delete;
  pid_t pid() const { return pid_; }
  // Sends `sig` to the child.
  void signal(int sig) const;
  // Waits up to `limit` for the child to exit; its exit code, or -1 (still running or killed).
  int wait(std::chrono::milliseconds limit);
  std::string log() const;

 private:
  pid_t pid_ = -1;
  bool reaped_ = false;
  int status_ = 0;
  std::string logPath_;
};

struct HttpResponse {
  int status = 0;  // 0: no answer (closed, refused, timed out)
  std::string headers, body;
};

// Sends `request` (raw bytes) to 127.0.0.1:port and reads until the server closes or
// `limit` passes.
HttpResponse httpRaw(uint16_t port, const std::string& request, std::chrono::milliseconds limit);
// GET `path` with `Connection: close` and extra header lines ("Name: value").
HttpResponse httpGet(uint16_t port, const std::string& path, const std::vector<std::string>& headers = {},
                     std::chrono::milliseconds limit = std::chrono::seconds(20));
// Polls GET /-/healthy until 200 or `limit`.
bool waitHealthy(uint16_t port, std::chrono::milliseconds limit);

}  // namespace pgreach::testing
