#!/usr/bin/env python3
"""Snapshots with virtio-blk requests in flight resume in a fresh process
and complete each request exactly once (TAP).

The virtio test firmware makes each request available (avail.idx moves)
and then notifies the device.  `-d in_asm,mmio` of one run says at which
instruction count each QueueNotify write happens; the test saves one
instruction before each of them (-save-at K-1), checks in the snapshot
that the request is in flight (the available ring, found through the
IOMMU's tables when it translates, is one entry ahead of the device's
next_avail), and resumes it with -incoming in a new process on the same
image.  The save run's and the resume run's output together, the exit
status and the image afterwards must be an uninterrupted run's; with
probes built, the `virtio_blk_request` events of the two runs together
must be the uninterrupted run's, in order: nothing done twice, nothing
lost.

Usage: virtio-in-flight.py RIVET FIRMWARE PROBES_MODE [POINTS]
POINTS (default: every notify) spreads fewer save points over the run, for
the cross rows' qemu-user.
"""
import os
import re
import shlex
import struct
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import qemu_stream  # noqa: E402
from scratch import scratch_dir  # noqa: E402
from tap import Tap  # noqa: E402

WRAPPER = shlex.split(os.environ.get("MESON_EXE_WRAPPER", ""))
SECTORS = 64
RAM_BASE = 0x80000000
IOMMU_DDTP_1LVL = 2
VIRTIO_DEVICE_ID = 8  # the IOMMU device ID of the slot at 0x1000_8000
NOTIFY = re.compile(r"^mmio write virtio\+0x50 size 4 <- ")


def translate(s, fields, iova):
    """The physical address of iova for the virtio slot, as the IOMMU of
    the snapshot translates it (1LVL directory, Sv39, 4 KiB leaves: what
    the firmware builds), or iova itself in Bare mode."""
    ddtp = fields["riscv-iommu/ddtp"]
    if ddtp & 0xF != IOMMU_DDTP_1LVL:
        return iova

    def u64(addr):
        return struct.unpack("<Q", s.ram_read(addr - RAM_BASE, 8))[0]

    dc = ((ddtp >> 10) << 12) + VIRTIO_DEVICE_ID * 32
    table = (u64(dc + 24) & ((1 << 44) - 1)) << 12
    for shift in (30, 21, 12):
        pte = u64(table + 8 * ((iova >> shift) & 0x1FF))
        table = (pte >> 10) << 12
    return table | (iova & 0xFFF)


def in_flight(snapshot):
    """(made available, taken by the device) of the snapshot's queue."""
    s = qemu_stream.parse(snapshot)
    f = {k: v.value for k, v in s.fields.items()}
    avail = translate(s, f, f["virtio/queue_driver"])
    idx = struct.unpack("<H", s.ram_read(avail + 2 - RAM_BASE, 2))[0]
    return idx, f["virtio/next_avail"]


def main():
    rivet, firmware, probes_mode = sys.argv[1:4]
    points = int(sys.argv[4]) if len(sys.argv) > 4 else 0
    tap = Tap()
    check = tap.check

    # Each save run syncs its snapshot: in memory where there is room.
    tmp = scratch_dir("rivet-virtio-in-flight-", in_memory=True)
    image = os.path.join(tmp, "disk.img")
    log = os.path.join(tmp, "log")
    snap = os.path.join(tmp, "snap")
    # A recognisable image, so that a write to the wrong place shows.
    pristine = bytes((0x5a ^ (i >> 9)) & 0xFF for i in range(SECTORS * 512))
    trace = probes_mode != "disabled"

    def run(*args):
        """Runs rivet on the image; returns status, output, the
        virtio_blk_request events and stderr."""
        if os.path.exists(log):
            os.unlink(log)
        extra = ["-trace", "virtio_blk_request", "-D", log] if trace else []
        p = subprocess.run(WRAPPER + [rivet, "-bios", firmware, "-drive",
                                      f"file={image},format=raw,if=none,id=disk0",
                                      "-device", "virtio-blk-device,drive=disk0"]
                           + extra + list(args),
                           capture_output=True, timeout=120)
        events = open(log).read().splitlines() if trace else []
        return p.returncode, p.stdout, events, p.stderr.decode(errors="replace")

    def fresh_image():
        with open(image, "wb") as f:
            f.write(pristine)

    fresh_image()
    rc0, out0, events0, err0 = run()
    image0 = open(image, "rb").read()
    check(rc0 == 0 and b"all " in out0, "the uninterrupted run passes", err0)
    if trace:
        check(len(events0) > 10, f"it completes {len(events0)} requests (virtio_blk_request)")

    # Where each QueueNotify write is: the instructions logged before it.
    fresh_image()
    p = subprocess.run(WRAPPER + [rivet, "-bios", firmware, "-drive",
                                  f"file={image},format=raw,if=none,id=disk0",
                                  "-device", "virtio-blk-device,drive=disk0",
                                  "-d", "in_asm,mmio", "-D", log],
                       capture_output=True, timeout=120)
    notifies, insns = [], 0
    with open(log) as f:
        for line in f:
            if line.startswith("0x"):
                insns += 1
            elif NOTIFY.match(line):
                notifies.append(insns)
    check(p.returncode == 0 and len(notifies) > 10,
          f"{len(notifies)} notifies found in the -d in_asm,mmio log")

    if points and len(notifies) > points:
        # The first, the last, and evenly between (both IOMMU modes).
        notifies = [notifies[i * (len(notifies) - 1) // (points - 1)]
                    for i in range(points)]
    for k in notifies:
        fresh_image()
        rc1, out1, events1, err1 = run("-save-at", f"{k - 1},file:{snap}")
        if rc1 != 0:
            check(False, f"save at {k - 1}", err1)
            continue
        made, taken = in_flight(open(snap, "rb").read())
        rc2, out2, events2, err2 = run("-incoming", f"file:{snap}")
        what = f"save at {k - 1} ({made - taken} request in flight), resume"
        problems = []
        if made != (taken + 1) & 0xFFFF:
            problems.append(f"avail.idx {made}, next_avail {taken}: not one in flight")
        if (rc2, out1 + out2) != (rc0, out0):
            problems.append(f"output or status differ (status {rc2}) {err2}")
        if open(image, "rb").read() != image0:
            problems.append("the image differs from the uninterrupted run's")
        if events1 + events2 != events0:
            problems.append(f"requests: {len(events1)} + {len(events2)} "
                            f"against {len(events0)} uninterrupted")
        check(not problems, what, "\n".join(problems))
    return tap.finish()


if __name__ == "__main__":
    sys.exit(main())
