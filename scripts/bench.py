#!/usr/bin/env python3
"""rivet benchmarks, run by `make bench` (meson run_target 'bench').

Interpreter (--int-firmware): the Dhrystone-like integer loop
firmware/tests/bench-int, which talks only HTIF, so the same ELF runs on
rivet and on QEMU's spike machine.  Guest MIPS by CPU time (user + system)
and by wall time, host instructions per guest instruction under callgrind
(exact, over its first INT_CALLGRIND_INSNS instructions; also with the
-Dprobes=disabled build when given), and, with qemu-system-riscv64
installed (Debian: qemu-system-misc), `-M spike -bios none -kernel ELF`
timed in the same run, the checksums compared and the ratios printed.
On a loaded machine the CPU-time figures and callgrind's counts are the
ones to compare; wall time mostly measures the load.

Summary: the last lines, `summary:`, repeat in one block the figures that
compare (interpreter MIPS, QEMU's time and the ratio, host instructions
per guest instruction, the probes' cost), all measured in this run.

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

virtio (Rust builds, --virtio-firmware): firmware/tests/virtio-bench
reads or writes a raw image sequentially in 4 KiB requests, one at a time,
with the IOMMU translating (and, for comparison, in Bare mode): MiB/s of
guest data (the run's wall time less that of the same run on an empty
image), against Python's own sequential 4 KiB pwrite/pread of a file of the
same size in the same directory, measured in this run; and, under
callgrind, host instructions per request with and without the IOMMU (a
1 MiB image less an empty one, per request).

Link (Rust builds): the rustc-linked emulator against the same code linked
by the C linker through a Rust static library (--rivet-staticlib, built by
c-bridge/link only for this): text and file sizes, and their ratios.

Rebuild (Rust builds, --source-root and --scratch): in a scratch copy of the
source tree with its own build directory (so the real tree is untouched),
one subsystem header and then the lowest layer's header are touched and the
emulator rebuilt: time, and what ninja's log says it rebuilt (bindings, Rust
crates, C objects), checked against the prediction of the
bridge-rebuild-set test (c-bridge/check-rebuild-set.py).  The first run
builds the scratch tree once (minutes); later runs only bring it up to date.
"""
import argparse
import importlib.util
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time


def run_times(command: list[str], repeat: int,
              input_text: str | None = None) -> tuple[float, float, str]:
    """Best wall time and best CPU time (user + system, of the command and
    all its threads) of `repeat` runs (fed input_text on stdin, or none),
    and the stdout of the last one.  On a loaded machine wall time
    measures the load; CPU time much less so."""
    best_wall = best_cpu = float("inf")
    out = ""
    for _ in range(repeat):
        # Runs are sequential: the children's usage grows by this one's.
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        proc = subprocess.run(command, capture_output=True, text=True, input=input_text,
                              stdin=None if input_text is not None else subprocess.DEVNULL)
        elapsed = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if proc.returncode != 0:
            sys.exit(f"bench: {' '.join(command)} failed ({proc.returncode}):\n"
                     f"{proc.stdout}{proc.stderr}")
        best_wall = min(best_wall, elapsed)
        best_cpu = min(best_cpu, after.ru_utime - before.ru_utime +
                       after.ru_stime - before.ru_stime)
        out = proc.stdout
    return best_wall, best_cpu, out


def timed(command: list[str], repeat: int,
          input_text: str | None = None) -> tuple[float, str]:
    """Best wall time of `repeat` runs (fed input_text on stdin, or none),
    and the stdout of the last one."""
    wall, _, out = run_times(command, repeat, input_text)
    return wall, out


def host_instructions(command: list[str], input_text: str | None = None) -> int | None:
    """Host instructions of one run under callgrind (fed input_text on
    stdin, or none), or None without it."""
    valgrind = shutil.which("valgrind")
    if not valgrind:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        proc = subprocess.run(
            [valgrind, "--tool=callgrind",
             "--callgrind-out-file=" + os.path.join(tmp, "cg.out")] + command,
            capture_output=True, text=True, input=input_text,
            stdin=None if input_text is not None else subprocess.DEVNULL)
    match = re.search(r"Collected : (\d+)", proc.stderr)
    if proc.returncode != 0 or not match:
        sys.exit(f"bench: callgrind run failed:\n{proc.stderr[-2000:]}")
    return int(match.group(1))


