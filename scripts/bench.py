#!/usr/bin/env python3
"""rivet benchmarks, run by `make bench` (meson run_target 'bench').

CPU: boots the CPU-bound bench firmware, reads the number of retired guest
instructions from the `-d cpu` dump, and reports guest MIPS.  When Debian's
qemu-user can run the Linux build of the same workload, both are timed in
this same run and the ratio of our time to qemu's is printed, after checking
they printed the same checksum.  Figures are ratios measured in one run: the
machine is noisy, so no absolute threshold is enforced here.

Probes: with --mmio-firmware and --rivet-noprobes (the Makefile builds a
second emulator with -Dprobes=disabled and passes it in the environment as
RIVET_BENCH_NOPROBES), the MMIO-heavy firmware runs on both, interleaved,
and the cost of probes compiled in but not attached is printed: CPU time
(median of the rounds) and, with valgrind, host instructions (exact).
"""
import argparse
import os
import re
import shutil
import statistics
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


def cpu_seconds(command: list[str]) -> float:
    """User + system CPU time of one run: less noisy than wall time."""
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode(errors="replace")
    proc.stderr.close()
    if proc.returncode != 0:
        sys.exit(f"bench: {' '.join(command)} failed ({proc.returncode}):\n{err}")
    return usage.ru_utime + usage.ru_stime


def host_instructions(command: list[str]) -> int | None:
    """Host instructions of one run under callgrind, or None without it."""
    valgrind = shutil.which("valgrind")
    if not valgrind:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        proc = subprocess.run(
            [valgrind, "--tool=callgrind",
             "--callgrind-out-file=" + os.path.join(tmp, "cg.out")] + command,
            capture_output=True, text=True, stdin=subprocess.DEVNULL)
    match = re.search(r"Collected : (\d+)", proc.stderr)
    if proc.returncode != 0 or not match:
        sys.exit(f"bench: callgrind run failed:\n{proc.stderr[-2000:]}")
    return int(match.group(1))


def probes_overhead(rivet: str, rivet_noprobes: str, firmware: str,
                    rounds: int) -> None:
    """Probes compiled in but not attached vs -Dprobes=disabled."""
    with_probes = [rivet, "-serial", "null", "-bios", firmware]
    without = [rivet_noprobes, "-serial", "null", "-bios", firmware]
    on, off = [], []
    # Interleaved, so drift in machine load hits both alike.
    for _ in range(rounds):
        on.append(cpu_seconds(with_probes))
        off.append(cpu_seconds(without))
    med_on, med_off = statistics.median(on), statistics.median(off)
    print(f"probes: mmio-loop CPU time, median of {rounds}: {med_on:.4f} s with "
          f"probes (not attached), {med_off:.4f} s with -Dprobes=disabled: "
          f"{(med_on / med_off - 1) * 100:+.2f}%")
    print(f"probes: fastest runs: {min(on):.4f} s vs {min(off):.4f} s: "
          f"{(min(on) / min(off) - 1) * 100:+.2f}%")
    # Two builds differ in code alignment too, which alone moves this
    # interpreter loop by several percent either way: the instruction count
    # below is the figure that measures the probes themselves.
    print("probes: (CPU time also reflects the two builds' code layout, worth "
          "several percent either way; host instructions are exact)")
    ir_on = host_instructions(with_probes)
    ir_off = host_instructions(without)
    if ir_on is None or ir_off is None:
        print("probes: valgrind is missing: no host instruction count")
        return
    print(f"probes: host instructions (callgrind, exact): {ir_on} vs {ir_off}: "
          f"{(ir_on / ir_off - 1) * 100:+.2f}% (target: under 1%)")


def checksum_line(output: str) -> str:
    lines = [line for line in output.splitlines() if "checksum" in line]
    return lines[-1].strip() if lines else ""


def callgrind_instructions(command: list[str]) -> int | None:
    """Instructions executed by `command` under callgrind, or None."""
    valgrind = shutil.which("valgrind")
    if not valgrind:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        proc = subprocess.run(
            [valgrind, "--tool=callgrind",
             f"--callgrind-out-file={os.path.join(tmp, 'cg.out')}"] + command,
            capture_output=True, text=True)
    match = re.search(r"Collected : (\d+)", proc.stderr)
    return int(match.group(1)) if proc.returncode == 0 and match else None


def bench_mmio(rivet: str, firmware: str, repeat: int) -> None:
    """Rust PL011 against C PL011 on the same MMIO-bound firmware."""
    probe = subprocess.run([rivet, "-M", "virt,pl011=rust", "-serial", "null",
                            "-bios", firmware], capture_output=True, text=True)
    if probe.returncode != 0:
        print(f"mmio: no Rust PL011 in this build: {probe.stderr.strip()}")
        return
    commands = {impl: [rivet, "-M", f"virt,pl011={impl}", "-serial", "null",
                       "-bios", firmware] for impl in ("c", "rust")}
    best = {impl: float("inf") for impl in commands}
    for _ in range(repeat):  # alternate, so drift hits both alike
        for impl, command in commands.items():
            best[impl] = min(best[impl], timed(command, 1)[0])
    print(f"mmio: C PL011 {best['c']:.3f} s, Rust PL011 {best['rust']:.3f} s "
          f"(best of {repeat})")
    print(f"mmio: time ratio rust/c = {best['rust'] / best['c']:.3f}")
    counts = {impl: callgrind_instructions(c) for impl, c in commands.items()}
    if None in counts.values():
        print("mmio: valgrind missing or failed: no instruction counts")
        return
    print(f"mmio: callgrind instructions C {counts['c']}, Rust {counts['rust']}")
    print(f"mmio: instruction ratio rust/c = {counts['rust'] / counts['c']:.4f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rivet", required=True)
    parser.add_argument("--firmware", required=True, help="bench firmware ELF")
    parser.add_argument("--linux", help="the same workload built for Linux")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--mmio-firmware", help="MMIO-heavy firmware ELF")
    parser.add_argument("--rivet-noprobes",
                        default=os.environ.get("RIVET_BENCH_NOPROBES"),
                        help="the emulator built with -Dprobes=disabled")
    parser.add_argument("--probe-rounds", type=int, default=15)
    args = parser.parse_args()

    if args.mmio_firmware and args.rivet_noprobes:
        probes_overhead(args.rivet, args.rivet_noprobes, args.mmio_firmware,
                        args.probe_rounds)
    elif args.mmio_firmware:
        print("probes: no -Dprobes=disabled build given (make bench builds "
              "one): no probe overhead figure")
    if args.mmio_firmware:
        bench_mmio(args.rivet, args.mmio_firmware, args.repeat)

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
