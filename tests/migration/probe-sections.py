#!/usr/bin/env python3
"""Test (TAP): the migration probes fire once per section with the header
the stream carries.  Saving with -trace migration_section_save must name
exactly the sections of the snapshot (idstr, instance id, version, in
stream order, read back with qemu_stream.py), and loading it with -trace
migration_section_load the same list.  With a second machine (the other
twins), the load runs there: the section list does not depend on which
implementation of a device saved or loads it.

Usage: probe-sections.py RIVET SAVE_MACHINE [LOAD_MACHINE]
"""

import os
import re
import shlex
import struct
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import qemu_stream as qs  # noqa: E402
from scratch import scratch_dir  # noqa: E402
from tap import Tap  # noqa: E402

RIVET = sys.argv[1]
SAVE_MACHINE = sys.argv[2]
LOAD_MACHINE = sys.argv[3] if len(sys.argv) > 3 else SAVE_MACHINE
# In a cross build Meson passes the qemu-user wrapper (docs/cross.md).
WRAPPER = shlex.split(os.environ.get("MESON_EXE_WRAPPER", ""))
LINE = re.compile(r"^(migration_section_\w+) idstr=(\S+) instance_id=(\d+) version_id=(\d+)$")

tap = Tap()
check = tap.check


def traced(machine, args, event):
    """The (idstr, instance, version) of each `event` line rivet prints."""
    p = subprocess.run(WRAPPER + [RIVET, "-M", machine, "-serial", "null",
                                  "-trace", event] + args,
                       stdin=subprocess.DEVNULL, capture_output=True,
                       timeout=120, check=False)
    out = (p.stdout + p.stderr).decode(errors="replace")
    hits = []
    for line in out.splitlines():
        m = LINE.match(line.strip())
        if m and m.group(1) == event:
            hits.append((m.group(2), int(m.group(3)), int(m.group(4))))
    return p.returncode, hits, out


def stream_sections(data):
    """(idstr, instance, version) of each START/FULL record, from its header."""
    out = []
    for r in qs.parse(data).records:
        if r.type in (qs.START, qs.FULL):
            pos = r.offset + 1 + 4  # record type, section id
            n = data[pos]
            idstr = data[pos + 1:pos + 1 + n].decode()
            instance, version = struct.unpack(">II", data[pos + 1 + n:pos + 9 + n])
            out.append((idstr, instance, version))
    return out


def main():
    path = os.path.join(scratch_dir("rivet-probe-sections-"), "snap")
    rc, saved, out = traced(SAVE_MACHINE, ["-save-at", "5000,file:" + path],
                            "migration_section_save")
    check(rc == 0, f"-M {SAVE_MACHINE}: save exits 0", out)
    want = stream_sections(open(path, "rb").read()) if rc == 0 else []
    check(len(want) >= 9 and saved == want,
          f"migration_section_save names the {len(want)} sections of the stream in order",
          f"traced: {saved}\nstream: {want}")
    rc, loaded, out = traced(LOAD_MACHINE, ["-incoming", "file:" + path,
                                            "-save-at", "5001,file:" + path + "2"],
                             "migration_section_load")
    check(rc == 0, f"-M {LOAD_MACHINE}: load (and one more instruction) exits 0", out)
    check(bool(want) and loaded == want,
          "migration_section_load names the same sections",
          f"traced: {loaded}\nstream: {want}")
    return tap.finish()


if __name__ == "__main__":
    sys.exit(main())
