#include "util/peer_text.h"

#include <catch2/catch.hpp>

using namespace pgreach;

TEST_CASE("peer text keeps what the peer sent and shows it with control characters escaped", "[unit][util]") {
  const util::PeerText t("16.4\x1b]0;owned\x07\nPGREACH OK\tx");
  CHECK(t.raw() == "16.4\x1b]0;owned\x07\nPGREACH OK\tx");
  CHECK(t.shown() == "16.4\\x1b]0;owned\\x07\\nPGREACH OK\tx");
  CHECK(util::PeerText("plain").shown() == "plain");
  CHECK(util::PeerText().empty());
  CHECK(util::PeerText("a") != util::PeerText("b"));
}
