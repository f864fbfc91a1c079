// The one config dialect (cli/config_file.h) for single-target configs and fleets: each
// defect of issue 19's "Two INI dialects" has a case here, on strings and on the files
// in tests/data/config/ (and contrib/fleet.example.ini).
#include "cli/config_file.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "cli/options.h"

using namespace pgreach;

namespace {

const std::string kData = std::string(PGREACH_SOURCE_DIR) + "/tests/data/config/";

std::vector<std::string> keysOf(const std::vector<cli::ConfigLine>& lines) {
  std::vector<std::string> out;
  for (const auto& l : lines) out.push_back(l.key + "=" + l.value);
  return out;
}

// Options as `pgreach diagnose ARGS...` with the given config lines.
Expected<cli::Options> optionsWith(std::vector<std::string> args, const std::vector<cli::ConfigLine>& lines) {
  args.insert(args.begin(), {"pgreach", "diagnose"});
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  return cli::parseOptions(static_cast<int>(argv.size()), argv.data(), lines, "t.ini");
}

Expected<cli::Options> optionsFromFile(std::vector<std::string> args) {
  args.insert(args.begin(), {"pgreach", "diagnose"});
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  return cli::parseOptions(static_cast<int>(argv.size()), argv.data());
}

}  // namespace

TEST_CASE("config: '#' and ';' comments, full-line and trailing, the same in both modes", "[unit][config]") {
  for (const std::string& prefix : {std::string(), std::string("[target.a]\n")}) {
    INFO(prefix);
    auto cfg = cli::parseConfig(prefix +
                                    "# full line\n; full line\n  # indented\n"
                                    "timeout = 2s # c\ndeadline = 20s ; c\nports = 5432,6432#not-a-comment\n",
                                "t.ini");
    REQUIRE(cfg);
    const auto lines = cfg->isFleet() ? cfg->targets[0].lines : cfg->global;
    CHECK(keysOf(lines) ==
          std::vector<std::string>{"timeout=2s", "deadline=20s", "ports=5432,6432#not-a-comment"});
  }
  // Quoted values keep both characters; a comment may follow the closing quote.
  auto q = cli::parseConfig("conninfo = \"host=x password='a #b;c'\" # c\nprovider = 'neon' ; c\n", "t.ini");
  REQUIRE(q);
  CHECK(keysOf(q->global) == std::vector<std::string>{"conninfo=host=x password='a #b;c'", "provider=neon"});
  // A section header may carry a comment too.
  auto s = cli::parseConfig("[target.a] # the first\nconninfo = host=x\n", "t.ini");
  REQUIRE(s);
  CHECK(s->targets.at(0).name == "a");
}

TEST_CASE("config: an unknown key is FILE:LINE with a suggestion, in a fleet section and a single config",
          "[unit][config]") {
  auto single = cli::parseConfig("timeout = 2s\n\ntimout = 2s\n", "/etc/pgreach.ini");
  REQUIRE_FALSE(single);
  CHECK(single.error() == "/etc/pgreach.ini:3: unknown key \"timout\" (did you mean \"timeout\"?)");
  auto fleet = cli::parseConfig("[target.a]\nconninfo = host=x\n[target.b]\ntimout = 2s\n", "fleet.ini");
  REQUIRE_FALSE(fleet);
  CHECK(fleet.error() == "fleet.ini:4: unknown key \"timout\" (did you mean \"timeout\"?)");
  auto far = cli::parseConfig("frobnicate = 1\n", "t.ini");
  REQUIRE_FALSE(far);
  CHECK(far.error() == "t.ini:1: unknown key \"frobnicate\"");
}

