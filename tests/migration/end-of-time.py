#!/usr/bin/env python3
"""Snapshots at the end of virtual time.  firmware/tests/end-of-time drives
the clock to a few nanoseconds before INT64_MAX; the run stops once no
instruction fits, saying after how many.  A snapshot saved on the way (or
exactly there) resumes to the same stop, -save-at still fires at any point
up to it, and a -save-at point past it ends the run with the message.

Usage: end-of-time.py RIVET FIRMWARE MACHINE
"""

import os
import re
import shlex
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import qemu_stream as qs  # noqa: E402
from scratch import scratch_dir  # noqa: E402

RIVET, FIRMWARE, MACHINE = sys.argv[1:4]
WRAPPER = shlex.split(os.environ.get("MESON_EXE_WRAPPER", ""))
TMP = scratch_dir("rivet-end-of-time-")
END_NS = (1 << 63) - 1
STOP = re.compile(r"^rivet: guest virtual time reached its end \(%d ns, about 292 "
                  r"years\) after (\d+) instructions, at pc (0x[0-9a-f]+)$" % END_NS)
failures = 0


def rivet(*args):
    try:
        p = subprocess.run(WRAPPER + [RIVET, "-M", MACHINE, "-serial", "null",
                                      "-bios", FIRMWARE] + list(args),
                           stdin=subprocess.DEVNULL, capture_output=True, timeout=20)
    except subprocess.TimeoutExpired:
        return None, "still running after 20 s"
    return p.returncode, p.stderr.decode(errors="replace").strip()


def check(what, ok, detail):
    global failures
    if not ok:
        failures += 1
        print("not ok - %s: %s" % (what, detail))


def stops_at_the_end(what, rc, err, insns, pc):
    m = STOP.match(err)
    check(what, rc == 1 and m and int(m.group(1)) == insns and m.group(2) == pc,
          "status %s, stderr %r (expected the stop after %d instructions at %s)"
          % (rc, err, insns, pc))


def save(n):
    path = os.path.join(TMP, "at-%d" % n)
    rc, err = rivet("-save-at", "%d,file:%s" % (n, path))
    check("-save-at %d fires" % n, rc == 0 and err == "", "status %s, stderr %r" % (rc, err))
    return path


def main():
    rc, err = rivet()
    m = STOP.match(err)
    if rc != 1 or not m:
        print("not ok - the run does not stop at the end of time: status %s, stderr %r"
              % (rc, err))
        return 1
    end, pc = int(m.group(1)), m.group(2)

    # Four instructions before the end, and at the end itself.
    before = save(end - 4)
    at_end = save(end)
    if failures:
        return 1
    now = qs.parse(open(before, "rb").read()).fields["vclock/now_ns"].value
    check("clock four instructions before the end", now == END_NS - 4, "now_ns %d" % now)
    now = qs.parse(open(at_end, "rb").read()).fields["vclock/now_ns"].value
    check("clock at the end", now == END_NS, "now_ns %d" % now)

    rc, err = rivet("-incoming", "file:" + before)
    stops_at_the_end("resumed four instructions before", rc, err, end, pc)
    rc, err = rivet("-incoming", "file:" + at_end)
    stops_at_the_end("resumed at the end", rc, err, end, pc)
    # -save-at between the resumed point and the end still fires...
    rc, err = rivet("-incoming", "file:" + before, "-save-at",
                    "%d,file:%s" % (end - 1, os.path.join(TMP, "resaved")))
    check("-save-at after resuming, before the end", rc == 0 and err == "",
          "status %s, stderr %r" % (rc, err))
    # ... and one past the end is never reached: the run says why.
    rc, err = rivet("-save-at", "%d,file:%s" % (end + 1, os.path.join(TMP, "never")))
    stops_at_the_end("-save-at past the end", rc, err, end, pc)
    check("no snapshot past the end", not os.path.exists(os.path.join(TMP, "never")),
          "a snapshot was written")

    print("# end of time after %d instructions, %d failures" % (end, failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
