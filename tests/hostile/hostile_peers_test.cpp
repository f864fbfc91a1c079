// The whole binary against hostile peers, under its --deadline: a DNS server that answers
// garbage, a compression loop or a 64 KB answer; a TCP tarpit; a TLS server that sends
// one byte a second; a "Postgres" that claims a 1 GB message; a server that resets
// mid-handshake. The stage-level behaviour is tested beside each stage (tests/checks/dns,
// tests/checks/tls, ...); what these add is the real `pgreach diagnose`: it ends within
// --deadline + 1 s, prints valid JSON with a finding, exits 0-3 (never a signal), and
// names the right stage.
//
// Every scenario runs twice, from one body: on loopback ([integration][hostile]: no lab
// needed) and in the lab ([lab][hostile]): the peer listens inside the lab's endpoint or
// resolver namespace and the binary runs in the client namespace, so every packet
// crosses the router as a real client's would.
#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>

#include "hostile/hostile_servers.h"
#include "support/lab.h"
#include "support/process.h"

using namespace pgreach::testing;
using namespace pgreach::testing::hostile;
using nlohmann::json;

namespace {

constexpr auto kDeadline = std::chrono::seconds(5);
const std::vector<std::string> kBudget = {"--deadline", "5s", "--timeout", "2s", "--format", "json"};

// Where one run of a scenario happens.
struct Arena {
  std::string clientNetns;  // where the binary runs; empty = the test's own namespace
  Place server;             // the TCP peers
  Place resolver;           // the fake DNS server, on port 53 so /etc/resolv.conf can name it
};

// Loopback: the fake resolver on 127.0.0.153:53, the peers on 127.0.0.1.
Arena loopbackArena() { return {"", {"127.0.0.1", ""}, {"127.0.0.153", ""}}; }

// The lab in its healthy scenario (no nftables rule, so any port passes): peers on the
// endpoint's 10.40.2.120, the fake resolver on 10.40.0.53, an address this test adds to
// the resolver namespace's eth0 (beside unbound's 10.40.0.2) and removes when done.
class LabArena {
 public:
  static constexpr const char* kResolverIp = "10.40.0.53";
  LabArena() {
    labScenario("healthy");
    address("del");  // left behind by a run that was killed
    auto r = address("add");
    INFO("ip addr add: " << r.err);
    REQUIRE(r.exitCode == 0);
  }
  ~LabArena() { address("del"); }
  LabArena(const LabArena&) = delete;
  LabArena& operator=(const LabArena&) = delete;
  Arena arena() const {
    return {clientNamespace(),
            {labEnv("LAB_ENDPOINT_IP_A"), labPrefix() + "-endpoint"},
            {kResolverIp, resolverNs()}};
  }

