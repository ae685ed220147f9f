#!/usr/bin/env python3
"""Test (TAP): c-bridge/meson.build declares exactly the bridged subsystems
whose headers have static inline functions.

bindgen wraps those functions in a C file only when there are some, and
Meson must know beforehand whether that file exists.  Finding out by
reading the headers at configure time made every header touch re-run
Meson, so the answer is declared (bridge_inline_subsystems) and checked
here, against the headers each wrapper.h includes.

Usage: check-inline-declared.py SOURCE_DIR --declared SUB... --all SUB...
"""
import argparse
import os
import re
import sys

INCLUDE = re.compile(r'^#include "([^"]+)"', re.MULTILINE)
# Comments may say "static inline" (i2c/i2c.h says it has none).
COMMENT = re.compile(r"/\*.*?\*/|//[^\n]*", re.DOTALL)


def has_static_inline(source, sub):
    wrapper = os.path.join(source, "c-bridge", f"{sub}-sys", "wrapper.h")
    with open(wrapper, encoding="utf-8") as f:
        headers = INCLUDE.findall(f.read())
    for header in headers:
        with open(os.path.join(source, "include", header), encoding="utf-8") as f:
            if "static inline" in COMMENT.sub("", f.read()):
                return True
    return False


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source")
    parser.add_argument("--declared", nargs="*", default=[])
    parser.add_argument("--all", nargs="+", required=True)
    args = parser.parse_args()
    print(f"1..{len(args.all)}")
    failed = 0
    for n, sub in enumerate(args.all, 1):
        found, declared = has_static_inline(args.source, sub), sub in args.declared
        if found == declared:
            print(f"ok {n} - {sub}: {'has' if found else 'no'} static inline functions, as declared")
        else:
            failed += 1
            print(f"not ok {n} - {sub}: the headers {'have' if found else 'have no'} static "
                  f"inline functions: {'add' if found else 'remove'} '{sub}' "
                  f"{'to' if found else 'from'} bridge_inline_subsystems in c-bridge/meson.build")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