# The figures of each section that `summary:` prints again at the end, in
# one block: all measured in this run.
SUMMARY: list[str] = []


def probes_overhead(rivet: str, rivet_noprobes: str, firmware: str,
                    rounds: int) -> None:
    """Probes compiled in but not attached vs -Dprobes=disabled."""
    with_probes = [rivet, "-serial", "null", "-bios", firmware]
    without = [rivet_noprobes, "-serial", "null", "-bios", firmware]
    on, off = [], []
    # Interleaved, so drift in machine load hits both alike.
    for _ in range(rounds):
        on.append(run_times(with_probes, 1)[1])
        off.append(run_times(without, 1)[1])
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
    SUMMARY.append(f"probes: mmio-loop, probes compiled in (not attached) vs "
                   f"-Dprobes=disabled: {(ir_on / ir_off - 1) * 100:+.2f}% host "
                   f"instructions, {(med_on / med_off - 1) * 100:+.2f}% CPU time "
                   f"(median of {rounds})")


def checksum_line(output: str) -> str:
    lines = [line for line in output.splitlines() if "checksum" in line]
    return lines[-1].strip() if lines else ""


def guest_instructions(rivet: str, firmware: str,
                       repeat: int) -> tuple[int, float, float, str]:
    """Retired guest instructions (from the `-d cpu` dump), best wall and
    best CPU time of `repeat` runs and the guest's output."""
    with tempfile.TemporaryDirectory() as tmp:
        log = os.path.join(tmp, "cpu.log")
        wall, cpu, out = run_times([rivet, "-serial", "stdio", "-bios", firmware,
                                    "-d", "cpu", "-D", log], repeat)
        with open(log) as f:
            match = re.search(r"insn_count (\d+)", f.read())
    if not match:
        sys.exit("bench: no insn_count in the -d cpu dump")
    return int(match.group(1)), wall, cpu, out


# The interpreter's host instructions are counted over this many guest
# instructions of bench-int (the whole run would take minutes under
# callgrind), less those of a run stopped after one instruction: startup,
# loading and the snapshot that -save-at writes.
INT_CALLGRIND_INSNS = 50_000_000


def mips(insns: int, seconds: float) -> str:
    return f"{insns / seconds / 1e6:.0f} MIPS"


# Issue 14's goal for the interpreter, in guest MIPS on bench-int.
INT_TARGET_MIPS = 850


