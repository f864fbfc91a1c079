// The whole binary against hostile peers on loopback, under its --deadline: a DNS server
// that answers garbage, a compression loop or a 64 KB answer; a TCP tarpit; a TLS server
// that sends one byte a second; a "Postgres" that claims a 1 GB message; a server that
// resets mid-handshake. The stage-level behaviour is tested beside each stage
// (tests/checks/dns, tests/checks/tls, ...); what these add is the real `pgreach
// diagnose`: it ends within --deadline + 1 s, prints valid JSON with a finding, exits
// 0-3 (never a signal), and names the right stage.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <cstdlib>
#include <fstream>

#include "hostile/hostile_servers.h"
#include "support/postgres.h"
#include "support/process.h"

using namespace pgreach::testing;
using namespace pgreach::testing::hostile;
using nlohmann::json;

namespace {

constexpr auto kDeadline = std::chrono::seconds(5);
const std::vector<std::string> kBudget = {"--deadline", "5s", "--timeout", "2s", "--format", "json"};

struct Outcome {
  ProcessResult proc;
  json report;
};

// Runs `pgreach diagnose TARGET --deadline 5s --timeout 2s --format json EXTRA...`. With
// `nameserver`, in a private mount namespace whose /etc/resolv.conf names only it, so no
// query leaves loopback (the machine's own resolver is never asked).
Outcome diagnose(const std::string& target, std::vector<std::string> extra = {},
                 const std::string& nameserver = "") {
  std::vector<std::string> args;
  std::string resolvFile;
  if (!nameserver.empty()) {
    char tmpl[] = "/tmp/pgreach-hostile-resolv-XXXXXX";
    const int fd = ::mkstemp(tmpl);
    REQUIRE(fd >= 0);
    ::close(fd);
    resolvFile = tmpl;
    std::ofstream(resolvFile) << "nameserver " << nameserver << "\noptions timeout:1 attempts:1\n";
    args = {"unshare", "-m", "--propagation", "private", "sh", "-c",
            "mount --bind \"$0\" /etc/resolv.conf && exec \"$@\"", resolvFile};
  }
  args.push_back(pgreachBinary());
  args.push_back("diagnose");
  args.push_back(target);
  args.insert(args.end(), kBudget.begin(), kBudget.end());
  args.insert(args.end(), extra.begin(), extra.end());
  Outcome o;
  o.proc = runProcess(args, std::chrono::seconds(20));
  if (!resolvFile.empty()) std::remove(resolvFile.c_str());
  INFO("stdout: " << o.proc.out << "\nstderr: " << o.proc.err);
  CHECK_FALSE(o.proc.timedOut);
  CHECK(o.proc.elapsed <= kDeadline + std::chrono::seconds(1));
  REQUIRE(o.proc.exitCode >= 0);  // -1: killed by a signal or the time limit
  REQUIRE(o.proc.exitCode <= 3);
  REQUIRE_NOTHROW(o.report = json::parse(o.proc.out));
  return o;
}

const json* findCheck(const json& report, const std::string& id) {
  for (const auto& c : report["checks"]) {
    if (c["id"] == id) return &c;
  }
  return nullptr;
}

bool hasFinding(const json& report, const std::string& code) {
  for (const auto& c : report["checks"]) {
    for (const auto& f : c["findings"]) {
      if (f["code"] == code) return true;
    }
  }
  return false;
}

std::string rootStage(const json& report) {
  return report["root_cause"].is_object() ? report["root_cause"]["stage"].get<std::string>() : "";
}

std::string describe(const json& report) {
  std::string s = "verdict " + report["verdict"].dump() + ", root cause " + report["root_cause"].dump() + "; findings:";
  for (const auto& c : report["checks"]) {
    for (const auto& f : c["findings"]) s += " " + f["code"].get<std::string>();
  }
  return s;
}

// The fake resolver: 127.0.0.153:53, so /etc/resolv.conf (which has no port) can name it.
constexpr const char* kResolverIp = "127.0.0.153";
const std::string kHostileName = "db.hostile-peer.test";

std::string pgTarget(uint16_t port, const std::string& host = "127.0.0.1", const std::string& sslmode = "require") {
  return "host=" + host + " port=" + std::to_string(port) + " user=app dbname=appdb sslmode=" + sslmode +
         " connect_timeout=2";
}

}  // namespace

