#!/usr/bin/env python3
"""A snapshot can be inspected the way QEMU's tools read a migration
stream: magic and version, the configuration section, every section read
to its footer using only the trailing JSON description, nothing left over;
and its content is what the machine had (every RAM page, compact zero
pages, every device of the board, the clock's pending deadlines)."""

import os
import shlex
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import qemu_stream as qs  # noqa: E402
from scratch import scratch_dir  # noqa: E402
from tap import Tap  # noqa: E402

rivet = sys.argv[1]
machine = sys.argv[2] if len(sys.argv) > 2 else "virt"
path = os.path.join(scratch_dir("rivet-inspect-"), "snap")
# In a cross build Meson passes the qemu-user wrapper (docs/cross.md).
wrapper = shlex.split(os.environ.get("MESON_EXE_WRAPPER", ""))
subprocess.run(wrapper + [rivet, "-M", machine, "-serial", "null", "-save-at", "10500,file:" + path],
               check=True)
data = open(path, "rb").read()
s = qs.parse(data)
tap = Tap()
check = tap.check


names = [r.name for r in s.records if r.type in (qs.START, qs.FULL)]
# Devices added to the board table later follow, once each.
check(names[:9] == ["ram", "vclock", "virt", "riscv-cpu", "plic", "clint",
                    "pl011", "hpet", "power-test"] and len(set(names)) == len(names),
      "sections in order: %s" % ", ".join(names))
check(s.records[0].type == qs.CONFIG and s.records[0].name == "virt",
      "configuration section names the machine")
check(len(s.ram_pages) == (64 << 20) // 4096, "all 16384 RAM pages present")
data_pages = sum(1 for v in s.ram_pages.values() if v == "data")
check(0 < data_pages < 16, "only touched pages carry data (%d)" % data_pages)
# Besides RAM: the device sections and the JSON description (8.4 KiB with
# the IOMMU and virtio on the board).
check(len(data) < 16384 * 9 + data_pages * 4096 + 16384,
      "zero pages cost 9 bytes (snapshot %d bytes)" % len(data))
f = {k: v.value for k, v in s.fields.items()}
check(f["vclock/now_ns"] > 0, "clock time saved")
check(f["hpet/timers[0].timer"] == f["hpet/timers[0].event_ns"],
      "HPET timer 0's pending deadline (8 bytes, as QEMU writes a timer) "
      "equals its event time")
check(f["hpet/timers[1].timer"] == (1 << 64) - 1, "a timer not pending is -1")
check(f["hpet/hpet/timer-order/seq[0]"] < f["vclock/next_seq"]
      and f["hpet/hpet/timer-order/seq[1]"] == 0,
      "the pending timer's sequence number is in hpet/timer-order")
types = {(d["name"], fl["name"]): fl["type"] for d in s.description["devices"]
         for fl in d["fields"]}
check(types[("virt", "tohost_addr")] == "int64 equal"
      and types[("riscv-cpu", "hartid")] == "int64 equal"
      and types[("hpet", "num_timers")] == "uint8 equal",
      "equality-checked fields carry QEMU's type names")
check(f["riscv-cpu/x[0]"] == 0 and f["riscv-cpu/pc"] >= 0x80000000,
      "CPU registers saved")
check(s.description["page_size"] == 4096, "description carries page_size")
sys.exit(tap.finish())
