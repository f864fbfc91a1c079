// tcp.keepalive: when the application's idle connections send their first TCP keepalive,
// against how long the path to the provider keeps an idle flow (the provider profile's
// idle timeout: 350 s documented by AWS for the NLB behind PrivateLink, 240 s assumed for
// Azure, which documents none). libpq turns keepalives on (keepalives=1) and takes their
// timing from keepalives_idle, else from the kernel (net.ipv4.tcp_keepalive_time of this
// network namespace, 7200 s by default). Reads files only; sends nothing.
#include <fstream>
#include <string>

#include "checks/tcp/codes.h"
#include "engine/registry.h"
#include "target/provider_profile.h"
#include "util/strings.h"

namespace pgreach::checks::tcp {
namespace {

using engine::CheckResult;
using engine::Severity;

constexpr const char* kKeepaliveId = "tcp.keepalive";
constexpr const char* kKeepaliveSysctl = "/proc/sys/net/ipv4/tcp_keepalive_time";

// A whole non-negative number of seconds, or -1.
long parseSeconds(const std::string& text) {
  const std::string t = util::trim(text);
  if (t.empty() || t.size() > 9) return -1;
  long v = 0;
  for (char c : t) {
    if (c < '0' || c > '9') return -1;
    v = v * 10 + (c - '0');
  }
  return v;
}

long readSysctlSeconds() {
  std::ifstream f(kKeepaliveSysctl);
  std::string line;
  if (!f || !std::getline(f, line)) return -1;
  return parseSeconds(line);
}

class TcpKeepalive final : public engine::Check {
 public:
  const engine::CheckInfo& info() const override {
    static const engine::CheckInfo kInfo = engine::withCodes(
        {kKeepaliveId,
         engine::Stage::Tcp,
         "Compare the application's TCP keepalive timing with the idle timeout of the path to the provider",
         {},
         engine::Millis(1000)},
        engine::pickCodes(tcpCodes(), {"tcp.keepalive_after_idle_timeout", "tcp.keepalive_disabled"}));
    return kInfo;
  }

  CheckResult run(engine::CheckContext& ctx) override {
    CheckResult r;
    const auto& target = ctx.target();
    const auto& profile = target::profileOf(target.provider());
    const int pathIdle = profile.idleTimeout.seconds;
    if (pathIdle <= 0) {
      r.status = engine::Status::Skip;
      r.stateOverride = util::ResultState::NotApplicable;
      r.summary = "no idle timeout is known for the path to a " + std::string(profile.name) +
                  " target: keepalive timing not judged";
      return r;
    }
    const std::string basis(profile.idleTimeout.basis);
    if (target.isExplicit("keepalives") && util::trim(target.option("keepalives")) == "0") {
      r.findings.push_back({"tcp.keepalive_disabled",
                            Severity::Warning,
                            "keepalives=0: idle connections are forgotten by the path after " +
                                std::to_string(pathIdle) + " s",
                            {"keepalives=0 in the connection string", basis},
                            "Remove keepalives=0 and add keepalives_idle=60 keepalives_interval=10 "
                            "keepalives_count=6 to the connection string."});
      r.status = engine::statusFromFindings(r.findings);
      r.summary = "TCP keepalives are off in the connection string";
      return r;
    }
    // keepalives_idle=0 (or unset) leaves the timing to the kernel, as libpq does.
    long idle = -1;
    std::string source;
    if (target.isExplicit("keepalives_idle")) {
      const long v = parseSeconds(target.option("keepalives_idle"));
      if (v > 0) {
        idle = v;
        source = "keepalives_idle=" + std::to_string(v) + " in the connection string";
      }
    }
    if (idle < 0) {
      const long sys = readSysctlSeconds();
      if (sys <= 0) {
        r.status = engine::Status::Skip;
        r.stateOverride = util::ResultState::NotVerified;
        r.summary = std::string("could not read ") + kKeepaliveSysctl +
                    ", and keepalives_idle is not in the connection string: keepalive timing not verified";
        return r;
      }
      idle = sys;
      source =
          "keepalives_idle not set, so the kernel's net.ipv4.tcp_keepalive_time = " + std::to_string(sys) +
          " s (this host's network namespace)";
    }
    if (idle >= pathIdle) {
      r.findings.push_back(
          {"tcp.keepalive_after_idle_timeout",
           Severity::Warning,
           "the first keepalive goes out after " + std::to_string(idle) + " s idle, but the path to " +
               std::string(profile.name) + " forgets an idle flow after " + std::to_string(pathIdle) + " s",
           {source, basis,
            "what the application sees on the first query after a quiet period: server closed the connection "
            "unexpectedly / SSL SYSCALL error: EOF detected"},
           "Add keepalives_idle=60 keepalives_interval=10 keepalives_count=6 to the connection string, or "
           "set "
           "net.ipv4.tcp_keepalive_time=60 (sysctl -w net.ipv4.tcp_keepalive_time=60, and a file in "
           "/etc/sysctl.d/ to keep it)."});
    }
    r.status = engine::statusFromFindings(r.findings);
    r.summary = "first keepalive after " + std::to_string(idle) + " s idle (" +
                (source.rfind("keepalives_idle=", 0) == 0 ? "keepalives_idle" : "kernel default") +
                "); the path to " + std::string(profile.name) + " keeps idle flows " +
                std::to_string(pathIdle) + " s";
    return r;
  }
};

engine::RegisterCheck<TcpKeepalive> registered;

}  // namespace
}  // namespace pgreach::checks::tcp
