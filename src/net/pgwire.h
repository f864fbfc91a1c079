#pragma once
// The PostgreSQL frontend/backend protocol, as much as probing without credentials
// needs: building SSLRequest/StartupMessage/Terminate, and parsing what comes back.
// Pure functions over bytes: hostile input (garbage, huge length claims, truncation)
// gives a Malformed/NeedMore state, never a crash or an unbounded allocation.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pgreach::net::pgwire {

inline constexpr uint32_t kSslRequestCode = 80877103;
inline constexpr uint32_t kProtocol3 = 196608;
// No startup-phase reply is anywhere near this; a larger length claim is hostile or not Postgres.
inline constexpr size_t kMaxMessageLength = 64 * 1024;

std::string sslRequest();  // 00 00 00 08 04 d2 16 2f
std::string startupMessage(const std::vector<std::pair<std::string, std::string>>& parameters);
std::string terminate();  // 'X' 00 00 00 04

enum class ParseState { NeedMore, Complete, Malformed };

struct Message {
  char type = 0;
  std::string body;  // without type and length
};

struct ParseResult {
  ParseState state = ParseState::NeedMore;
  Message message;
  size_t consumed = 0;  // bytes of the buffer this message used (Complete only)
  std::string problem;  // Malformed: what was wrong
};

// Parses the first backend message in `buffer`. Unknown type bytes and lengths below 4
// or above kMaxMessageLength are Malformed.
ParseResult parseBackendMessage(std::string_view buffer);

// ErrorResponse / NoticeResponse fields by their one-byte code (S V C M D H P F L R...).
struct ErrorFields {
  std::map<char, std::string> fields;
  std::string get(char code) const;
  std::string severity() const { return get('V').empty() ? get('S') : get('V'); }
  std::string sqlstate() const { return get('C'); }
  std::string message() const { return get('M'); }
  std::string codes() const;  // "SVCMFLR" in wire order of first appearance
};
std::optional<ErrorFields> parseErrorResponse(std::string_view body);

enum class AuthMethod { Ok, KerberosV5, Cleartext, Md5, Gss, Sspi, Sasl, Other };
struct AuthRequest {
  int32_t code = -1;
  AuthMethod method = AuthMethod::Other;
  std::vector<std::string> saslMechanisms;
  // "trust (AuthenticationOk)", "SCRAM-SHA-256", "MD5", "cleartext password"...
  std::string describe() const;
};
std::optional<AuthRequest> parseAuthRequest(std::string_view body);

// Who produced an ErrorResponse.
enum class Responder { PostgreSQL, PgBouncer, NeonProxy, PlanetScaleProxy, Unknown };
std::string_view toString(Responder r);
Responder classifyResponder(const ErrorFields& error);

}  // namespace pgreach::net::pgwire
