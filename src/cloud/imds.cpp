#include "cloud/imds.h"

#include <poll.h>
#include <sys/socket.h>
#include <cerrno>
#include <cstdlib>

#include <nlohmann/json.hpp>

#include "net/connect.h"
#include "util/secret.h"
#include "util/strings.h"

namespace pgreach::cloud {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

Expected<HttpEndpoint> HttpEndpoint::parse(const std::string& url) {
  std::string rest = url;
  if (util::startsWith(rest, "http://"))
    rest = rest.substr(7);
  else if (rest.find("://") != std::string::npos)
    return makeError("--imds-endpoint: only http:// is supported, got \"" + url + "\"");
  while (!rest.empty() && rest.back() == '/') rest.pop_back();
  HttpEndpoint ep;
  std::string host = rest;
  if (!rest.empty() && rest[0] == '[') {
    auto close = rest.find(']');
    if (close == std::string::npos) return makeError("--imds-endpoint: bad address in \"" + url + "\"");
    host = rest.substr(1, close - 1);
    rest = rest.substr(close + 1);
    if (util::startsWith(rest, ":"))
      rest = rest.substr(1);
    else
      rest.clear();
  } else if (auto colon = rest.rfind(':'); colon != std::string::npos && rest.find(':') == colon) {
    host = rest.substr(0, colon);
    rest = rest.substr(colon + 1);
  } else {
    rest.clear();
  }
  auto a = net::IpAddress::parse(host);
  if (!a) return makeError("--imds-endpoint: the host must be an IP address, got \"" + url + "\"");
  ep.address = *a;
  if (!rest.empty()) {
    char* end = nullptr;
    long p = std::strtol(rest.c_str(), &end, 10);
    if (!end || *end || p < 1 || p > 65535) return makeError("--imds-endpoint: bad port in \"" + url + "\"");
    ep.port = static_cast<uint16_t>(p);
  }
  return ep;
}

std::string HttpEndpoint::toString() const {
  return "http://" + (address.isV4() ? address.toString() : "[" + address.toString() + "]") + ":" +
         std::to_string(port);
}

namespace {
constexpr size_t kMaxBody = 1 << 20;

milliseconds left(Clock::time_point deadline) {
  auto l = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
  return l.count() > 0 ? l : milliseconds(0);
}
}  // namespace

Expected<HttpResponse> httpRequest(const HttpEndpoint& ep, const std::string& method, const std::string& path,
                                   const std::vector<std::pair<std::string, std::string>>& headers,
                                   milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  auto results = net::connectAll({{ep.address, ep.port}}, timeout, true);
  if (results.empty() || results[0].outcome != net::ConnectOutcome::Open) {
    return makeError(ep.toString() + ": no connection (" +
                     std::string(results.empty() ? "no result" : net::toString(results[0].outcome)) + ")");
  }
  util::Fd fd = std::move(results[0].socket);
  std::string req =
      method + " " + path + " HTTP/1.0\r\nHost: " + ep.address.toString() + "\r\nConnection: close\r\n";
  for (const auto& [k, v] : headers) req += k + ": " + v + "\r\n";
  if (method == "PUT") req += "Content-Length: 0\r\n";
  req += "\r\n";
  size_t sent = 0;
  while (sent < req.size()) {
    pollfd p{fd.get(), POLLOUT, 0};
    if (::poll(&p, 1, static_cast<int>(left(deadline).count())) <= 0)
      return makeError(ep.toString() + ": timed out sending");
    ssize_t n = ::send(fd.get(), req.data() + sent, req.size() - sent, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) continue;
      return makeError(ep.toString() + ": send failed");
    }
    sent += static_cast<size_t>(n);
  }
  std::string in;
  char buf[8192];
  for (;;) {
    pollfd p{fd.get(), POLLIN, 0};
    const int ms = static_cast<int>(left(deadline).count());
    if (ms <= 0 || ::poll(&p, 1, ms) <= 0)
      return makeError(ep.toString() + ": timed out waiting for the answer");
    ssize_t n = ::recv(fd.get(), buf, sizeof buf, 0);
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) continue;
      return makeError(ep.toString() + ": receive failed");
    }
    if (n == 0) break;
    in.append(buf, static_cast<size_t>(n));
    if (in.size() > kMaxBody) return makeError(ep.toString() + ": answer larger than 1 MiB");
    // Stop early when Content-Length says the body is complete.
    if (auto whole = httpAnswerLength(in); whole && in.size() >= *whole) {
      in.resize(*whole);
      break;
    }
  }
  auto r = parseHttpAnswer(in);
  if (!r) return makeError(ep.toString() + ": " + r.error());
  return r;
}

std::optional<size_t> httpAnswerLength(const std::string& in) {
  const auto hdrEnd = in.find("\r\n\r\n");
  if (hdrEnd == std::string::npos) return std::nullopt;
  const std::string head = util::toLower(in.substr(0, hdrEnd));
  const auto cl = head.find("content-length:");
  if (cl == std::string::npos) return std::nullopt;
  const char* digits = head.c_str() + cl + 15;
  while (*digits == ' ' || *digits == '\t') ++digits;
  if (*digits < '0' || *digits > '9') return std::nullopt;
  char* end = nullptr;
  errno = 0;
  const unsigned long long len = std::strtoull(digits, &end, 10);
  // Anything above the body limit can never complete: read until the server closes.
  if (errno == ERANGE || len > kMaxBody) return std::nullopt;
  return hdrEnd + 4 + static_cast<size_t>(len);
}

