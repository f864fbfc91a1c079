#include "cli/run_config.h"

namespace pgreach::cli {

engine::RunConfig runConfig(const Options& o) {
  engine::RunConfig c;
  c.probeTimeout = o.probeTimeout;
  c.deadline = o.deadline;
  c.only = o.only;
  c.skip = o.skip;
  c.maxParallel = o.maxParallel;
  c.dns.resolvers = o.resolvers;
  c.dns.vpcCidrs = o.vpcCidrs;
  c.tcp.ports = o.ports;
  c.tcp.repeat = o.repeat;
  c.tcp.captureFile = o.captureFile;
  c.tls.certWarnDays = o.certWarnDays;
  c.client.libpqMajor = o.clientLibpq;
  c.cloud.exportDirs = o.exportDirs;
  c.cloud.live = o.cloudLive;
  c.cloud.azureResourceGroup = o.azureResourceGroup;
  c.cloud.imds = o.imds;
  c.cloud.imdsEndpoint = o.imdsEndpoint;
  c.cloud.imdsTimeout = o.imdsTimeout;
  c.cloud.cliTimeout = o.cloudCliTimeout;
  c.cloud.clientIp = o.clientIp;
  c.cloud.clientEni = o.clientEni;
  c.cloud.endpointIds = o.endpointIds;
  c.cloud.endpointIps = o.endpointIps;
  c.cloud.region = o.cloudRegion;
  return c;
}

}  // namespace pgreach::cli
