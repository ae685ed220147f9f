#!/usr/bin/env python3
"""virtio-blk loses no data: the virtio test firmware writes sectors 1..3
of a 64-sector raw image with the IOMMU in Bare mode and sectors 8..10
through the IOMMU translating, flushes, reads them back, and its write
from an unmapped IOVA (aimed at sector 12) faults; the image file
afterwards holds exactly what it wrote and nothing else changed.  On a
read-only drive (readonly=on) both writes are refused and the file is the
same byte for byte (TAP).

Usage: virtio-blk.py RIVET VIRTIO_FIRMWARE EXPECTED_OUT [RIVET_ARG...]
"""
import os
import shlex
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "migration"))
from tap import Tap  # noqa: E402

WRAPPER = shlex.split(os.environ.get("MESON_EXE_WRAPPER", ""))
SECTORS = 64
# What the firmware writes: (first sector, byte i of the data), 3 sectors
# each; in Bare mode, then through the IOMMU.
WRITES = [(1, lambda i: (i * 7 + 1) & 0xff), (8, lambda i: (i * 13 + 5) & 0xff)]
COUNT = 3


def main():
    rivet, firmware, expected_path = sys.argv[1:4]
    rivet_args = sys.argv[4:]
    expected = open(expected_path, encoding="utf-8").read()
    tap = Tap()
    check = tap.check

    def run(path, extra=""):
        drive = f"file={path},format=raw,if=none,id=disk0{extra}"
        return subprocess.run(WRAPPER + [rivet, "-bios", firmware, "-drive", drive, "-device",
                                         "virtio-blk-device,drive=disk0"] + rivet_args,
                              capture_output=True, text=True, timeout=60)

    # A recognisable image, so that a write to the wrong place shows.
    before = bytes((0xa5 ^ (i >> 9)) & 0xff for i in range(SECTORS * 512))
    with tempfile.TemporaryDirectory(prefix="rivet-virtio-") as tmp:
        path = os.path.join(tmp, "disk.img")
        with open(path, "wb") as f:
            f.write(before)
        p = run(path)
        check(p.returncode == 0 and p.stderr == "", "the firmware passes",
              f"status {p.returncode}\n{p.stdout}{p.stderr}")
        check(p.stdout == expected, "it prints the expected checks", p.stdout)
        want = bytearray(before)
        for first, pattern in WRITES:
            want[first * 512:(first + COUNT) * 512] = bytes(map(pattern, range(COUNT * 512)))
        after = open(path, "rb").read()
        check(after == bytes(want), "the image holds exactly what the guest wrote",
              f"{sum(a != b for a, b in zip(after, want))} bytes differ")

        with open(path, "wb") as f:
            f.write(before)
        p = run(path, ",readonly=on")
        refusals = [f"ok - {mode}: a read-only disk refuses a write with IOERR"
                    for mode in ("bare", "iommu")]
        check(p.returncode == 0 and all(line in p.stdout.splitlines() for line in refusals),
              "on a read-only drive both writes are refused", p.stdout + p.stderr)
        check(open(path, "rb").read() == before, "a read-only drive's image is unchanged")
    return tap.finish()


if __name__ == "__main__":
    sys.exit(main())
