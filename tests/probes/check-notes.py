#!/usr/bin/env python3
"""The USDT probes in the emulator binary are exactly the defined events.

Reads the stapsdt notes with `readelf -n` and compares their provider:name
set with `probegen.py list`: a probe site that lost its definition, or an
event that no code fires any more, fails the test.  With -Dprobes=disabled
the binary must carry no notes and no probe semaphores at all.  Exit 77
(skip) when this build has no USDT probes or readelf is missing.
"""
import argparse
import re
import shutil
import subprocess
import sys

SKIP = 77


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mode", required=True, help="the build's probes mode")
    parser.add_argument("--rivet", required=True)
    parser.add_argument("--no-usdt-reason", default="",
                        help="why a build with the log backend has no USDT probes")
    parser.add_argument("--probegen", required=True)
    parser.add_argument("defs", nargs="+")
    args = parser.parse_args()

    readelf = shutil.which("readelf")
    if not readelf:
        print("SKIP: readelf (binutils) is not installed")
        return SKIP
    notes = subprocess.run([readelf, "-n", "--wide", args.rivet], capture_output=True,
                           text=True, check=True).stdout
    found = set()
    for m in re.finditer(r"Provider: (\S+)\s+Name: (\S+)", notes):
        found.add(f"{m.group(1)}:{m.group(2)}")
    symbols = subprocess.run([readelf, "-s", "--wide", args.rivet], capture_output=True,
                             text=True, check=True).stdout

    if args.mode == "disabled":
        leftovers = sorted(set(re.findall(r"\brivet_\w+_semaphore\b", symbols)))
        if found or "stapsdt" in notes or leftovers:
            print(f"FAIL: -Dprobes=disabled but the binary has probes: {sorted(found)} {leftovers}")
            return 1
        print("ok - no stapsdt notes and no probe semaphores with -Dprobes=disabled")
        return 0
    if args.mode != "usdt":
        print(f"SKIP: this build has no USDT probes (probes mode '{args.mode}': "
              f"{args.no_usdt_reason})")
        return SKIP

    listed = subprocess.run([sys.executable, args.probegen, "list"] + args.defs,
                            capture_output=True, text=True, check=True).stdout.split()
    defined = set(listed)
    status = 0
    for name in sorted(defined - found):
        print(f"not ok - {name} is defined but no code in {args.rivet} fires it")
        status = 1
    for name in sorted(found - defined):
        print(f"not ok - {name} is in the binary but not defined in probes/")
        status = 1
    if status == 0:
        print(f"ok - the {len(found)} provider:name probes in the binary are exactly "
              "the defined events")
    return status


if __name__ == "__main__":
    sys.exit(main())
