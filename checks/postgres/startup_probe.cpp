#include "checks/postgres/startup_probe.h"

#include "net/tls_client.h"

namespace pgreach::checks::postgres {

std::string_view toString(StartupOutcome o) {
  switch (o) {
    case StartupOutcome::AuthRequest:
      return "auth_request";
    case StartupOutcome::Error:
      return "error";
    case StartupOutcome::NegotiateVersion:
      return "negotiate_version";
    case StartupOutcome::Malformed:
      return "malformed";
    case StartupOutcome::NotPostgres:
      return "not_postgres";
    case StartupOutcome::NoResponse:
      return "no_response";
    case StartupOutcome::Closed:
      return "closed";
    case StartupOutcome::TlsFailed:
      return "tls_failed";
    case StartupOutcome::Unreachable:
      return "unreachable";
  }
  return "unreachable";
}

StartupResult startupOverStream(net::Stream& stream, const StartupParams& params, net::Deadline deadline) {
  StartupResult r;
  r.tls = stream.tls();
  const auto start = std::chrono::steady_clock::now();
  auto done = [&](StartupOutcome o, std::string detail) {
    r.outcome = o;
    r.detail = std::move(detail);
    r.elapsedMs =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start)
            .count();
    return r;
  };
  std::vector<std::pair<std::string, std::string>> startupParams = {
      {"user", params.user}, {"database", params.database}, {"application_name", params.applicationName}};
  startupParams.insert(startupParams.end(), params.extra.begin(), params.extra.end());
  const std::string startup = net::pgwire::startupMessage(startupParams);
  auto w = stream.writeAll(startup, deadline);
  if (w.status != net::IoStatus::Ok) {
    return done(w.status == net::IoStatus::Timeout ? StartupOutcome::NoResponse : StartupOutcome::Closed,
                "sending StartupMessage: " + w.detail);
  }
  std::string buffer;
  // Notices may precede the answer; at most a few messages and kMaxMessageLength bytes each.
  for (int messages = 0; messages < 16;) {
    auto parsed = net::pgwire::parseBackendMessage(buffer);
    if (parsed.state == net::pgwire::ParseState::Malformed) {
      const bool firstByte =
          r.bytesReceived > 0 && messages == 0 && parsed.problem.find("type byte") != std::string::npos;
      return done(firstByte ? StartupOutcome::NotPostgres : StartupOutcome::Malformed, parsed.problem);
    }
    if (parsed.state == net::pgwire::ParseState::Complete) {
      ++messages;
      const auto& m = parsed.message;
      buffer.erase(0, parsed.consumed);
      if (m.type == 'R') {
        r.auth = net::pgwire::parseAuthRequest(m.body);
        if (!r.auth) return done(StartupOutcome::Malformed, "authentication request shorter than 4 bytes");
        stream.writeAll(net::pgwire::terminate(), deadline);
        return done(StartupOutcome::AuthRequest, r.auth->describe());
      }
      if (m.type == 'E') {
        r.error = net::pgwire::parseErrorResponse(m.body);
        if (!r.error) return done(StartupOutcome::Malformed, "unparseable ErrorResponse");
        r.responder = net::pgwire::classifyResponder(*r.error);
        return done(StartupOutcome::Error, r.error->message());
      }
      if (m.type == 'v') {
        stream.writeAll(net::pgwire::terminate(), deadline);
        return done(StartupOutcome::NegotiateVersion, "server sent NegotiateProtocolVersion");
      }
      continue;  // 'N' notice and friends: read on
    }
    auto rd = stream.readSome(buffer, 16 * 1024, deadline);
    if (rd.status == net::IoStatus::Ok) {
      r.bytesReceived += rd.bytes;
      continue;
    }
    if (rd.status == net::IoStatus::Timeout) {
      return done(StartupOutcome::NoResponse, r.bytesReceived
                                                  ? "incomplete message (" + std::to_string(r.bytesReceived) +
                                                        " bytes) when the deadline passed"
                                                  : "no reply to StartupMessage before the deadline");
    }
    return done(StartupOutcome::Closed, (r.bytesReceived ? "connection ended inside a message: "
                                                         : "connection ended with no reply: ") +
                                            rd.detail);
  }
  return done(StartupOutcome::Malformed, "too many messages before an answer");
}

StartupResult startupProbe(const OpenProbe& probe, const StartupParams& params, net::Deadline deadline) {
  StartupResult r;
  net::Stream stream;
  if (params.useTls) {
    auto req = sslRequest(probe, deadline);
    if (req.reply != SslReply::Accepted) {
      r.outcome =
          req.reply == SslReply::Unreachable ? StartupOutcome::Unreachable : StartupOutcome::TlsFailed;
      r.detail = "SSLRequest: " + req.detail;
      return r;
    }
    stream = std::move(req.stream);
    auto h = net::tlsHandshake(stream, {params.sni, {"postgresql"}, "", ""}, deadline);
    if (h.outcome != net::TlsOutcome::Ok) {
      r.outcome = StartupOutcome::TlsFailed;
      r.detail = "TLS handshake: " + h.detail;
      return r;
    }
  } else {
    std::string why;
    util::Fd fd = net::connectWithDeadline(probe.address, probe.port, deadline, why);
    if (!fd.valid()) {
      r.outcome = StartupOutcome::Unreachable;
      r.detail = why;
      return r;
    }
    stream = net::Stream(std::move(fd));
    if (params.sslRequestFirst) {
      auto w = stream.writeAll(net::pgwire::sslRequest(), deadline);
      std::string reply;
      auto rd = w.status == net::IoStatus::Ok ? stream.readSome(reply, 1, deadline) : w;
      if (rd.status != net::IoStatus::Ok || reply != "N") {
        r.outcome = StartupOutcome::TlsFailed;
        r.detail = "SSLRequest was not answered N this time" + (rd.detail.empty() ? "" : ": " + rd.detail);
        return r;
      }
    }
  }
  return startupOverStream(stream, params, deadline);
}

}  // namespace pgreach::checks::postgres