def bench_int(rivet: str, firmware: str, repeat: int,
              rivet_noprobes: str | None) -> None:
    """The interpreter on the Dhrystone-like loop, against QEMU's spike."""
    insns, wall, cpu, rivet_out = guest_instructions(rivet, firmware, repeat)
    print(f"int: {insns} guest instructions, best of {repeat}: CPU time "
          f"{cpu:.3f} s ({mips(insns, cpu)}), wall {wall:.3f} s "
          f"({mips(insns, wall)}) at load average {os.getloadavg()[0]:.1f}")
    print(f"int: rivet says: {checksum_line(rivet_out)}")
    SUMMARY.append(f"int: rivet ran bench-int ({insns} guest instructions) at "
                   f"{mips(insns, cpu)} by CPU time, {mips(insns, wall)} by wall "
                   f"time (target: {INT_TARGET_MIPS} MIPS)")
    with tempfile.TemporaryDirectory() as tmp:
        def stopped_after(emulator: str, n: int) -> list[str]:
            return [emulator, "-serial", "null", "-bios", firmware, "-save-at",
                    f"{n},file:{os.path.join(tmp, 'snapshot')}"]
        ir_run = host_instructions(stopped_after(rivet, INT_CALLGRIND_INSNS))
        ir_base = host_instructions(stopped_after(rivet, 1))
        ir_noprobes = rivet_noprobes and \
            host_instructions(stopped_after(rivet_noprobes, INT_CALLGRIND_INSNS))
    if ir_run is None or ir_base is None:
        print("int: valgrind is missing: no host instruction count")
    else:
        per_insn = (ir_run - ir_base) / (INT_CALLGRIND_INSNS - 1)
        print(f"int: host instructions (callgrind, exact): {ir_run} for the "
              f"first {INT_CALLGRIND_INSNS} guest instructions, {ir_base} to "
              f"start and stop: {per_insn:.2f} per guest instruction")
        SUMMARY.append(f"int: {per_insn:.2f} host instructions per guest "
                       f"instruction (callgrind, first {INT_CALLGRIND_INSNS})")
        if ir_noprobes:
            print(f"int: the same run with -Dprobes=disabled: {ir_noprobes} "
                  f"host instructions: probes compiled in cost "
                  f"{(ir_run / ir_noprobes - 1) * 100:+.2f}%")
            SUMMARY.append(f"probes: bench-int, probes compiled in (not "
                           f"attached) vs -Dprobes=disabled: "
                           f"{(ir_run / ir_noprobes - 1) * 100:+.2f}% host "
                           f"instructions")
    qemu = shutil.which("qemu-system-riscv64")
    if not qemu:
        print("int: qemu-system-riscv64 is missing (Debian: qemu-system-misc): "
              "no comparison")
        SUMMARY.append("int: no qemu-system-riscv64: no comparison")
        return
    qemu_wall, qemu_cpu, qemu_out = run_times(
        [qemu, "-M", "spike", "-bios", "none", "-kernel", firmware,
         "-nographic"], repeat)
    if checksum_line(qemu_out) != checksum_line(rivet_out):
        sys.exit(f"bench: checksums differ: rivet '{checksum_line(rivet_out)}'"
                 f" vs qemu-system '{checksum_line(qemu_out)}'")
    print(f"int: qemu-system-riscv64 -M spike (TCG) ran the same ELF, best of "
          f"{repeat}: CPU time {qemu_cpu:.3f} s ({mips(insns, qemu_cpu)} of the "
          f"same instructions), wall {qemu_wall:.3f} s ({mips(insns, qemu_wall)})")
    print(f"int: time ratio rivet/qemu-system = {cpu / qemu_cpu:.2f} by CPU "
          f"time, {wall / qemu_wall:.2f} by wall time")
    SUMMARY.append(f"int: qemu-system-riscv64 -M spike, same ELF: CPU time "
                   f"{qemu_cpu:.3f} s, wall {qemu_wall:.3f} s; time ratio "
                   f"rivet/qemu {cpu / qemu_cpu:.2f} (CPU), "
                   f"{wall / qemu_wall:.2f} (wall)")


# The device-access path: the CPU's slow memory path, inclusive of the
# dispatch, the device callbacks and the IRQ propagation they cause, and
# its load and store halves.  These are the same C functions whichever
# PL011 runs, so their inclusive counts compare the two devices' cost per
# access without the instruction fetch and decode around them.
MMIO_PATH_FUNCTIONS = {"path": "riscv_access_slow", "loads": "address_space_ld",
                       "stores": "address_space_st"}


def callgrind_profile(command: list[str]) -> dict[str, int] | None:
    """Total instructions of `command` under callgrind ("total") and the
    inclusive counts of MMIO_PATH_FUNCTIONS, or None."""
    valgrind = shutil.which("valgrind")
    annotate = shutil.which("callgrind_annotate")
    if not valgrind or not annotate:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "cg.out")
        proc = subprocess.run([valgrind, "--tool=callgrind",
                               f"--callgrind-out-file={out}"] + command,
                              capture_output=True, text=True)
        match = re.search(r"Collected : (\d+)", proc.stderr)
        if proc.returncode != 0 or not match:
            return None
        report = subprocess.run([annotate, "--inclusive=yes", "--threshold=100", out],
                                capture_output=True, text=True).stdout
    counts = {"total": int(match.group(1))}
    for key, function in MMIO_PATH_FUNCTIONS.items():
        found = re.search(r"^\s*([\d,]+) \([ \d.]+%\)\s+\S*:" + function + r" \[",
                          report, re.MULTILINE)
        if not found:
            return None
        counts[key] = int(found.group(1).replace(",", ""))
    return counts


