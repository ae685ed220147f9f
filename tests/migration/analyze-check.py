#!/usr/bin/env python3
"""QEMU's own stream analyzer reads rivet's snapshots: scripts/analyze-
migration.py from a QEMU source tree walks every section from the trailing
JSON description, and decodes the fields as QEMU's would: a timer as its
8-byte expiry time (-1 when not pending), an equality-checked 64-bit field
("int64 equal") as an integer, and the HPET's timer-order subsection.

The analyzer is QEMU's code, not part of rivet: scripts/setup fetches QEMU
7.2's (Debian 12's QEMU source) into .venv/share/qemu; another one can be
named with QEMU_ANALYZE_MIGRATION=/path/to/analyze-migration.py, or
QEMU_SRC=/path/to/qemu (its scripts/ is used).  Without any the test is
skipped (exit status 77) and says so.

Usage: analyze-check.py RIVET MACHINE
"""

import json
import os
import shlex
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import qemu_stream as qs  # noqa: E402
from scratch import scratch_dir  # noqa: E402
from tap import Tap  # noqa: E402

rivet, machine = sys.argv[1], sys.argv[2]
FETCHED = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", ".venv",
                       "share", "qemu", "analyze-migration.py")
analyzer = os.environ.get("QEMU_ANALYZE_MIGRATION") or (
    os.path.join(os.environ["QEMU_SRC"], "scripts", "analyze-migration.py")
    if os.environ.get("QEMU_SRC") else FETCHED)
if not os.path.isfile(analyzer):
    print(f"# SKIP: QEMU's analyze-migration.py is not at {analyzer} (scripts/setup "
          "fetches it; or set QEMU_ANALYZE_MIGRATION or QEMU_SRC)")
    sys.exit(77)

tap = Tap()
check = tap.check


# 10500 instructions into the demo (inspect-check's point): HPET timer 0
# pending, the others not.
path = os.path.join(scratch_dir("rivet-analyze-"), "snap")
wrapper = shlex.split(os.environ.get("MESON_EXE_WRAPPER", ""))
subprocess.run(wrapper + [rivet, "-M", machine, "-serial", "null", "-save-at", "10500,file:" + path],
               check=True)
ours = qs.parse(open(path, "rb").read()).fields
p = subprocess.run([sys.executable, analyzer, "-f", path], capture_output=True, text=True)
check(p.returncode == 0, "analyze-migration.py reads the snapshot: %s"
      % (p.stderr.strip().splitlines() or ["no error"])[-1])
if p.returncode:
    sys.exit(tap.finish())
state = {k.split(" ")[0]: v for k, v in json.loads(p.stdout).items()}
check(list(state)[:9] == ["ram", "vclock", "virt", "riscv-cpu", "plic", "clint", "pl011",
                          "hpet", "power-test"], "every section: %s" % ", ".join(state))


def timer_bytes(value):
    """A timer as QEMU's generic reader prints its 8 bytes."""
    return " ".join("%02x" % b for b in value.to_bytes(8, "big"))


hpet = state["hpet"]
deadline = ours["hpet/timers[0].timer"].value
check(deadline < 1 << 63 and hpet["timers"][0]["timer"] == timer_bytes(deadline),
      "the pending HPET timer is its 8-byte expiry time: %s" % hpet["timers"][0]["timer"])
check(all(t["timer"] == "ff " * 7 + "ff" for t in hpet["timers"][1:])
      and state["clint"]["mtip_timer"] == "ff " * 7 + "ff"
      and state["pl011"]["rx_timeout_timer"] == "ff " * 7 + "ff",
      "timers not pending are -1")
check(int(hpet["timers"][0]["event_ns"], 16) == deadline,
      "the fields after a timer are where QEMU's reader expects them")
order = hpet.get("hpet/timer-order", {}).get("seq")
check(isinstance(order, list) and len(order) == 3
      and int(order[0], 16) == ours["hpet/hpet/timer-order/seq[0]"].value
      and order[1:] == ["0x0000000000000000"] * 2,
      "the tie order is the hpet/timer-order subsection: %s" % order)
check(state["virt"]["tohost_addr"] == "0x%016x" % ours["virt/tohost_addr"].value
      and state["riscv-cpu"]["hartid"] == "0x0000000000000000"
      and hpet["num_timers"] == "0x03",
      "equality-checked fields decode as integers ('int64 equal', 'uint8 equal')")
sys.exit(tap.finish())
