#include "app/serve.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <dlfcn.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <openssl/crypto.h>
#include <openssl/sha.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <optional>
#include <set>
#include <sstream>
#include <thread>
#include <type_traits>

#include "app/fleet.h"
#include "app/run_target.h"
#include "app/store.h"
#include "app/web_config.h"
#include "reports/render/render.h"
#include "target/target.h"
#include "util/atomic_file.h"
#include "util/fd.h"
#include "util/strings.h"

namespace pgreach::app {
namespace {

constexpr size_t kMaxServeTargets = 4096;
// Request line plus headers; MHD answers 414/431 past it (the per-connection memory pool).
constexpr size_t kConnectionMemory = 32 * 1024;
constexpr const char* kPrometheusType = "text/plain; version=0.0.4; charset=utf-8";

Expected<std::chrono::milliseconds> parseMillis(const std::string& option, const std::string& v) {
  size_t pos = 0;
  long long n = 0;
  try {
    n = std::stoll(v, &pos);
  } catch (const std::exception&) {
    return makeError(option + ": \"" + v.substr(0, 20) + "\" is not a duration (e.g. 500ms, 10s, 2m)");
  }
  const std::string unit = v.substr(pos);
  long long ms = -1;
  if (unit == "ms")
    ms = n;
  else if (unit == "s" || unit.empty())
    ms = n * 1000;
  else if (unit == "m")
    ms = n * 60000;
  if (ms < 0 || n > 86400000) return makeError(option + ": \"" + v.substr(0, 20) + "\" is not a duration");
  return std::chrono::milliseconds(ms);
}

// A target name from a URL, quoted back only when it is one a config could hold.
std::string quotedName(const std::string& n) {
  if (n.empty() || n.size() > 64) return "that name";
  for (unsigned char c : n) {
    if (!(std::isalnum(c) || c == '-' || c == '_')) return "that name";
  }
  return "\"" + n + "\"";
}

std::string number(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

}  // namespace

// One text for `pgreach serve --help` and `pgreach help serve`: the CLI's, beside every
// other command's.
std::string serveHelpText() { return cli::commandHelpText(cli::Command::Serve); }

Expected<ListenAddress> parseListen(const std::string& text) {
  ListenAddress a;
  std::string port;
  if (!text.empty() && text[0] == '[') {
    const auto close = text.find("]:");
    if (close == std::string::npos) return makeError("--listen: expected [IPv6]:PORT");
    a.host = text.substr(1, close - 1);
    a.ipv6 = true;
    port = text.substr(close + 2);
  } else {
    const auto colon = text.rfind(':');
    if (colon == std::string::npos) return makeError("--listen: expected ADDRESS:PORT (e.g. 127.0.0.1:9187)");
    a.host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  if (port.empty() || port.size() > 5 || !std::all_of(port.begin(), port.end(), ::isdigit) ||
      std::stoi(port) > 65535) {
    return makeError("--listen: \"" + port.substr(0, 8) + "\" is not a port");
  }
  a.port = static_cast<uint16_t>(std::stoi(port));
  if (!a.host.empty()) {
    unsigned char buf[sizeof(in6_addr)];
    if (inet_pton(a.ipv6 ? AF_INET6 : AF_INET, a.host.c_str(), buf) != 1) {
      return makeError("--listen: \"" + a.host.substr(0, 40) +
                       "\" is not an IP address (no names: nothing is resolved)");
    }
  }
  return a;
}

Expected<ServeSettings> parseServeArgs(const std::vector<std::string>& args) {
  ServeSettings s;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string a = args[i];
    std::string value;
    bool hasValue = false;
    if (util::startsWith(a, "--") && a.find('=') != std::string::npos) {
      value = a.substr(a.find('=') + 1);
      a = a.substr(0, a.find('='));
      hasValue = true;
    }
    auto take = [&]() -> Expected<std::string> {
      if (hasValue) return value;
      if (i + 1 >= args.size()) return makeError(a + " needs a value");
      return args[++i];
    };
    if (a == "--help" || a == "-h") {
      s.help = true;
    } else if (a == "--config" || a == "--listen" || a == "--web-config" || a == "--max-concurrent" ||
               a == "--min-interval" || a == "--client-timeout" || a == "--connection-limit") {
      auto v = take();
      if (!v) return makeError(v.error());
      if (a == "--config") {
        s.configPath = *v;
      } else if (a == "--listen") {
        if (auto l = parseListen(*v); !l) return makeError(l.error());
        s.listen = *v;
      } else if (a == "--web-config") {
        s.webConfigPath = *v;
      } else if (a == "--max-concurrent" || a == "--connection-limit") {
        const std::string& n = *v;
        if (n.empty() || n.size() > 4 || !std::all_of(n.begin(), n.end(), ::isdigit) || std::stoi(n) < 1)
          return makeError(a + ": a number from 1 to 9999");
        if (a == "--max-concurrent")
          s.maxConcurrent = std::stoi(n);
        else
          s.connectionLimit = static_cast<unsigned>(std::stoi(n));
      } else {
        auto d = parseMillis(a, *v);
        if (!d) return makeError(d.error());
        (a == "--min-interval" ? s.minInterval : s.clientTimeout) = *d;
      }
    } else {
      if (hasValue) a += "=" + value;
      s.diagnoseArgs.push_back(a);
    }
  }
  if (!s.help && s.configPath.empty()) return makeError("serve: --config FLEET.INI is required");
  if (s.clientTimeout < std::chrono::seconds(1)) return makeError("--client-timeout: at least 1s");
  return s;
}

Expected<std::shared_ptr<const ServeTargets>> loadServeTargets(const std::string& path,
                                                               const std::vector<std::string>& cliArgs) {
  auto cfg = cli::readConfig(path, kMaxServeTargets);
  if (!cfg) return makeError(util::redactPatterns(cfg.error()));
  if (!cfg->isFleet())
    return makeError(path + ": no [target.NAME] section (serve probes named targets only)");
  auto out = std::make_shared<ServeTargets>();
  for (const auto& t : cfg->targets) {
    auto o = fleetTargetOptions(cliArgs, *cfg, &t);
    if (!o) return makeError(path + ": [target." + t.name + "]: " + util::redactPatterns(o.error()));
    if (!o->conninfoGiven || o->conninfo.empty())
      return makeError(path + ": [target." + t.name + "]: no conninfo = ... line");
    auto parsed = target::Target::parse(o->conninfo);
    if (!parsed) {
      util::Redactor r;
      return makeError(path + ": [target." + t.name + "]: " + util::redactPatterns(r.apply(parsed.error())));
    }
    out->order.push_back(t.name);
    out->byName.emplace(t.name, std::move(*o));
  }
  return std::shared_ptr<const ServeTargets>(std::move(out));
}

std::string probeMetricsText(const reports::Report& report, const util::Redactor& redactor, bool success,
                             double durationSeconds) {
  std::string text = *reports::render(report, "prometheus", {});
  text +=
      "# HELP probe_success 1 when the diagnosis verdict is ok or warning (as pgreach_up), else 0.\n"
      "# TYPE probe_success gauge\n"
      "probe_success " +
      std::string(success ? "1" : "0") +
      "\n"
      "# HELP probe_duration_seconds How long the probe took.\n"
      "# TYPE probe_duration_seconds gauge\n"
      "probe_duration_seconds " +
      number(durationSeconds) + "\n";
  return util::redactPatterns(redactor.apply(std::move(text)));
}

// --- coalescing ---

ProbeCoalescer::ProbeCoalescer(int maxConcurrent, std::chrono::milliseconds minInterval)
    : maxConcurrent_(maxConcurrent), minInterval_(minInterval) {}

std::shared_ptr<const ProbeOutcome> ProbeCoalescer::get(const std::string& name, const Probe& probe,
                                                        std::chrono::milliseconds waitLimit) {
  const auto until = std::chrono::steady_clock::now() + waitLimit;
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    Slot& slot = slots_[name];
    const auto now = std::chrono::steady_clock::now();
    if (slot.last && now - slot.lastAt < minInterval_) {
      ++stats_.reused;
      return slot.last;
    }
    if (!slot.running && stats_.inFlight < maxConcurrent_) break;
    // Another scrape is probing this target (its result will be fresh), or every slot is
    // taken: wait, bounded.
    if (changed_.wait_until(lock, until) == std::cv_status::timeout) {
      Slot& s = slots_[name];
      if (s.last && std::chrono::steady_clock::now() - s.lastAt < minInterval_) {
        ++stats_.reused;
        return s.last;
      }
      ++stats_.rejected;
      return nullptr;
    }
  }
  slots_[name].running = true;
  ++stats_.inFlight;
  lock.unlock();
  std::shared_ptr<const ProbeOutcome> outcome;
  try {
    outcome = probe();
  } catch (...) {
    outcome = nullptr;
  }
  lock.lock();
  Slot& slot = slots_[name];
  slot.running = false;
  --stats_.inFlight;
  ++stats_.probes;
  if (outcome) {
    slot.last = outcome;
    slot.lastAt = std::chrono::steady_clock::now();
    if (!outcome->success) ++stats_.failures;
    if (stats_.durations.size() < 100000) stats_.durations.push_back(outcome->durationSeconds);
  } else {
    ++stats_.failures;
  }
  changed_.notify_all();
  return outcome;
}

std::shared_ptr<const ProbeOutcome> ProbeCoalescer::latest(const std::string& name) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = slots_.find(name);
  return it == slots_.end() ? nullptr : it->second.last;
}