TEST_CASE("config: what is refused names the line, never the value", "[unit][config]") {
  struct Case {
    const char* text;
    const char* expect;
  } cases[] = {
      {"[target.a]\nthis line has no equals Cfg9Secret\n", "t.ini:2: expected key = value"},
      {"[other]\n", "t.ini:1: unknown section [other]"},
      {"[target.]\n", "t.ini:1: target names"},
      {"[target.a b]\n", "t.ini:1: target names"},
      {"[target.a\n", "t.ini:1: a section header must end with ']'"},
      {"[target.a]\n[target.a]\n", "t.ini:2: target \"a\" is defined twice (first on line 1)"},
      {"[target.a]\nconfig = /etc/other.ini\n", "t.ini:2: \"config\" is not read from a config file"},
      {"password Cfg9Secret = x\n", "t.ini:1: invalid key"},
      {"timeout = 2s\ntimeout = 3s\n",
       "t.ini:2: \"timeout\" is given twice in this section (first on line 1)"},
      {"conninfo = \"host=x password=Cfg9Secret\n", "t.ini:1: \"conninfo\": the quote is not closed"},
      {"conninfo = \"host=x\" password=Cfg9Secret\n", "t.ini:1: \"conninfo\": text after the closing quote"},
      {"no-color = Cfg9Secret\n", "t.ini:1: \"no-color\" takes true or false"},
      {"[target.a]\nno-color =\n", "t.ini:2: \"no-color\" takes true or false"},
  };
  for (const auto& c : cases) {
    INFO(c.text);
    auto r = cli::parseConfig(c.text, "t.ini");
    REQUIRE_FALSE(r);
    CHECK(r.error().rfind(c.expect, 0) == 0);
    CHECK(r.error().find("Cfg9Secret") == std::string::npos);
  }
  CHECK_FALSE(cli::parseConfig(std::string("[target.a]\nx = \0y\n", 17), "t.ini"));
  CHECK_FALSE(cli::parseConfig(std::string(2 << 20, 'a'), "t.ini"));
  std::string many;
  for (int i = 0; i < 300; ++i) many += "[target.t" + std::to_string(i) + "]\n";
  CHECK_FALSE(cli::parseConfig(many, "t.ini"));
  // Repeatable keys may repeat; a key without a section is global.
  auto rep = cli::parseConfig("vpc-cidr = 10.0.0.0/8\nvpc-cidr = 172.16.0.0/12\n", "t.ini");
  REQUIRE(rep);
  CHECK(rep->global.size() == 2);
  CHECK_FALSE(rep->isFleet());
}

TEST_CASE("config: a target's keys replace the global ones, repeatable keys included", "[unit][config]") {
  auto cfg = cli::parseConfig(
      "timeout = 3s\nvpc-cidr = 10.40.0.0/16\nvpc-cidr = 10.41.0.0/16\nonly = dns\n"
      "[target.a]\nconninfo = host=127.0.0.1\nvpc-cidr = 10.99.0.0/16\n"
      "[target.b]\nconninfo = host=127.0.0.2\n",
      "t.ini");
  REQUIRE(cfg);
  const auto a = cli::effectiveConfig(*cfg, &cfg->targets[0]);
  CHECK(keysOf(a) == std::vector<std::string>{"timeout=3s", "only=dns", "conninfo=host=127.0.0.1",
                                              "vpc-cidr=10.99.0.0/16"});
  auto oa = optionsWith({}, a);
  REQUIRE(oa);
  CHECK(oa->vpcCidrs == std::vector<std::string>{"10.99.0.0/16"});  // not merged with the globals
  auto ob = optionsWith({}, cli::effectiveConfig(*cfg, &cfg->targets[1]));
  REQUIRE(ob);
  CHECK(ob->vpcCidrs == std::vector<std::string>{"10.40.0.0/16", "10.41.0.0/16"});
}

TEST_CASE("config: the command line over the target section over the global section", "[unit][config]") {
  auto cfg = cli::parseConfig(
      "timeout = 3s\ndeadline = 40s\nvpc-cidr = 10.40.0.0/16\nno-color = true\n"
      "[target.a]\nconninfo = host=127.0.0.1\ntimeout = 2s\nresolver = 10.0.0.2\n",
      "t.ini");
  REQUIRE(cfg);
  const auto lines = cli::effectiveConfig(*cfg, &cfg->targets[0]);
  auto plain = optionsWith({}, lines);
  REQUIRE(plain);
  CHECK(plain->probeTimeout == std::chrono::milliseconds(2000));  // target over global
  CHECK(plain->deadline == std::chrono::milliseconds(40000));     // global where the target says nothing
  CHECK_FALSE(plain->color);
  CHECK(plain->conninfo == "host=127.0.0.1");
  auto cli = optionsWith({"--timeout", "1s", "--vpc-cidr", "10.7.0.0/16", "--resolver=10.0.0.3"}, lines);
  REQUIRE(cli);
  CHECK(cli->probeTimeout == std::chrono::milliseconds(1000));
  CHECK(cli->vpcCidrs == std::vector<std::string>{"10.7.0.0/16"});  // replaced, not merged
  CHECK(cli->resolvers == std::vector<std::string>{"10.0.0.3"});
  CHECK(cli->deadline == std::chrono::milliseconds(40000));
  auto positional = optionsWith({"host=10.1.1.1"}, lines);
  REQUIRE(positional);
  CHECK(positional->conninfo == "host=10.1.1.1");
}

