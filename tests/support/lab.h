#pragma once
// Access to the lab (tests/lab/lab.sh) from [lab] tests. scripts/test.sh brings the lab
// up once per run and tears it down; tests only switch scenarios and run commands in
// the client namespace. A [lab] test on a machine without the lab fails loudly.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/process.h"

namespace pgreach::testing {

std::string labPrefix();        // PGREACH_LAB_PREFIX, default "pgr"
std::string labScript();        // tests/lab/lab.sh in the source tree
std::string clientNamespace();  // "<prefix>-client"

// Switches the lab to `scenario`; REQUIREs success (fails the test with lab.sh's output).
void labScenario(const std::string& scenario);

// Runs pgreach with `args` inside the client namespace.
ProcessResult pgreachInClient(const std::vector<std::string>& args,
                              std::chrono::milliseconds limit = std::chrono::seconds(60));

// Runs any command inside the client namespace.
ProcessResult runInClient(const std::vector<std::string>& argv,
                          std::chrono::milliseconds limit = std::chrono::seconds(30));

// A value from `lab.sh env` (e.g. "LAB_CA_CERT"), or "" if unset.
std::string labEnv(const std::string& key);

// A keyword/value conninfo for `host` as the lab's client: the lab's user and database,
// sslmode=verify-full against the lab's CA bundle, then `extra`.
std::string labConninfo(const std::string& host, const std::string& extra = "");

// The check `id` of a JSON report; FAILs the test when the report has none.
const nlohmann::json& reportCheck(const nlohmann::json& report, const std::string& id);

}  // namespace pgreach::testing
