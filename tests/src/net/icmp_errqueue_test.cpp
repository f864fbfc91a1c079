// The error-queue parser on hand-built cmsg buffers (what recvmsg(MSG_ERRQUEUE) fills).
#include "net/icmp_errqueue.h"

#include <arpa/inet.h>
#include <linux/errqueue.h>
#include <sys/socket.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <cstring>
#include <vector>

using namespace pgreach::net;

namespace {

// One cmsg holding a sock_extended_err followed by `offender` bytes (a sockaddr).
std::vector<unsigned char> control(int level, int type, uint8_t origin, uint8_t icmpType, uint8_t icmpCode,
                                   const void* offender, size_t offenderLen) {
  const size_t payload = sizeof(sock_extended_err) + offenderLen;
  std::vector<unsigned char> buf(CMSG_SPACE(payload), 0);
  msghdr msg{};
  msg.msg_control = buf.data();
  msg.msg_controllen = buf.size();
  cmsghdr* c = CMSG_FIRSTHDR(&msg);
  c->cmsg_level = level;
  c->cmsg_type = type;
  c->cmsg_len = CMSG_LEN(payload);
  sock_extended_err ee{};
  ee.ee_errno = EHOSTUNREACH;
  ee.ee_origin = origin;
  ee.ee_type = icmpType;
  ee.ee_code = icmpCode;
  std::memcpy(CMSG_DATA(c), &ee, sizeof ee);
  if (offenderLen) std::memcpy(CMSG_DATA(c) + sizeof ee, offender, offenderLen);
  return buf;
}

sockaddr_in v4(const char* a) {
  sockaddr_in s{};
  s.sin_family = AF_INET;
  ::inet_pton(AF_INET, a, &s.sin_addr);
  return s;
}

}  // namespace

TEST_CASE("error queue: ICMP 3/13 with the router as offender", "[unit][net]") {
  const auto off = v4("10.40.1.1");
  auto buf = control(IPPROTO_IP, IP_RECVERR, SO_EE_ORIGIN_ICMP, 3, 13, &off, sizeof off);
  auto r = icmpReportFromControl(buf.data(), buf.size());
  REQUIRE(r);
  CHECK_FALSE(r->v6);
  CHECK(r->type == 3);
  CHECK(r->code == 13);
  CHECK(r->sysErrno == EHOSTUNREACH);
  REQUIRE(r->offender);
  CHECK(r->offender->toString() == "10.40.1.1");
  CHECK(r->evidence() == "ICMP type 3 code 13 from 10.40.1.1 (socket error queue)");
}

TEST_CASE("error queue: ICMPv6 1/1 from an IPv6 router", "[unit][net]") {
  sockaddr_in6 off{};
  off.sin6_family = AF_INET6;
  ::inet_pton(AF_INET6, "fd00:40::1", &off.sin6_addr);
  auto buf = control(IPPROTO_IPV6, IPV6_RECVERR, SO_EE_ORIGIN_ICMP6, 1, 1, &off, sizeof off);
  auto r = icmpReportFromControl(buf.data(), buf.size());
  REQUIRE(r);
  CHECK(r->v6);
  CHECK(r->evidence() == "ICMPv6 type 1 code 1 from fd00:40::1 (socket error queue)");
}

TEST_CASE("error queue: what is not an ICMP report, or is cut short, is refused or partial", "[unit][net]") {
  const auto off = v4("10.40.1.1");
  // A local error (SO_EE_ORIGIN_LOCAL) is not from the network.
  auto local = control(IPPROTO_IP, IP_RECVERR, SO_EE_ORIGIN_LOCAL, 0, 0, &off, sizeof off);
  CHECK_FALSE(icmpReportFromControl(local.data(), local.size()));
  // Another cmsg type (a timestamp) is skipped.
  auto other = control(SOL_SOCKET, SO_TIMESTAMP, SO_EE_ORIGIN_ICMP, 3, 13, &off, sizeof off);
  CHECK_FALSE(icmpReportFromControl(other.data(), other.size()));
  // No offender (AF_UNSPEC): the report stands without a sender.
  sockaddr_in none{};
  none.sin_family = AF_UNSPEC;
  auto anon = control(IPPROTO_IP, IP_RECVERR, SO_EE_ORIGIN_ICMP, 3, 13, &none, sizeof none);
  auto r = icmpReportFromControl(anon.data(), anon.size());
  REQUIRE(r);
  CHECK_FALSE(r->offender);
  CHECK(r->evidence() == "ICMP type 3 code 13 (socket error queue)");
  // Truncated buffers and empty input never read past the end.
  auto full = control(IPPROTO_IP, IP_RECVERR, SO_EE_ORIGIN_ICMP, 3, 13, &off, sizeof off);
  for (size_t n = 0; n < full.size(); ++n) {
    std::vector<unsigned char> cut(full.begin(), full.begin() + static_cast<long>(n));
    auto c = icmpReportFromControl(cut.empty() ? nullptr : cut.data(), cut.size());
    if (c && c->offender) CHECK(c->offender->toString() == "10.40.1.1");
  }
  CHECK_FALSE(icmpReportFromControl(nullptr, 0));
  // A cmsg_len larger than the buffer ends the walk.
  auto lying = control(IPPROTO_IP, IP_RECVERR, SO_EE_ORIGIN_ICMP, 3, 13, &off, sizeof off);
  reinterpret_cast<cmsghdr*>(lying.data())->cmsg_len = 4096;
  auto l = icmpReportFromControl(lying.data(), lying.size());
  if (l) CHECK(l->type == 3);
}

TEST_CASE("error queue: a cmsg_len near SIZE_MAX ends the walk without pointer overflow", "[unit][net]") {
  // Regression seed from tests/fuzz/metadata_fuzz: the end of such a cmsg was computed
  // as a pointer and wrapped around the address space (UBSan: pointer overflow).
  const auto off = v4("10.40.1.1");
  for (size_t huge : {~size_t{0}, ~size_t{0} - 7, ~size_t{0} / 2 + 1}) {
    auto buf = control(IPPROTO_IP, IP_RECVERR, SO_EE_ORIGIN_ICMP, 3, 13, &off, sizeof off);
    reinterpret_cast<cmsghdr*>(buf.data())->cmsg_len = huge;
    auto r = icmpReportFromControl(buf.data(), buf.size());
    REQUIRE(r);  // the buffer still holds the whole report: it is read, and the walk stops
    CHECK(r->type == 3);
    REQUIRE(r->offender);
    CHECK(r->offender->toString() == "10.40.1.1");
  }
  // Two cmsgs, the first a timestamp with a huge length: nothing past it is trusted.
  auto two = control(SOL_SOCKET, SO_TIMESTAMP, 0, 0, 0, nullptr, 0);
  reinterpret_cast<cmsghdr*>(two.data())->cmsg_len = ~size_t{0};
  auto second = control(IPPROTO_IP, IP_RECVERR, SO_EE_ORIGIN_ICMP, 3, 13, &off, sizeof off);
  two.insert(two.end(), second.begin(), second.end());
  CHECK_FALSE(icmpReportFromControl(two.data(), two.size()));
}
