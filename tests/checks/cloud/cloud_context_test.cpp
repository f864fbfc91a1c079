// cloud.context over the cloud registry: a cloud registered once (a fake here) is loaded
// from its --<kind>-json folder, listed file by file, asked where the client sits, and
// named in the skip reason, with no edit to cloud.context.
#include <catch2/catch.hpp>

#include "cloud/registry.h"
#include "engine/cloud_facts.h"
#include "engine/registry.h"

using namespace pgreach;
using engine::CheckResult;

namespace {

class FakeNetwork final : public cloud::CloudNetwork {
 public:
  explicit FakeNetwork(std::vector<cloud::ExportOutcome> outcomes) : outcomes_(std::move(outcomes)) {
    for (const auto& o : outcomes_) {
      if (o.read()) files_.push_back(o.file);
    }
  }
  std::string_view kind() const override { return "fake"; }
  const std::vector<cloud::ExportOutcome>& outcomes() const override { return outcomes_; }
  const std::vector<std::string>& files() const override { return files_; }
  bool inExportedSubnet(const net::IpAddress&) const override { return false; }
  void placeClient(const std::optional<net::IpAddress>& ip, cloud::ClientPlacement& p) const override {
    if (ip && p.subnetId.empty()) p.subnetId = "fake-subnet-1";
    p.cidrs.push_back("10.9.0.0/16");
    p.resolvers.push_back("10.9.0.2");
  }
  std::vector<cloud::SelectedEndpoint> selectEndpoints(const cloud::EndpointQuery&) const override {
    return {};
  }
  cloud::PathVerdict evaluatePath(const cloud::PathQuery&) const override { return {}; }

 private:
  std::vector<cloud::ExportOutcome> outcomes_;
  std::vector<std::string> files_;
};

// A cloud whose folder loads as `outcomes`, or fails with `error` when it is set.
cloud::CloudKind fakeKind(std::vector<cloud::ExportOutcome> outcomes, std::string error = "") {
  return {"fake", "Fake", "cloud audit: folder of fake exports",
          [outcomes, error](const std::string&) -> Expected<std::shared_ptr<const cloud::CloudNetwork>> {
            if (!error.empty()) return makeError(error);
            return std::shared_ptr<const cloud::CloudNetwork>(std::make_shared<const FakeNetwork>(outcomes));
          }};
}

CheckResult runContext(const engine::RunConfig& opts) {
  auto target = target::Target::parse("host=db.example.internal");
  REQUIRE(target.ok());
  engine::SteadyClockSource clock;
  engine::CheckContext ctx(*target, opts, clock, clock.now() + std::chrono::seconds(5), {});
  for (auto& c : engine::Registry::instance().createAll()) {
    if (c->info().id == "cloud.context") return c->run(ctx);
  }
  FAIL("no cloud.context");
  return {};
}

bool has(const CheckResult& r, const std::string& code) {
  return std::any_of(r.findings.begin(), r.findings.end(),
                     [&](const engine::Finding& f) { return f.code == code; });
}

}  // namespace

TEST_CASE("cloud.context loads a registered cloud's folder and places the client through it",
          "[unit][cloud]") {
  util::ScopedRegistration<cloud::CloudKind> fake(
      cloud::clouds(), "fake",
      fakeKind({{"things.json", {{"Things", 2}}, ""}, {"notes.txt", {}, "not valid JSON"}}));
  engine::RunConfig opts;
  opts.cloud.exportDirs = {{"fake", "/exports/fake"}};
  opts.cloud.clientIp = "10.9.1.5";
  opts.dns.vpcCidrs = {"10.9.0.0/16", "192.168.0.0/24"};
  auto r = runContext(opts);
  CHECK(r.status == engine::Status::Pass);
  CHECK(r.summary == "client 10.9.1.5 in fake-subnet-1 (from flags)");
  const auto* facts = r.factsAs<engine::CloudContextFacts>();
  REQUIRE(facts);
  REQUIRE(facts->networks.size() == 1);
  CHECK(facts->network("fake") != nullptr);
  CHECK(facts->exportDir("fake") == "/exports/fake");
  CHECK(facts->client.subnetId == "fake-subnet-1");
  // Flags first, the cloud's ranges after, each once.
  CHECK(facts->vpcCidrs == std::vector<std::string>{"10.9.0.0/16", "192.168.0.0/24"});
  CHECK(facts->platformResolvers == std::vector<std::string>{"10.9.0.2"});
  const auto j = facts->toJson();
  CHECK(j["fake_dir"] == "/exports/fake");
  CHECK(j["fake_files"] == nlohmann::json::array({"things.json"}));
  CHECK(j["ignored_files"] == nlohmann::json::array({"notes.txt"}));
  REQUIRE(j["export_files"].size() == 2);
  CHECK(j["export_files"][0]["cloud"] == "fake");
  REQUIRE(has(r, "cloud.export_files"));
  CHECK(r.findings.front().summary == "export files: 1 read, 1 ignored");
  CHECK(r.findings.front().evidence.size() == 2);
  CHECK(r.findings.front().evidence[0].rfind("fake things.json", 0) == 0);
}

TEST_CASE("cloud.context names a registered cloud in its own messages", "[unit][cloud]") {
  SECTION("a folder with no file is unusable, by the cloud's display name") {
    util::ScopedRegistration<cloud::CloudKind> fake(cloud::clouds(), "fake", fakeKind({}));
    engine::RunConfig opts;
    opts.cloud.exportDirs = {{"fake", "/exports/empty"}};
    auto r = runContext(opts);
    CHECK(r.status == engine::Status::Error);
    CHECK(r.summary == "no usable export file: nothing could be audited");
    auto it = std::find_if(r.findings.begin(), r.findings.end(),
                           [](const engine::Finding& f) { return f.code == "cloud.exports_unusable"; });
    REQUIRE(it != r.findings.end());
    CHECK(it->summary == "Fake export /exports/empty: the folder holds no file");
  }
  SECTION("a folder that cannot be read is our failure, by the cloud's display name") {
    util::ScopedRegistration<cloud::CloudKind> fake(cloud::clouds(), "fake", fakeKind({}, "boom"));
    engine::RunConfig opts;
    opts.cloud.exportDirs = {{"fake", "/exports/broken"}};
    auto r = runContext(opts);
    CHECK(r.status == engine::Status::Error);
    CHECK(r.summary == "Fake export: boom");
  }
  SECTION("without any input the skip reason lists every cloud's option") {
    util::ScopedRegistration<cloud::CloudKind> fake(cloud::clouds(), "fake", fakeKind({}));
    auto r = runContext(engine::RunConfig{});
    CHECK(r.status == engine::Status::Skip);
    CHECK(r.summary ==
          "no cloud inputs: give --aws-json DIR, --azure-json DIR, --fake-json DIR, --cloud-live or --imds");
  }
}

TEST_CASE("cloud.correlate waits for every registered cloud's endpoint and path checks", "[unit][cloud]") {
  // Its CheckInfo is built while static objects are constructed (the check registry asks
  // for the id then): the clouds must already be known, whatever the link order.
  for (const auto& info : engine::Registry::instance().infos()) {
    if (info.id != "cloud.correlate") continue;
    CHECK(info.after == std::vector<std::string>{"cloud.context", "cloud.aws.endpoint", "cloud.aws.path",
                                                 "cloud.azure.endpoint", "cloud.azure.path", "dns.resolve",
                                                 "tcp.connect"});
    return;
  }
  FAIL("no cloud.correlate");
}
