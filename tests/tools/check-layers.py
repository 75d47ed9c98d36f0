#!/usr/bin/env python3
"""Check that the folders of src/ include each other in one direction only.

The layer order is read from docs/design.md (the line starting with
"Layer order:"), lowest first: `util < result < ese < bits < carve, evtx < ...`.
Folders joined by a comma share a layer and must not include each other.
A quoted include "folder/file.h" of src/ is allowed only from the same folder
or from a higher layer; "bitsparse/..." is the public include/ tree, usable
everywhere. Fails (exit 1) on an upward or sideways include, on a cycle
between folders, and on a folder of src/ that the order does not name.

usage: check-layers.py [ROOT]      ROOT defaults to the repository root
       check-layers.py --self-test plants bad includes in a scratch tree
"""
import os
import re
import sys
import tempfile

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')
ORDER_LINE = re.compile(r'^Layer order:\s*`([^`]+)`', re.M)
PUBLIC = "bitsparse"  # include/bitsparse/*.h


def read_order(root):
    """folder -> rank, from docs/design.md."""
    with open(os.path.join(root, "docs", "design.md"), encoding="utf-8") as f:
        match = ORDER_LINE.search(f.read())
    if not match:
        sys.exit("check-layers: no 'Layer order: `...`' line in docs/design.md")
    rank = {}
    for level, group in enumerate(match.group(1).split("<")):
        for folder in group.split(","):
            rank[folder.strip()] = level
    return rank


def includes(src):
    """(from_folder, to_folder, file, line number) for every quoted include of src/."""
    folders = {d for d in os.listdir(src) if os.path.isdir(os.path.join(src, d))}
    for folder in sorted(folders):
        for dirpath, _, names in os.walk(os.path.join(src, folder)):
            for name in sorted(names):
                if not name.endswith((".c", ".h")):
                    continue
                path = os.path.join(dirpath, name)
                with open(path, encoding="utf-8", errors="replace") as f:
                    for number, line in enumerate(f, 1):
                        m = INCLUDE.match(line)
                        if m and "/" in m.group(1):
                            target = m.group(1).split("/")[0]
                            if target in folders:
                                yield folder, target, os.path.relpath(path, src), number
    return folders


def find_cycle(edges):
    """One cycle of the folder graph as a list, or None."""
    state, stack = {}, []

    def visit(node):
        state[node] = 1
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(edges):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def check(root):
    src = os.path.join(root, "src")
    rank = read_order(root)
    errors, edges = [], {}
    folders = {d for d in os.listdir(src) if os.path.isdir(os.path.join(src, d))}
    for folder in sorted(folders - set(rank)):
        errors.append(f"src/{folder}/: not in the layer order of docs/design.md")
    for origin, target, path, number in includes(src):
        if origin == target or target == PUBLIC:
            continue
        edges.setdefault(origin, set()).add(target)
        if origin not in rank or target not in rank:
            continue
        if rank[target] > rank[origin]:
            errors.append(f"src/{path}:{number}: {origin} includes {target}, a higher layer")
        elif rank[target] == rank[origin]:
            errors.append(f"src/{path}:{number}: {origin} includes {target}, of the same layer")
    cycle = find_cycle(edges)
    if cycle:
        errors.append("include cycle between folders: " + " -> ".join(cycle))
    for e in errors:
        print(e)
    if not errors:
        print(f"check-layers: {len(folders)} folders, {sum(len(v) for v in edges.values())} "
              "folder dependencies, all downward")
    return 1 if errors else 0


def self_test():
    """The check must pass a clean tree and fail each kind of bad include."""
    cases = {
        "clean": ('#include "low/a.h"\n', 0),
        "upward": ('#include "high/b.h"\n', 1),
    }
    results = []
    for label, (low_include, want) in cases.items():
        with tempfile.TemporaryDirectory() as root:
            os.makedirs(os.path.join(root, "docs"))
            with open(os.path.join(root, "docs", "design.md"), "w") as f:
                f.write("Layer order: `low < mid, side < high`\n")
            for folder, text in {"low": low_include, "mid": '#include "low/a.h"\n',
                                 "side": "", "high": '#include "mid/c.h"\n#include "bitsparse/bitsparse.h"\n'}.items():
                os.makedirs(os.path.join(root, "src", folder))
                with open(os.path.join(root, "src", folder, "x.c"), "w") as f:
                    f.write(text)
            got = check(root)
            results.append((label, got, want))
    # a sideways include and a folder missing from the order
    with tempfile.TemporaryDirectory() as root:
        os.makedirs(os.path.join(root, "docs"))
        with open(os.path.join(root, "docs", "design.md"), "w") as f:
            f.write("Layer order: `low < mid, side`\n")
        for folder, text in {"low": "", "mid": '#include "side/s.h"\n', "side": "", "stray": ""}.items():
            os.makedirs(os.path.join(root, "src", folder))
            with open(os.path.join(root, "src", folder, "x.c"), "w") as f:
                f.write(text)
        results.append(("sideways+stray", check(root), 1))
    failed = [r for r in results if r[1] != r[2]]
    for label, got, want in results:
        print(f"self-test {label}: exit {got}, expected {want}")
    return 1 if failed else 0


if __name__ == "__main__":
    if sys.argv[1:] == ["--self-test"]:
        sys.exit(self_test())
    sys.exit(check(sys.argv[1] if len(sys.argv) > 1 else
                   os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