void ProbeCoalescer::forgetAllBut(const std::vector<std::string>& names) {
  std::lock_guard<std::mutex> lock(mutex_);
  const std::set<std::string> keep(names.begin(), names.end());
  for (auto it = slots_.begin(); it != slots_.end();) {
    if (!keep.count(it->first) && !it->second.running) {
      it = slots_.erase(it);
    } else {
      it->second.lastAt = {};  // options may have changed: the next scrape probes afresh
      ++it;
    }
  }
}

bool ProbeCoalescer::waitIdle(std::chrono::milliseconds limit) {
  std::unique_lock<std::mutex> lock(mutex_);
  return changed_.wait_for(lock, limit, [&] { return stats_.inFlight == 0; });
}

ProbeCoalescer::Stats ProbeCoalescer::takeStats() {
  std::lock_guard<std::mutex> lock(mutex_);
  Stats s = stats_;
  stats_.durations.clear();
  return s;
}

// --- the server ---
namespace {

// libmicrohttpd is loaded when `serve` starts instead of being linked: its library
// constructor initialises GnuTLS and its mapping costs resident memory in every pgreach
// command (peak RSS of `pgreach --version` 10.4 -> 11.8 MB when linked; src/main.cpp skips
// GnuTLS's own initialisation for the same reason). The header gives the types.
struct Mhd {
  decltype(&::MHD_start_daemon) start_daemon = nullptr;
  decltype(&::MHD_stop_daemon) stop_daemon = nullptr;
  decltype(&::MHD_quiesce_daemon) quiesce_daemon = nullptr;
  decltype(&::MHD_is_feature_supported) is_feature_supported = nullptr;
  decltype(&::MHD_create_response_from_buffer) create_response_from_buffer = nullptr;
  decltype(&::MHD_destroy_response) destroy_response = nullptr;
  decltype(&::MHD_add_response_header) add_response_header = nullptr;
  decltype(&::MHD_queue_response) queue_response = nullptr;
  decltype(&::MHD_lookup_connection_value) lookup_connection_value = nullptr;
  decltype(&::MHD_basic_auth_get_username_password) basic_auth_get_username_password = nullptr;
  decltype(&::MHD_queue_basic_auth_fail_response) queue_basic_auth_fail_response = nullptr;
  decltype(&::MHD_free) free = nullptr;
  decltype(&::MHD_get_daemon_info) get_daemon_info = nullptr;
};

Expected<const Mhd*> loadMhd() {
  static Mhd api;
  static std::string error;
  static std::once_flag once;
  std::call_once(once, [] {
    void* lib = ::dlopen("libmicrohttpd.so.12", RTLD_NOW | RTLD_LOCAL);
    if (lib == nullptr) {
      error = "pgreach serve needs libmicrohttpd (Debian: apt-get install libmicrohttpd12): " +
              std::string(::dlerror());
      return;
    }
    bool ok = true;
    auto bind = [&](auto& fn, const char* name) {
      fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(::dlsym(lib, name));
      ok = ok && fn != nullptr;
    };
    bind(api.start_daemon, "MHD_start_daemon");
    bind(api.stop_daemon, "MHD_stop_daemon");
    bind(api.quiesce_daemon, "MHD_quiesce_daemon");
    bind(api.is_feature_supported, "MHD_is_feature_supported");
    bind(api.create_response_from_buffer, "MHD_create_response_from_buffer");
    bind(api.destroy_response, "MHD_destroy_response");
    bind(api.add_response_header, "MHD_add_response_header");
    bind(api.queue_response, "MHD_queue_response");
    bind(api.lookup_connection_value, "MHD_lookup_connection_value");
    bind(api.basic_auth_get_username_password, "MHD_basic_auth_get_username_password");
    bind(api.queue_basic_auth_fail_response, "MHD_queue_basic_auth_fail_response");
    bind(api.free, "MHD_free");
    bind(api.get_daemon_info, "MHD_get_daemon_info");
    if (!ok) error = "libmicrohttpd.so.12 lacks a function pgreach serve uses";
  });
  if (!error.empty()) return makeError(error);
  return &api;
}

using MhdResponse = std::unique_ptr<MHD_Response, decltype(&::MHD_destroy_response)>;

// Cumulative histogram of probe durations, fed from the coalescer's stats.
struct Histogram {
  static constexpr double kBounds[] = {0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};
  unsigned long long counts[sizeof(kBounds) / sizeof(double)] = {};
  unsigned long long count = 0;
  double sum = 0;
  void add(double v) {
    for (size_t i = 0; i < sizeof(kBounds) / sizeof(double); ++i) {
      if (v <= kBounds[i]) ++counts[i];
    }
    ++count;
    sum += v;
  }
};

struct ProcessFigures {
  double cpuSeconds = 0, residentBytes = 0, openFds = 0, startTime = 0;
};

ProcessFigures processFigures() {
  ProcessFigures f;
  rusage ru{};
  if (getrusage(RUSAGE_SELF, &ru) == 0) {
    f.cpuSeconds = static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
                   static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
  }
  if (auto statm = util::readFile("/proc/self/statm")) {
    std::istringstream in(*statm);
    long long size = 0, resident = 0;
    in >> size >> resident;
    f.residentBytes = static_cast<double>(resident) * static_cast<double>(::sysconf(_SC_PAGESIZE));
  }
  if (DIR* d = ::opendir("/proc/self/fd")) {
    int n = 0;
    while (const dirent* e = ::readdir(d)) {
      if (e->d_name[0] != '.') ++n;
    }
    ::closedir(d);
    f.openFds = n - 1;  // the directory itself
  }
  return f;
}

// The listening socket, ours rather than libmicrohttpd's so that a daemon started on a
// reload takes it over without closing the port (Server::startDaemon). Non-blocking: for
// the moment two daemons poll it, the one that loses an accept gets EAGAIN, not a block.
Expected<util::Fd> openListenSocket(const ListenAddress& l) {
  util::Fd fd(::socket(l.ipv6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!fd.valid()) return makeError(std::strerror(errno));
  const int one = 1;
  ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  int rc = -1;
  if (l.ipv6) {
    // "[::]:9187" means IPv6 only, as libmicrohttpd's own socket did.
    ::setsockopt(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    sockaddr_in6 a{};
    a.sin6_family = AF_INET6;
    a.sin6_port = htons(l.port);
    if (!l.host.empty()) inet_pton(AF_INET6, l.host.c_str(), &a.sin6_addr);
    rc = ::bind(fd.get(), reinterpret_cast<const sockaddr*>(&a), sizeof a);
  } else {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(l.port);
    a.sin_addr.s_addr = htonl(INADDR_ANY);
    if (!l.host.empty()) inet_pton(AF_INET, l.host.c_str(), &a.sin_addr);
    rc = ::bind(fd.get(), reinterpret_cast<const sockaddr*>(&a), sizeof a);
  }
  if (rc != 0 || ::listen(fd.get(), SOMAXCONN) != 0)
    return makeError(std::strerror(errno));  // "Address already in use", "Cannot assign requested address"
  Expected<util::Fd> out(std::move(fd));
  return out;
}

class Server {
 public:
  Server(const Mhd& mhd, ServeSettings settings, std::ostream& err)
      : mhd_(&mhd),
        settings_(std::move(settings)),
        err_(err),
        coalescer_(settings_.maxConcurrent, settings_.minInterval) {}

  // Reads the fleet file and the web config, at start and on SIGHUP, and applies them only
  // when all of it holds: targets, users and, with TLS, a certificate and key that parse
  // and match. A new certificate (new content at the same paths, or new paths) needs a
  // new daemon, since libmicrohttpd reads it once when a daemon starts; when that daemon
  // cannot start, nothing of the reload is applied.
  Expected<bool> load() {
    auto t = loadServeTargets(settings_.configPath, settings_.diagnoseArgs);
    if (!t) return makeError(t.error());
    WebConfig web;
    if (!settings_.webConfigPath.empty()) {
      auto w = loadWebConfig(settings_.webConfigPath);
      if (!w) return makeError(w.error());
      web = std::move(*w);
    }
    std::optional<TlsMaterial> tls;
    if (web.tls()) {
      auto m = loadTlsMaterial(web, settings_.webConfigPath);
      if (!m) return makeError(m.error());
      tls = std::move(*m);
    }
    if (daemonTls_ && !tls)
      return makeError(settings_.webConfigPath + ": TLS cannot be turned off by a reload");
    if (daemon_ == nullptr) {
      pendingTls_ = std::move(tls);  // start() serves it
    } else if (tls && tls->digest != tlsDigest_) {
      auto next = startDaemon(&*tls);
      if (!next) return makeError(settings_.webConfigPath + ": " + next.error());
      retire(daemon_);
      daemon_ = *next;
      tlsDigest_ = tls->digest;
      daemonTls_ = true;
      log("new connections get the certificate " + tls->subject + " (serial " + tls->serial +
          "); connections open before the reload end with the old one");
    }
    std::lock_guard<std::mutex> lock(mutex_);
    targets_ = std::move(*t);
    users_ = std::make_shared<const std::map<std::string, std::string>>(web.users);
    authCache_.clear();
    return true;
  }

  Expected<bool> start() {
    auto listen = parseListen(settings_.listen);
    if (!listen) return makeError(listen.error());
    auto sock = openListenSocket(*listen);
    if (!sock) return makeError("cannot listen on " + settings_.listen + ": " + sock.error());
    listenSocket_ = std::move(*sock);
    listenIpv6_ = listen->ipv6;
    auto first = startDaemon(pendingTls_ ? &*pendingTls_ : nullptr);
    if (!first) return makeError(first.error());
    daemon_ = *first;
    if (pendingTls_) {
      tlsDigest_ = pendingTls_->digest;
      daemonTls_ = true;
      log("serving the certificate " + pendingTls_->subject + " (serial " + pendingTls_->serial + ")");
    }
    pendingTls_.reset();
    ready_ = true;
    return true;
  }

  // Called by the signal loop about once a second: daemons replaced by a reload are
  // stopped once their connections are gone, or when their time to drain is up.
  void stopDrained() {
    const auto now = std::chrono::steady_clock::now();
    for (auto it = retired_.begin(); it != retired_.end();) {
      const MHD_DaemonInfo* info = mhd_->get_daemon_info(it->daemon, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
      if ((info != nullptr && info->num_connections == 0) || now >= it->stopBy) {
        mhd_->stop_daemon(it->daemon);  // quiesced: the listening socket stays open
        it = retired_.erase(it);
      } else {
        ++it;
      }
    }
  }

  void stop() {
    ready_ = false;
    if (daemon_ == nullptr) return;
    mhd_->quiesce_daemon(daemon_);  // no new connections; the listening socket stays ours
    if (!coalescer_.waitIdle(longestProbe())) log("probes still running at shutdown; stopping anyway");
    mhd_->stop_daemon(daemon_);
    daemon_ = nullptr;
    for (const auto& r : retired_) mhd_->stop_daemon(r.daemon);
    retired_.clear();
  }

  void log(const std::string& line) {
    std::lock_guard<std::mutex> lock(logMutex_);
    err_ << "pgreach serve: " << util::redactPatterns(line) << "\n" << std::flush;
  }

  void countReload(bool ok) {
    (ok ? reloadsOk_ : reloadsFailed_)++;
    lastReloadOk_ = ok;
  }

  ~Server() { stop(); }

 private:
  // How libmicrohttpd is given a new certificate. It reads cert and key once, when a daemon
  // starts, and has no call to change them later. Two ways round that: a GnuTLS
  // certificate callback (MHD_OPTION_HTTPS_CERT_CALLBACK), which would make us link and
  // drive GnuTLS ourselves (key parsing, pcert lifetimes) beside the dlopen'ed
  // libmicrohttpd; or a second daemon. We take the second: the listening socket is ours
  // (MHD_OPTION_LISTEN_SOCKET), a reload starts a daemon with the new pair on that same
  // socket, and only once it runs is the old one quiesced (MHD_quiesce_daemon: it accepts
  // nothing more, and leaves the socket open). So the port is never closed, not even for a
  // moment (no bind race, no refused scrape); a pair libmicrohttpd refuses leaves the
  // running daemon as it was; scrapes in flight on the old daemon finish there, and it is
  // stopped when its connections are gone (stopDrained), at the latest after the longest
  // probe plus the client timeout, which also ends keep-alive connections that would
  // otherwise keep the old certificate.
  Expected<MHD_Daemon*> startDaemon(const TlsMaterial* tls) {
    unsigned flags =
        MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ITC | MHD_USE_ERROR_LOG;
    if (listenIpv6_) flags |= MHD_USE_IPv6;
    if (tls != nullptr) {
      if (mhd_->is_feature_supported(MHD_FEATURE_TLS) != MHD_YES)
        return makeError("this libmicrohttpd has no TLS support");
      flags |= MHD_USE_TLS;
    }
    std::vector<MHD_OptionItem> options{
        // First, so that libmicrohttpd logs nothing through its own logger.
        {MHD_OPTION_EXTERNAL_LOGGER, reinterpret_cast<intptr_t>(&Server::logMhd), this},
        {MHD_OPTION_LISTEN_SOCKET, listenSocket_.get(), nullptr},
        {MHD_OPTION_CONNECTION_LIMIT, settings_.connectionLimit, nullptr},
        // Small stacks: a connection thread only waits for its probe (the checks run on the
        // scheduler's threads) and there is one per keep-alive connection. No per-IP limit:
        // one Prometheus keeps a connection per target, all from one address.
        {MHD_OPTION_THREAD_STACK_SIZE, 512 * 1024, nullptr},
        {MHD_OPTION_CONNECTION_TIMEOUT, static_cast<intptr_t>(settings_.clientTimeout.count() / 1000),
         nullptr},
        {MHD_OPTION_CONNECTION_MEMORY_LIMIT, kConnectionMemory, nullptr},
    };
    if (tls != nullptr) {
      // Copied by GnuTLS while the daemon starts; TlsMaterial wipes its key when it goes.
      options.push_back({MHD_OPTION_HTTPS_MEM_CERT, 0, const_cast<char*>(tls->cert.c_str())});
      options.push_back({MHD_OPTION_HTTPS_MEM_KEY, 0, const_cast<char*>(tls->key.c_str())});
    }
    options.push_back({MHD_OPTION_END, 0, nullptr});
    MHD_Daemon* d = mhd_->start_daemon(flags, 0, nullptr, nullptr, &Server::onRequest, this, MHD_OPTION_ARRAY,
                                       options.data(), MHD_OPTION_END);
    if (d == nullptr) {
      return makeError(tls != nullptr ? "libmicrohttpd refused the certificate or key (see the http: lines)"
                                      : "libmicrohttpd could not start on " + settings_.listen);
    }
    return d;
  }

  // A daemon a reload replaced: it accepts nothing more and goes once drained.
  void retire(MHD_Daemon* d) {
    mhd_->quiesce_daemon(d);
    retired_.push_back({d, std::chrono::steady_clock::now() + longestProbe() + settings_.clientTimeout});
  }

  // How long a running probe may still take: the longest deadline configured, plus slack.
  std::chrono::milliseconds longestProbe() {
    long long longest = 0;
    std::lock_guard<std::mutex> lock(mutex_);
    for (const auto& [n, o] : targets_->byName) longest = std::max<long long>(longest, o.deadline.count());
    return std::chrono::milliseconds(longest + 2000);
  }

  static void logMhd(void* cls, const char* fmt, va_list ap) {
    char buf[512];
    std::vsnprintf(buf, sizeof buf, fmt, ap);
    std::string line = buf;
    while (!line.empty() && line.back() == '\n') line.pop_back();
    static_cast<Server*>(cls)->log("http: " + line);
  }

  static MHD_Result onRequest(void* cls, MHD_Connection* c, const char* url, const char* method,
                              const char* /*version*/, const char* /*uploadData*/, size_t* uploadSize,
                              void** state) {
    auto* self = static_cast<Server*>(cls);
    if (*state == nullptr) {
      *state = self;  // first call: headers are in; answer now, never read a body
      if (std::strcmp(method, "GET") != 0 && std::strcmp(method, "HEAD") != 0)
        return self->reply(c, MHD_HTTP_METHOD_NOT_ALLOWED, "only GET and HEAD\n", "text/plain");
      if (*uploadSize != 0)
        return self->reply(c, MHD_HTTP_CONTENT_TOO_LARGE, "no body expected\n", "text/plain");
      return self->route(c, url);
    }
    if (*uploadSize != 0) {
      *uploadSize = 0;  // discard: the answer is already queued
      return MHD_YES;
    }
    return MHD_YES;
  }

  MHD_Result reply(MHD_Connection* c, unsigned code, const std::string& body, const char* type) {
    MhdResponse r(
        mhd_->create_response_from_buffer(body.size(), const_cast<char*>(body.data()), MHD_RESPMEM_MUST_COPY),
        mhd_->destroy_response);
    if (!r) return MHD_NO;
    mhd_->add_response_header(r.get(), MHD_HTTP_HEADER_CONTENT_TYPE, type);
    mhd_->add_response_header(r.get(), "X-Content-Type-Options", "nosniff");
    mhd_->add_response_header(r.get(), "Cache-Control", "no-store");
    {
      std::lock_guard<std::mutex> lock(mutex_);
      ++responses_[code];
    }
    return mhd_->queue_response(c, code, r.get());
  }

  bool authorised(MHD_Connection* c) {
    std::shared_ptr<const std::map<std::string, std::string>> users;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      users = users_;
    }
    if (!users || users->empty()) return true;
    char* pass = nullptr;
    char* user = mhd_->basic_auth_get_username_password(c, &pass);
    std::string u = user ? user : "", p = pass ? pass : "";
    if (pass) {
      OPENSSL_cleanse(pass, std::strlen(pass));
      mhd_->free(pass);
    }
    if (user) mhd_->free(user);
    if (!user) return false;
    // bcrypt costs tens of milliseconds by design; a verified user:password is remembered
    // by its SHA-256 (as exporter-toolkit caches), never in clear.
    unsigned char digest[SHA256_DIGEST_LENGTH];
    const std::string both = u + '\0' + p;
    SHA256(reinterpret_cast<const unsigned char*>(both.data()), both.size(), digest);
    const std::string key(reinterpret_cast<const char*>(digest), sizeof digest);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (authCache_.count(key)) return true;
    }
    auto it = users->find(u);
    // An unknown user costs a bcrypt too, so timing does not tell users apart.
    static const std::string kDummy = "$2y$10$C6UzMDM.H6dfI/f/IKxGhuZ0bCkv6fMGOz0P5jWsXUAnt1y6AGuO6";
    const bool ok = bcryptMatches(p, it == users->end() ? kDummy : it->second) && it != users->end();
    OPENSSL_cleanse(p.data(), p.size());
    if (ok) {
      std::lock_guard<std::mutex> lock(mutex_);
      if (authCache_.size() > 256) authCache_.clear();
      authCache_.insert(key);
    }
    return ok;
  }

  MHD_Result route(MHD_Connection* c, const std::string& path) {
    if (path == "/-/healthy") return reply(c, MHD_HTTP_OK, "Healthy\n", "text/plain");
    if (!authorised(c)) {
      MhdResponse r(
          mhd_->create_response_from_buffer(14, const_cast<char*>("Unauthorized\n"), MHD_RESPMEM_PERSISTENT),
          mhd_->destroy_response);
      {
        std::lock_guard<std::mutex> lock(mutex_);
        ++responses_[401];
      }
      return mhd_->queue_basic_auth_fail_response(c, "pgreach", r.get());
    }
    if (path == "/-/ready") {
      return ready_ ? reply(c, MHD_HTTP_OK, "Ready\n", "text/plain")
                    : reply(c, MHD_HTTP_SERVICE_UNAVAILABLE, "Shutting down\n", "text/plain");
    }
    if (path == "/metrics") return reply(c, MHD_HTTP_OK, metricsText(), kPrometheusType);
    if (path == "/probe") return probe(c);
    if (path == "/report") return report(c);
    if (path == "/")
      return reply(c, MHD_HTTP_OK,
                   "pgreach serve: /probe?target=NAME, /report?target=NAME&format=html|json|markdown, "
                   "/metrics, /-/healthy, /-/ready\n",
                   "text/plain");
    return reply(c, MHD_HTTP_NOT_FOUND, "not found\n", "text/plain");
  }

  // The configured options of `name`, or a reply saying why not.
  const cli::Options* findTarget(const std::shared_ptr<const ServeTargets>& t, const char* name) {
    if (name == nullptr || *name == '\0') return nullptr;
    auto it = t->byName.find(name);
    return it == t->byName.end() ? nullptr : &it->second;
  }

  MHD_Result probe(MHD_Connection* c) {
    const char* name = mhd_->lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "target");
    if (name == nullptr || *name == '\0')
      return reply(c, MHD_HTTP_BAD_REQUEST, "/probe needs ?target=NAME (a [target.NAME] of the config)\n",
                   "text/plain");
    std::shared_ptr<const ServeTargets> targets;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      targets = targets_;
    }
    const cli::Options* configured = findTarget(targets, name);
    if (configured == nullptr) {
      // Never a host from the URL: only names the operator configured are probed.
      return reply(c, MHD_HTTP_NOT_FOUND,
                   "unknown target " + quotedName(name) +
                       ": /probe only runs the [target.NAME] sections of the config\n",
                   "text/plain");
    }
    cli::Options opts = *configured;
    // Prometheus says how long it will wait: a probe must end 0.5 s before that, as
    // blackbox_exporter's do, and a scrape that waited for a slot gets only what is left
    // (a probe whose answer nobody waits for would only take a slot from the next scrape).
    using Clock = std::chrono::steady_clock;
    std::optional<Clock::time_point> scrapeEnd;
    if (const char* t =
            mhd_->lookup_connection_value(c, MHD_HEADER_KIND, "X-Prometheus-Scrape-Timeout-Seconds")) {
      char* end = nullptr;
      const double s = std::strtod(t, &end);
      if (end != t && s > 1 && s < 3600)
        scrapeEnd = Clock::now() + std::chrono::milliseconds(static_cast<long long>((s - 0.5) * 1000));
    }
    const auto waitLimit = scrapeEnd ? std::max(std::chrono::milliseconds(0),
                                                std::chrono::duration_cast<std::chrono::milliseconds>(
                                                    *scrapeEnd - Clock::now() - std::chrono::seconds(1)))
                                     : opts.deadline + std::chrono::seconds(2);
    const std::string targetName = name;
    auto outcome = coalescer_.get(
        targetName,
        [&]() -> std::shared_ptr<const ProbeOutcome> {
          auto o = std::make_shared<ProbeOutcome>();
          const auto started = std::chrono::steady_clock::now();
          if (scrapeEnd) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(*scrapeEnd - started);
            opts.deadline = std::max(std::chrono::milliseconds(500), std::min(opts.deadline, left));
          }
          try {
            auto r = runTarget(opts, o->redactor);
            o->report = r ? std::move(*r) : badInputReport(targetName, r.error(), reports::isoNowUtc());
          } catch (const std::exception& e) {
            o->report = badInputReport(targetName, util::redactPatterns(e.what()), reports::isoNowUtc());
          }
          o->report.name = targetName;
          for (const auto& s : storeSecrets(opts.store)) o->redactor.addSecret(s);
          reports::redactReport(o->report, o->redactor);
          o->durationSeconds =
              std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
          o->success =
              o->report.verdict == reports::Verdict::Ok || o->report.verdict == reports::Verdict::Warning;
          o->prometheus = probeMetricsText(o->report, o->redactor, o->success, o->durationSeconds);
          return o;
        },
        waitLimit);
    if (!outcome) {
      return reply(c, MHD_HTTP_SERVICE_UNAVAILABLE,
                   "every probe slot is busy (--max-concurrent); try again later\n", "text/plain");
    }
    return reply(c, MHD_HTTP_OK, outcome->prometheus, kPrometheusType);
  }

  MHD_Result report(MHD_Connection* c) {
    const char* name = mhd_->lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "target");
    const char* f = mhd_->lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "format");
    const std::string format = f ? f : "html";
    std::shared_ptr<const ServeTargets> targets;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      targets = targets_;
    }
    if (findTarget(targets, name) == nullptr)
      return reply(c, MHD_HTTP_NOT_FOUND, "unknown target " + quotedName(name ? name : "") + "\n",
                   "text/plain");
    const char* type = format == "html"       ? "text/html; charset=utf-8"
                       : format == "json"     ? "application/json"
                       : format == "markdown" ? "text/markdown; charset=utf-8"
                                              : nullptr;
    if (type == nullptr)
      return reply(c, MHD_HTTP_BAD_REQUEST, "format: html, json or markdown\n", "text/plain");
    auto last = coalescer_.latest(name);
    if (!last)
      return reply(c, MHD_HTTP_NOT_FOUND, "no probe of " + quotedName(name) + " has run yet\n", "text/plain");
    std::string body = last->redactor.apply(*reports::render(last->report, format, {}));
    return reply(c, MHD_HTTP_OK, util::redactPatterns(std::move(body)), type);
  }

  std::string metricsText() {
    auto stats = coalescer_.takeStats();
    std::lock_guard<std::mutex> lock(mutex_);
    for (double d : stats.durations) histogram_.add(d);
    std::string m;
    auto family = [&m](const char* name, const char* type, const char* help) {
      m += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
    };
    family("pgreach_serve_build_info", "gauge", "pgreach's version; always 1.");
    m += "pgreach_serve_build_info{version=\"" PGREACH_VERSION "\"} 1\n";
    family("pgreach_serve_targets", "gauge", "Targets in the running configuration.");
    m += "pgreach_serve_targets " + std::to_string(targets_->order.size()) + "\n";
    family("pgreach_serve_probes_total", "counter", "Probes run (a reused result is not a probe).");
    m += "pgreach_serve_probes_total " + std::to_string(stats.probes) + "\n";
    family("pgreach_serve_probe_failures_total", "counter", "Probes whose probe_success was 0.");
    m += "pgreach_serve_probe_failures_total " + std::to_string(stats.failures) + "\n";
    family("pgreach_serve_probe_reused_total", "counter",
           "Scrapes answered with a result younger than --min-interval or shared with a running probe.");
    m += "pgreach_serve_probe_reused_total " + std::to_string(stats.reused) + "\n";
    family("pgreach_serve_probe_rejected_total", "counter", "Scrapes answered 503: no probe slot in time.");
    m += "pgreach_serve_probe_rejected_total " + std::to_string(stats.rejected) + "\n";
    family("pgreach_serve_probes_in_flight", "gauge", "Probes running now.");
    m += "pgreach_serve_probes_in_flight " + std::to_string(stats.inFlight) + "\n";
    family("pgreach_serve_probe_duration_seconds", "histogram", "How long probes took.");
    constexpr size_t kBuckets = sizeof(Histogram::kBounds) / sizeof(double);
    for (size_t i = 0; i < kBuckets; ++i) {
      m += "pgreach_serve_probe_duration_seconds_bucket{le=\"" + number(Histogram::kBounds[i]) + "\"} " +
           std::to_string(histogram_.counts[i]) + "\n";
    }
    m +=
        "pgreach_serve_probe_duration_seconds_bucket{le=\"+Inf\"} " + std::to_string(histogram_.count) + "\n";
    m += "pgreach_serve_probe_duration_seconds_sum " + number(histogram_.sum) + "\n";
    m += "pgreach_serve_probe_duration_seconds_count " + std::to_string(histogram_.count) + "\n";
    family("pgreach_serve_config_reloads_total", "counter", "SIGHUP reloads by result.");
    m += "pgreach_serve_config_reloads_total{result=\"success\"} " + std::to_string(reloadsOk_.load()) + "\n";
    m += "pgreach_serve_config_reloads_total{result=\"failure\"} " + std::to_string(reloadsFailed_.load()) +
         "\n";
    family("pgreach_serve_config_last_reload_successful", "gauge", "0 when the last reload was refused.");
    m += std::string("pgreach_serve_config_last_reload_successful ") + (lastReloadOk_ ? "1" : "0") + "\n";
    family("pgreach_serve_http_responses_total", "counter", "HTTP responses by status code.");
    for (const auto& [code, n] : responses_)
      m += "pgreach_serve_http_responses_total{code=\"" + std::to_string(code) + "\"} " + std::to_string(n) +
           "\n";
    const auto p = processFigures();
    family("process_cpu_seconds_total", "counter", "User and system CPU time spent.");
    m += "process_cpu_seconds_total " + number(p.cpuSeconds) + "\n";
    family("process_resident_memory_bytes", "gauge", "Resident memory size.");
    m += "process_resident_memory_bytes " + number(p.residentBytes) + "\n";
    family("process_open_fds", "gauge", "Open file descriptors.");
    m += "process_open_fds " + number(p.openFds) + "\n";
    return m;
  }

  const Mhd* mhd_;
  ServeSettings settings_;
  std::ostream& err_;
  ProbeCoalescer coalescer_;
  std::mutex mutex_, logMutex_;
  std::shared_ptr<const ServeTargets> targets_;
  std::shared_ptr<const std::map<std::string, std::string>> users_;
  std::set<std::string> authCache_;
  // The daemons and what they serve: touched by the signal loop's thread only.
  util::Fd listenSocket_;
  bool listenIpv6_ = false;
  std::optional<TlsMaterial> pendingTls_;  // read by the first load(), served by start()
  std::string tlsDigest_;                  // of the pair the current daemon serves
  bool daemonTls_ = false;
  struct Retired {
    MHD_Daemon* daemon;
    std::chrono::steady_clock::time_point stopBy;
  };
  std::vector<Retired> retired_;
  std::atomic<bool> ready_{false};
  std::atomic<unsigned long long> reloadsOk_{0}, reloadsFailed_{0};
  std::atomic<bool> lastReloadOk_{true};
  std::map<unsigned, unsigned long long> responses_;
  Histogram histogram_;
  MHD_Daemon* daemon_ = nullptr;

 public:
  std::vector<std::string> targetNames() {
    std::lock_guard<std::mutex> lock(mutex_);
    return targets_->order;
  }
  ProbeCoalescer& coalescer() { return coalescer_; }
};

}  // namespace

