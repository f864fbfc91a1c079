#include "support/postgres.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>

#include "support/process.h"

namespace pgreach::testing {

uint16_t freeLoopbackPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in sin{};
  sin.sin_family = AF_INET;
  sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  sin.sin_port = 0;
  ::bind(fd, reinterpret_cast<sockaddr*>(&sin), sizeof sin);
  socklen_t len = sizeof sin;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&sin), &len);
  ::close(fd);
  return ntohs(sin.sin_port);
}

namespace {
const std::string kBin = "/usr/lib/postgresql/15/bin/";

ProcessResult asPostgres(const std::vector<std::string>& argv, std::chrono::milliseconds limit) {
  std::vector<std::string> full;
  if (::geteuid() == 0) full = {"runuser", "-u", "postgres", "--"};
  full.insert(full.end(), argv.begin(), argv.end());
  return runProcess(full, limit);
}
}  // namespace

LocalPostgres::LocalPostgres(const std::string& password) {
  char tmpl[] = "/tmp/pgreach-it-pg-XXXXXX";
  REQUIRE(::mkdtemp(tmpl) != nullptr);
  dir_ = tmpl;
  try {
    start(password);
  } catch (...) {
    stop();  // a failed start leaves no server and no folder behind
    throw;
  }
}

void LocalPostgres::start(const std::string& password) {
  if (::geteuid() == 0) {
    auto chown = runProcess({"chown", "postgres:postgres", dir_}, std::chrono::seconds(5));
    REQUIRE(chown.exitCode == 0);
  }
  port_ = freeLoopbackPort();
  auto init = asPostgres(
      {kBin + "initdb", "-D", dir_ + "/data", "-U", "postgres", "--auth=trust", "-N", "-E", "UTF8"},
      std::chrono::seconds(60));
  INFO("initdb: " << init.out << init.err);
  REQUIRE(init.exitCode == 0);
  {
    std::ofstream hba(dir_ + "/data/pg_hba.conf");
    hba << "local all all trust\nhost all postgres 127.0.0.1/32 trust\nhost all all 127.0.0.1/32 "
           "scram-sha-256\n";
  }
  auto start = asPostgres(
      {kBin + "pg_ctl", "-D", dir_ + "/data", "-l", dir_ + "/log", "-w", "-t", "30", "-o",
       "-p " + std::to_string(port_) + " -k " + dir_ + " -c listen_addresses=127.0.0.1 -c fsync=off",
       "start"},
      std::chrono::seconds(40));
  INFO("pg_ctl start: " << start.out << start.err);
  REQUIRE(start.exitCode == 0);
  // Two -c commands: CREATE DATABASE cannot share a transaction with anything.
  auto setup = asPostgres(
      {"/usr/bin/psql", "-h", dir_, "-p", std::to_string(port_), "-U", "postgres", "-d", "postgres", "-v",
       "ON_ERROR_STOP=1", "-q", "-c", "CREATE ROLE app LOGIN PASSWORD '" + password + "'", "-c",
       "CREATE DATABASE appdb OWNER app"},
      std::chrono::seconds(20));
  INFO("setup: " << setup.err);
  REQUIRE(setup.exitCode == 0);
}

LocalPostgres::~LocalPostgres() { stop(); }

void LocalPostgres::stop() {
  asPostgres({kBin + "pg_ctl", "-D", dir_ + "/data", "-m", "immediate", "-w", "-t", "20", "stop"},
             std::chrono::seconds(25));
  runProcess({"rm", "-rf", dir_}, std::chrono::seconds(20));
}

}  // namespace pgreach::testing
