// The report outputs end to end, with the real binary: the support bundle holds no
// secret, the HTML renders in headless Chromium, Prometheus files are replaced
// atomically, fleets run from --config with a lock, and --store writes to a real
// PostgreSQL 15 started here. Traffic goes to 127.0.0.1 only.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>

#include "reports/render/render.h"
#include "reports/synthetic.h"
#include "support/process.h"
#include "util/atomic_file.h"
#include "util/fd.h"

using namespace pgreach;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

struct TempDir {
  std::string path;
  TempDir() {
    char tmpl[] = "/tmp/pgreach-reports-XXXXXX";
    REQUIRE(::mkdtemp(tmpl) != nullptr);
    path = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

// A listening socket on 127.0.0.1 (port chosen by the kernel).
util::Fd listener(uint16_t& port) {
  util::Fd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  REQUIRE(fd.valid());
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(fd.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  REQUIRE(::listen(fd.get(), 16) == 0);
  socklen_t len = sizeof a;
  REQUIRE(::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&a), &len) == 0);
  port = ntohs(a.sin_port);
  return fd;
}

uint16_t closedPort() {
  uint16_t port = 0;
  { auto fd = listener(port); }  // closed again: nothing listens there now
  return port;
}

std::string slurp(const fs::path& p) {
  auto r = util::readFile(p.string());
  REQUIRE(r);
  return *r;
}

// Inflates a PNG's IDAT stream and counts distinct byte values: a blank (one-colour)
// screenshot filters down to a handful, a rendered report to many.
size_t pngDistinctBytes(const std::string& png) {
  REQUIRE(png.size() > 8);
  REQUIRE(png.compare(1, 3, "PNG") == 0);
  std::string idat;
  for (size_t p = 8; p + 8 <= png.size();) {
    const uint32_t len = (static_cast<uint8_t>(png[p]) << 24) | (static_cast<uint8_t>(png[p + 1]) << 16) |
                         (static_cast<uint8_t>(png[p + 2]) << 8) | static_cast<uint8_t>(png[p + 3]);
    const std::string type = png.substr(p + 4, 4);
    if (p + 12 + len > png.size()) break;
    if (type == "IDAT") idat += png.substr(p + 8, len);
    p += 12 + len;
  }
  REQUIRE_FALSE(idat.empty());
  z_stream zs{};
  REQUIRE(inflateInit(&zs) == Z_OK);
  zs.next_in = reinterpret_cast<Bytef*>(idat.data());
  zs.avail_in = static_cast<uInt>(idat.size());
  std::set<unsigned char> seen;
  unsigned char buf[65536];
  int rc = Z_OK;
  while (rc == Z_OK) {
    zs.next_out = buf;
    zs.avail_out = sizeof buf;
    rc = inflate(&zs, Z_NO_FLUSH);
    for (size_t i = 0; i < sizeof buf - zs.avail_out; ++i) seen.insert(buf[i]);
  }
  inflateEnd(&zs);
  return seen.size();
}

}  // namespace

TEST_CASE("the support bundle holds no password or pscale_pw_ token", "[integration]") {
  TempDir dir;
  const uint16_t port = closedPort();
  const std::string secret1 = "pscale_pw_AbCdEfGhIjKlMnOp1234567890";
  const std::string secret2 = "Sup3r-Secret-Pw";
  for (const auto& [conninfo, secret] :
       {std::pair{
            "host=127.0.0.1 port=" + std::to_string(port) + " user=role.main dbname=app password=" + secret1,
            secret1},
        std::pair{
            "postgresql://app:" + secret2 + "@127.0.0.1:" + std::to_string(port) + "/app?sslmode=require",
            secret2}}) {
    const std::string bundle = dir.path + "/bundle.tar.gz";
    auto r = testing::runProcess({testing::pgreachBinary(), "diagnose", conninfo, "--provider", "planetscale",
                                  "--timeout", "500ms", "--bundle", bundle, "--mask-addresses"},
                                 30s);
    INFO(r.err);
    CHECK(r.exitCode == 2);
    CHECK(r.out.find(secret) == std::string::npos);
    CHECK(r.err.find(secret) == std::string::npos);
    const std::string out = dir.path + "/x";
    fs::remove_all(out);
    fs::create_directories(out);
    auto tar = testing::runProcess({"tar", "-xzf", bundle, "-C", out}, 10s);
    REQUIRE(tar.exitCode == 0);
    std::set<std::string> names;
    for (const auto& e : fs::recursive_directory_iterator(out)) {
      if (!e.is_regular_file()) continue;
      names.insert(e.path().filename().string());
      const std::string text = slurp(e.path());
      INFO(e.path().string());
      CHECK(text.find(secret) == std::string::npos);
      CHECK(text.find("pscale_pw_") == std::string::npos);
      CHECK(text.find("127.0.0.1") == std::string::npos);  // --mask-addresses
      CHECK(e.path().string().find(secret) == std::string::npos);
    }
    for (const char* n : {"report.md", "report.html", "report.json", "options.json", "versions.txt"})
      CHECK(names.count(n));
    const std::string versions = slurp(fs::path(out) / "pgreach-bundle" / "versions.txt");
    CHECK(versions.find("libpq ") != std::string::npos);
    CHECK(versions.find("OpenSSL") != std::string::npos);
    CHECK(versions.find("ldns ") != std::string::npos);
  }
}

