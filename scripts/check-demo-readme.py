#!/usr/bin/env python3
"""Compares the shape of the demo's sg-missing-6432 text report with the README's sample.

    scripts/check-demo-readme.py README.md out/demo/sg-missing-6432.txt

The README shows what `scripts/demo.sh` prints for that scenario; the values (times,
paths) change from run to run, the shape must not: the verdict line's status and code,
the header lines, each Path row's label and mark, the root cause's stage and code, and
its `related:` lines (the security group the cloud audit names: without --aws-json,
as when the demo's SIGPIPE bug dropped it, there are none). Prints each difference as
`README:LINE` and exits 1; exits 0 when the shapes agree.
"""
import re
import sys

# Lines that carry the shape, each reduced to what must match. Continuation lines of a
# Path row (more addresses, more ports) vary with the lab and are not compared.
PATTERNS = [
    (re.compile(r"^(PGREACH \w+ - [a-z_.]+):"), "verdict"),
    (re.compile(r"^(Target|Provider|Playbook|Path):"), "header"),
    (re.compile(r"^  (\[[A-Za-z ]+\] \w+)"), "path row"),
    (re.compile(r"^(Root cause \(\w+\)):"), "root cause"),
    (re.compile(r"^  (code:  \S+)"), "code"),
    (re.compile(r"^  (fix:)"), "fix"),
    (re.compile(r"^  (related: [a-z_.]+):"), "related"),
    (re.compile(r"^  (see:)"), "see"),
]


def shape(lines):
    out = []
    for number, line in enumerate(lines, 1):
        for pattern, kind in PATTERNS:
            m = pattern.match(line)
            if m:
                out.append((number, kind, m.group(1)))
                break
    return out


def readme_sample(text):
    m = re.search(r"^## Sample report\n.*?^```\n(.*?)^```", text, re.S | re.M)
    if not m:
        sys.exit("check-demo-readme: README has no '## Sample report' code block")
    first = text[: m.start(1)].count("\n") + 1
    return first, m.group(1).splitlines()


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    first, sample = readme_sample(open(sys.argv[1], encoding="utf-8").read())
    report = open(sys.argv[2], encoding="utf-8").read().splitlines()
    want = shape(sample)
    got = shape(report)
    # The sample stops at "...": everything it shows must come first in the report, in
    # order; the report may go on.
    errors = []
    for i, (number, kind, key) in enumerate(want):
        have = got[i][2] if i < len(got) else "(nothing)"
        if have != key:
            errors.append(f"README.md:{first + number - 1}: {kind}: README has {key!r}, the demo {have!r}")
    related_want = sum(1 for _, kind, _ in want if kind == "related")
    related_got = sum(1 for _, kind, _ in got if kind == "related")
    if related_want != related_got:
        errors.append(f"related: lines: README has {related_want}, the demo {related_got}")
    for e in errors:
        print(e)
    if errors:
        print(f"check-demo-readme: {sys.argv[2]} does not have the README sample's shape ({len(errors)} differences)")
        return 1
    print(f"check-demo-readme: {sys.argv[2]} has the README sample's shape ({len(want)} lines compared)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
