#pragma once
// The clouds pgreach audits, one entry each: what the CLI offers (--<kind>-json DIR) and
// how cloud.context reads that folder. Each cloud defines its entry in its own
// <kind>_cloud.cpp (`CloudKind awsCloud()`, declared in its <kind>_eval.h) and the table
// in registry.cpp lists it on one line. The CLI declares the options and cloud.context
// loads the exports by iterating the registry, so nothing else names a cloud to load it.
//
// An explicit table, not self-registration from static initialisers: the check registry
// reads every check's CheckInfo while static objects are still being built, and
// cloud.correlate's names each cloud's checks; a cloud registered by a static object in
// a later object file would not be there yet.
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
// The registry, built from the table on first use. Tests add a fake cloud for a scope with
// util::ScopedRegistration<CloudKind>(clouds(), "fake", kind).
CloudRegistry& clouds();
// Every registered cloud, by kind: the order --help lists their options in and the
// order cloud.context loads and reports them.
std::vector<const CloudKind*> cloudsInOrder();

}  // namespace pgreach::cloud
