#!/usr/bin/env python3
"""Checks every #include "..." in src/, checks/ and reports/ against the layer graph
(docs/ARCHITECTURE.md) and prints each violation as file:line. Exit 1 when any.

The build already refuses most wrong-way includes (a layer's include path holds only
the layers it links); this also catches an arrow that a careless target_link_libraries
would let through, and names the rule that was broken."""
import os
import re
import sys

# Which layers a layer may include directly; what they may include comes along.
GRAPH = {
    "util": [],
    "net": ["util"],
    "target": ["net"],
    "cloud": ["net"],
    "engine": ["target", "cloud"],
    "checks/common": ["engine"],
    # every other checks/<area>: engine and checks/common (added below)
    "report": ["engine"],
    "render": ["report"],
    "cli": ["engine"],
    "app": ["render", "cli"],
    "main": ["app"],
}
SRC_LAYERS = ["util", "net", "target", "cloud", "engine", "cli", "app"]


def layer_of_file(path):
    """The layer a source file belongs to, from its folder."""
    parts = path.split("/")
    if path == "src/main.cpp":
        return "main"
    if parts[0] == "src" and len(parts) > 2 and parts[1] in SRC_LAYERS:
        return parts[1]
    if parts[0] == "checks" and len(parts) > 2:
        return "checks/" + parts[1]
    if parts[0] == "reports" and len(parts) > 2 and parts[1] in ("report", "render"):
        return parts[1]
    return None


def layer_of_include(spelling):
    """The layer an include spelling names ("engine/check.h" -> engine)."""
    parts = spelling.split("/")
    if len(parts) < 2:
        return None
    if parts[0] in SRC_LAYERS:
        return parts[0]
    if parts[0] == "checks" and len(parts) > 2:
        return "checks/" + parts[1]
    if parts[0] == "reports" and len(parts) > 2 and parts[1] in ("report", "render"):
        return parts[1]
    return None


def allowed(layer, graph, seen=None):
    """The layer itself and everything it may reach."""
    seen = set() if seen is None else seen
    if layer in seen:
        return seen
    seen.add(layer)
    for d in graph.get(layer, []):
        allowed(d, graph, seen)
    return seen


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    os.chdir(root)
    graph = dict(GRAPH)
    for area in sorted(os.listdir("checks")):
        if os.path.isdir(os.path.join("checks", area)) and area != "common":
            graph["checks/" + area] = ["engine", "checks/common"]
    include = re.compile(r'^\s*#\s*include\s+"([^"]+)"')
    violations = 0
    for top in ("src", "checks", "reports"):
        for dirpath, _, names in os.walk(top):
            for name in sorted(names):
                if not name.endswith((".h", ".cpp")):
                    continue
                path = os.path.join(dirpath, name)
                layer = layer_of_file(path)
                if layer is None:
                    print(f"{path}:1: not in any layer's folder")
                    violations += 1
                    continue
                ok = allowed(layer, graph)
                with open(path, encoding="utf-8") as f:
                    for lineno, line in enumerate(f, 1):
                        m = include.match(line)
                        if not m:
                            continue
                        target = layer_of_include(m.group(1))
                        if target is None:
                            print(f'{path}:{lineno}: "{m.group(1)}" is not spelled <layer>/<file>')
                            violations += 1
                        elif target not in ok:
                            print(f'{path}:{lineno}: {layer} may not include "{m.group(1)}" ({target}); '
                                  f"{layer} may include: {', '.join(sorted(ok))}")
                            violations += 1
    if violations:
        print(f"check-includes: {violations} include(s) against the layer graph (docs/ARCHITECTURE.md)")
        return 1
    print("check-includes: every include follows the layer graph")
    return 0


if __name__ == "__main__":
    sys.exit(main())
