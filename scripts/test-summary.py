#!/usr/bin/env python3
"""Summarise a `meson test` run from its testlog.json.

Prints failed and skipped tests by name, then the final line
"N passed, N failed" that CI reads.  Exits non-zero when anything failed or
when no test ran at all.
"""
import json
import pathlib
import sys

PASSED = {"OK", "EXPECTEDFAIL"}
SKIPPED = {"SKIP"}


def main() -> int:
    log = pathlib.Path(sys.argv[1]) / "meson-logs" / "testlog.json"
    if not log.exists():
        print(f"no test log at {log}: did meson test run?")
        print("0 passed, 1 failed")
        return 1
    passed, failed, skipped = [], [], []
    for line in log.read_text().splitlines():
        entry = json.loads(line)
        name = f"{entry.get('suite', ['?'])[0]} / {entry['name']}"
        result = entry["result"]
        if result in PASSED:
            passed.append(name)
        elif result in SKIPPED:
            skipped.append(name)
        else:
            failed.append(f"{name} ({result})")
    for name in failed:
        print(f"FAILED:  {name}")
    for name in skipped:
        print(f"skipped: {name}")
    if skipped:
        print(f"{len(skipped)} skipped")
    print(f"{len(passed)} passed, {len(failed)} failed")
    return 1 if failed or not passed else 0


if __name__ == "__main__":
    sys.exit(main())
