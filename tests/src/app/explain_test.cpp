// `pgreach explain` knows every code a check (or the engine, or the app) declares.
#include "app/explain.h"

#include <catch2/catch.hpp>
#include <sstream>

#include "engine/registry.h"
#include "reports/report/catalog.h"

using namespace pgreach;

namespace {
void requireExplained(const std::string& code) {
  INFO(code);
  std::ostringstream out, err;
  REQUIRE(app::explainCode(code, out, err) == 0);
  CHECK(err.str().empty());
  const std::string text = out.str();
  auto info = reports::lookupCode(code);
  REQUIRE(info);
  CHECK_FALSE(info->meaning.empty());
  CHECK_FALSE(info->fix.empty());
  CHECK(text.find("What it means:\n  " + info->meaning) != std::string::npos);
  CHECK(text.find("How to fix it:\n  " + info->fix) != std::string::npos);
}
}  // namespace

TEST_CASE("explain answers for every code every check declares", "[unit]") {
  size_t n = 0;
  for (const auto& info : engine::Registry::instance().infos()) {
    for (const auto& d : info.codes) {
      requireExplained(std::string(d.code));
      ++n;
    }
  }
  for (const auto& [name, codes] : engine::codeTables().entries()) {
    for (const auto& d : codes) requireExplained(std::string(d.code));
  }
  CHECK(n > 100);
  // The codes the issue found `explain` did not know.
  for (const char* code : {"tls.handshake_timeout", "pg.connect_timeout", "pg.too_many_clients",
                           "dns.hosts_override", "tls.cert_not_yet_valid", "engine.bad_input"}) {
    requireExplained(code);
  }
}

TEST_CASE("explain still refuses an unknown code", "[unit]") {
  std::ostringstream out, err;
  CHECK(app::explainCode("tcp.no_such_code", out, err) == 3);
  CHECK(err.str().find("unknown finding code") != std::string::npos);
}
