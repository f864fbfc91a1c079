// Bad numbers (issue 17, "Input": `--timeout nan` was accepted and called a listening port
// silently dropped). Every number and duration pgreach reads, wherever it is given (the
// command line in both spellings, a single-target --config file, a fleet config's global
// and target sections, the connection string and its PG* variables), is fed with values
// nobody should accept: NaN, infinities, -1, 0, overflow, empty, trailing garbage, hex, a
// control character. Each is refused with one line naming the option (a value that is
// not plainly a number is never echoed), never a crash, a hang or a run.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "cli/options.h"
#include "support/process.h"
#include "support/temp_dir.h"
#include "target/target.h"

using namespace pgreach;
using pgreach::testing::pgreachBinary;
using pgreach::testing::ProcessResult;
using pgreach::testing::runProcess;

namespace {

// What every number and duration option is fed.
const std::vector<std::string> kBadValues = {
    "nan", "NaN", "inf", "-inf", "infinity", "-1",   "0",     "1e999",    "-1e999", "99999999999999999999",
    "",    "   ", "2sx", "0x10", "0x1p3",    "1e-9", "5\x01", "5\x1b[2J", "5 6",
};

struct NumberOption {
  std::string name;                     // without the dashes
  std::vector<std::string> validAmong;  // values of kBadValues this option accepts on purpose
  bool takesSeparateValue = true;       // `--name VALUE` (false: only `--name=VALUE`)
};

// Every option whose value is a number or a duration (src/cli/options.cpp). --rate and
// --cert-warn-days take 0 on purpose (unlimited; warn only once expired), as -v does.
const std::vector<NumberOption> kNumberOptions = {
    {"timeout", {}},           {"deadline", {}}, {"imds-timeout", {}},
    {"cloud-cli-timeout", {}}, {"ports", {}},    {"repeat", {}},
    {"max-in-flight", {}},     {"rate", {"0"}},  {"cert-warn-days", {"0"}},
    {"verbose", {"0"}, false},
};

bool accepted(const NumberOption& o, const std::string& v) {
  return std::find(o.validAmong.begin(), o.validAmong.end(), v) != o.validAmong.end();
}

Expected<cli::Options> parse(std::vector<std::string> args) {
  args.insert(args.begin(), "pgreach");
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  return cli::parseOptions(static_cast<int>(argv.size()), argv.data());
}

// A control byte other than a line break (a report has those): an ESC from a value.
bool hasControl(const std::string& s, bool newlinesAllowed = false) {
  return std::any_of(s.begin(), s.end(), [newlinesAllowed](char c) {
    const auto u = static_cast<unsigned char>(c);
    return (u < 0x20 || u == 0x7f) && !(newlinesAllowed && c == '\n');
  });
}

// One line, naming the option, no control character (a value's ESC never reaches a terminal).
void checkMessage(const std::string& message, const std::string& name) {
  CHECK(message.find(name) != std::string::npos);
  CHECK_FALSE(hasControl(message));
  CHECK(message.size() < 300);
}

// The same checks on what the binary printed: exit 3, exactly one stderr line, no report.
void checkRefused(const ProcessResult& r, const std::string& name) {
  INFO("exit " << r.exitCode << "\nstdout: " << r.out << "\nstderr: " << r.err);
  CHECK_FALSE(r.timedOut);
  CHECK(r.exitCode == 3);
  REQUIRE_FALSE(r.err.empty());
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  CHECK(r.err.back() == '\n');
  checkMessage(r.err.substr(0, r.err.size() - 1), name);
  CHECK(r.out.empty());
}

}  // namespace

TEST_CASE("bad numbers: every number option refuses every bad value, on the command line and in --config",
          "[unit][cli]") {
  testing::TempDir tmp("pgreach-badnum");
  const std::string ini = (tmp.path / "p.ini").string();
  int tried = 0;
  for (const auto& opt : kNumberOptions) {
    for (const auto& value : kBadValues) {
      if (accepted(opt, value)) continue;
      INFO("--" << opt.name << " '" << value << "'");
      std::vector<std::vector<std::string>> spellings = {
          {"diagnose", "host=127.0.0.1", "--" + opt.name + "=" + value}};
      if (opt.takesSeparateValue) spellings.push_back({"diagnose", "host=127.0.0.1", "--" + opt.name, value});
      for (const auto& args : spellings) {
        auto o = parse(args);
        REQUIRE_FALSE(o.ok());
        checkMessage(o.error(), opt.name);
        ++tried;
      }
      std::ofstream(ini, std::ios::trunc) << opt.name << " = " << value << "\n";
      auto c = parse({"diagnose", "host=127.0.0.1", "--config", ini});
      REQUIRE_FALSE(c.ok());
      checkMessage(c.error(), opt.name);
      ++tried;
    }
  }
  CHECK(tried == 543);  // tests/hostile/README.md quotes this count
  // What they do accept still parses.
  CHECK(parse({"diagnose", "host=127.0.0.1", "--rate", "0"})->rate == 0);
  CHECK(parse({"diagnose", "host=127.0.0.1", "--rate", "2.5"})->rate == 2.5);
  CHECK(parse({"diagnose", "host=127.0.0.1", "--ports", "5432, 6432"})->ports.size() == 2);
  CHECK(parse({"diagnose", "host=127.0.0.1", "--timeout", "1.5s"})->probeTimeout.count() == 1500);
  CHECK(parse({"diagnose", "host=127.0.0.1", "-v"})->verbosity == 1);
}

