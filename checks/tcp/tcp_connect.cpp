// tcp.connect: a non-blocking connect with a deadline to every address × port, all at
// once, repeated --repeat times, while a pcap capture on "any" records the handshake.
// Outcomes come from the kernel (connect errno, and the ICMP error queued on the socket,
// which names admin-prohibited vs host-unreachable without privileges); the wire adds
// what crossed it (retransmitted SYNs, who sent the RST, the ICMP packet itself).
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <thread>

#include "checks/common/probe_targets.h"
#include "checks/tcp/codes.h"
#include "checks/tcp/tcp_classify.h"
#include "engine/dns_facts.h"
#include "engine/registry.h"
#include "engine/tcp_facts.h"
#include "net/capture.h"
#include "net/connect.h"
#include "net/handshake_evidence.h"
#include "net/hosts_file.h"
#include "net/source_address.h"
#include "util/atomic_file.h"
#include "util/strings.h"

namespace pgreach::checks::tcp {
namespace {

using engine::CheckResult;
using engine::Finding;
using engine::Severity;

// The packet tap sees an arriving packet before TCP does, so whatever decided a probe is
// already in the capture ring when connect() reports; stop() drains the ring once more.
// The short tail only catches our own last packets (the close after an open probe).
constexpr engine::Millis kCaptureTail{10};
// Connects added to each address:port when the first round shows loss.
constexpr int kStabilityRounds = 9;

std::vector<net::evidence::Frame> toFrames(std::vector<net::CapturedFrame>&& in) {
  std::vector<net::evidence::Frame> out;
  out.reserve(in.size());
  for (auto& f : in) out.push_back({f.ts, f.linkType, std::move(f.bytes)});
  return out;
}

// The "hosts:" line of /etc/nsswitch.conf, "" when there is none.
std::string nsswitchHostsLine() {
  auto text = util::readFile("/etc/nsswitch.conf", 1 << 20);
  if (!text) return "";
  for (const auto& line : util::split(*text, '\n')) {
    const auto t = util::trim(line);
    if (util::startsWith(t, "hosts:")) return std::string(t);
  }
  return "";
}

// How the application resolves each named host, from what dns.resolve gathered (its
// getaddrinfo results and DNS answers), with the /etc/hosts lines that name the host.
std::vector<AppResolution> appResolutions(const engine::CheckContext& ctx) {
  std::vector<AppResolution> out;
  const engine::CheckResult* dnsResult = ctx.dependency(kDnsResolveId);
  const auto* dns = dnsResult ? dnsResult->factsAs<engine::DnsResolveFacts>() : nullptr;
  if (!dns) return out;
  std::optional<std::string> hostsFile, nsswitch;
  for (const auto& h : ctx.target().hosts()) {
    if (!h.hostaddr.empty() || h.host.empty() || net::IpAddress::parse(h.host)) continue;
    const auto sys = dns->system.find(h.host);
    const auto answered = dns->dnsAnswers.find(h.host);
    if (sys == dns->system.end() || !sys->second.finished || !sys->second.error.empty()) continue;
    AppResolution app;
    app.host = h.host;
    app.port = h.port;
    app.system = net::parseAddresses(sys->second.addresses);
    if (answered != dns->dnsAnswers.end()) app.dns = net::parseAddresses(answered->second);
    if (!hostsFile) {
      auto text = util::readFile("/etc/hosts", 1 << 20);
      hostsFile = text ? *text : "";
      nsswitch = nsswitchHostsLine();
    }
    for (const auto& l : net::etcHostsLinesFor(*hostsFile, h.host))
      app.hostsLines.push_back("/etc/hosts line " + std::to_string(l.number) + ": " + l.text);
    app.nsswitchHosts = *nsswitch;
    out.push_back(std::move(app));
  }
  return out;
}

class TcpConnect final : public engine::Check {
 public:
  const engine::CheckInfo& info() const override {
    static const engine::CheckInfo kInfo = engine::withCodes(
        {"tcp.connect",
         engine::Stage::Tcp,
         "Connect to every resolved address on every port the provider uses",
         {kDnsResolveId},
         engine::Millis(10000)},
        engine::pickCodes(
            tcpCodes(),
            {"tcp.silently_dropped", "tcp.family_fallback", "tcp.refused", "tcp.icmp_host_unreachable",
             "tcp.icmp_net_unreachable", "tcp.icmp_port_unreachable", "tcp.icmp_admin_prohibited",
             "tcp.no_route", "tcp.local_error", "tcp.flaky", "tcp.unstable", "tcp.open", "tcp.no_addresses",
             "tcp.capture_unavailable", "tcp.repeat_cut_short", "tcp.capture_file_refused",
             "tcp.capture_file_unwritten", "tcp.app_address_unreachable"}));
    return kInfo;
  }

