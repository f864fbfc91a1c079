#pragma once
// The clouds pgreach audits, one entry each: what the CLI offers (--<kind>-json DIR) and
// how cloud.context reads that folder. A cloud registers itself from its own
// <kind>_cloud.cpp with `namespace { RegisterCloud registered{{...}}; }`, so adding one
// touches no shared file: the CLI declares its option and cloud.context loads its
// exports by iterating the registry.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "cloud/cloud.h"
#include "util/expected.h"
#include "util/registry.h"

namespace pgreach::cloud {

struct CloudKind {
  std::string kind;         // "aws": the registry name, the option's prefix, the check ids' middle part
  std::string displayName;  // "AWS": how messages name it ("AWS export: ...")
  std::string optionHelp;   // the --help line of --<kind>-json
  // Called by cloud.context, once per run, for the folder given to --<kind>-json (or
  // collected by --cloud-live). Every file is recorded in the network's outcomes(); an
  // error is an operational failure (the folder cannot be read), never a finding.
  std::function<Expected<std::shared_ptr<const CloudNetwork>>(const std::string& dir)> load;

  // "aws-json": the CLI option naming the export folder.
  std::string optionName() const { return kind + "-json"; }
};

using CloudRegistry = util::Registry<CloudKind>;
// The registry the clouds add themselves to.
CloudRegistry& clouds();
// Every registered cloud, by kind: the order --help lists their options in and the
// order cloud.context loads and reports them (not link order, which may change).
std::vector<const CloudKind*> cloudsInOrder();

struct RegisterCloud {
  explicit RegisterCloud(CloudKind k) {
    std::string name = k.kind;
    clouds().add(std::move(name), std::move(k));
  }
};

}  // namespace pgreach::cloud
