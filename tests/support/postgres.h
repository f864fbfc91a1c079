#pragma once
// A real PostgreSQL 15 for [integration] tests: initdb into a temporary folder as the
// unprivileged `postgres` user, listening on a free loopback port, stopped and removed
// by the destructor.
#include <cstdint>
#include <string>

namespace pgreach::testing {

// A port on 127.0.0.1 that nothing listens on right now.
uint16_t freeLoopbackPort();

class LocalPostgres {
 public:
  // Starts the server; REQUIREs success. `password` is set for role `app` (database `appdb`).
  explicit LocalPostgres(const std::string& password = "it-secret-pw");
  ~LocalPostgres();
  LocalPostgres(const LocalPostgres&) = delete;
  LocalPostgres& operator=(const LocalPostgres&) = delete;

  uint16_t port() const { return port_; }
  const std::string& dir() const { return dir_; }

 private:
  void start(const std::string& password);
  void stop();
  std::string dir_;
  uint16_t port_ = 0;
};

}  // namespace pgreach::testing
