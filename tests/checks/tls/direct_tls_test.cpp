// [integration] tls.direct against `openssl s_server` on loopback, with and without
// ALPN "postgresql", using a certificate generated in a temporary directory.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <thread>

#include "support/process.h"

using pgreach::testing::runProcess;

namespace {

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/pgreach-direct-XXXXXX";
    path_ = ::mkdtemp(tmpl) ? tmpl : "";
  }
  ~TempDir() {
    if (!path_.empty()) runProcess({"rm", "-rf", path_}, std::chrono::seconds(5));
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// A child process killed (with its process group) when the test ends.
class Background {
 public:
  explicit Background(std::vector<std::string> argv) {
    std::fflush(nullptr);  // or the child would flush our buffered output again
    pid_ = ::fork();
    if (pid_ == 0) {
      ::setpgid(0, 0);
      std::vector<char*> args;
      for (auto& a : argv) args.push_back(a.data());
      args.push_back(nullptr);
      ::freopen("/dev/null", "w", stdout);
      ::freopen("/dev/null", "w", stderr);
      ::execvp(args[0], args.data());
      ::_exit(127);
    }
  }
  ~Background() {
    if (pid_ > 0) {
      ::kill(-pid_, SIGKILL);
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }

 private:
  pid_t pid_ = -1;
};

uint16_t freePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

bool waitListening(uint16_t port) {
  for (int i = 0; i < 100; ++i) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    ::close(fd);
    if (ok) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

nlohmann::json directProbe(const std::string& dir, bool alpn) {
  const uint16_t port = freePort();
  std::vector<std::string> server = {
      "openssl", "s_server",          "-quiet", "-accept",          "127.0.0.1:" + std::to_string(port),
      "-cert",   dir + "/server.crt", "-key",   dir + "/server.key"};
  if (alpn) {
    server.push_back("-alpn");
    server.push_back("postgresql");
  }
  Background s(server);
  REQUIRE(waitListening(port));
  auto r = runProcess({pgreach::testing::pgreachBinary(), "diagnose",
                       "host=127.0.0.1 port=" + std::to_string(port) + " user=app sslmode=require", "--only",
                       "tls.direct", "--timeout", "2s", "--format", "json"},
                      std::chrono::seconds(20), {"PGPASSWORD="});
  INFO(r.err);
  REQUIRE_FALSE(r.timedOut);
  auto report = nlohmann::json::parse(r.out);
  for (const auto& c : report["checks"]) {
    if (c["id"] == "tls.direct") return c;
  }
  FAIL("no tls.direct in the report");
  return {};
}

}  // namespace

TEST_CASE("tls.direct tells ALPN postgresql from plain TLS (openssl s_server)", "[integration]") {
  TempDir dir;
  REQUIRE_FALSE(dir.path().empty());
  auto gen = runProcess({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                         "-nodes", "-keyout", dir.path() + "/server.key", "-out", dir.path() + "/server.crt",
                         "-days", "2", "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1"},
                        std::chrono::seconds(20));
  REQUIRE(gen.exitCode == 0);

  auto with = directProbe(dir.path(), true);
  REQUIRE(with["data"]["probes"].size() == 1);
  CHECK(with["data"]["probes"][0]["direct_tls"] == "supported");
  CHECK(with["data"]["probes"][0]["alpn"] == "postgresql");
  CHECK(with["findings"][0]["code"] == "tls.direct_supported");

  auto without = directProbe(dir.path(), false);
  REQUIRE(without["data"]["probes"].size() == 1);
  CHECK(without["data"]["probes"][0]["direct_tls"] == "tls_without_alpn");
  CHECK(without["status"] == "pass");  // informative: the target did not ask for direct TLS
  bool noAlpn = false;
  for (const auto& f : without["findings"]) noAlpn = noAlpn || f["code"] == "tls.direct_no_alpn";
  CHECK(noAlpn);
}
