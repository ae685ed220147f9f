#!/usr/bin/env python3
"""virtio-blk loses no data: the virtio test firmware writes sectors 1..3
of a 64-sector raw image, flushes, reads them back, and the image file
afterwards holds exactly what it wrote and nothing else changed; on a
read-only drive (readonly=on) its write is refused and the file is the
same byte for byte (TAP).

Usage: virtio-blk.py RIVET VIRTIO_FIRMWARE EXPECTED_OUT [RIVET_ARG...]
"""
import os
import shlex
import subprocess
import sys
import tempfile

WRAPPER = shlex.split(os.environ.get("MESON_EXE_WRAPPER", ""))
SECTORS = 64
# What the firmware writes: sectors 1..3, byte i of them (i * 7 + 1) & 0xff.
FIRST, COUNT = 1, 3


def main():
    rivet, firmware, expected_path = sys.argv[1:4]
    rivet_args = sys.argv[4:]
    expected = open(expected_path, encoding="utf-8").read()
    results = []

    def check(cond, what, detail=""):
        results.append(cond)
        print(("ok %d - " if cond else "not ok %d - ") % len(results) + what)
        if not cond and detail:
            print("# " + detail.replace("\n", "\n# "))

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
        data = bytes((i * 7 + 1) & 0xff for i in range(COUNT * 512))
        want[FIRST * 512:(FIRST + COUNT) * 512] = data
        after = open(path, "rb").read()
        check(after == bytes(want), "the image holds exactly what the guest wrote",
              f"{sum(a != b for a, b in zip(after, want))} bytes differ")

        with open(path, "wb") as f:
            f.write(before)
        p = run(path, ",readonly=on")
        check(p.returncode == 0 and "ok - a read-only disk refuses a write with IOERR" in p.stdout,
              "on a read-only drive the write is refused", p.stdout + p.stderr)
        check(open(path, "rb").read() == before, "a read-only drive's image is unchanged")
    print(f"1..{len(results)}")
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