def bench_mmio(rivet: str, firmware: str, repeat: int) -> None:
    """Rust PL011 against C PL011 on the same MMIO-bound firmware."""
    probe = subprocess.run([rivet, "-M", "virt,pl011-impl=rust", "-serial", "null",
                            "-bios", firmware], capture_output=True, text=True)
    if probe.returncode != 0:
        print(f"mmio: no Rust PL011 in this build: {probe.stderr.strip()}")
        return
    commands = {impl: [rivet, "-M", f"virt,pl011-impl={impl}", "-serial", "null",
                       "-bios", firmware] for impl in ("c", "rust")}
    best = {impl: float("inf") for impl in commands}
    for _ in range(repeat):  # alternate, so drift hits both alike
        for impl, command in commands.items():
            best[impl] = min(best[impl], timed(command, 1)[0])
    print(f"mmio: C PL011 {best['c']:.3f} s, Rust PL011 {best['rust']:.3f} s "
          f"(best of {repeat})")
    print(f"mmio: time ratio rust/c = {best['rust'] / best['c']:.3f}")
    profiles = {impl: callgrind_profile(c) for impl, c in commands.items()}
    if None in profiles.values():
        print("mmio: valgrind missing or failed: no instruction counts")
        return
    c, rust = profiles["c"], profiles["rust"]
    print(f"mmio: callgrind instructions C {c['total']}, Rust {rust['total']}")
    print(f"mmio: instruction ratio rust/c = {rust['total'] / c['total']:.4f}")
    print(f"mmio: device-access path ({MMIO_PATH_FUNCTIONS['path']}, inclusive) "
          f"C {c['path']}, Rust {rust['path']}: ratio rust/c = "
          f"{rust['path'] / c['path']:.4f} (loads {rust['loads'] / c['loads']:.4f}, "
          f"stores {rust['stores'] / c['stores']:.4f}; target: under 1.05)")


VIRTIO_BLOCK = 4096
VIRTIO_IMAGE_MIB = 64
VIRTIO_CALLGRIND_MIB = 1


