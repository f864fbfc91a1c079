// --cloud-live on the client VM itself (the lab's client namespace, address 10.40.1.10):
// without --client-ip, the client's NIC is found in `az network nic list` by the host's
// own address, and its NIC-level NSG is evaluated. The az CLI is the fake one
// (tests/data/cloud/fake-az); nothing leaves the machine.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "support/lab.h"
#include "support/process.h"

using namespace pgreach::testing;

TEST_CASE("lab: --cloud-live finds the client's NIC by the host's own address, without --client-ip",
          "[lab]") {
  const std::string src = PGREACH_SOURCE_DIR;
  const std::string path = src + "/tests/data/cloud/fake-az:/usr/sbin:/usr/bin:/sbin:/bin";
  auto r =
      runInClient({"env", "PATH=" + path, "FAKE_AZ_DIR=" + src + "/tests/lab/cloud/azure/healthy",
                   "FAKE_AZ_EFFECTIVE=" + src + "/tests/data/cloud/azure-live/effective-nic-deny-6432.json",
                   pgreachBinary(), "audit", "host=labserver.postgres.database.azure.com", "--cloud-live",
                   "--format", "json"},
                  std::chrono::seconds(30));
  INFO(r.out << r.err);
  CHECK(r.exitCode == 2);  // the healthy exports, but the client NIC's NSG denies 6432
  const auto j = nlohmann::json::parse(r.out);
  bool nicDeny = false, clientFromHost = false;
  for (const auto& c : j["checks"]) {
    if (c["id"] == "cloud.context") clientFromHost = c["data"]["client"]["ip"] == "10.40.1.10";
    if (c["id"] != "cloud.azure.path") continue;
    for (const auto& f : c["findings"]) {
      const std::string s = f.dump();
      if (f["code"] == "cloud.nsg_denied" &&
          s.find("client NIC network security group outbound") != std::string::npos &&
          s.find("DenyPgBouncerOut") != std::string::npos)
        nicDeny = true;
    }
  }
  CHECK(clientFromHost);
  CHECK(nicDeny);
}
