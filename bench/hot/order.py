#!/usr/bin/env python3
"""Prints the functions of BINARY that lie on a code page some run executed (one mangled
name a line), from the page lists touched_pages.c wrote: first those of the lists before
"--" (`--version`: what every command runs, so it shares the fewest pages), then the rest,
each group in address order. That is
the order file the link reads (CMakeLists.txt, "memory"). A function counts as run when
any of its pages was, so the list is a superset at page granularity; generating it again
from a binary linked with it makes it tighter."""
import subprocess
import sys


def main():
    if len(sys.argv) < 3:
        sys.exit("usage: order.py BINARY [FIRST_PAGES... --] PAGES...")
    binary, lists = sys.argv[1], sys.argv[2:]
    groups = [lists[:lists.index("--")], lists[lists.index("--") + 1:]] if "--" in lists else [lists]
    # The lists give file offsets; nm gives addresses. The code segment's program header says
    # how far apart they are (0 with GNU ld, a page with lld).
    headers = subprocess.run(["readelf", "-lW", binary], check=True, capture_output=True, text=True)
    shift = next(int(p[2], 16) - int(p[1], 16) for p in (line.split() for line in headers.stdout.splitlines())
                 if p[:1] == ["LOAD"] and p[-2:-1] == ["E"])
    def pages(paths):
        run = set()
        for path in paths:
            with open(path) as f:
                for line in f:
                    perm, offset, present = line.split()
                    if perm == "r-xp" and present == "1":
                        run.add((int(offset, 16) + shift) // 4096)
        return run

    runs = [pages(g) for g in groups]
    nm = subprocess.run(["nm", "-S", "--defined-only", binary], check=True, capture_output=True, text=True)
    functions = []
    for line in nm.stdout.splitlines():
        parts = line.split()
        if len(parts) == 4 and parts[2] in "tTwWiI" and int(parts[1], 16) > 0:
            functions.append((int(parts[0], 16), int(parts[1], 16), parts[3]))
    seen, size = set(), 0
    for run in runs:
        for address, length, name in sorted(functions):
            if name in seen or not any(p in run for p in range(address // 4096, (address + length - 1) // 4096 + 1)):
                continue
            seen.add(name)
            size += length
            print(name)
    run = set().union(*runs)
    print(f"order.py: {len(run)} code pages run, {len(seen)} functions, {size} bytes", file=sys.stderr)


main()
