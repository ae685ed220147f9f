#!/usr/bin/env python3
"""Summarise a `meson test` run from its testlog.json.

Prints failed and skipped tests by name, then the final line
"N passed, N failed" that CI reads.  Exits non-zero when anything failed or
when no test ran at all.  A test logged as OK whose program exited non-zero
counts as failed, and so does a skipped test whose program exited with a
status other than 0 or 77 (tests/scripts/check-test-summary.py).
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
        if result == "OK" and entry.get("returncode", 0) != 0:
            # Meson's 'rust' protocol judges a test by its subtests only: a
            # test binary that dies afterwards (LeakSanitizer at exit, an
            # abort in a destructor) or mid-test (an ASan report) is still
            # "OK" in its log.  Its status says otherwise.
            failed.append(f"{name} (exited with status {entry['returncode']} after its subtests passed)")
        elif result in SKIPPED and entry.get("returncode", 0) not in (0, 77):
            # A test skips by exiting 77 (or by TAP's "1..0 # SKIP", status
            # 0).  Meson also logs SKIP for a 'rust' protocol test whose
            # program printed no results, e.g. a rustdoc that refused its
            # command line and exited 1: that is a failure.
            failed.append(f"{name} (skipped, but exited with status {entry['returncode']})")
        elif result in PASSED:
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
