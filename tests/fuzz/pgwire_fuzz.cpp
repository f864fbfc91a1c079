// What a server sends back to an SSLRequest and a StartupMessage: the one-byte SSL
// answer, then backend messages, read the way the startup probe reads them
// (parseBackendMessage in a loop, then the ErrorResponse/Authentication bodies and who
// answered). Property: no crash, no hang; a Complete message consumes 5..buffer bytes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "net/pgwire.h"

namespace wire = pgreach::net::pgwire;

namespace {

void readMessages(std::string_view buf) {
  for (int i = 0; i < 64 && !buf.empty(); ++i) {
    auto r = wire::parseBackendMessage(buf);
    if (r.state != wire::ParseState::Complete) return;
    if (r.consumed < 5 || r.consumed > buf.size()) std::abort();
    if (r.message.body.size() + 5 != r.consumed) std::abort();
    const std::string_view body = r.message.body;
    if (r.message.type == 'E' || r.message.type == 'N') {
      if (auto e = wire::parseErrorResponse(body)) {
        (void)e->severity();
        (void)e->sqlstate();
        (void)e->message();
        (void)e->codes();
        (void)wire::toString(wire::classifyResponder(*e));
      }
    } else if (r.message.type == 'R') {
      if (auto a = wire::parseAuthRequest(body)) (void)a->describe();
    }
    buf.remove_prefix(r.consumed);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  readMessages(in);
  // As after an SSLRequest: one answer byte ('S', 'N' or an old server's 'E...'), then the rest.
  if (!in.empty() && (in.front() == 'S' || in.front() == 'N')) readMessages(in.substr(1));
  return 0;
}