 private:
  static std::string resolverNs() { return labPrefix() + "-resolver"; }
  static ProcessResult address(const char* verb) {
    return runProcess(
        {"ip", "-n", resolverNs(), "addr", verb, std::string(kResolverIp) + "/24", "dev", "eth0"},
        std::chrono::seconds(10));
  }
};

struct Outcome {
  ProcessResult proc;
  json report;
};

// Runs `pgreach diagnose TARGET --deadline 5s --timeout 2s --format json EXTRA...`, in the
// arena's client namespace. With `nameserver`, in a private mount namespace whose
// /etc/resolv.conf names only it, so no query goes anywhere else (never to the machine's
// own resolver; in the lab not even to the lab's unbound).
Outcome diagnose(const Arena& at, const std::string& target, std::vector<std::string> extra = {},
                 const std::string& nameserver = "",
                 const std::string& resolvOptions = "timeout:1 attempts:1") {
  std::vector<std::string> args;
  if (!at.clientNetns.empty()) args = {"ip", "netns", "exec", at.clientNetns};
  std::string resolvFile;
  if (!nameserver.empty()) {
    char tmpl[] = "/tmp/pgreach-hostile-resolv-XXXXXX";
    const int fd = ::mkstemp(tmpl);
    REQUIRE(fd >= 0);
    ::close(fd);
    resolvFile = tmpl;
    std::ofstream(resolvFile) << "nameserver " << nameserver << "\noptions " << resolvOptions << "\n";
    args.insert(args.end(), {"unshare", "-m", "--propagation", "private", "sh", "-c",
                             "mount --bind \"$0\" /etc/resolv.conf && exec \"$@\"", resolvFile});
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
  // The plain build must end by --deadline + 0.5 s (issue 17); a sanitizer build runs
  // several times slower, so there only the end itself is asserted (not timed out above).
#if defined(__SANITIZE_ADDRESS__)
  constexpr bool kTimed = false;
#else
  constexpr bool kTimed = true;
#endif
  if (kTimed) CHECK(o.proc.elapsed <= kDeadline + std::chrono::milliseconds(500));
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
  std::string s =
      "verdict " + report["verdict"].dump() + ", root cause " + report["root_cause"].dump() + "; findings:";
  for (const auto& c : report["checks"]) {
    for (const auto& f : c["findings"]) s += " " + f["code"].get<std::string>();
  }
  return s;
}

const std::string kHostileName = "db.hostile-peer.test";

std::string pgTarget(const std::string& host, uint16_t port, const std::string& sslmode = "require") {
  return "host=" + host + " port=" + std::to_string(port) + " user=app dbname=appdb sslmode=" + sslmode +
         " connect_timeout=2";
}

// ---- the scenarios: one body each, run on loopback and in the lab ----

void dnsGarbage(const Arena& at) {
  HostileDnsServer dns(at.resolver, 53,
                       [](const std::vector<uint8_t>& q, bool) -> std::optional<std::vector<uint8_t>> {
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
  auto o = diagnose(at, pgTarget(kHostileName, closedPortAt(at.server)), {}, at.resolver.ip);
  INFO(describe(o.report));
  CHECK(dns.queries() > 0);
  CHECK(rootStage(o.report) == "dns");
  CHECK(hasFinding(o.report, "dns.malformed_answer"));
  CHECK(o.proc.exitCode == 2);
}

void dnsCompressionLoop(const Arena& at) {
  HostileDnsServer dns(at.resolver, 53,
                       [](const std::vector<uint8_t>& q, bool) -> std::optional<std::vector<uint8_t>> {
                         auto out = responseHeader(q, 1);
                         // The question's name is a pointer to offset 12: itself.
                         out.insert(out.end(), {0xC0, 0x0C, 0, 1, 0, 1});
                         out.insert(out.end(), {0xC0, 0x0C, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 127, 0, 0, 1});
                         return out;
                       });
  REQUIRE(dns.listening());
  auto o = diagnose(at, pgTarget(kHostileName, closedPortAt(at.server)), {}, at.resolver.ip);
  INFO(describe(o.report));
  CHECK(dns.queries() > 0);
  CHECK(rootStage(o.report) == "dns");
  CHECK(hasFinding(o.report, "dns.malformed_answer"));
}

void dnsHugeAnswer(const Arena& at) {
  // Every record is the peers' own address (loopback, or the lab endpoint): nothing else
  // is ever probed.
  in_addr answer{};
  REQUIRE(::inet_pton(AF_INET, at.server.ip.c_str(), &answer) == 1);
  const auto* a = reinterpret_cast<const uint8_t*>(&answer.s_addr);
  std::atomic<int> tcpAnswers{0};
  HostileDnsServer dns(
      at.resolver, 53, [&](const std::vector<uint8_t>& q, bool tcp) -> std::optional<std::vector<uint8_t>> {
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
        // As many A records as fit in 65535 bytes.
        const size_t room = 65535 - 12 - question.size();
        const auto n = static_cast<uint16_t>(room / 16);
        auto out = responseHeader(q, n);
        out.insert(out.end(), question.begin(), question.end());
        for (uint16_t i = 0; i < n; ++i)
          out.insert(out.end(), {0xC0, 0x0C, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, a[0], a[1], a[2], a[3]});
        return out;
      });
  REQUIRE(dns.listening());
  const uint16_t closed = closedPortAt(at.server);
  REQUIRE(closed != 0);
  auto o = diagnose(at, pgTarget(kHostileName, closed), {}, at.resolver.ip);
  INFO(describe(o.report));
  CHECK(tcpAnswers > 0);
  CHECK(hasFinding(o.report, "dns.truncated"));
  CHECK(hasFinding(o.report, "dns.oversized_answer"));
  // The stage moved on with what it read: the probed address is the peers', the port closed.
  CHECK(rootStage(o.report) == "tcp");
  CHECK(hasFinding(o.report, "tcp.refused"));
}

void tcpTarpit(const Arena& at) {
  auto listener = listenAt(at.server, 0, SOCK_STREAM);  // never accepted: the kernel answers SYNs
  REQUIRE(listener.valid());
  auto o = diagnose(at, pgTarget(at.server.ip, localPort(listener.get())));
  INFO(describe(o.report));
  const json* tcp = findCheck(o.report, "tcp.connect");
  REQUIRE(tcp);
  CHECK((*tcp)["data"]["probes"][0]["outcome"] == "open");
  CHECK(rootStage(o.report) == "tls");
  CHECK(hasFinding(o.report, "tls.no_response"));
  CHECK(o.proc.exitCode == 2);
}

void tlsDrip(const Arena& at) {
  HostileTcpServer server(
      [](int fd, const std::atomic<bool>& stopping) {
        auto first = readSome(fd, 3000);
        if (first.empty()) return;
        if (isNegotiationRequest(first)) sendAll(fd, {'S'});
        // A ServerHello record header that never completes, one byte a second.
        const std::vector<uint8_t> drip = {0x16, 0x03, 0x03, 0x00, 0x7a, 0x02, 0x00, 0x00, 0x76, 0x03,
                                           0x03, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99};
        for (uint8_t b : drip) {
          if (!nap(stopping, 1000)) return;
          if (::send(fd, &b, 1, MSG_NOSIGNAL) != 1) return;
        }
      },
      at.server);
  REQUIRE(server.listening());
  auto o = diagnose(at, pgTarget(at.server.ip, server.port()));
  INFO(describe(o.report));
  CHECK(server.connections() > 1);
  CHECK(rootStage(o.report) == "tls");
  // It stalls with small packets too (the MSS retry): a stalled server, not the path MTU.
  CHECK(hasFinding(o.report, "tls.handshake_timeout"));
  CHECK_FALSE(hasFinding(o.report, "tls.path_mtu_blackhole"));
  CHECK(o.proc.exitCode == 2);
}

// The server is slow once, not the path: the first TLS handshake after SSLRequest stalls
// (the ClientHello is read and never answered), every later one is answered at once (an
// alert: the server's flight came through). tls.handshake retries at smaller MSS values,
// then the default MSS again, which completes too: a slow server, never an MTU black hole.
void tlsSlowOnce(const Arena& at) {
  auto stalls = std::make_shared<std::atomic<int>>(0);
  HostileTcpServer server(
      [stalls](int fd, const std::atomic<bool>& stopping) {
        auto first = readSome(fd, 3000);
        if (first.empty() || !isNegotiationRequest(first)) return;  // no direct TLS here
        sendAll(fd, {'S'});
        auto hello = readSome(fd, 3000);
        if (hello.empty() || hello[0] != 0x16) return;  // tls.sslrequest: 'S' and gone
        if (stalls->fetch_add(1) == 0) {
          silentUntilClosed(fd, stopping, 6000);  // the client gives up after its 2 s probe timeout
          return;
        }
        sendAll(fd, {0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28});  // alert: handshake_failure
      },
      at.server);
  REQUIRE(server.listening());
  auto o = diagnose(at, pgTarget(at.server.ip, server.port()));
  INFO(describe(o.report));
  CHECK(stalls->load() >= 5);  // the stall, three smaller MSS values, the default again
  CHECK(rootStage(o.report) == "tls");
  const json* hs = findCheck(o.report, "tls.handshake");
  REQUIRE(hs);
  bool named = false;
  for (const auto& f : (*hs)["findings"]) {
    if (f["code"] != "tls.handshake_timeout") continue;
    named = true;
    CHECK(f["summary"].get<std::string>().find("the server was slow, not the path MTU") != std::string::npos);
    const std::string evidence = f["evidence"].dump();
    CHECK(evidence.find("default MSS again: the server's TLS flight arrived") != std::string::npos);
    CHECK(evidence.find("MSS 536: the server's TLS flight arrived") != std::string::npos);
  }
  CHECK(named);
  CHECK_FALSE(hasFinding(o.report, "tls.path_mtu_blackhole"));
  CHECK(o.proc.exitCode == 2);
}

void pgHugeMessage(const Arena& at) {
  HostileTcpServer server(
      [](int fd, const std::atomic<bool>& stopping) {
        auto first = readSome(fd, 3000);
        if (first.empty()) return;
        if (isNegotiationRequest(first)) {
          sendAll(fd, {'N'});
          first = readSome(fd, 3000);
          if (first.empty()) return;
        }
        // 'R' with a length of 1 GB, eight bytes of it, then silence until the client gives up.
        sendAll(fd, {'R', 0x40, 0x00, 0x00, 0x00, 0, 0, 0, 3, 0, 0, 0, 0});
        silentUntilClosed(fd, stopping, 10000);
      },
      at.server);
  REQUIRE(server.listening());
  auto o = diagnose(at, pgTarget(at.server.ip, server.port(), "disable"));
  INFO(describe(o.report));
  CHECK(server.connections() > 1);
  CHECK(rootStage(o.report) == "postgres");
  CHECK(o.proc.exitCode >= 1);
}

void tlsResetMidHandshake(const Arena& at) {
  HostileTcpServer server(
      [](int fd, const std::atomic<bool>&) {
        auto first = readSome(fd, 3000);
        if (first.empty()) return;
        if (isNegotiationRequest(first)) {
          sendAll(fd, {'S'});
          readSome(fd, 3000);  // the start of the ClientHello
        }
        linger hard{1, 0};  // close with RST
        ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
      },
      at.server);
  REQUIRE(server.listening());
  auto o = diagnose(at, pgTarget(at.server.ip, server.port()));
  INFO(describe(o.report));
  CHECK(server.connections() > 1);
  CHECK(rootStage(o.report) == "tls");
  CHECK(o.proc.exitCode == 2);
}

// Issue 17: with several hosts libpq looked each name up itself, with a blocking
// getaddrinfo; a resolver that stalled then (after answering pgreach's own DNS stage and
// dns.system) held pg.connect past --deadline, abandoned as UNKNOWN with no cause named.
// The resolver answers each (name, type) twice, pgreach's two lookups, then never again;
// resolv.conf gives the C library 2 x 5 s, more than the whole --deadline.
void libpqLookupStalls(const Arena& at) {
  std::mutex mu;
  std::map<std::vector<uint8_t>, int> asked;
  in_addr answer{};
  REQUIRE(::inet_pton(AF_INET, at.server.ip.c_str(), &answer) == 1);
  const auto* a = reinterpret_cast<const uint8_t*>(&answer.s_addr);
  HostileDnsServer dns(
      at.resolver, 53, [&](const std::vector<uint8_t>& q, bool) -> std::optional<std::vector<uint8_t>> {
        const auto question = questionOf(q);
        if (question.empty()) return std::nullopt;
        {
          std::lock_guard<std::mutex> lock(mu);
          if (++asked[question] > 2) return std::nullopt;  // silent from now on
        }
        const bool isA = queryType(question) == 1;
        auto out = responseHeader(q, isA ? 1 : 0);
        out.insert(out.end(), question.begin(), question.end());
        if (isA) out.insert(out.end(), {0xC0, 0x0C, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, a[0], a[1], a[2], a[3]});
        return out;
      });
  REQUIRE(dns.listening());
  // A server that asks for a cleartext password and hangs up once it has it.
  HostileTcpServer server(
      [](int fd, const std::atomic<bool>&) {
        auto first = readSome(fd, 3000);
        if (isNegotiationRequest(first)) {
          sendAll(fd, {'N'});
          first = readSome(fd, 3000);
        }
        if (first.empty()) return;
        sendAll(fd, {'R', 0, 0, 0, 8, 0, 0, 0, 3});
        readSome(fd, 2000);
      },
      at.server);
  REQUIRE(server.listening());
  const std::string target = "host=db1." + kHostileName + ",db2." + kHostileName +
                             " port=" + std::to_string(server.port()) +
                             " user=app dbname=appdb password=Lk9Pw sslmode=disable";
  auto o = diagnose(at, target, {}, at.resolver.ip, "timeout:5 attempts:2");
  INFO(describe(o.report));
  const json* connect = findCheck(o.report, "pg.connect");
  REQUIRE(connect);
  CHECK_FALSE(hasFinding(o.report, "engine.deadline_exceeded"));
  // libpq went to the addresses pg.startup reached, and met the server's hang-up.
  CHECK(hasFinding(o.report, "pg.connection_closed"));
  CHECK(rootStage(o.report) == "postgres");
}

}  // namespace

TEST_CASE("hostile DNS: libpq's own lookup stalls after pgreach's were answered", "[integration][hostile]") {
  libpqLookupStalls(loopbackArena());
}

TEST_CASE("hostile DNS: a --store host name whose lookup stalls keeps the run's --deadline",
          "[integration][hostile]") {
  // libpq's own getaddrinfo for the store's host name blocked with the resolver's
  // timeouts (2 x 5 s here): a 2 s run took 15 s. The resolver never answers.
  const Arena at = loopbackArena();
  std::atomic<int> queries{0};
  HostileDnsServer dns(at.resolver, 53,
                       [&](const std::vector<uint8_t>&, bool) -> std::optional<std::vector<uint8_t>> {
                         ++queries;
                         return std::nullopt;
                       });
  REQUIRE(dns.listening());
  char tmpl[] = "/tmp/pgreach-hostile-store-XXXXXX";
  REQUIRE(::mkdtemp(tmpl));
  const std::string dir = tmpl;
  std::ofstream(dir + "/resolv.conf")
      << "nameserver " << at.resolver.ip << "\noptions timeout:5 attempts:2\n";
  auto r = runProcess(
      {"unshare", "-m", "--propagation", "private", "sh", "-c",
       "mount --bind \"$0\" /etc/resolv.conf && exec \"$@\"", dir + "/resolv.conf", pgreachBinary(),
       "diagnose", "host=127.0.0.1 port=1", "--only", "tcp", "--deadline", "2s", "--output-dir", dir + "/out",
       "--store", "host=store." + kHostileName + " dbname=s user=s password=St9Lookup"},
      std::chrono::seconds(30));
  std::filesystem::remove_all(dir);
  INFO(r.out << r.err);
  CHECK_FALSE(r.timedOut);
  CHECK(queries > 0);
  CHECK(r.err.find("--store") != std::string::npos);
  CHECK(r.err.find("did not resolve") != std::string::npos);
  CHECK(r.err.find("St9Lookup") == std::string::npos);
#if !defined(__SANITIZE_ADDRESS__)
  CHECK(r.elapsed <= std::chrono::milliseconds(2000 + 1500));  // as the silent-store test in safety_test.cpp
#endif
}

// Each scenario twice: loopback (no lab needed) and the lab (scripts/test.sh brings it up).
#define HOSTILE_CASE(title, scenario)                                                  \
  TEST_CASE("hostile " title, "[integration][hostile]") { scenario(loopbackArena()); } \
  TEST_CASE("lab hostile " title, "[lab][hostile]") {                                  \
    LabArena lab;                                                                      \
    scenario(lab.arena());                                                             \
  }

HOSTILE_CASE("DNS: garbage after a valid header", dnsGarbage)
HOSTILE_CASE("DNS: a compression pointer that points at itself", dnsCompressionLoop)
HOSTILE_CASE("DNS: a 64 KB answer over TCP after a truncated UDP one", dnsHugeAnswer)
HOSTILE_CASE("TCP: a tarpit that completes the handshake and never reads", tcpTarpit)
HOSTILE_CASE("TLS: a server that accepts SSLRequest then sends one byte a second", tlsDrip)
HOSTILE_CASE("TLS: a server slow on its first handshake only, not an MTU black hole", tlsSlowOnce)
HOSTILE_CASE("Postgres: an authentication message that claims to be 1 GB", pgHugeMessage)
HOSTILE_CASE("TLS: a server that resets the connection mid-handshake", tlsResetMidHandshake)
