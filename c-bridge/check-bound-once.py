#!/usr/bin/env python3
"""Test (TAP): no C type, function, constant or variable is bound by two
bridge crates.  Each -sys crate allowlists its own subsystem's headers and
blocklists the lower layers', so every item must appear in exactly one
crate's generated bindings; a duplicate means bindgen.args lost a blocklist.

Usage: check-bound-once.py CRATE=BINDINGS.rs ...
"""
import re
import sys

# Top-level items, and functions/statics declared in extern blocks.
TOP = re.compile(r"^pub (?:struct|union|enum|type|const|static(?: mut)?|fn) (\w+)")
EXTERN_ITEM = re.compile(r"^    pub (?:fn|static(?: mut)?) (\w+)")


def items(path):
    found = set()
    in_extern = False
    with open(path, encoding="utf-8") as f:
        for line in f:
            if re.match(r'^(unsafe )?extern "C" \{', line):
                in_extern = True
            elif line.startswith("}"):
                in_extern = False
            m = TOP.match(line) or (in_extern and EXTERN_ITEM.match(line))
            if m:
                found.add(m.group(1))
    return found


def main():
    owner = {}
    dups = []
    counts = []
    for arg in sys.argv[1:]:
        crate, path = arg.split("=", 1)
        names = items(path)
        counts.append(f"{crate}: {len(names)}")
        for n in sorted(names):
            if n in owner:
                dups.append(f"{n} in {owner[n]} and {crate}")
            else:
                owner[n] = crate
    ok = bool(owner) and not dups
    print("1..1")
    print(f"{'ok' if ok else 'not ok'} 1 - every C item is bound by one crate ({', '.join(counts)})")
    for d in dups:
        print(f"# bound twice: {d}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