TEST_CASE("the HTML report renders in headless Chromium", "[integration]") {
  TempDir dir;
  const std::string html = dir.path + "/report.html";
  REQUIRE(util::writeFileAtomically(html, *reports::render(testing::planetscaleDroppedReport(), "html", {})));
  const std::string png = dir.path + "/shot.png";
  auto r =
      testing::runProcess({"chromium", "--headless", "--no-sandbox", "--disable-gpu",
                           "--disable-background-networking", "--disable-component-update", "--disable-sync",
                           "--no-first-run", "--user-data-dir=" + dir.path + "/profile",
                           "--screenshot=" + png, "--window-size=1200,1600", "file://" + html},
                          90s);
  INFO(r.err);
  REQUIRE(fs::exists(png));
  const std::string bytes = slurp(png);
  CHECK(bytes.size() > 20000);
  CHECK(pngDistinctBytes(bytes) > 32);
}

// What the browser shows, measured in the page: a copy of the report with one inline script
// (the report's own CSP allows none; the copy's allows inline script and nothing else)
// that writes its findings into a <pre id="pgreach-check"> which --dump-dom prints.
const char* kMeasureScript = R"js(<script>
(function () {
  var out = [];
  function hiddenBy(el) {
    for (var e = el; e; e = e.parentElement) {
      if (e.tagName === 'DETAILS' && !e.open) return true;
      var cs = getComputedStyle(e);
      if (cs.display === 'none' || cs.visibility === 'hidden') return true;
    }
    return false;
  }
  function visibleText(text) {
    var walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (var n = walk.nextNode(); n; n = walk.nextNode()) {
      if (n.nodeValue.indexOf(text) < 0) continue;
      var el = n.parentElement;
      if (el.closest('svg')) continue;
      if (!hiddenBy(el) && el.getClientRects().length > 0) return 1;
    }
    return 0;
  }
  var svg = document.querySelector('svg');
  out.push('svg=' + (svg && svg.getBoundingClientRect().width > 0 ? 1 : 0));
  var texts = 0, clipped = 0;
  document.querySelectorAll('svg g.hop').forEach(function (g) {
    var r = g.querySelector('rect');
    var x0 = r.x.baseVal.value, x1 = x0 + r.width.baseVal.value;
    var y0 = r.y.baseVal.value, y1 = y0 + r.height.baseVal.value;
    g.querySelectorAll('text').forEach(function (t) {
      texts++;
      var b = t.getBBox();
      if (b.x < x0 + 1 || b.x + b.width > x1 - 1 || b.y < y0 || b.y + b.height > y1) {
        clipped++;
        out.push('clipped: ' + t.textContent + ' ' + b.width.toFixed(1) + ' in ' + (x1 - x0));
      }
    });
  });
  out.push('texts=' + texts);
  out.push('clipped=' + clipped);
  var v = document.querySelector('.verdict');
  out.push('verdict=' + (v && !hiddenBy(v) && v.getBoundingClientRect().height > 0 ? v.textContent : ''));
  (window.pgreachWanted || []).forEach(function (w) { out.push('visible ' + visibleText(w) + ': ' + w); });
  var pre = document.createElement('pre');
  pre.id = 'pgreach-check';
  pre.textContent = '\n' + out.join('\n') + '\n';
  document.body.appendChild(pre);
})();
</script>)js";

