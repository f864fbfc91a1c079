#pragma once
// What a run is configured with, owned by the engine: the CLI (src/cli/run_config.h)
// builds it from the command line, tests build it directly. Checks read it through
// CheckContext::config() and never see the CLI's options.
#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace pgreach::engine {

// checks/dns (and the VPC ranges the postgres checks compare a server's view against).
struct DnsSettings {
  std::vector<std::string> resolvers;  // extra resolvers to ask, "IP" or "IP:port"
  std::vector<std::string> vpcCidrs;   // the private ranges an answer should fall in
};

// checks/tcp; `ports` is also the port list the TLS, cloud and report code follow.
struct TcpSettings {
  std::vector<uint16_t> ports;  // empty = the provider's defaults
  int repeat = 1;               // connects per address:port, to tell flaky from dead
  std::string captureFile;      // handshake-only pcap of the tcp.connect probes, "" = none
};

// checks/tls
struct TlsSettings {
  int certWarnDays = 21;  // tls.cert_expiring below this many days
};

// What the user states about the application's client (pg.client): pgreach's own libpq
// is not the application's, so nothing is judged from it.
struct ClientSettings {
  int libpqMajor = 0;  // the application's libpq major version (--client-libpq), 0 = not stated
};
// checks/cloud. The instance metadata service is asked only when `imds` is set.
struct CloudSettings {
  // Cloud kind ("aws", cloud/registry.h) -> the folder given to --<kind>-json.
  std::map<std::string, std::string> exportDirs;
  bool live = false;  // run the read-only aws / az list commands
  std::string azureResourceGroup;
  bool imds = false;
  std::string imdsEndpoint = "http://169.254.169.254";
  std::chrono::milliseconds imdsTimeout{1500};
  std::chrono::milliseconds cliTimeout{20000};
  std::string clientIp, clientEni;
  std::vector<std::string> endpointIds;  // vpce-... or an Azure private endpoint name
  std::vector<std::string> endpointIps;
  std::string region;
};

struct RunConfig {
  std::chrono::milliseconds probeTimeout{3000};  // one probe (connect, query, handshake)
  std::chrono::milliseconds deadline{30000};     // the whole run
  std::vector<std::string> only;                 // check ids or stage names to run
  std::vector<std::string> skip;                 // check ids or stage names to leave out
  int maxParallel = 16;                          // checks running at once
  DnsSettings dns;
  TcpSettings tcp;
  TlsSettings tls;
  ClientSettings client;
  CloudSettings cloud;
};

}  // namespace pgreach::engine
