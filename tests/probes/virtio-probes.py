#!/usr/bin/env python3
"""The DMA probes fire, with the arguments of what the virtio test firmware
does: `virtio_blk_request` once per completed request (type, sector, data
length, status, in the firmware's order), `virtio_blk_bad_chain` once with
reason 5 (BadAddress) for the write from an unmapped IOVA, right after the
one `riscviommu_fault` it causes (device 8, that IOVA, cause 13, TTYP 2),
and `riscviommu_translate` for the DMA of device 8: identity in Bare mode,
and translated the way the firmware's Sv39 table says (the rings on the
page Bare mode used, the two data pages in reverse order).

Seen through the -trace log backend, and, with USDT probes and gdb, through
gdb's `break -probe-stap rivet:NAME` breakpoints, which must see the same
events with the same arguments.  Exit 77 (skip) with -Dprobes=disabled.

Usage: virtio-probes.py MODE RIVET FIRMWARE
"""
import os
import shlex
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "migration"))
from tap import Tap  # noqa: E402

WRAPPER = shlex.split(os.environ.get("MESON_EXE_WRAPPER", ""))
SKIP = 77
EVENTS = {"virtio_blk_request": 4, "virtio_blk_bad_chain": 1,
          "riscviommu_translate": 5, "riscviommu_fault": 4}
IOVA_RINGS, IOVA_DATA, IOVA_UNMAPPED = 0x40000000, 0x40002000, 0x40005000
RAM_BASE = 0x80000000  # where Bare mode's DMA addresses are
# The requests of hw/block/virtio/firmware/main.c, (type, sector, data
# bytes, status): write, flush, read, GET_ID, type 99, a read past the end
# in Bare mode; write, flush, read, GET_ID, read sector 12 translated,
# then (after the faulting write, a bad chain) sector 12 again.
REQUESTS = [(1, 1, 1536, 0), (4, 0, 0, 0), (0, 1, 1536, 0), (8, 0, 20, 0),
            (99, 0, 512, 2), (0, 64, 512, 1),
            (1, 8, 1536, 0), (4, 0, 0, 0), (0, 8, 1536, 0), (8, 0, 20, 0),
            (0, 12, 512, 0), (0, 12, 512, 0)]
BAD_ADDRESS = 5  # blk::Malformed::BadAddress


def parse(line):
    """'name a=1 b=0x2' -> (name, (1, 2))."""
    name, *fields = line.split()
    return name, tuple(int(f.split("=", 1)[1], 0) for f in fields)


def main():
    mode, rivet, firmware = sys.argv[1:4]
    if mode == "disabled":
        print("SKIP: built with -Dprobes=disabled")
        return SKIP
    tap = Tap()
    check = tap.check

    with tempfile.TemporaryDirectory(prefix="rivet-virtio-probes-") as tmp:
        image = os.path.join(tmp, "disk.img")
        with open(image, "wb") as f:
            f.write(bytes(64 * 512))
        command = [rivet, "-bios", firmware, "-serial", "null",
                   "-drive", f"file={image},format=raw,if=none,id=disk0",
                   "-device", "virtio-blk-device,drive=disk0"]
        trace = [arg for name in EVENTS for arg in ("-trace", name)]
        p = subprocess.run(WRAPPER + command + trace, capture_output=True, text=True,
                           timeout=120, stdin=subprocess.DEVNULL)
        events = [parse(line) for line in p.stderr.splitlines()]
        check(p.returncode == 0, f"the firmware passes with -trace (status {p.returncode})")

        of = lambda name: [args for n, args in events if n == name]  # noqa: E731
        check(of("virtio_blk_request") == REQUESTS,
              f"virtio_blk_request: the firmware's {len(REQUESTS)} requests, in order "
              f"({len(of('virtio_blk_request'))} seen)")
        fault = ("riscviommu_fault", (8, IOVA_UNMAPPED, 13, 2))
        bad = ("virtio_blk_bad_chain", (BAD_ADDRESS,))
        at = events.index(fault) if fault in events else -1
        check(of("riscviommu_fault") == [fault[1]] and of("virtio_blk_bad_chain") == [bad[1]]
              and events[at + 1:at + 2] == [bad],
              "one riscviommu_fault (device 8, the unmapped IOVA, cause 13, TTYP 2), "
              "then one virtio_blk_bad_chain (BadAddress)")

        translations = of("riscviommu_translate")
        bare = [t for t in translations if t[1] >= RAM_BASE]
        mapped = {t[1]: t[2] for t in translations if IOVA_RINGS <= t[1] < IOVA_UNMAPPED}
        check(len(bare) + len(mapped) == len(translations),
              "each translated IOVA is in RAM (Bare) or in the firmware's IOVA window")
        check(translations and all(t[0] == 8 for t in translations),
              f"{len(translations)} riscviommu_translate events, all of device 8")
        check(bare and all(t[1] == t[2] for t in bare),
              f"{len(bare)} in Bare mode, each to its own address")
        pages = {iova & ~0xFFF: phys - (iova & 0xFFF) for iova, phys in mapped.items()}
        rings_bare = {t[2] & ~0xFFF for t in bare}
        check(all(phys & 0xFFF == 0 for phys in pages.values())
              and pages.get(IOVA_RINGS) in rings_bare
              and pages.get(IOVA_DATA) == pages.get(IOVA_DATA + 0x1000, -1) + 0x1000
              and all(phys != iova for iova, phys in pages.items()),
              f"{len(mapped)} translated as the firmware maps them: the rings on the "
              "page Bare mode used, the data pages swapped")

        gdb = shutil.which("gdb")
        if mode != "usdt" or not gdb or WRAPPER:
            why = ("no USDT probes in this build" if mode != "usdt" else
                   "no gdb" if not gdb else "gdb cannot run the emulator under qemu-user")
            check(True, f"gdb sees the probe hits # SKIP {why}")
            return tap.finish()
        script = ["set pagination off"]
        for name, nargs in EVENTS.items():
            values = ", ".join(f"$_probe_arg{i}" for i in range(nargs))
            script += [f"break -probe-stap rivet:{name}", "commands", "silent",
                       f'printf "HIT {name}{" %lu" * nargs}\\n", {values}',
                       "continue", "end"]
        script.append("run")
        gdb_script = os.path.join(tmp, "probes.gdb")
        with open(gdb_script, "w") as f:
            f.write("\n".join(script) + "\n")
        # LeakSanitizer cannot run under ptrace (make check-sanitize).
        env = dict(os.environ)
        env["ASAN_OPTIONS"] = ":".join(filter(None, [env.get("ASAN_OPTIONS"),
                                                     "detect_leaks=0"]))
        with open(image, "wb") as f:
            f.write(bytes(64 * 512))
        p = subprocess.run([gdb, "-q", "-batch", "-nx", "-x", gdb_script, "--args"] + command,
                           capture_output=True, text=True, timeout=300,
                           stdin=subprocess.DEVNULL, env=env)
        hits = [(line.split()[1], tuple(int(v) for v in line.split()[2:]))
                for line in p.stdout.splitlines() if line.startswith("HIT ")]
        check(hits == events, f"gdb sees the same {len(hits)} probe hits as the "
                              f"{len(events)} -trace lines, arguments included")
    return tap.finish()


if __name__ == "__main__":
    sys.exit(main())
