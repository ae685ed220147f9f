#!/usr/bin/env python3
"""rivet benchmarks, run by `make bench` (meson run_target 'bench').

CPU: boots the CPU-bound bench firmware, reads the number of retired guest
instructions from the `-d cpu` dump, and reports guest MIPS.  When Debian's
qemu-user can run the Linux build of the same workload, both are timed in
this same run and the ratio of our time to qemu's is printed, after checking
they printed the same checksum.  Figures are ratios measured in one run: the
machine is noisy, so no absolute threshold is enforced here.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time


def timed(command: list[str], repeat: int) -> tuple[float, str]:
    """Best wall time of `repeat` runs, and the stdout of the last one."""
    best = float("inf")
    out = ""
    for _ in range(repeat):
        start = time.perf_counter()
        proc = subprocess.run(command, capture_output=True, text=True)
        elapsed = time.perf_counter() - start
        if proc.returncode != 0:
            sys.exit(f"bench: {' '.join(command)} failed ({proc.returncode}):\n"
                     f"{proc.stdout}{proc.stderr}")
        best = min(best, elapsed)
        out = proc.stdout
    return best, out


def checksum_line(output: str) -> str:
    lines = [line for line in output.splitlines() if "checksum" in line]
    return lines[-1].strip() if lines else ""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rivet", required=True)
    parser.add_argument("--firmware", required=True, help="bench firmware ELF")
    parser.add_argument("--linux", help="the same workload built for Linux")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        log = os.path.join(tmp, "cpu.log")
        rivet_time, rivet_out = timed(
            [args.rivet, "-serial", "stdio", "-bios", args.firmware,
             "-d", "cpu", "-D", log], args.repeat)
        with open(log) as f:
            match = re.search(r"insn_count (\d+)", f.read())
    if not match:
        sys.exit("bench: no insn_count in the -d cpu dump")
    insns = int(match.group(1))
    print(f"cpu: {insns} guest instructions in {rivet_time:.3f} s "
          f"(best of {args.repeat})")
    print(f"cpu: {insns / rivet_time / 1e6:.1f} guest MIPS")
    print(f"cpu: rivet says: {checksum_line(rivet_out)}")

    qemu = shutil.which("qemu-riscv64")
    if not args.linux or not os.path.exists(args.linux) or not qemu:
        print("cpu: qemu-riscv64 or the Linux build of the workload is "
              "missing: no comparison")
        return 0
    qemu_time, qemu_out = timed([qemu, args.linux], args.repeat)
    if checksum_line(qemu_out) != checksum_line(rivet_out):
        sys.exit(f"bench: checksums differ: rivet '{checksum_line(rivet_out)}'"
                 f" vs qemu-user '{checksum_line(qemu_out)}'")
    print(f"cpu: qemu-riscv64 (JIT, user mode) ran the same workload in "
          f"{qemu_time:.3f} s")
    print(f"cpu: time ratio rivet/qemu-user = {rivet_time / qemu_time:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
