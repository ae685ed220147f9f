#!/usr/bin/env python3
"""-icount shift=0,sleep=on: virtual time paced by host time.

Checks, none of them bounded above in host time (a slow machine only makes
a paced run longer):
- the demo's output and exit status are the same unpaced, paced and paced
  with align=on;
- a snapshot saved paced is byte for byte the one saved unpaced, and each
  resumes in the other mode to the uninterrupted output;
- a paced run takes at least the virtual time it idles: the demo resumed
  with its HPET's future moved 0.5 s later runs 0.5 s of host time or more,
  and prints what the unpaced run prints;
- host input is served while the paced machine waits: with the next tick
  30 s of virtual time away, input echoes before that tick.

Usage: pacing.py RIVET
"""

import os
import select
import shlex
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "migration"))
import qemu_stream as qs  # noqa: E402
from scratch import scratch_dir  # noqa: E402
from tap import Tap  # noqa: E402

RIVET = sys.argv[1]
WRAPPER = shlex.split(os.environ.get("MESON_EXE_WRAPPER", ""))
TMP = scratch_dir("rivet-pacing-")
PACED = ["-icount", "shift=0"]
tap = Tap()
check = tap.check


def run(args, timeout=60):
    p = subprocess.run(WRAPPER + [RIVET, "-serial", "stdio"] + args,
                       stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout)
    return p.returncode, p.stdout, p.stderr


def path(name):
    return os.path.join(TMP, name)


# The same guest output in every mode.
demo = run([])
check(demo[0] == 0 and b"goodbye" in demo[1], "the demo passes unpaced")
for mode in (PACED, ["-icount", "shift=0,sleep=on,align=on"], ["-icount", "0"]):
    check(run(mode) == demo, "the demo's output with %s is the unpaced one" % " ".join(mode))
check(run(["-icount", "shift=0,sleep=off"]) == demo, "sleep=off is the unpaced run")

# Snapshots: identical bytes, and each resumes in the other mode.
check(run(["-save-at", "9500,file:" + path("unpaced")])[0] == 0
      and run(PACED + ["-save-at", "9500,file:" + path("paced")])[0] == 0,
      "both modes save at 9500 instructions")
unpaced = open(path("unpaced"), "rb").read()
check(unpaced == open(path("paced"), "rb").read(),
      "the paced snapshot is byte for byte the unpaced one")
before = run(["-save-at", "9500,file:" + path("again")])[1]
for save, load, mode in (("paced", "unpaced", []), ("unpaced", "paced", PACED)):
    rc, out, err = run(mode + ["-incoming", "file:" + path(save)])
    check(rc == 0 and before + out == demo[1],
          "saved %s, resumed %s: the uninterrupted output" % (save, load))

# The demo at 9500 instructions (past its I2C scan) with its HPET's whole
# future (the counter's reference point, timer 0's deadline and event
# time) moved later: the next tick is that much virtual time away, all of
# it idle.
stream = qs.parse(unpaced)


def later(delay_ns):
    data = unpaced
    for name in ("hpet/counter_base_ns", "hpet/timers[0].timer", "hpet/timers[0].event_ns"):
        f = stream.fields[name]
        data = data[:f.offset] + (f.value + delay_ns).to_bytes(8, "big") + data[f.offset + 8:]
    with open(path("later"), "wb") as out:
        out.write(data)
    return path("later")


late = later(500_000_000)
rc, out_unpaced, _ = run(["-incoming", "file:" + late])
start = time.monotonic()
rc_paced, out_paced, err = run(PACED + ["-incoming", "file:" + late])
took = time.monotonic() - start
check(rc == 0 and rc_paced == 0 and out_paced == out_unpaced and b"tick 5" in out_paced,
      "0.5 s of idle virtual time: the paced output is the unpaced one")
check(took >= 0.5, "the paced run took at least its 0.5 s of idle virtual time (%.3f s)" % took)

# Input while the paced machine waits 30 s of virtual time for its tick.
p = subprocess.Popen(WRAPPER + [RIVET, "-serial", "stdio"] + PACED +
                     ["-incoming", "file:" + later(30_000_000_000)],
                     stdin=subprocess.PIPE, stdout=subprocess.PIPE)
time.sleep(0.2)
try:
    p.stdin.write(b"x")
    p.stdin.flush()
except BrokenPipeError:
    pass  # the run is already over: the check below says so
seen = b""
deadline = time.monotonic() + 20
while b"echo: x" not in seen and time.monotonic() < deadline and p.poll() is None:
    if select.select([p.stdout], [], [], 0.5)[0]:
        seen += os.read(p.stdout.fileno(), 4096)
running = p.poll() is None
p.kill()
p.wait()
check(b"echo: x" in seen and b"tick 2" not in seen and running,
      "input is echoed while the next tick is 30 s of virtual time away: %r" % seen)

sys.exit(tap.finish())