// Renders `report` to DIR/name.html, a measuring copy beside it, and returns what the
// script found (the text of <pre id="pgreach-check">, HTML-escaped as the DOM dump has it).
std::string measureInChromium(const reports::Report& report, const std::string& dir, const std::string& name,
                              const std::vector<std::string>& wanted, const std::string& screenshot = "") {
  std::string html = *reports::render(report, "html", {});
  REQUIRE(util::writeFileAtomically(dir + "/" + name + ".html", html));
  const std::string csp = "default-src 'none';";
  const auto cspAt = html.find(csp);
  REQUIRE(cspAt != std::string::npos);
  html.replace(cspAt, csp.size(), "default-src 'none'; script-src 'unsafe-inline';");
  std::string wantedJs = "<script>window.pgreachWanted = [";
  for (const auto& w : wanted) wantedJs += "'" + w + "',";
  wantedJs += "];</script>";
  html.replace(html.rfind("</body>"), 7, wantedJs + kMeasureScript + "</body>");
  const std::string measured = dir + "/" + name + ".measure.html";
  REQUIRE(util::writeFileAtomically(measured, html));
  std::vector<std::string> argv{"chromium",
                                "--headless",
                                "--no-sandbox",
                                "--disable-gpu",
                                "--disable-background-networking",
                                "--disable-component-update",
                                "--disable-sync",
                                "--no-first-run",
                                "--user-data-dir=" + dir + "/profile-" + name,
                                "--window-size=1400,1800",
                                "--dump-dom",
                                "file://" + measured};
  auto r = testing::runProcess(argv, 90s);
  INFO(r.err);
  REQUIRE(r.exitCode == 0);
  const auto at = r.out.find("<pre id=\"pgreach-check\">");
  REQUIRE(at != std::string::npos);
  std::string found = r.out.substr(at, r.out.find("</pre>", at) - at);
  if (!screenshot.empty()) {
    argv.pop_back();
    argv.pop_back();
    argv.push_back("--screenshot=" + screenshot);
    argv.push_back("file://" + dir + "/" + name + ".html");
    auto shot = testing::runProcess(argv, 90s);
    INFO(shot.err);
    CHECK(fs::exists(screenshot));
  }
  return found;
}

TEST_CASE("headless Chromium shows the verdict, the path and the warning text, with no label clipped",
          "[integration][html]") {
  TempDir dir;
  // PGREACH_SCREENSHOT_DIR keeps the screenshots (for a review note); by default they go
  // with the temporary directory.
  const char* keep = std::getenv("PGREACH_SCREENSHOT_DIR");
  const std::string shots = keep ? keep : dir.path;
  SECTION("a WARNING report") {
    const auto found =
        measureInChromium(testing::warningReport(), dir.path, "warning",
                          {"the server certificate expires in 9 days", "not after 2026-11-30T12:00:00Z"},
                          shots + "/pgreach-warning.png");
    INFO(found);
    CHECK(found.find("\nsvg=1\n") != std::string::npos);
    CHECK(found.find("\nclipped=0\n") != std::string::npos);
    CHECK(found.find("\ntexts=0\n") == std::string::npos);
    CHECK(found.find("\nverdict=PGREACH WARNING") != std::string::npos);
    CHECK(found.find("visible 1: the server certificate expires in 9 days") != std::string::npos);
    CHECK(found.find("visible 1: not after 2026-11-30T12:00:00Z") != std::string::npos);
  }
  SECTION("a CRITICAL report") {
    const auto found =
        measureInChromium(testing::planetscaleDroppedReport(), dir.path, "critical",
                          {"2 of 4 address/port pair(s) got no answer (SYN dropped): port 6432",
                           "10.40.2.120:6432 no answer within 3000 ms"},
                          shots + "/pgreach-critical.png");
    INFO(found);
    CHECK(found.find("\nsvg=1\n") != std::string::npos);
    CHECK(found.find("\nclipped=0\n") != std::string::npos);
    CHECK(found.find("\nverdict=PGREACH CRITICAL") != std::string::npos);
    CHECK(found.find("visible 1: 2 of 4 address/port pair(s) got no answer") != std::string::npos);
    CHECK(found.find("visible 1: 10.40.2.120:6432 no answer within 3000 ms") != std::string::npos);
  }
  SECTION("the labels of a target given as an address") {
    const auto found =
        measureInChromium(testing::literalIpReport(), dir.path, "literal", {"given as an address"});
    INFO(found);
    CHECK(found.find("\nclipped=0\n") != std::string::npos);
    CHECK(found.find("visible 1: given as an address") != std::string::npos);
  }
}