TEST_CASE("config: a bad value from the file is named by its line", "[unit][config]") {
  auto cfg = cli::parseConfig("deadline = 20s\ntimeout = soon\n", "t.ini");
  REQUIRE(cfg);
  auto o = optionsWith({"host=127.0.0.1"}, cfg->global);
  REQUIRE_FALSE(o);
  CHECK(o.error().rfind("t.ini:2: --timeout: invalid duration", 0) == 0);
  auto repeat = cli::parseConfig("repeat = many\n", "t.ini");
  REQUIRE(repeat);
  auto r = optionsWith({"host=127.0.0.1"}, repeat->global);
  REQUIRE_FALSE(r);
  CHECK(r.error().rfind("t.ini:1: ", 0) == 0);
  CHECK(r.error().find("--repeat") != std::string::npos);
}

TEST_CASE("config files: single.ini and fleet.ini read with the same dialect", "[unit][config]") {
  auto single = optionsFromFile({"--config", kData + "single.ini"});
  REQUIRE(single);
  CHECK(single->conninfo == "host=127.0.0.1 port=5432 user=app options='-c search_path=a;b'");
  CHECK(single->probeTimeout == std::chrono::milliseconds(2000));
  CHECK(single->deadline == std::chrono::milliseconds(20000));
  CHECK(single->vpcCidrs == std::vector<std::string>{"10.40.0.0/16", "10.41.0.0/16"});
  CHECK(single->configFile == kData + "single.ini");

  auto fleet = cli::readConfig(kData + "fleet.ini");
  REQUIRE(fleet);
  REQUIRE(fleet->targets.size() == 2);
  auto first = optionsWith({}, cli::effectiveConfig(*fleet, &fleet->targets[0]));
  REQUIRE(first);
  CHECK(first->probeTimeout == std::chrono::milliseconds(1000));
  CHECK(first->deadline == std::chrono::milliseconds(20000));
  CHECK(first->vpcCidrs == std::vector<std::string>{"10.99.0.0/16"});
  CHECK(first->only == std::vector<std::string>{"dns"});
  auto second = optionsWith({}, cli::effectiveConfig(*fleet, &fleet->targets[1]));
  REQUIRE(second);
  CHECK(second->conninfo == "host=127.0.0.1 port=6432 user=app");
  CHECK(second->probeTimeout == std::chrono::milliseconds(2000));
  CHECK(second->vpcCidrs == std::vector<std::string>{"10.40.0.0/16", "10.41.0.0/16"});

  auto typo = cli::readConfig(kData + "typo-fleet.ini");
  REQUIRE_FALSE(typo);
  CHECK(typo.error() == kData + "typo-fleet.ini:6: unknown key \"timout\" (did you mean \"timeout\"?)");
  auto typoSingle = optionsFromFile({"--config", kData + "typo-single.ini"});
  REQUIRE_FALSE(typoSingle);
  CHECK(typoSingle.error() ==
        kData + "typo-single.ini:3: unknown key \"timout\" (did you mean \"timeout\"?)");
  // A fleet file is not a single target's options (only `diagnose` runs fleets, in app/).
  auto asSingle = optionsFromFile({"--config", kData + "fleet.ini"});
  REQUIRE_FALSE(asSingle);
  CHECK(asSingle.error().find("fleet") != std::string::npos);

  // The shipped example parses, and its targets get the documented replacement.
  auto example = cli::readConfig(std::string(PGREACH_SOURCE_DIR) + "/contrib/fleet.example.ini");
  REQUIRE(example);
  CHECK(example->targets.size() == 3);
  for (const auto& t : example->targets) {
    INFO(t.name);
    CHECK(optionsWith({}, cli::effectiveConfig(*example, &t)));
  }
}
