// What a metadata endpoint or the kernel hands back on the client-discovery path: the
// same bytes as an --imds-endpoint URL, as an HTTP answer from a hostile metadata server
// (length and status parsing), as an Azure IMDS JSON body, and as a recvmsg(MSG_ERRQUEUE)
// control buffer. Property: no crash, no hang, and the answers are consistent (a
// complete length never lies inside the header, a status has three digits).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "cloud/imds.h"
#include "net/icmp_errqueue.h"

namespace cloud = pgreach::cloud;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);

  if (auto ep = cloud::HttpEndpoint::parse(text); ep && ep->port == 0) std::abort();

  if (auto whole = cloud::httpAnswerLength(text)) {
    const auto hdrEnd = text.find("\r\n\r\n");
    if (hdrEnd == std::string::npos || *whole < hdrEnd + 4) std::abort();
  }
  if (auto answer = cloud::parseHttpAnswer(text)) {
    if (answer->status < 0 || answer->status > 999 || answer->body.size() > text.size()) std::abort();
    (void)cloud::parseAzureInstance(answer->body);
  }
  (void)cloud::parseAzureInstance(text);

  // The kernel's control buffers are aligned for cmsghdr; so is this copy.
  std::vector<uint64_t> control((size + sizeof(uint64_t) - 1) / sizeof(uint64_t) + 1, 0);
  if (size > 0) std::memcpy(control.data(), data, size);
  if (auto r = pgreach::net::icmpReportFromControl(control.data(), size)) (void)r->evidence();
  return 0;
}