TEST_CASE("the Prometheus file is replaced atomically", "[integration]") {
  TempDir dir;
  const std::string prom = dir.path + "/pgreach.prom";
  const std::string conninfo = "host=127.0.0.1 port=" + std::to_string(closedPort());
  auto first = testing::runProcess(
      {testing::pgreachBinary(), "diagnose", conninfo, "--format", "prometheus", "-o", prom}, 30s);
  REQUIRE(first.exitCode == 2);
  const std::string before = slurp(prom);
  CHECK(before.find("pgreach_up{") != std::string::npos);
  util::Fd old(::open(prom.c_str(), O_RDONLY | O_CLOEXEC));
  REQUIRE(old.valid());
  struct stat st1 {
  }, st2{};
  REQUIRE(::fstat(old.get(), &st1) == 0);
  auto second = testing::runProcess(
      {testing::pgreachBinary(), "diagnose", conninfo, "--format", "prometheus", "-o", prom}, 30s);
  REQUIRE(second.exitCode == 2);
  REQUIRE(::stat(prom.c_str(), &st2) == 0);
  CHECK(st1.st_ino != st2.st_ino);  // a new file renamed over the old one
  std::string oldContent(static_cast<size_t>(st1.st_size), '\0');
  CHECK(::pread(old.get(), oldContent.data(), oldContent.size(), 0) ==
        static_cast<ssize_t>(oldContent.size()));
  CHECK(oldContent == before);  // a reader holding the old file saw it whole
  size_t files = 0;
  for (const auto& e : fs::directory_iterator(dir.path)) files += e.is_regular_file() ? 1 : 0;
  CHECK(files == 1);  // no temporary files left behind
}

TEST_CASE("a --config fleet runs every target, exits with the worst status and never overlaps",
          "[integration]") {
  TempDir dir;
  uint16_t openPort = 0;
  auto listening = listener(openPort);
  const uint16_t closed = closedPort();
  const std::string config = dir.path + "/fleet.ini";
  const std::string out = dir.path + "/out";
  {
    std::ofstream f(config);
    // The command line's --format replaces the file's (command line > target > global), so
    // both formats are asked for there.
    f << "# three targets on loopback\nonly = dns,tcp\ntimeout = 1s\n\n"
      << "[target.open]\nconninfo = host=127.0.0.1 port=" << openPort
      << " user=app password=fleet-secret-pw\n\n"
      << "[target.closed]\nconninfo = host=127.0.0.1 port=" << closed << "\n\n"
      << "[target.malformed]\nconninfo = postgresql://app@[::1\n";
  }
  const std::string bundle = dir.path + "/fleet.tar.gz";
  auto r = testing::runProcess({testing::pgreachBinary(), "diagnose", "--config", config, "--output-dir", out,
                                "--format", "json", "--format", "markdown", "--bundle", bundle},
                               60s);
  INFO(r.out << r.err);
  CHECK(r.exitCode == 2);
  CHECK(r.out.find("fleet-secret-pw") == std::string::npos);
  for (const char* name : {"open", "closed", "malformed"}) {
    INFO(name);
    CHECK(fs::exists(fs::path(out) / (std::string(name) + ".json")));
    CHECK(fs::exists(fs::path(out) / (std::string(name) + ".md")));
  }
  auto verdictOf = [&](const char* name) {
    return nlohmann::json::parse(slurp(fs::path(out) / (std::string(name) + ".json")))["verdict"]
        .get<std::string>();
  };
  CHECK(verdictOf("open") == "ok");
  CHECK(verdictOf("closed") == "critical");
  CHECK(verdictOf("malformed") == "unknown");
  auto combined = nlohmann::json::parse(slurp(fs::path(out) / "combined.json"));
  CHECK(combined["exit_code"] == 2);
  CHECK(combined["targets"].size() == 3);
  for (const auto& e : fs::directory_iterator(out)) {
    if (e.is_regular_file()) CHECK(slurp(e.path()).find("fleet-secret-pw") == std::string::npos);
  }

  // --bundle shared by every target: one bundle per target, named after it (the malformed
  // one too: its report says what was wrong with the input).
  CHECK_FALSE(fs::exists(bundle));
  for (const char* name : {"open", "closed", "malformed"}) {
    const std::string file = dir.path + "/fleet-" + name + ".tar.gz";
    INFO(file);
    REQUIRE(fs::exists(file));
    const std::string x = dir.path + "/x-" + name;
    fs::create_directories(x);
    REQUIRE(testing::runProcess({"tar", "-xzf", file, "-C", x}, 10s).exitCode == 0);
    const auto json = nlohmann::json::parse(slurp(fs::path(x) / "pgreach-bundle" / "report.json"));
    CHECK(json["verdict"] == verdictOf(name));
    for (const auto& e : fs::recursive_directory_iterator(x)) {
      if (e.is_regular_file()) CHECK(slurp(e.path()).find("fleet-secret-pw") == std::string::npos);
    }
  }

  // A run still in progress holds the lock: a second one refuses to start.
  util::Fd lock(::open((fs::path(out) / ".pgreach.lock").c_str(), O_RDWR | O_CLOEXEC));
  REQUIRE(lock.valid());
  REQUIRE(::flock(lock.get(), LOCK_EX | LOCK_NB) == 0);
  auto second = testing::runProcess(
      {testing::pgreachBinary(), "diagnose", "--config", config, "--output-dir", out}, 30s);
  CHECK(second.exitCode == 3);
  CHECK(second.err.find("still in progress") != std::string::npos);
}