Expected<HttpResponse> parseHttpAnswer(const std::string& in) {
  const auto hdrEnd = in.find("\r\n\r\n");
  if (!util::startsWith(in, "HTTP/1.") || hdrEnd == std::string::npos || in.size() < 12) {
    return makeError("not an HTTP answer");
  }
  HttpResponse r;
  r.status = 0;
  for (size_t i = 9; i < 12; ++i) {
    if (in[i] < '0' || in[i] > '9') return makeError("not an HTTP answer (no status code)");
    r.status = r.status * 10 + (in[i] - '0');
  }
  r.body = in.substr(hdrEnd + 4);
  return r;
}

Expected<AwsInstanceInfo> fetchAwsInstance(const HttpEndpoint& ep, milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  auto tok = httpRequest(ep, "PUT", "/latest/api/token", {{"X-aws-ec2-metadata-token-ttl-seconds", "21600"}},
                         timeout);
  if (!tok) return makeError("AWS IMDSv2 token: " + tok.error());
  if (tok->status != 200) return makeError("AWS IMDSv2 token: HTTP " + std::to_string(tok->status));
  const util::Secret token(util::trim(tok->body));
  auto get = [&](const std::string& what) -> Expected<std::string> {
    auto r = httpRequest(ep, "GET", "/latest/meta-data/" + what,
                         {{"X-aws-ec2-metadata-token", token.reveal()}}, left(deadline));
    if (!r) return makeError("AWS IMDS " + what + ": " + r.error());
    if (r->status != 200) return makeError("AWS IMDS " + what + ": HTTP " + std::to_string(r->status));
    return util::trim(r->body);
  };
  auto lines = [](const std::string& s) {
    std::vector<std::string> out;
    for (auto& l : util::split(s, '\n')) {
      std::string t = util::trim(l);
      if (!t.empty()) out.push_back(t);
    }
    return out;
  };
  AwsInstanceInfo info;
  auto mac = get("mac");
  if (!mac) return makeError(mac.error());
  info.mac = *mac;
  const std::string base = "network/interfaces/macs/" + info.mac + "/";
  struct Field {
    const char* path;
    std::string* one;
    std::vector<std::string>* many;
  } fields[] = {{"placement/region", &info.region, nullptr},
                {"placement/availability-zone", &info.az, nullptr},
                {"vpc-id", &info.vpcId, nullptr},
                {"subnet-id", &info.subnetId, nullptr},
                {"interface-id", &info.interfaceId, nullptr},
                {"subnet-ipv4-cidr-block", &info.subnetCidr, nullptr},
                {"local-ipv4s", nullptr, &info.localIps},
                {"security-group-ids", nullptr, &info.securityGroupIds},
                {"vpc-ipv4-cidr-blocks", nullptr, &info.vpcCidrs}};
  for (const auto& f : fields) {
    const std::string path = util::startsWith(f.path, "placement/") ? f.path : base + f.path;
    auto v = get(path);
    if (!v) return makeError(v.error());
    if (f.one)
      *f.one = *v;
    else
      *f.many = lines(*v);
  }
  return info;
}

Expected<AzureInstanceInfo> parseAzureInstance(const std::string& body) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(body);
  } catch (const nlohmann::json::exception&) {
    return makeError("Azure IMDS: the answer is not JSON");
  }
  AzureInstanceInfo info;
  try {
    if (j.contains("compute") && j["compute"].is_object()) {
      const auto& c = j["compute"];
      info.location = c.value("location", "");
      info.subscriptionId = c.value("subscriptionId", "");
      info.resourceGroup = c.value("resourceGroupName", "");
    }
    if (j.contains("network") && j["network"].contains("interface") && j["network"]["interface"].is_array()) {
      for (const auto& nic : j["network"]["interface"]) {
        if (!nic.contains("ipv4")) continue;
        for (const auto& ip : nic["ipv4"].value("ipAddress", nlohmann::json::array()))
          info.privateIps.push_back(ip.value("privateIpAddress", ""));
        for (const auto& s : nic["ipv4"].value("subnet", nlohmann::json::array()))
          info.subnets.push_back(s.value("address", "") + "/" + s.value("prefix", ""));
      }
    }
  } catch (const nlohmann::json::exception& e) {
    return makeError(std::string("Azure IMDS: unexpected answer shape (") + e.what() + ")");
  }
  return info;
}

Expected<AzureInstanceInfo> fetchAzureInstance(const HttpEndpoint& ep, milliseconds timeout) {
  auto r =
      httpRequest(ep, "GET", "/metadata/instance?api-version=2021-02-01", {{"Metadata", "true"}}, timeout);
  if (!r) return makeError("Azure IMDS: " + r.error());
  if (r->status != 200) return makeError("Azure IMDS: HTTP " + std::to_string(r->status));
  return parseAzureInstance(r->body);
}

}  // namespace pgreach::cloud