TEST_CASE("bad numbers: the binary exits 3 with one line, from the command line, --config and a fleet",
          "[integration]") {
  testing::TempDir tmp("pgreach-badnum");
  const std::string ini = (tmp.path / "p.ini").string();
  const std::string bin = pgreachBinary();
  int tried = 0;
  for (const auto& opt : kNumberOptions) {
    for (const auto& value : kBadValues) {
      if (accepted(opt, value)) continue;
      INFO("--" << opt.name << " '" << value << "'");
      const auto limit = std::chrono::seconds(10);
      // The command line.
      checkRefused(
          runProcess({bin, "diagnose", "host=127.0.0.1 port=1", "--" + opt.name + "=" + value}, limit),
          opt.name);
      // A single-target --config.
      std::ofstream(ini, std::ios::trunc) << "conninfo = host=127.0.0.1 port=1\n"
                                          << opt.name << " = " << value << "\n";
      checkRefused(runProcess({bin, "diagnose", "--config", ini}, limit), opt.name);
      // A fleet's global section: nothing runs.
      std::ofstream(ini, std::ios::trunc)
          << opt.name << " = " << value << "\n[target.a]\nconninfo = host=127.0.0.1 port=1\n";
      checkRefused(runProcess({bin, "diagnose", "--config", ini}, limit), opt.name);
      // A fleet target's own section: the fleet is refused before anything runs, the
      // line named on stderr (issue 19: a config error is the operator's, not a report's).
      std::ofstream(ini, std::ios::trunc) << "only = dns\n[target.bad]\nconninfo = host=127.0.0.1 port=1\n"
                                          << opt.name << " = " << value << "\n";
      checkRefused(runProcess({bin, "diagnose", "--config", ini}, limit), opt.name);
      tried += 4;
    }
  }
  CHECK(tried == 748);  // tests/hostile/README.md quotes this count
}

// The connection string's numbers are libpq's: what libpq itself refuses (not an integer)
// is refused before anything is probed, named by its keyword, the value not shown; what
// libpq accepts (connect_timeout=0 or -1: wait forever, here bounded by --deadline) is
// the application's setting and is diagnosed as given.
TEST_CASE("bad numbers in the connection string and PG* variables are refused by keyword", "[unit][target]") {
  const std::vector<std::string> keywords = {"port",
                                             "connect_timeout",
                                             "keepalives",
                                             "keepalives_idle",
                                             "keepalives_interval",
                                             "keepalives_count",
                                             "tcp_user_timeout"};
  const std::vector<std::string> bad = {"nan",   "inf", "1e999", "99999999999999999999", "2sx", "0x10",
                                        "5\x01", "1.5", "5 6"};
  int tried = 0;
  for (const auto& k : keywords) {
    for (const auto& v : bad) {
      INFO(k << "='" << v << "'");
      auto t = target::Target::parse("host=127.0.0.1 " + k + "='" + v + "'");
      REQUIRE_FALSE(t.ok());
      checkMessage(t.error(), k);
      ++tried;
    }
  }
  CHECK(tried == 63);
  CHECK(target::Target::parse("host=127.0.0.1 connect_timeout=10 keepalives_idle=30").ok());
  CHECK(target::Target::parse("host=127.0.0.1 connect_timeout=' 10 '").ok());
}

TEST_CASE("bad numbers in the connection string: the binary exits 3 with one line", "[integration]") {
  for (const std::string& conninfo :
       {std::string("host=127.0.0.1 port=nan"), std::string("host=127.0.0.1 connect_timeout=nan"),
        std::string("host=127.0.0.1 keepalives_idle=0x10"), std::string("postgresql://127.0.0.1:0x10/db")}) {
    INFO(conninfo);
    checkRefused(runProcess({pgreachBinary(), "diagnose", conninfo}, std::chrono::seconds(10)),
                 conninfo.find("keepalives") != std::string::npos        ? "keepalives_idle"
                 : conninfo.find("connect_timeout") != std::string::npos ? "connect_timeout"
                                                                         : "port");
  }
  for (const std::string& env : {std::string("PGPORT=nan"), std::string("PGCONNECT_TIMEOUT=2sx")}) {
    INFO(env);
    checkRefused(runProcess({pgreachBinary(), "diagnose", "host=127.0.0.1"}, std::chrono::seconds(10), {env}),
                 env.find("PGPORT") == 0 ? "port" : "connect_timeout");
  }
}