namespace {

size_t occurrences(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t p = text.find(what); p != std::string::npos; p = text.find(what, p + 1)) ++n;
  return n;
}

// `promtool check metrics` from Debian's prometheus package (scripts/install-deps.sh): the
// exposition a Prometheus server and node_exporter would accept (no duplicate HELP/TYPE,
// no duplicate series, lint clean). Missing, the test fails: it used to warn and pass.
void checkWithPromtool(const std::string& file) {
  REQUIRE(testing::runProcess({"sh", "-c", "command -v promtool"}, 10s).exitCode == 0);
  auto p = testing::runProcess({"sh", "-c", "promtool check metrics < \"$0\"", file}, 30s);
  INFO(file << "\n" << p.out << p.err);
  CHECK(p.exitCode == 0);
  CHECK(p.out + p.err == "");
}

}  // namespace

TEST_CASE("a three-target fleet on one host gives three distinct series, suites and named reports",
          "[integration]") {
  TempDir dir;
  uint16_t openPort = 0;
  auto listening = listener(openPort);
  const uint16_t closed = closedPort();
  const std::string config = dir.path + "/fleet.ini";
  {
    // Two targets with the same conninfo: only the fleet name tells them apart.
    std::ofstream f(config);
    f << "only = dns,tcp\ntimeout = 1s\n\n"
      << "[target.primary]\nconninfo = host=127.0.0.1 port=" << openPort << " dbname=app\n\n"
      << "[target.replica]\nconninfo = host=127.0.0.1 port=" << openPort << " dbname=app\n\n"
      << "[target.down]\nconninfo = host=127.0.0.1 port=" << closed << " dbname=app\n";
  }
  const std::vector<std::string> names{"primary", "replica", "down"};
  auto fleet = [&](std::vector<std::string> extra) {
    std::vector<std::string> argv{testing::pgreachBinary(), "diagnose", "--config", config};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return testing::runProcess(argv, 60s);
  };

  SECTION("--output-dir: one .prom file per target; the series differ, every check has one") {
    const std::string out = dir.path + "/out";
    auto r = fleet({"--format", "prometheus", "--format", "json", "--output-dir", out});
    INFO(r.out << r.err);
    CHECK(r.exitCode == 2);
    std::set<std::string> up;
    for (const auto& name : names) {
      const std::string file = out + "/" + name + ".prom";
      const std::string text = slurp(file);
      INFO(text);
      CHECK(text.find(",name=\"" + name + "\",port=\"") != std::string::npos);
      CHECK(occurrences(text, "pgreach_check_status{") == occurrences(text, "pgreach_check_success{"));
      // Every check of the report has its status series, the skipped ones too.
      const auto json = nlohmann::json::parse(slurp(out + "/" + name + ".json"));
      CHECK(json["target"]["name"] == name);
      for (const auto& c : json["checks"]) {
        const std::string series = "pgreach_check_status{target=\"127.0.0.1\",name=\"" + name + "\",port=\"" +
                                   std::to_string(json["target"]["port"].get<int>()) +
                                   "\",dbname=\"app\",check=\"" + c["id"].get<std::string>() + "\"";
        INFO(series);
        CHECK(text.find(series) != std::string::npos);
        if (c["status"] == "skip")
          CHECK(text.find(series + ",stage=\"" + c["stage"].get<std::string>() + "\"} 4\n") !=
                std::string::npos);
      }
      std::istringstream in(text);
      for (std::string ln; std::getline(in, ln);) {
        if (ln.rfind("pgreach_up{", 0) == 0) up.insert(ln.substr(0, ln.find('}')));
      }
      checkWithPromtool(file);
    }
    CHECK(up.size() == 3);  // what node_exporter's textfile collector needs to keep all three

    // The same folder read by a real node_exporter (Debian's prometheus-node-exporter, the
    // textfile collector alone, on a free loopback port): it exports every pgreach series
    // of each of the three targets, logs no collision, and promtool accepts the scrape.
    const std::string scrape = dir.path + "/scrape.prom", log = dir.path + "/node_exporter.log";
    const char* script = R"(dir=$0; port=$1; scrape=$2; log=$3
      prometheus-node-exporter --collector.disable-defaults --collector.textfile \
        --collector.textfile.directory "$dir" --web.listen-address "127.0.0.1:$port" \
        --web.disable-exporter-metrics >"$log" 2>&1 &
      pid=$!; trap 'kill $pid' EXIT
      for i in $(seq 100); do
        python3 -c 'import sys, urllib.request; sys.stdout.write(urllib.request.urlopen(
          "http://127.0.0.1:" + sys.argv[1] + "/metrics", timeout=2).read().decode())' "$port" >"$scrape" \
          2>/dev/null && exit 0
        sleep 0.1
      done
      exit 1)";
    REQUIRE(testing::runProcess({"sh", "-c", "command -v prometheus-node-exporter"}, 10s).exitCode == 0);
    auto exporter =
        testing::runProcess({"sh", "-c", script, out, std::to_string(closedPort()), scrape, log}, 30s);
    const std::string scraped = slurp(scrape);
    INFO(exporter.err << slurp(log) << scraped);
    REQUIRE(exporter.exitCode == 0);
    CHECK(slurp(log).find("collected before") == std::string::npos);
    CHECK(scraped.find("node_textfile_scrape_error 0") != std::string::npos);
    // Each series without the target's own labels (name, target, port, dbname): every
    // one of them exported once per target, for the three targets.
    std::map<std::string, std::set<std::string>> namesBySeries;
    size_t exported = 0, written = 0;
    // [{,] so that dbname="..." is not taken for name="...".
    const std::regex nameLabel(R"re([{,]name="([^"]*)")re");
    const std::regex ownLabels(R"re(([{,])(target|name|port|dbname)="[^"]*")re");
    std::istringstream in(scraped);
    for (std::string ln; std::getline(in, ln);) {
      if (ln.rfind("pgreach_", 0) != 0) continue;
      ++exported;
      std::smatch m;
      REQUIRE(std::regex_search(ln, m, nameLabel));
      namesBySeries[std::regex_replace(ln.substr(0, ln.find('}')), ownLabels, "$1")].insert(m[1]);
    }
    for (const auto& name : names) {
      std::istringstream file(slurp(out + "/" + name + ".prom"));
      for (std::string ln; std::getline(file, ln);) written += ln.rfind("pgreach_", 0) == 0;
    }
    CHECK(exported == written);
    CHECK(exported >= 3 * 6);
    for (const auto& [series, seen] : namesBySeries) {
      // What a run found (pgreach_finding, pgreach_root_cause) is evidence of that run: two
      // runs against one closed port may differ (a capture, a retry), so those are not
      // expected once per target.
      if (series.rfind("pgreach_finding{", 0) == 0 || series.rfind("pgreach_root_cause{", 0) == 0) continue;
      INFO(series);
      CHECK(seen == std::set<std::string>(names.begin(), names.end()));
    }
    checkWithPromtool(scrape);
  }

  SECTION("stdout, one format: one exposition document, the per-target lines on stderr") {
    auto r = fleet({"--format", "prometheus"});
    INFO(r.out << r.err);
    CHECK(r.exitCode == 2);
    CHECK(occurrences(r.out, "# HELP pgreach_up ") == 1);
    CHECK(occurrences(r.out, "# TYPE pgreach_check_status gauge") == 1);
    CHECK(occurrences(r.out, "\npgreach_up{") == 3);
    CHECK(r.out.find("PGREACH") == std::string::npos);
    CHECK(r.err.find("down: PGREACH CRITICAL") != std::string::npos);
    const std::string file = dir.path + "/stdout.prom";
    std::ofstream(file) << r.out;
    checkWithPromtool(file);
  }

  SECTION("JUnit: one testsuite per target, named after it") {
    auto r = fleet({"--format", "junit"});
    INFO(r.out << r.err);
    CHECK(occurrences(r.out, "<testsuites ") == 1);
    CHECK(occurrences(r.out, "<testsuite ") == 3);
    for (const auto& name : names) {
      CHECK(r.out.find("<testsuite name=\"pgreach " + name + " (127.0.0.1)\"") != std::string::npos);
      CHECK(r.out.find("classname=\"pgreach." + name + ".tcp\"") != std::string::npos);
    }
  }

  SECTION("JSON: stdout is one document, each target's report carries its name") {
    auto r = fleet({"--format", "json"});
    INFO(r.out << r.err);
    const auto j = nlohmann::json::parse(r.out);  // throws (fails) on concatenated documents
    REQUIRE(j["targets"].size() == 3);
    for (size_t i = 0; i < names.size(); ++i) {
      CHECK(j["targets"][i]["name"] == names[i]);
      CHECK(j["targets"][i]["report"]["target"]["name"] == names[i]);
    }
    CHECK(j["targets"][2]["report"]["verdict"] == "critical");
    const std::string out = dir.path + "/json";
    REQUIRE(fleet({"--format", "json", "--output-dir", out}).exitCode == 2);
    CHECK(nlohmann::json::parse(slurp(out + "/replica.json"))["target"]["name"] == "replica");
  }

  SECTION("-o FILE: the fleet's one document goes to the file") {
    const std::string file = dir.path + "/fleet.xml";
    auto r = fleet({"--format", "junit", "-o", file});
    INFO(r.out << r.err);
    CHECK(r.exitCode == 2);
    CHECK(occurrences(slurp(file), "<testsuite ") == 3);
    CHECK(r.out.find("replica: PGREACH OK") != std::string::npos);
  }

  SECTION("two formats to one stream are refused with the fix, exit 3") {
    auto r = fleet({"--format", "json", "--format", "text"});
    CHECK(r.exitCode == 3);
    CHECK(r.out.empty());
    CHECK(r.err.find(
              "stdout takes one --format (2 given); use --output-dir DIR to write one file per format") !=
          std::string::npos);
    CHECK(occurrences(r.err, "\n") == 1);
    auto single = testing::runProcess(
        {testing::pgreachBinary(), "diagnose", "host=127.0.0.1 port=1", "--format", "json,text"}, 30s);
    CHECK(single.exitCode == 3);
    CHECK(single.out.empty());
    CHECK(single.err ==
          "pgreach: stdout takes one --format (2 given); use --output-dir DIR to write one file "
          "per format\n");
  }
}

TEST_CASE("explain prints the catalogue entry; an unknown code lists close matches", "[integration]") {
  auto ok = testing::runProcess({testing::pgreachBinary(), "explain", "tcp.silently_dropped"}, 10s);
  CHECK(ok.exitCode == 0);
  CHECK(ok.out.find("security group") != std::string::npos);
  auto bad = testing::runProcess({testing::pgreachBinary(), "explain", "tcp.dropped"}, 10s);
  CHECK(bad.exitCode == 3);
  CHECK(bad.err.find("did you mean: tcp.silently_dropped") != std::string::npos);
}

namespace {

// A PostgreSQL 15 cluster in a temp dir, owned by the postgres user, on a free loopback
// port, with a password-protected superuser. Stopped (immediate) on destruction.
struct TempPostgres {
  TempDir dir;
  std::string bin = "/usr/lib/postgresql/15/bin/";
  std::string data;
  uint16_t port = 0;
  bool started = false;
  explicit TempPostgres(const std::string& password) {
    data = dir.path + "/data";
    REQUIRE(::chmod(dir.path.c_str(), 0755) == 0);
    {
      std::ofstream pw(dir.path + "/pw");
      pw << password << "\n";
    }
    REQUIRE(testing::runProcess({"chown", "-R", "postgres:postgres", dir.path}, 10s).exitCode == 0);
    auto init =
        testing::runProcess({"runuser", "-u", "postgres", "--", bin + "initdb", "-D", data, "-U", "postgres",
                             "--pwfile=" + dir.path + "/pw", "--auth=scram-sha-256", "-E", "UTF8"},
                            120s);
    INFO(init.out << init.err);
    REQUIRE(init.exitCode == 0);
    port = closedPort();
    auto start = testing::runProcess(
        {"runuser", "-u", "postgres", "--", bin + "pg_ctl", "-D", data, "-w", "-t", "60", "-l",
         dir.path + "/log", "-o",
         "-p " + std::to_string(port) + " -k " + dir.path + " -c listen_addresses=127.0.0.1", "start"},
        90s);
    INFO(start.out << start.err);
    REQUIRE(start.exitCode == 0);
    started = true;
  }
  ~TempPostgres() {
    if (started) {
      testing::runProcess(
          {"runuser", "-u", "postgres", "--", bin + "pg_ctl", "-D", data, "-m", "immediate", "stop"}, 60s);
    }
  }
  std::string dsn(const std::string& password) const {
    return "host=127.0.0.1 port=" + std::to_string(port) +
           " user=postgres dbname=postgres password=" + password;
  }
};

}  // namespace

TEST_CASE("--store appends the JSON report to a real PostgreSQL 15; the DSN password never shows",
          "[integration]") {
  const std::string pw = "store-secret-pw-42";
  TempPostgres pg(pw);
  TempDir out;
  const std::string conninfo = "host=127.0.0.1 port=" + std::to_string(closedPort());
  for (int run = 0; run < 2; ++run) {
    auto r = testing::runProcess({testing::pgreachBinary(), "diagnose", conninfo, "--format", "json",
                                  "--output-dir", out.path, "--store", pg.dsn(pw)},
                                 60s);
    INFO(r.out << r.err);
    CHECK(r.exitCode == 2);
    CHECK(r.err.find("warning") == std::string::npos);
    CHECK(r.err.find("NOTICE") == std::string::npos);  // the second run's CREATE ... IF NOT EXISTS is quiet
    CHECK((r.out + r.err).find(pw) == std::string::npos);
  }
  auto q = testing::runProcess(
      {pg.bin + "psql", "-X", "-A", "-t", "-c",
       "SELECT count(*), count(DISTINCT run_at), min(verdict), min(report->>'verdict') FROM pgreach_runs",
       pg.dsn(pw)},
      30s);
  INFO(q.err);
  CHECK(q.out == "2|2|critical|critical\n");
  auto idx =
      testing::runProcess({pg.bin + "psql", "-X", "-A", "-t", "-c",
                           "SELECT count(*) FROM pg_indexes WHERE tablename = 'pgreach_runs'", pg.dsn(pw)},
                          30s);
  CHECK(idx.out == "4\n");  // primary key, time, target+time, name+time (docs/store.md)

  // A wrong password: a warning without the password, the local report still written.
  fs::remove(fs::path(out.path) / "report.json");
  auto bad = testing::runProcess({testing::pgreachBinary(), "diagnose", conninfo, "--format", "json",
                                  "--output-dir", out.path, "--store", pg.dsn("wrong-pw-xyz")},
                                 60s);
  CHECK(bad.exitCode == 2);
  CHECK(bad.err.find("warning: --store") != std::string::npos);
  CHECK(bad.err.find("wrong-pw-xyz") == std::string::npos);
  CHECK(fs::exists(fs::path(out.path) / "report.json"));
}
