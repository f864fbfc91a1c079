#pragma once
// Instance metadata: AWS IMDSv2 (PUT a session token, then GETs carrying it) and Azure
// IMDS (one GET with `Metadata: true`). Plain HTTP/1.0 over a non-blocking socket, every
// step bounded by one deadline. The endpoint is configurable (tests point it at a
// loopback fake); the default link-local address is only used when the user asks with
// --imds. The AWS session token is a secret: it stays in a util::Secret and appears in
// no error message.
#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "net/address.h"
#include "util/expected.h"

namespace pgreach::cloud {

struct HttpEndpoint {
  net::IpAddress address;
  uint16_t port = 80;
  // "http://127.0.0.1:8080" or "http://169.254.169.254"; the host must be an IP literal
  // (no DNS lookup on the metadata path) and the scheme http.
  static Expected<HttpEndpoint> parse(const std::string& url);
  std::string toString() const;
};

struct HttpResponse {
  int status = 0;
  std::string body;
};

// One request with `Connection: close`; returns when the server closes or the body
// (Content-Length) is complete. Bodies above 1 MiB are an error.
Expected<HttpResponse> httpRequest(const HttpEndpoint& ep, const std::string& method, const std::string& path,
                                   const std::vector<std::pair<std::string, std::string>>& headers,
                                   std::chrono::milliseconds timeout);

// The pure halves of httpRequest, for tests and the fuzzer: how many bytes of `in` make
// the whole answer once its header gives a Content-Length (nullopt until then, or when
// the length is absent, malformed or above the 1 MiB limit), and the status and body of
// a complete answer ("not an HTTP answer" otherwise).
std::optional<size_t> httpAnswerLength(const std::string& in);
Expected<HttpResponse> parseHttpAnswer(const std::string& in);

struct AwsInstanceInfo {
  std::string region, az, mac, interfaceId, vpcId, subnetId;
  std::vector<std::string> localIps, securityGroupIds, vpcCidrs;
  std::string subnetCidr;
};
Expected<AwsInstanceInfo> fetchAwsInstance(const HttpEndpoint& ep, std::chrono::milliseconds timeout);

struct AzureInstanceInfo {
  std::string location, subscriptionId, resourceGroup;
  std::vector<std::string> privateIps;
  std::vector<std::string> subnets;  // "10.0.1.0/24"
};
Expected<AzureInstanceInfo> fetchAzureInstance(const HttpEndpoint& ep, std::chrono::milliseconds timeout);
// The parser alone, for tests on recorded answers.
Expected<AzureInstanceInfo> parseAzureInstance(const std::string& body);

}  // namespace pgreach::cloud
