#include "checks/common/tls_codes.h"

namespace pgreach::checks::tls {

const std::vector<engine::CodeDecl>& tlsCodes() {
  static const std::vector<engine::CodeDecl> kCodes = {
      {"tls.cert_expired", engine::Severity::Critical, "Server certificate expired",
       "The server's certificate is past its notAfter date.",
       "The certificate was not renewed, or the client's clock is wrong.",
       "Renew the server certificate (or fix the client's clock)."},
      {"tls.cert_expiring", engine::Severity::Warning, "Server certificate expires soon",
       "The server's certificate expires within the warning window (--cert-warn-days).",
       "Renewal is not automated or has failed.",
       "Renew the certificate before it expires; alert on pgreach_tls_cert_expiry_timestamp_seconds."},
      {"tls.cert_invalid", engine::Severity::Critical, "Certificate chain failed verification",
       "The server's certificate chain failed verification for a reason other than trust or dates (key "
       "usage, "
       "a missing intermediate, a bad signature).",
       "The server sends an incomplete or wrong chain. Only critical when sslmode verifies the chain.",
       "Fix the chain the server sends (intermediates, key usage)."},
      {"tls.cert_not_yet_valid", engine::Severity::Critical, "Certificate not yet valid",
       "The server certificate's notBefore date is in the future.",
       "The clock on this machine (or the server) is wrong, or a certificate was installed before its start "
       "date. Only critical when sslmode verifies the chain.",
       "Check the clock on this machine and on the server."},
      {"tls.trust_store_missing_root", engine::Severity::Warning,
       "Trust store lacks a root the provider uses",
       "The trust store libpq will use for this connection (sslrootcert, ~/.postgresql/root.crt, or the "
       "system store for sslrootcert=system) lacks a root CA the provider's documentation tells clients to "
       "trust. Today's certificate may still verify; after the provider rotates its certificate to that "
       "root, every connection fails with SSL error: certificate verify failed.",
       "A CA file downloaded before the provider's CA rotation holds only the old root (Azure moved from "
       "DigiCert Global Root CA to DigiCert Global Root G2 and Microsoft RSA Root Certificate Authority "
       "2017).",
       "Append the missing roots to the sslrootcert file (PEM), or use sslrootcert=system (libpq 16+) when "
       "the system store holds them."},
      {"tls.cert_untrusted", engine::Severity::Critical, "Certificate not trusted",
       "The certificate chain does not lead to a trusted CA (self-signed or unknown issuer).",
       "A self-signed certificate, a missing intermediate, or the wrong sslrootcert.",
       "Use sslrootcert with the provider's CA (or sslrootcert=system for public CAs) and "
       "sslmode=verify-full."},
      {"tls.cert_verify_failed", engine::Severity::Critical, "libpq could not verify the server certificate",
       "libpq rejected the server certificate: it does not chain to the trust store in use.",
       "sslrootcert points at the wrong CA or is missing, or the server sends an incomplete chain.",
       "Point sslrootcert at the CA that signed the server certificate (sslrootcert=system for public CAs, "
       "libpq 16+)."},
      {"tls.cert_wrong_host", engine::Severity::Critical, "Certificate does not match the host name",
       "The server's certificate does not name the host the client connects to.",
       "Connecting by IP address or by an alias that is not in the certificate's subjectAltName; a wrong "
       "endpoint.",
       "Connect using the hostname the certificate names (the provider's private hostname), or reissue the "
       "certificate with that name."},
      {"tls.connection_closed", engine::Severity::Critical, "Connection closed on SSLRequest",
       "The connection was closed or reset when pgreach sent SSLRequest (libpq: \"server closed the "
       "connection "
       "unexpectedly\").",
       "A middlebox or a non-Postgres service that closes unknown protocols.",
       "Check what listens on the port and any middlebox in front of it."},
      {"tls.direct_no_alpn", engine::Severity::Info, "Direct TLS without ALPN postgresql",
       "The port speaks TLS directly but does not negotiate ALPN \"postgresql\"; libpq 17 refuses such "
       "servers "
       "for direct TLS. Critical when the target asks for sslnegotiation=direct.",
       "Something other than PostgreSQL terminates TLS there (a generic TLS proxy or load balancer).",
       "Something other than PostgreSQL terminates TLS there: check the port."},
      {"tls.direct_supported", engine::Severity::Info, "Direct TLS accepted",
       "The server accepts direct TLS with ALPN postgresql (sslnegotiation=direct).",
       "PostgreSQL 17+ or a proxy that supports it.", "Nothing to change."},
      {"tls.direct_unsupported", engine::Severity::Info, "Direct TLS not accepted",
       "The server does not accept direct TLS (sslnegotiation=direct, PostgreSQL 17+). Critical when the "
       "target asks for sslnegotiation=direct.",
       "A PostgreSQL server before 17, or a pooler that only speaks SSLRequest.",
       "Use sslnegotiation=postgres (the default), or connect to a PostgreSQL 17+ server or proxy that "
       "accepts "
       "direct TLS."},
      {"tls.handshake_failed", engine::Severity::Critical, "TLS handshake failed",
       "The TLS handshake failed after the server agreed to TLS.",
       "No common protocol version or cipher, or a TLS proxy on the path that breaks the handshake.",
       "Check the server's TLS configuration (protocol versions, ciphers) and any TLS proxy on the path."},
      {"tls.handshake_ok", engine::Severity::Info, "TLS handshake completed",
       "The TLS handshake completed; the evidence shows protocol, cipher and certificate.",
       "The expected outcome.", "Nothing to change."},
      {"tls.handshake_timeout", engine::Severity::Critical, "TLS handshake stalled",
       "The server agreed to TLS, then the handshake did not finish in time.",
       "A middlebox that drops large packets (the certificate chain does not fit the path MTU), or a stalled "
       "server.",
       "Check path MTU (MSS clamping on tunnels/VPNs) and the server's load."},
      {"tls.path_mtu_blackhole", engine::Severity::Critical, "Path-MTU black hole",
       "The server agreed to TLS, its first TLS flight never arrived at the default MSS, and the same "
       "handshake completed when pgreach announced a smaller MSS (TCP_MAXSEG): large packets are lost on the "
       "path.",
       "A hop with a smaller MTU (VPN, Transit Gateway, Direct Connect, a tunnel) whose ICMP 'fragmentation "
       "needed' is filtered, so the server never learns to send smaller packets.",
       "Allow ICMP type 3 code 4 (ICMPv6 packet too big) back to the server, clamp the TCP MSS where the "
       "tunnel "
       "starts to the largest MSS that worked, or lower this host's MTU."},
      {"tls.no_certificate", engine::Severity::Critical, "No server certificate",
       "The server completed the handshake without sending a certificate.",
       "An anonymous cipher suite or a misconfigured TLS terminator. Only critical when sslmode verifies the "
       "chain.",
       "Configure a certificate on the server."},
      {"tls.no_response", engine::Severity::Critical, "No answer to the TLS request",
       "The TCP connection opened, but nothing answered the SSLRequest or ClientHello before the timeout.",
       "A tarpit or a middlebox that accepts connections but forwards nothing; a service that is not "
       "PostgreSQL.",
       "Check what listens behind the endpoint (the endpoint service's target) and any proxy in between."},
      {"tls.no_root_cert", engine::Severity::Critical, "No trust store for sslmode",
       "sslmode=verify-ca or verify-full needs a trust store, and none was given or found.",
       "sslrootcert is unset and ~/.postgresql/root.crt does not exist, so libpq cannot verify anything.",
       "Set sslrootcert to the provider's CA file (or sslrootcert=system with libpq 16+)."},
      {"tls.not_postgres", engine::Severity::Critical, "Not PostgreSQL",
       "What answered the SSLRequest (or libpq's SSL negotiation) is not PostgreSQL.",
       "The port belongs to another service (HTTP, a load balancer, another protocol), or the address is not "
       "the database's.",
       "Check the host and port, and what listens there."},
      {"tls.not_supported", engine::Severity::Critical, "The server does not support TLS",
       "The server answered N to the SSLRequest: TLS is disabled.",
       "ssl=off on the server, or a pooler (PgBouncer) whose client TLS is disabled.",
       "Enable TLS on the server or pooler; never fall back to an unencrypted connection over the network."},
      {"tls.not_supported_other_port", engine::Severity::Warning, "No TLS on the provider's other port",
       "On the provider's other ports (e.g. a pooler port), the server answered N to SSLRequest: no TLS "
       "there.",
       "TLS is not enabled on that listener.",
       "Enable TLS on that listener, or use the port that offers it."},
      {"tls.offered", engine::Severity::Info, "TLS offered",
       "The server answered S to SSLRequest: it offers TLS.", "The expected outcome.", "Nothing to change."},
      {"tls.old_protocol", engine::Severity::Warning, "TLS below 1.2",
       "The server negotiated a TLS version below 1.2.",
       "An old server or TLS terminator with old protocols enabled; libpq 13+ refuses them by default.",
       "Set ssl_min_protocol_version = 'TLSv1.2' on the server."},
      {"tls.reconnect_failed", engine::Severity::Warning, "Could not reconnect for the TLS probe",
       "The port was open during tcp.connect, but a new connection for the TLS probe failed.",
       "An unstable path, or connection limits on the endpoint.",
       "Probe again; check the endpoint's connection limits and the path's stability."},
      {"tls.root_cert_unreadable", engine::Severity::Critical, "sslrootcert unusable",
       "The trust store given in sslrootcert could not be loaded.",
       "The path is wrong, unreadable, or not a PEM file of CA certificates.",
       "Fix the sslrootcert path (a PEM file of CA certificates)."},
      {"tls.sni_impossible", engine::Severity::Critical, "No SNI when connecting by IP to Neon",
       "Connecting by IP address sends no SNI, and the Neon proxy routes connections by SNI. Info when "
       "options=endpoint=<id> names the endpoint.",
       "The connection string uses the endpoint's IP address instead of its hostname.",
       "Connect by the endpoint's hostname (with private DNS enabled on the VPC endpoint), or pass "
       "options=endpoint%3D<endpoint-id>."},
      {"tls.sslrequest_changed", engine::Severity::Warning, "SSLRequest answer changed between probes",
       "The server answered SSLRequest one way in the tls.sslrequest probe and another way in the handshake "
       "probe.",
       "An unstable path, several servers behind one address with different settings, or a restarting "
       "server.",
       "An unstable path or server: probe again."},
      {"tls.unexpected_data", engine::Severity::Critical, "Unencrypted data after agreeing to TLS",
       "The server answered S to SSLRequest and then sent unencrypted bytes before the TLS handshake (libpq: "
       "\"received unencrypted data after SSL response\").",
       "A man-in-the-middle injecting data (CVE-2021-23222), or a broken proxy.",
       "Possible man-in-the-middle: inspect what sits between client and server."},
      {"tls.very_old_server", engine::Severity::Critical, "SSLRequest answered with an error",
       "The server answered SSLRequest with an error message: a pre-7.0 server, or a proxy that does not "
       "understand SSLRequest.",
       "Something old or not quite PostgreSQL listens on the port.",
       "Check what listens on that port; upgrade the server or proxy."},
      {"tls.weak_key", engine::Severity::Warning, "Weak server key",
       "The server certificate's key is too short (RSA/DSA/DH below 2048 bits, EC below 224 bits).",
       "An old or test certificate.", "Use RSA 2048+ or ECDSA P-256+."},
      {"tls.weak_sslmode", engine::Severity::Warning, "sslmode does not verify the server",
       "The target's sslmode (disable, allow, prefer or require) does not verify the server's certificate: a "
       "spoofed endpoint would receive the password.",
       "libpq's default is prefer; many connection strings copy sslmode=require.",
       "Use sslmode=verify-full with the provider's CA (sslrootcert=system for public CAs)."},
  };
  return kCodes;
}

}  // namespace pgreach::checks::tls
