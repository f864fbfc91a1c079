#pragma once
// The fast way through `aws ec2 describe-security-groups` output, which is most of an
// account's bytes (100,000 rules are ~15 MB): SAX events become SecurityGroup values
// directly, with no DOM and no field paths built. It knows only the well-formed shape.
// Anything else (a wrong type, a missing GroupId, a bad CIDR, a syntax error, a duplicate
// key) makes it give up, and the caller reads the file the exact way, whose message names
// the file and the field. So it never decides what an error says, only how fast a good
// file is read.
#include <string_view>
#include <vector>

#include "cloud/aws_model.h"

namespace pgreach::cloud {

// Appends the groups of `text` to `out` and returns true when `text` is a top-level
// object whose "SecurityGroups" array it fully understood; returns false and leaves `out`
// as it was otherwise (also when there is no "SecurityGroups" key).
bool parseSecurityGroupsFast(std::string_view text, std::vector<SecurityGroup>& out);

}  // namespace pgreach::cloud
