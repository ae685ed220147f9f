#!/usr/bin/env python3
"""-d in_asm logs every instruction the hart runs, once.

The interpreter runs most instructions from its decoded cache without
fetching them through the slow path that logs; with in_asm on, every fetch
must go there.  The smc firmware (which rewrites its own code, and takes
no fetch fault, whose instruction is counted but never fetched) logs as
many instructions as the `-d cpu` dump's insn_count, and a run of
bench-int stopped by -save-at N logs exactly N.
Usage: in-asm-every-insn.py RIVET SMC_ELF BENCH_INT_ELF
"""
import os
import re
import subprocess
import sys
import tempfile

from host_command import host_command, step_timeout

SAVE_POINT = 200_000


def logged(rivet: str, firmware: str, log: str, *args: str) -> list[str]:
    subprocess.run(host_command([rivet, "-serial", "null", "-bios", firmware,
                                 "-D", log, *args]),
                   check=True, capture_output=True, timeout=step_timeout(60))
    with open(log) as f:
        return f.read().splitlines()


def main() -> int:
    rivet, smc, bench_int = sys.argv[1:4]
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        log = os.path.join(tmp, "log")
        lines = logged(rivet, smc, log, "-d", "in_asm,cpu")
        insns = [line for line in lines if line.startswith("0x")]
        count = re.search(r"^insn_count (\d+)$", "\n".join(lines), re.MULTILINE)
        if not count or int(count.group(1)) != len(insns):
            failures.append(f"smc: {len(insns)} instructions logged, "
                            f"insn_count {count and count.group(1)}")
        snapshot = os.path.join(tmp, "snapshot")
        insns = logged(rivet, bench_int, log, "-d", "in_asm", "-save-at",
                       f"{SAVE_POINT},file:{snapshot}")
        if len(insns) != SAVE_POINT:
            failures.append(f"bench-int -save-at {SAVE_POINT}: "
                            f"{len(insns)} instructions logged")
    for failure in failures:
        print(f"in-asm-every-insn: {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