int runServe(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  auto settings = parseServeArgs(args);
  if (!settings) {
    err << "pgreach: " << util::redactPatterns(settings.error()) << "\n";
    return 3;
  }
  if (settings->help) {
    out << serveHelpText();
    return 0;
  }
  // Signals are taken by this thread alone (sigtimedwait below): block them before any
  // thread exists so that every thread libmicrohttpd and the checks start inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  for (int s : {SIGTERM, SIGINT, SIGHUP}) sigaddset(&signals, s);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto mhd = loadMhd();
  if (!mhd) {
    err << "pgreach: " << mhd.error() << "\n";
    return 3;
  }
  // A connection and, while it probes, a few sockets per scraped target: raise the soft
  // descriptor limit to the hard one (1024 is the usual soft default).
  if (rlimit nofile{}; ::getrlimit(RLIMIT_NOFILE, &nofile) == 0 && nofile.rlim_cur < nofile.rlim_max) {
    nofile.rlim_cur = std::min<rlim_t>(nofile.rlim_max, 65536);
    ::setrlimit(RLIMIT_NOFILE, &nofile);
  }
  Server server(**mhd, *settings, err);
  if (auto l = server.load(); !l) {
    err << "pgreach: " << util::redactPatterns(l.error()) << "\n";
    return 3;
  }
  if (auto s = server.start(); !s) {
    err << "pgreach: " << s.error() << "\n";
    return 3;
  }
  server.log("listening on " + settings->listen + " with " + std::to_string(server.targetNames().size()) +
             " targets from " + settings->configPath);
  for (;;) {
    timespec tick{1, 0};
    const int sig = sigtimedwait(&signals, nullptr, &tick);
    server.stopDrained();
    if (sig == SIGHUP) {
      auto l = server.load();
      server.countReload(l.ok());
      if (l) {
        server.coalescer().forgetAllBut(server.targetNames());
        server.log("reloaded " + settings->configPath + ": " + std::to_string(server.targetNames().size()) +
                   " targets");
      } else {
        server.log("reload refused, the previous configuration stays: " + l.error());
      }
    } else if (sig == SIGTERM || sig == SIGINT) {
      server.log("stopping: no new connections, waiting for running probes");
      server.stop();
      server.log("stopped");
      return 0;
    }
  }
}

}  // namespace pgreach::app