def bench_virtio(rivet: str, firmware: str, repeat: int) -> None:
    """Sequential 4 KiB guest I/O through virtio-blk behind the IOMMU."""
    def command(image: str) -> list[str]:
        return [rivet, "-bios", firmware, "-serial", "stdio",
                "-drive", f"file={image},format=raw,if=none,id=bench",
                "-device", "virtio-blk-device,drive=bench"]

    size = VIRTIO_IMAGE_MIB << 20
    with tempfile.TemporaryDirectory(dir=os.environ.get("TMPDIR")) as tmp:
        image, empty, host = (os.path.join(tmp, n) for n in ("disk", "empty", "host"))
        for path, length in ((image, size), (empty, 0), (host, size)):
            with open(path, "wb") as f:
                f.truncate(length)
        # The guest: writes first, so the reads find data; Bare for scale.
        guest = {}
        for mode in ("W", "R", "w", "r"):
            elapsed = (timed(command(image), repeat, mode)[0]
                       - timed(command(empty), repeat, mode)[0])
            guest[mode] = VIRTIO_IMAGE_MIB / max(elapsed, 1e-9)
        # The host, on a file of the same size in the same directory.
        block = bytes(range(256)) * (VIRTIO_BLOCK // 256)
        fd = os.open(host, os.O_RDWR)
        host_rate = {}
        for kind in ("write", "read"):
            best = float("inf")
            for _ in range(repeat):
                start = time.perf_counter()
                for offset in range(0, size, VIRTIO_BLOCK):
                    if kind == "write":
                        os.pwrite(fd, block, offset)
                    else:
                        os.pread(fd, VIRTIO_BLOCK, offset)
                best = min(best, time.perf_counter() - start)
            host_rate[kind] = VIRTIO_IMAGE_MIB / best
        os.close(fd)
        print(f"virtio: sequential {VIRTIO_BLOCK // 1024} KiB requests over "
              f"{VIRTIO_IMAGE_MIB} MiB, one at a time (best of {repeat}):")
        for kind, translated, bare in (("write", "W", "w"), ("read", "R", "r")):
            print(f"virtio: {kind}s: guest through the IOMMU {guest[translated]:.0f} MiB/s "
                  f"(Bare {guest[bare]:.0f} MiB/s); the host's own 4 KiB {kind}s "
                  f"{host_rate[kind]:.0f} MiB/s: guest/host = "
                  f"{guest[translated] / host_rate[kind]:.2f}")
        small = os.path.join(tmp, "small")
        with open(small, "wb") as f:
            f.truncate(VIRTIO_CALLGRIND_MIB << 20)
        requests = (VIRTIO_CALLGRIND_MIB << 20) // VIRTIO_BLOCK
        per_request = {}
        for mode in ("W", "w", "R", "r"):
            counts = [host_instructions(command(path), mode) for path in (small, empty)]
            if None in counts:
                print("virtio: valgrind is missing: no host instruction count")
                return
            per_request[mode] = (counts[0] - counts[1]) / requests
    for kind, translated, bare in (("write", "W", "w"), ("read", "R", "r")):
        print(f"virtio: host instructions per 4 KiB {kind} request (callgrind, exact, "
              f"{requests} requests): {per_request[translated]:.0f} through the IOMMU, "
              f"{per_request[bare]:.0f} in Bare mode: the translation costs "
              f"{per_request[translated] - per_request[bare]:.0f}")


def elf_sizes(path: str) -> tuple[int, int, int]:
    """Text (code and read-only data, as `size` counts it), file size, and
    file size once stripped of symbols and debug info."""
    out = subprocess.run(["size", path], capture_output=True, text=True,
                         check=True).stdout.splitlines()[1]
    with tempfile.TemporaryDirectory() as tmp:
        stripped = os.path.join(tmp, "stripped")
        subprocess.run(["strip", "-o", stripped, path], check=True)
        return int(out.split()[0]), os.path.getsize(path), os.path.getsize(stripped)


def bench_link(rivet: str, rivet_staticlib: str) -> None:
    """rustc's link of the emulator against the C linker's, same code."""
    names = {"rustc": rivet, "cc+staticlib": rivet_staticlib}
    sizes = {name: elf_sizes(path) for name, path in names.items()}
    for name, (text, size, stripped) in sizes.items():
        print(f"link: {name}: text {text} B, file {size} B, stripped {stripped} B")
    (t_r, f_r, s_r), (t_c, f_c, s_c) = sizes["rustc"], sizes["cc+staticlib"]
    print(f"link: ratio rustc/cc+staticlib: text {t_r / t_c:.3f}, "
          f"file {f_r / f_c:.3f}, stripped {s_r / s_c:.3f}")


def rebuild_test_module(source: str):
    """c-bridge/check-rebuild-set.py, for its reading of ninja's records."""
    spec = importlib.util.spec_from_file_location(
        "check_rebuild_set", os.path.join(source, "c-bridge", "check-rebuild-set.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def release_tree_files(source: str) -> list[str]:
    """The files of a release tarball's tree (no git): all but build
    output and crates Meson extracted (subprojects/ but packagefiles/)."""
    files = []
    for dirpath, dirnames, filenames in os.walk(source):
        rel_dir = os.path.relpath(dirpath, source)
        if rel_dir == ".":
            dirnames[:] = [d for d in dirnames
                           if d not in (".venv", "target") and not d.startswith("build")]
        elif rel_dir == "subprojects":
            dirnames[:] = [d for d in dirnames if d == "packagefiles"]
        files += [os.path.normpath(os.path.join(rel_dir, f)) for f in filenames]
    return files


def sync_tree(source: str, dest: str) -> None:
    """Copy the source tree's files (tracked and untracked, not ignored) and
    Meson's crate cache to `dest`, keeping their times; unchanged files are
    not rewritten, so the scratch build stays incremental."""
    if os.path.exists(os.path.join(source, ".git")):
        files = subprocess.run(
            ["git", "-C", source, "ls-files", "-z", "--cached", "--others",
             "--exclude-standard"], capture_output=True, text=True, check=True
        ).stdout.split("\0")
    else:
        files = release_tree_files(source)
    cache = os.path.join("subprojects", "packagecache")
    if os.path.isdir(os.path.join(source, cache)):
        files += [os.path.join(cache, f) for f in os.listdir(os.path.join(source, cache))]
    for rel in filter(None, files):
        src, dst = os.path.join(source, rel), os.path.join(dest, rel)
        if not os.path.isfile(src):
            continue  # deleted in the working tree
        st = os.stat(src)
        try:
            dt = os.stat(dst)
            if dt.st_size == st.st_size and dt.st_mtime_ns == st.st_mtime_ns:
                continue
        except FileNotFoundError:
            os.makedirs(os.path.dirname(dst), exist_ok=True)
        shutil.copy2(src, dst)
    # scripts/setup's pinned bindgen, found by meson.build under .venv/.
    venv = os.path.join(dest, ".venv")
    if not os.path.lexists(venv) and os.path.isdir(os.path.join(source, ".venv")):
        os.symlink(os.path.join(source, ".venv"), venv)


def ninja_log_entries(build: str) -> list[list[str]]:
    """The lines of .ninja_log: start, end (ms), mtime, output, hash."""
    with open(os.path.join(build, ".ninja_log"), encoding="utf-8") as f:
        return [line.rstrip("\n").split("\t") for line in f if not line.startswith("#")]


def bench_rebuild(source: str, scratch: str, headers: list[str]) -> None:
    """Touch each header in a scratch copy and rebuild the emulator."""
    meson, ninja = shutil.which("meson"), shutil.which("ninja")
    # A git worktree's .git is a file.
    if not meson or not ninja or not os.path.exists(os.path.join(source, ".git")):
        print("rebuild: needs meson and ninja on PATH and a git checkout: "
              "no rebuild figure")
        return
    check = rebuild_test_module(source)
    src, build = os.path.join(scratch, "src"), os.path.join(scratch, "build")
    sync_tree(source, src)
    # Not the variables of the `meson compile bench` that runs us.
    env = {k: v for k, v in os.environ.items() if not k.startswith("MESON")}
    def run(command: list[str]) -> None:
        proc = subprocess.run(command, capture_output=True, text=True, env=env)
        if proc.returncode != 0:
            sys.exit(f"bench: {' '.join(command)} failed:\n{proc.stdout[-3000:]}{proc.stderr[-2000:]}")
    if not os.path.isfile(os.path.join(build, "build.ninja")):
        print(f"rebuild: building the scratch copy in {scratch} once (minutes)")
        run([meson, "setup", "--wrap-mode=nodownload", "-Drust=enabled", build, src])
    run([ninja, "-C", build, "rivet"])
    users = check.reverse_graph(ninja, build)
    for header in headers:
        path = os.path.join(src, header)
        predicted = {m.group(1) for m in map(check.CRATE_OUTPUT.search,
                                             check.dirty_from(users, build, path)) if m}
        # Compacted first, so that this run's ninja appends and never
        # rewrites the log we count from.
        run([ninja, "-C", build, "-t", "recompact"])
        before = len(ninja_log_entries(build))
        os.utime(path)
        start = time.perf_counter()
        run([ninja, "-C", build, "rivet"])
        elapsed = time.perf_counter() - start
        rebuilt = [entry[3] for entry in ninja_log_entries(build)[before:]]
        crates = sorted({m.group(1) for m in map(check.CRATE_OUTPUT.search, rebuilt) if m})
        bindings = sorted({m.group(1) for m in map(check.BINDINGS.search, rebuilt) if m})
        c_objects = [o for o in rebuilt if o.endswith(".c.o")]
        note = "" if set(crates) == predicted else \
            f" (the bridge-rebuild-set prediction was {sorted(predicted)})"
        print(f"rebuild: touch {header}: {elapsed:.1f} s, "
              f"{len(crates)} Rust crates ({' '.join(crates) or '-'}), "
              f"bindings of {' '.join(bindings) or '-'}, {len(c_objects)} C objects"
              f"{note}")
        # The bridge-rebuild-set test asserts this from ninja's records; here
        # it is seen happen.
        if "build.ninja" in rebuilt:
            sys.exit(f"bench: touching {header} re-ran Meson; it must not "
                     f"(c-bridge/meson.build must not read headers)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rivet", required=True)
    parser.add_argument("--firmware", required=True, help="bench firmware ELF")
    parser.add_argument("--linux", help="the same workload built for Linux")
    parser.add_argument("--int-firmware",
                        help="the interpreter benchmark ELF (bench-int)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--mmio-firmware", help="MMIO-heavy firmware ELF")
    parser.add_argument("--rivet-noprobes",
                        default=os.environ.get("RIVET_BENCH_NOPROBES"),
                        help="the emulator built with -Dprobes=disabled")
    parser.add_argument("--probe-rounds", type=int, default=15)
    parser.add_argument("--snapshot-bench", help="core/machine/bench-snapshot")
    parser.add_argument("--snapshot-firmware", help="firmware/tests/touch-ram ELF")
    parser.add_argument("--virtio-firmware", help="firmware/tests/virtio-bench ELF")
    parser.add_argument("--rivet-staticlib",
                        help="the emulator linked by cc with a Rust staticlib")
    parser.add_argument("--source-root", help="source tree (rebuild figure)")
    parser.add_argument("--scratch", help="scratch directory (rebuild figure)")
    parser.add_argument("--rebuild-header", action="append",
                        help="header to touch, relative to the source root "
                             "(default: include/chardev/char.h, include/util/error.h)")
    args = parser.parse_args()

    if args.rivet_staticlib:
        bench_link(args.rivet, args.rivet_staticlib)
    if args.source_root and args.scratch:
        bench_rebuild(args.source_root, args.scratch, args.rebuild_header or
                      ["include/chardev/char.h", "include/util/error.h"])

    if args.mmio_firmware and args.rivet_noprobes:
        probes_overhead(args.rivet, args.rivet_noprobes, args.mmio_firmware,
                        args.probe_rounds)
    elif args.mmio_firmware:
        print("probes: no -Dprobes=disabled build given (make bench builds "
              "one): no probe overhead figure")
    if args.mmio_firmware:
        bench_mmio(args.rivet, args.mmio_firmware, args.repeat)
    if args.virtio_firmware:
        bench_virtio(args.rivet, args.virtio_firmware, args.repeat)
    if args.snapshot_bench and args.snapshot_firmware:
        # Snapshot size and save/restore time (docs/migration.md).
        subprocess.run([args.snapshot_bench, args.snapshot_firmware], check=True)

    if args.int_firmware:
        bench_int(args.rivet, args.int_firmware, args.repeat,
                  args.rivet_noprobes)

    insns, rivet_time, cpu, rivet_out = guest_instructions(
        args.rivet, args.firmware, args.repeat)
    print(f"cpu: {insns} guest instructions in {rivet_time:.3f} s "
          f"(best of {args.repeat})")
    print(f"cpu: {insns / rivet_time / 1e6:.1f} guest MIPS ({mips(insns, cpu)} "
          f"by CPU time)")
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


def print_summary() -> None:
    print("summary: the figures above that compare, all from this run:")
    for line in SUMMARY:
        print(f"  {line}")


if __name__ == "__main__":
    status = main()
    print_summary()
    sys.exit(status)
