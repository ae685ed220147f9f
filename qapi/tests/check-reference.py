#!/usr/bin/env python3
"""Test (TAP): docs/qmp-reference.md is what the schema's doc comments
give.  With --update, rewrites it (`meson compile update-qmp-reference`).

Usage: check-reference.py [--update] GENERATED COMMITTED
"""
import shutil
import sys


def main(argv):
    update = argv[:1] == ["--update"]
    generated, committed = argv[1:] if update else argv
    if update:
        shutil.copyfile(generated, committed)
        print(f"qapi: wrote {committed}")
        return 0
    with open(generated, encoding="utf-8") as f:
        want = f.read()
    try:
        with open(committed, encoding="utf-8") as f:
            have = f.read()
    except OSError:
        have = None
    print("1..1")
    if have == want:
        print("ok 1 - docs/qmp-reference.md matches the schema")
        return 0
    print("not ok 1 - docs/qmp-reference.md matches the schema")
    print("# regenerate it: meson compile -C build update-qmp-reference")
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
