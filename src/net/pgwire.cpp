#include "net/pgwire.h"

#include <cstring>

namespace pgreach::net::pgwire {
namespace {

void putU32(std::string& out, uint32_t v) {
  out += static_cast<char>((v >> 24) & 0xff);
  out += static_cast<char>((v >> 16) & 0xff);
  out += static_cast<char>((v >> 8) & 0xff);
  out += static_cast<char>(v & 0xff);
}

uint32_t getU32(std::string_view b, size_t at) {
  return (static_cast<uint32_t>(static_cast<unsigned char>(b[at])) << 24) |
         (static_cast<uint32_t>(static_cast<unsigned char>(b[at + 1])) << 16) |
         (static_cast<uint32_t>(static_cast<unsigned char>(b[at + 2])) << 8) |
         static_cast<uint32_t>(static_cast<unsigned char>(b[at + 3]));
}

// Message types a server may send during startup and authentication.
bool isStartupPhaseType(char t) {
  return t == 'R' || t == 'E' || t == 'N' || t == 'v' || t == 'S' || t == 'K' || t == 'Z';
}

bool contains(const std::string& hay, std::string_view needle) {
  return hay.find(needle) != std::string::npos;
}

}  // namespace

std::string sslRequest() {
  std::string out;
  putU32(out, 8);
  putU32(out, kSslRequestCode);
  return out;
}

std::string startupMessage(const std::vector<std::pair<std::string, std::string>>& parameters) {
  std::string body;
  putU32(body, kProtocol3);
  for (const auto& [k, v] : parameters) {
    if (v.empty()) continue;
    // NUL bytes would end the field early and desynchronise the server: cut them.
    body.append(k.c_str());
    body += '\0';
    body.append(v.c_str());
    body += '\0';
  }
  body += '\0';
  std::string out;
  putU32(out, static_cast<uint32_t>(body.size() + 4));
  return out + body;
}

std::string terminate() {
  std::string out = "X";
  putU32(out, 4);
  return out;
}

ParseResult parseBackendMessage(std::string_view buffer) {
  ParseResult r;
  if (buffer.empty()) return r;
  const char type = buffer[0];
  if (!isStartupPhaseType(type)) {
    r.state = ParseState::Malformed;
    char hex[8];
    std::snprintf(hex, sizeof hex, "0x%02x", static_cast<unsigned char>(type));
    r.problem = std::string("unexpected message type byte ") + hex;
    return r;
  }
  if (buffer.size() < 5) return r;
  const uint32_t length = getU32(buffer, 1);
  if (length < 4) {
    r.state = ParseState::Malformed;
    r.problem = "message length " + std::to_string(length) + " is below the minimum of 4";
    return r;
  }
  if (length > kMaxMessageLength) {
    r.state = ParseState::Malformed;
    r.problem = "message claims " + std::to_string(length) + " bytes (limit " +
                std::to_string(kMaxMessageLength) + ")";
    return r;
  }
  if (buffer.size() < 1 + static_cast<size_t>(length)) return r;
  r.state = ParseState::Complete;
  r.message.type = type;
  r.message.body = std::string(buffer.substr(5, length - 4));
  r.consumed = 1 + length;
  return r;
}

std::string ErrorFields::get(char code) const {
  auto it = fields.find(code);
  return it == fields.end() ? std::string() : it->second;
}

std::string ErrorFields::codes() const {
  std::string out;
  for (const auto& [k, v] : fields) out += k;
  return out;
}

std::optional<ErrorFields> parseErrorResponse(std::string_view body) {
  ErrorFields e;
  size_t i = 0;
  while (i < body.size()) {
    const char code = body[i++];
    if (code == '\0') return e.fields.empty() ? std::nullopt : std::optional<ErrorFields>(e);
    const size_t end = body.find('\0', i);
    if (end == std::string_view::npos) return std::nullopt;  // unterminated field
    e.fields[code] = std::string(body.substr(i, end - i));
    i = end + 1;
    if (e.fields.size() > 64) return std::nullopt;
  }
  // Missing final terminator: accept what was complete, as libpq does.
  return e.fields.empty() ? std::nullopt : std::optional<ErrorFields>(e);
}

std::string AuthRequest::describe() const {
  switch (method) {
    case AuthMethod::Ok:
      return "trust (AuthenticationOk, no password asked)";
    case AuthMethod::KerberosV5:
      return "Kerberos V5";
    case AuthMethod::Cleartext:
      return "cleartext password";
    case AuthMethod::Md5:
      return "MD5";
    case AuthMethod::Gss:
      return "GSSAPI";
    case AuthMethod::Sspi:
      return "SSPI";
    case AuthMethod::Sasl: {
      std::string out;
      for (const auto& m : saslMechanisms) out += (out.empty() ? "" : ", ") + m;
      return out.empty() ? "SASL (no mechanism listed)" : out;
    }
    case AuthMethod::Other:
      break;
  }
  return "unknown authentication request " + std::to_string(code);
}

std::optional<AuthRequest> parseAuthRequest(std::string_view body) {
  if (body.size() < 4) return std::nullopt;
  AuthRequest a;
  a.code = static_cast<int32_t>(getU32(body, 0));
  switch (a.code) {
    case 0:
      a.method = AuthMethod::Ok;
      break;
    case 2:
      a.method = AuthMethod::KerberosV5;
      break;
    case 3:
      a.method = AuthMethod::Cleartext;
      break;
    case 5:
      a.method = AuthMethod::Md5;
      break;
    case 7:
      a.method = AuthMethod::Gss;
      break;
    case 9:
      a.method = AuthMethod::Sspi;
      break;
    case 10: {
      a.method = AuthMethod::Sasl;
      size_t i = 4;
      while (i < body.size() && body[i] != '\0' && a.saslMechanisms.size() < 16) {
        size_t end = body.find('\0', i);
        if (end == std::string_view::npos) break;
        a.saslMechanisms.emplace_back(body.substr(i, end - i));
        i = end + 1;
      }
      break;
    }
    default:
      a.method = AuthMethod::Other;
      break;
  }
  return a;
}

std::string_view toString(Responder r) {
  switch (r) {
    case Responder::PostgreSQL:
      return "postgresql";
    case Responder::PgBouncer:
      return "pgbouncer";
    case Responder::NeonProxy:
      return "neon_proxy";
    case Responder::PlanetScaleProxy:
      return "planetscale_proxy";
    case Responder::Unknown:
      return "unknown";
  }
  return "unknown";
}

Responder classifyResponder(const ErrorFields& error) {
  const std::string m = error.message();
  // Message text first: the proxies' wording is more specific than their field sets.
  if (contains(m, "Endpoint ID is not specified") || contains(m, "VPC endpoint id") ||
      contains(m, "VPC endpoint ID is not specified") ||
      contains(m, "is not allowed to connect to this endpoint") ||
      contains(m, "Couldn't connect to compute node") || contains(m, "Control plane request failed") ||
      contains(m, "from a blocked network") || contains(m, "for user '")) {
    return Responder::NeonProxy;
  }
  if (contains(m, "invalid user format") || contains(m, "username must include branch") ||
      (contains(m, "branch ") && contains(m, " does not exist")) ||
      contains(m, "pooler only supports primary") || contains(m, "no primary available for branch") ||
      contains(m, "failed to connect to upstream")) {
    return Responder::PlanetScaleProxy;
  }
  // PostgreSQL's backend always adds the source location (F, L, R) and, since 9.6, V.
  const bool hasLocation = error.fields.count('F') || error.fields.count('L') || error.fields.count('R');
  if (hasLocation || error.fields.count('V')) return Responder::PostgreSQL;
  bool onlySCM = !error.fields.empty();
  for (const auto& [k, v] : error.fields) onlySCM = onlySCM && (k == 'S' || k == 'C' || k == 'M');
  if (onlySCM) return Responder::PgBouncer;
  return Responder::Unknown;
}

}  // namespace pgreach::net::pgwire