  CheckResult run(engine::CheckContext& ctx) override {
    CheckResult r;
    const auto targets = probeTargets(ctx);
    if (targets.empty()) {
      r.status = engine::Status::Fail;
      r.summary = "no address to connect to";
      r.findings.push_back({"tcp.no_addresses",
                            Severity::Critical,
                            "the DNS stage produced no address to probe",
                            {},
                            "Fix name resolution first (see the DNS section)."});
      return r;
    }
    std::vector<net::evidence::ProbeKey> keys;
    for (const auto& t : targets) keys.push_back({t.address, t.port, {}});

    // The capture is armed before the first SYN leaves.
    net::LiveCapture live;
    net::IcmpListener icmpOnly;
    bool haveCapture = live.open("any", net::evidence::bpfFilterFor(keys), net::kHandshakeSnaplen,
                                 net::LiveCapture::captureBufferFor(keys.size()));
    bool haveIcmpOnly = false;
    std::vector<Finding> extra;
    if (!haveCapture) {
      haveIcmpOnly = icmpOnly.open();
      const bool perm = live.failure() == net::LiveCapture::Failure::NoPermission;
      extra.push_back(
          {"tcp.capture_unavailable",
           Severity::Info,
           std::string("no packet capture: ") +
               (perm ? "needs root or CAP_NET_RAW" : "libpcap could not open \"any\"") +
               (haveIcmpOnly ? "; ICMP errors read from a raw socket instead"
                             : "; ICMP errors read from the socket error queue only"),
           {"pcap: " + live.error()},
           "Run as root (or grant CAP_NET_RAW: setcap cap_net_raw+ep pgreach) to see SYN retransmissions, "
           "SYN-ACKs, RSTs and ICMP errors on the wire."});
    }

    const int rounds = std::max(1, ctx.config().tcp.repeat);
    std::vector<std::vector<Attempt>> attempts(targets.size());
    double timeoutSeconds = 0;
    int roundsRun = 0;
    for (int round = 0; round < rounds; ++round) {
      const auto timeout = ctx.probeTimeout();
      if (timeout.count() < 50 && round > 0) break;  // out of budget: report what we have
      timeoutSeconds = static_cast<double>(timeout.count()) / 1000.0;
      std::vector<net::ConnectRequest> requests;
      for (const auto& t : targets) requests.push_back({t.address, t.port});
      auto results = net::connectAll(requests, timeout);
      for (size_t i = 0; i < results.size(); ++i) {
        attempts[i].push_back({results[i].outcome, static_cast<double>(results[i].elapsed.count()) / 1000.0,
                               results[i].detail, results[i].icmp, results[i].localPort});
      }
      ++roundsRun;
    }
    // A first round that shows loss (a connect that opened only after a retransmission) is
    // followed, unasked, by more connects to every address and port, all at once, so the
    // loss is measured (tcp.unstable) instead of blaming whichever stage times out next.
    bool measured = false;
    if (rounds == 1) {
      const auto timeout = ctx.probeTimeout();
      if (showsLoss(attempts) && timeout.count() >= 50) {
        std::vector<net::ConnectRequest> requests;
        for (int k = 0; k < kStabilityRounds; ++k) {
          for (const auto& t : targets) requests.push_back({t.address, t.port});
        }
        auto results = net::connectAll(requests, timeout);
        for (size_t j = 0; j < results.size(); ++j) {
          attempts[j % targets.size()].push_back({results[j].outcome,
                                                  static_cast<double>(results[j].elapsed.count()) / 1000.0,
                                                  results[j].detail, results[j].icmp, results[j].localPort});
        }
        measured = true;
      }
    }
    if (roundsRun < rounds) {
      extra.push_back({"tcp.repeat_cut_short",
                       Severity::Info,
                       "ran " + std::to_string(roundsRun) + " of " + std::to_string(rounds) +
                           " rounds before the check's deadline",
                       {},
                       "Raise --deadline or lower --timeout to fit every --repeat round."});
    }

    std::vector<net::evidence::FlowEvidence> evidence;
    std::vector<net::evidence::Frame> frames;
    if (haveCapture || haveIcmpOnly) {
      std::this_thread::sleep_for(std::min(kCaptureTail, ctx.remaining()));
      frames = toFrames(haveCapture ? live.stop() : icmpOnly.drain());
      std::vector<net::evidence::Packet> packets;
      for (const auto& f : frames) {
        if (auto p = net::evidence::decodeFrame(f)) packets.push_back(*p);
      }
      // This probe's own attempts only: a probe of the same address:port running beside it
      // (serve) sends SYNs and gets SYN-ACKs too.
      for (size_t i = 0; i < keys.size(); ++i) {
        for (const auto& a : attempts[i]) {
          if (a.localPort != 0) keys[i].clientPorts.push_back(a.localPort);
        }
        if (keys[i].clientPorts.empty()) keys[i].clientPorts.push_back(0);  // no attempt left: match none
      }
      evidence = net::evidence::summarise(packets, keys);
    }

    std::vector<ProbeVerdict> verdicts;
    for (size_t i = 0; i < targets.size(); ++i) {
      const net::evidence::FlowEvidence* ev = evidence.empty() ? nullptr : &evidence[i];
      verdicts.push_back(decide(targets[i].host, targets[i].address, targets[i].port, attempts[i], ev));
      if (auto src = net::sourceAddressFor(targets[i].address))
        verdicts.back().clientAddress = src->toString();
      if (haveIcmpOnly && !haveCapture) verdicts.back().packetEvidence.clear();  // ICMP lines only, below
      if (haveIcmpOnly && !haveCapture && ev) {
        for (const auto& line : ev->evidence()) {
          if (util::startsWith(line, "ICMP")) verdicts.back().packetEvidence.push_back(line);
        }
      }
    }

    engine::TcpConnectFacts facts;
    int open = 0;
    for (size_t i = 0; i < verdicts.size(); ++i) {
      const auto& v = verdicts[i];
      if (v.verdict == Verdict::Open) ++open;
      engine::TcpProbeFacts p;
      p.host = v.host;
      p.address = v.address.toString();
      p.port = v.port;
      p.outcome = outcomeName(v.verdict);
      p.elapsedMs = v.elapsedMs;
      p.code = findingCode(v.verdict);
      p.attempts = v.attempts.size();
      p.openCount = v.openCount;
      p.flaky = v.flaky;
      p.socketError = v.socketEvidence;
      if (v.minMs) p.connectMs = engine::TcpConnectMs{*v.minMs, *v.medianMs, *v.maxMs};
      if (!evidence.empty()) {
        const auto& e = evidence[i];
        engine::TcpWireFacts w;
        w.syns = e.syns;
        w.synRetransmissions = e.synRetransmissions;
        w.synAcks = e.synAcks;
        w.rstFromServer = e.rstFromServer;
        w.repliesFromOther = e.repliesFromOther;
        for (const auto& x : e.icmp) {
          w.icmp.push_back({x.from.toString(), x.type, x.code, net::evidence::icmpKindName(x.kind)});
        }
        p.wire = std::move(w);
      }
      facts.probes.push_back(std::move(p));
    }
    facts.capture = haveCapture ? "pcap" : (haveIcmpOnly ? "icmp-raw-socket" : "none");
    facts.repeat = roundsRun + (measured ? kStabilityRounds : 0);

    // What the application itself would hit decides first (its own resolution, as libpq
    // gets it), then the per-address findings.
    AppWait wait;
    wait.connectTimeoutS = libpqConnectTimeout(ctx.target().option("connect_timeout"));
    if (auto retries = util::readFile("/proc/sys/net/ipv4/tcp_syn_retries", 64)) {
      if (!retries->empty() && (*retries)[0] >= '0' && (*retries)[0] <= '9')
        wait.kernelSynTimeoutS = synTimeoutSeconds(std::atoi(retries->c_str()));
    }
    r.findings = findingsWithApp(appResolutions(ctx), verdicts, timeoutSeconds, wait);
    // Loss explains the intermittent connects: it goes first, and tcp.flaky (the same
    // attempts without the measure) goes.
    if (auto unstable = unstableFinding(verdicts)) {
      r.findings.erase(std::remove_if(r.findings.begin(), r.findings.end(),
                                      [](const Finding& f) { return f.code == "tcp.flaky"; }),
                       r.findings.end());
      r.findings.insert(r.findings.begin(), std::move(*unstable));
    }
    for (auto& f : extra) r.findings.push_back(std::move(f));

    const std::string& file = ctx.config().tcp.captureFile;
    if (!file.empty()) {
      bool secretInName = false;
      for (const auto& s : ctx.target().secretValues()) {
        if (!s.empty() && file.find(s) != std::string::npos) secretInName = true;
      }
      if (secretInName) {
        r.findings.push_back(
            {"tcp.capture_file_refused",
             Severity::Warning,
             "--capture-file was not written: its name contains a secret from the connection string",
             {},
             "Choose a capture file name without the password in it."});
      } else if (!haveCapture) {
        r.findings.push_back({"tcp.capture_file_unwritten",
                              Severity::Info,
                              "--capture-file was not written: no packet capture",
                              {},
                              ""});
      } else if (auto w = net::evidence::writeHandshakePcap(file, frames, net::kHandshakeSnaplen); !w) {
        r.findings.push_back({"tcp.capture_file_unwritten",
                              Severity::Warning,
                              "--capture-file could not be written",
                              {w.error()},
                              "Check that the directory exists and is writable."});
      } else {
        facts.captureFilePackets = *w;
        facts.captureFile = file;  // the support bundle picks it up from here
      }
    }

    r.setFacts(std::move(facts));
    r.status = engine::statusFromFindings(r.findings);
    r.summary = std::to_string(open) + "/" + std::to_string(verdicts.size()) + " open";
    if (rounds > 1) r.summary += " (" + std::to_string(roundsRun) + " rounds)";
    return r;
  }
};

engine::RegisterCheck<TcpConnect> registered;

}  // namespace
}  // namespace pgreach::checks::tcp
