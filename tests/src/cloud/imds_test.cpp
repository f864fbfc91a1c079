// IMDS against a fake metadata server on loopback (never 169.254.169.254): IMDSv2's
// token dance, Azure's Metadata header, timeouts, and the token never in a message.
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "cloud/imds.h"
#include "support/process.h"
#include "util/fd.h"
#include "util/strings.h"

using namespace pgreach;
using namespace std::chrono_literals;

namespace {

constexpr const char* kToken = "AQAEAFakeImdsSessionToken-7f3c9e1b==";

struct Request {
  std::string method, path;
  std::map<std::string, std::string> headers;  // lower-case names
};

// One-thread HTTP server on 127.0.0.1:<ephemeral>. `handler` returns the full response
// text, or "" to hang (never answer) until the server stops.
class FakeServer {
 public:
  explicit FakeServer(std::function<std::string(const Request&)> handler) : handler_(std::move(handler)) {
    listen_ = util::Fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(listen_.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    REQUIRE(::listen(listen_.get(), 16) == 0);
    socklen_t len = sizeof a;
    ::getsockname(listen_.get(), reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { loop(); });
  }
  ~FakeServer() {
    stop_ = true;
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::vector<Request> requests() {
    std::lock_guard<std::mutex> l(mu_);
    return seen_;
  }

 private:
  void loop() {
    for (int rounds = 0; !stop_ && rounds < 3000; ++rounds) {  // bounded: at most ~30 s
      pollfd p{listen_.get(), POLLIN, 0};
      if (::poll(&p, 1, 10) <= 0) continue;
      util::Fd c(::accept4(listen_.get(), nullptr, nullptr, SOCK_CLOEXEC));
      if (!c.valid()) continue;
      std::string in;
      char buf[4096];
      while (in.find("\r\n\r\n") == std::string::npos && in.size() < 65536) {
        pollfd q{c.get(), POLLIN, 0};
        if (::poll(&q, 1, 1000) <= 0) break;
        ssize_t n = ::recv(c.get(), buf, sizeof buf, 0);
        if (n <= 0) break;
        in.append(buf, static_cast<size_t>(n));
      }
      Request r;
      auto lines = util::split(in.substr(0, in.find("\r\n\r\n")), '\n');
      if (lines.empty()) continue;
      auto first = util::split(util::trim(lines[0]), ' ');
      if (first.size() >= 2) r.method = first[0], r.path = first[1];
      for (size_t i = 1; i < lines.size(); ++i) {
        auto colon = lines[i].find(':');
        if (colon != std::string::npos)
          r.headers[util::toLower(util::trim(lines[i].substr(0, colon)))] =
              util::trim(lines[i].substr(colon + 1));
      }
      {
        std::lock_guard<std::mutex> l(mu_);
        seen_.push_back(r);
      }
      const std::string resp = handler_(r);
      if (resp.empty()) {
        while (!stop_) std::this_thread::sleep_for(5ms);  // hang: the client must time out
        continue;
      }
      ::send(c.get(), resp.data(), resp.size(), MSG_NOSIGNAL);
    }
  }
  std::function<std::string(const Request&)> handler_;
  util::Fd listen_;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::mutex mu_;
  std::vector<Request> seen_;
};

std::string http(int status, const std::string& body) {
  return "HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Length: " + std::to_string(body.size()) +
         "\r\nConnection: close\r\n\r\n" + body;
}

// A fake AWS IMDSv2 for the lab client; `failOn` makes one path answer 500.
std::function<std::string(const Request&)> awsImds(std::string failOn = "") {
  return [failOn](const Request& r) {
    if (r.method == "PUT" && r.path == "/latest/api/token") {
      if (r.headers.count("x-aws-ec2-metadata-token-ttl-seconds") == 0) return http(400, "");
      return http(200, kToken);
    }
    auto it = r.headers.find("x-aws-ec2-metadata-token");
    if (it == r.headers.end() || it->second != kToken) return http(401, "");
    if (!failOn.empty() && r.path.find(failOn) != std::string::npos) return http(500, "");
    static const std::map<std::string, std::string> kData{
        {"mac", "0e:11:22:33:44:55"},
        {"placement/region", "us-east-1"},
        {"placement/availability-zone", "us-east-1a"},
        {"vpc-id", "vpc-0a1b2c3d4e5f60718"},
        {"subnet-id", "subnet-0c1e4700000000001"},
        {"interface-id", "eni-0c1e47000000000c1"},
        {"subnet-ipv4-cidr-block", "10.40.1.0/24"},
        {"local-ipv4s", "10.40.1.10\n10.40.1.11"},
        {"security-group-ids", "sg-0c1e470000000c1e4\nsg-0extra"},
        {"vpc-ipv4-cidr-blocks", "10.40.0.0/16"}};
    for (const auto& [k, v] : kData) {
      if (util::endsWith(r.path, "/" + k)) return http(200, v);
    }
    return http(404, "");
  };
}

}  // namespace

TEST_CASE("IMDS endpoint URLs", "[unit][cloud]") {
  auto e = cloud::HttpEndpoint::parse("http://127.0.0.1:8123/");
  REQUIRE(e.ok());
  CHECK(e->port == 8123);
  CHECK(cloud::HttpEndpoint::parse("http://169.254.169.254")->port == 80);
  CHECK(cloud::HttpEndpoint::parse("http://[::1]:99")->port == 99);
  CHECK_FALSE(cloud::HttpEndpoint::parse("https://127.0.0.1").ok());
  CHECK_FALSE(cloud::HttpEndpoint::parse("http://metadata.local").ok());
  CHECK_FALSE(cloud::HttpEndpoint::parse("http://127.0.0.1:0").ok());
}

TEST_CASE("AWS IMDSv2: token first, then GETs carrying it", "[integration][cloud]") {
  FakeServer s(awsImds());
  auto info = cloud::fetchAwsInstance(*cloud::HttpEndpoint::parse(s.url()), 2000ms);
  REQUIRE(info.ok());
  CHECK(info->region == "us-east-1");
  CHECK(info->az == "us-east-1a");
  CHECK(info->subnetId == "subnet-0c1e4700000000001");
  CHECK(info->localIps == std::vector<std::string>{"10.40.1.10", "10.40.1.11"});
  CHECK(info->securityGroupIds == std::vector<std::string>{"sg-0c1e470000000c1e4", "sg-0extra"});
  auto reqs = s.requests();
  REQUIRE(reqs.size() >= 2);
  CHECK(reqs[0].method == "PUT");
  CHECK(reqs[0].headers["x-aws-ec2-metadata-token-ttl-seconds"] == "21600");
  for (size_t i = 1; i < reqs.size(); ++i) CHECK(reqs[i].headers["x-aws-ec2-metadata-token"] == kToken);
}

TEST_CASE("AWS IMDS errors never contain the session token", "[integration][cloud]") {
  FakeServer s(awsImds("security-group-ids"));
  auto info = cloud::fetchAwsInstance(*cloud::HttpEndpoint::parse(s.url()), 2000ms);
  REQUIRE_FALSE(info.ok());
  CHECK(info.error().find("HTTP 500") != std::string::npos);
  CHECK(info.error().find(kToken) == std::string::npos);
}

TEST_CASE("IMDS that never answers times out on time", "[integration][cloud]") {
  FakeServer s([](const Request&) { return std::string(); });
  const auto t0 = std::chrono::steady_clock::now();
  auto info = cloud::fetchAwsInstance(*cloud::HttpEndpoint::parse(s.url()), 300ms);
  const auto took = std::chrono::steady_clock::now() - t0;
  REQUIRE_FALSE(info.ok());
  CHECK(info.error().find("timed out") != std::string::npos);
  CHECK(took < 1500ms);
}

TEST_CASE("Azure IMDS: Metadata header and instance JSON", "[integration][cloud]") {
  FakeServer s([](const Request& r) {
    auto m = r.headers.find("metadata");
    if (m == r.headers.end() || m->second != "true") return http(400, "");
    if (r.path != "/metadata/instance?api-version=2021-02-01") return http(404, "");
    return http(200, R"({"compute":{"location":"eastus","subscriptionId":"0000","resourceGroupName":"rg"},
      "network":{"interface":[{"ipv4":{"ipAddress":[{"privateIpAddress":"10.40.1.10"}],"subnet":[{"address":"10.40.1.0","prefix":"24"}]}}]}})");
  });
  auto info = cloud::fetchAzureInstance(*cloud::HttpEndpoint::parse(s.url()), 2000ms);
  REQUIRE(info.ok());
  CHECK(info->location == "eastus");
  CHECK(info->privateIps == std::vector<std::string>{"10.40.1.10"});
  CHECK(info->subnets == std::vector<std::string>{"10.40.1.0/24"});
  CHECK_FALSE(cloud::parseAzureInstance("not json").ok());
  CHECK(cloud::parseAzureInstance(R"({"network":{"interface":[{"ipv4":{"ipAddress":[5]}}]}})")
            .error()
            .find("Azure IMDS") == 0);
}

TEST_CASE("pgreach audit --imds locates the client from a loopback IMDS, token never printed",
          "[integration][cloud]") {
  FakeServer s(awsImds());
  const std::string dir = std::string(PGREACH_SOURCE_DIR) + "/tests/lab/cloud/aws/sg-missing-6432";
  auto r =
      testing::runProcess({testing::pgreachBinary(), "audit", "host=pslab01.private-pg.psdb.cloud",
                           "--aws-json", dir, "--imds", "--imds-endpoint", s.url(), "--format", "json", "-v"},
                          20s);
  INFO(r.err);
  CHECK(r.exitCode == 2);  // 6432 blocked
  CHECK(r.out.find(kToken) == std::string::npos);
  CHECK(r.err.find(kToken) == std::string::npos);
  auto j = nlohmann::json::parse(r.out);
  bool sawContext = false;
  for (const auto& c : j["checks"]) {
    if (c["id"] == "cloud.context") {
      sawContext = true;
      CHECK(c["data"]["source"] == "imds");
      CHECK(c["data"]["client"]["ip"] == "10.40.1.10");
      CHECK(c["data"]["client"]["az"] == "us-east-1a");
    }
  }
  CHECK(sawContext);
}

TEST_CASE("a metadata server's answer: length and status are read defensively", "[unit][cloud]") {
  using cloud::httpAnswerLength;
  using cloud::parseHttpAnswer;
  CHECK_FALSE(
      httpAnswerLength("HTTP/1.0 200 OK\r\nContent-Length: 5\r\n").has_value());  // header not complete
  CHECK(httpAnswerLength("HTTP/1.0 200 OK\r\nContent-Length: 5\r\n\r\nhel") == std::optional<size_t>(43));
  CHECK(httpAnswerLength("HTTP/1.0 200 OK\r\ncontent-length:\t2\r\n\r\n") == std::optional<size_t>(40));
  // Absent, negative, non-numeric, overflowing or above the 1 MiB limit: read until close.
  CHECK_FALSE(httpAnswerLength("HTTP/1.0 200 OK\r\n\r\nbody").has_value());
  CHECK_FALSE(httpAnswerLength("HTTP/1.0 200 OK\r\nContent-Length: -1\r\n\r\n").has_value());
  CHECK_FALSE(httpAnswerLength("HTTP/1.0 200 OK\r\nContent-Length: x\r\n\r\n").has_value());
  CHECK_FALSE(
      httpAnswerLength("HTTP/1.0 200 OK\r\nContent-Length: 99999999999999999999999\r\n\r\n").has_value());
  CHECK_FALSE(
      httpAnswerLength("HTTP/1.0 200 OK\r\nContent-Length: 18446744073709551615\r\n\r\n").has_value());
  CHECK_FALSE(httpAnswerLength("HTTP/1.0 200 OK\r\nContent-Length: 2000000\r\n\r\n").has_value());

  auto ok = parseHttpAnswer("HTTP/1.1 401 Unauthorized\r\n\r\nno");
  REQUIRE(ok.ok());
  CHECK(ok->status == 401);
  CHECK(ok->body == "no");
  CHECK(parseHttpAnswer("HTTP/1.0 2x0 OK\r\n\r\n").error().find("no status code") != std::string::npos);
  CHECK_FALSE(parseHttpAnswer("SSH-2.0-OpenSSH\r\n\r\n").ok());
  CHECK_FALSE(parseHttpAnswer("HTTP/1.0 200 OK\r\n").ok());
}