TEST_CASE("hostile DNS: garbage after a valid header", "[integration][hostile]") {
  HostileDnsServer dns(kResolverIp, 53, [](const std::vector<uint8_t>& q, bool) -> std::optional<std::vector<uint8_t>> {
    auto out = responseHeader(q, 0xFFFF);
    uint32_t x = 2463534242u;  // xorshift: the same garbage every run
    for (int i = 0; i < 300; ++i) {
      x ^= x << 13;
      x ^= x >> 17;
      x ^= x << 5;
      out.push_back(static_cast<uint8_t>(x));
    }
    out[5] = 0x07;  // seven questions that are not there
    return out;
  });
  REQUIRE(dns.listening());
  auto o = diagnose(pgTarget(freeLoopbackPort(), kHostileName), {}, kResolverIp);
  INFO(describe(o.report));
  CHECK(dns.queries() > 0);
  CHECK(rootStage(o.report) == "dns");
  CHECK(hasFinding(o.report, "dns.malformed_answer"));
  CHECK(o.proc.exitCode == 2);
}

TEST_CASE("hostile DNS: a compression pointer that points at itself", "[integration][hostile]") {
  HostileDnsServer dns(kResolverIp, 53, [](const std::vector<uint8_t>& q, bool) -> std::optional<std::vector<uint8_t>> {
    auto out = responseHeader(q, 1);
    // The question's name is a pointer to offset 12: itself.
    out.insert(out.end(), {0xC0, 0x0C, 0, 1, 0, 1});
    out.insert(out.end(), {0xC0, 0x0C, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 127, 0, 0, 1});
    return out;
  });
  REQUIRE(dns.listening());
  auto o = diagnose(pgTarget(freeLoopbackPort(), kHostileName), {}, kResolverIp);
  INFO(describe(o.report));
  CHECK(dns.queries() > 0);
  CHECK(rootStage(o.report) == "dns");
  CHECK(hasFinding(o.report, "dns.malformed_answer"));
}

TEST_CASE("hostile DNS: a 64 KB answer over TCP after a truncated UDP one", "[integration][hostile]") {
  std::atomic<int> tcpAnswers{0};
  HostileDnsServer dns(kResolverIp, 53, [&](const std::vector<uint8_t>& q, bool tcp) -> std::optional<std::vector<uint8_t>> {
    const auto question = questionOf(q);
    if (question.empty()) return std::nullopt;
    if (queryType(question) != 1) {  // AAAA and the rest: NOERROR, nothing
      auto out = responseHeader(q, 0);
      out.insert(out.end(), question.begin(), question.end());
      return out;
    }
    if (!tcp) {
      auto out = responseHeader(q, 0, true);
      out.insert(out.end(), question.begin(), question.end());
      return out;
    }
    ++tcpAnswers;
    // As many A records as fit in 65535 bytes, every one 127.0.0.1 (loopback only).
    const size_t room = 65535 - 12 - question.size();
    const auto n = static_cast<uint16_t>(room / 16);
    auto out = responseHeader(q, n);
    out.insert(out.end(), question.begin(), question.end());
    for (uint16_t i = 0; i < n; ++i) out.insert(out.end(), {0xC0, 0x0C, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 127, 0, 0, 1});
    return out;
  });
  REQUIRE(dns.listening());
  auto o = diagnose(pgTarget(freeLoopbackPort(), kHostileName), {}, kResolverIp);
  INFO(describe(o.report));
  CHECK(tcpAnswers > 0);
  CHECK(hasFinding(o.report, "dns.truncated"));
  CHECK(hasFinding(o.report, "dns.oversized_answer"));
  // The stage moved on with what it read: the probed address is loopback, the port closed.
  CHECK(rootStage(o.report) == "tcp");
  CHECK(hasFinding(o.report, "tcp.refused"));
}

TEST_CASE("hostile TCP: a tarpit that completes the handshake and never reads", "[integration][hostile]") {
  auto listener = listenOn("127.0.0.1", 0, SOCK_STREAM);  // never accepted: the kernel answers SYNs
  REQUIRE(listener.valid());
  auto o = diagnose(pgTarget(localPort(listener.get())));
  INFO(describe(o.report));
  const json* tcp = findCheck(o.report, "tcp.connect");
  REQUIRE(tcp);
  CHECK((*tcp)["data"]["probes"][0]["outcome"] == "open");
  CHECK(rootStage(o.report) == "tls");
  CHECK(hasFinding(o.report, "tls.no_response"));
  CHECK(o.proc.exitCode == 2);
}

TEST_CASE("hostile TLS: a server that accepts SSLRequest then sends one byte a second", "[integration][hostile]") {
  HostileTcpServer server([](int fd, const std::atomic<bool>& stopping) {
    auto first = readSome(fd, 3000);
    if (first.empty()) return;
    if (isNegotiationRequest(first)) sendAll(fd, {'S'});
    // A ServerHello record header that never completes, one byte a second.
    const std::vector<uint8_t> drip = {0x16, 0x03, 0x03, 0x00, 0x7a, 0x02, 0x00, 0x00, 0x76, 0x03, 0x03, 0x11, 0x22,
                                       0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99};
    for (uint8_t b : drip) {
      if (!nap(stopping, 1000)) return;
      if (::send(fd, &b, 1, MSG_NOSIGNAL) != 1) return;
    }
  });
  auto o = diagnose(pgTarget(server.port()));
  INFO(describe(o.report));
  CHECK(server.connections() > 1);
  CHECK(rootStage(o.report) == "tls");
  CHECK(o.proc.exitCode == 2);
}

TEST_CASE("hostile Postgres: an authentication message that claims to be 1 GB", "[integration][hostile]") {
  HostileTcpServer server([](int fd, const std::atomic<bool>& stopping) {
    auto first = readSome(fd, 3000);
    if (first.empty()) return;
    if (isNegotiationRequest(first)) {
      sendAll(fd, {'N'});
      first = readSome(fd, 3000);
      if (first.empty()) return;
    }
    // 'R' with a length of 1 GB, eight bytes of it, then silence until the client gives up.
    sendAll(fd, {'R', 0x40, 0x00, 0x00, 0x00, 0, 0, 0, 3, 0, 0, 0, 0});
    for (int i = 0; i < 100 && nap(stopping, 100); ++i) {
      char c;
      if (::recv(fd, &c, 1, MSG_DONTWAIT) == 0) return;
    }
  });
  auto o = diagnose(pgTarget(server.port(), "127.0.0.1", "disable"));
  INFO(describe(o.report));
  CHECK(server.connections() > 1);
  CHECK(rootStage(o.report) == "postgres");
  CHECK(o.proc.exitCode >= 1);
}

TEST_CASE("hostile TLS: a server that resets the connection mid-handshake", "[integration][hostile]") {
  HostileTcpServer server([](int fd, const std::atomic<bool>&) {
    auto first = readSome(fd, 3000);
    if (first.empty()) return;
    if (isNegotiationRequest(first)) {
      sendAll(fd, {'S'});
      readSome(fd, 3000);  // the start of the ClientHello
    }
    linger hard{1, 0};  // close with RST
    ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
  });
  auto o = diagnose(pgTarget(server.port()));
  INFO(describe(o.report));
  CHECK(server.connections() > 1);
  CHECK(rootStage(o.report) == "tls");
  CHECK(o.proc.exitCode == 2);
}
