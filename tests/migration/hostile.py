#!/usr/bin/env python3
"""Hostile and broken snapshots: every one must be refused by -incoming
with one clear line naming the section and field, exit status 1, and no
guest instruction run (the firmware prints at once, so stdout must stay
empty).  The corruptions: truncation at every record boundary and at
random points, wrong magic, bit flips (random ones may also be accepted:
then the run must end normally, never crash), unknown section names,
oversized lengths, a variable array count past its array, values refused
by field validators, a clock past a pending timer, and section versions
outside the supported range, a stream from before timers took QEMU's
8-byte layout, and a bad timer tie order.  Streams that load but can never run on (the
clock at the end of time, a hart asleep that nothing can wake) must stop at
once with one line instead of spinning.

Usage: hostile.py RIVET MACHINE [REGRESSION_DIR]; snapshots found in REGRESSION_DIR
(crashes the fuzzer found) are loaded the same way.
"""

import os
import random
import re
import shlex
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import qemu_stream as qs  # noqa: E402
from scratch import scratch_dir  # noqa: E402

RIVET = sys.argv[1]
MACHINE = sys.argv[2]
REGRESSIONS = sys.argv[3] if len(sys.argv) > 3 else None
OLD_STREAMS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "old-streams")
TMP = scratch_dir("rivet-hostile-")
failures = 0
count = 0


# In a cross build Meson passes the qemu-user wrapper (docs/cross.md).
WRAPPER = shlex.split(os.environ.get("MESON_EXE_WRAPPER", ""))


def rivet(args, timeout=60):
    p = subprocess.run(WRAPPER + [RIVET, "-M", MACHINE, "-serial", "stdio"] + args,
                       stdin=subprocess.DEVNULL, capture_output=True,
                       timeout=timeout)
    return p.returncode, p.stdout, p.stderr.decode(errors="replace")


def write(name, data):
    path = os.path.join(TMP, name)
    with open(path, "wb") as f:
        f.write(data)
    return path


def refused(name, data, pattern, args=()):
    """data must be refused with stderr matching pattern, nothing run."""
    global failures, count
    count += 1
    rc, out, err = rivet(list(args) + ["-incoming", "file:" + write("s", data)])
    lines = err.splitlines()
    ok = (rc == 1 and out == b"" and len(lines) == 1 and
          lines[0].startswith("rivet: snapshot '") and re.search(pattern, lines[0]))
    if not ok:
        failures += 1
        print("not ok - %s: status %d, %d stdout bytes, stderr %r"
              % (name, rc, len(out), err.strip()))
    return ok


def survives(name, data):
    """A corrupt stream may load (a flipped data bit is a valid value), but
    must then run normally; refused, it must be refused cleanly."""
    global failures, count
    count += 1
    path = write("s", data)
    rc, out, err = rivet(["-incoming", "file:" + path, "-save-at",
                          "%d,file:%s" % (10**12, path + ".out")], timeout=120)
    lines = err.splitlines()
    clean = rc in (0, 1) or (0 < rc < 128)  # a guest exit status
    if rc == 1 and lines and lines[0].startswith("rivet: snapshot"):
        clean = len(lines) == 1 and out == b""
    if not clean:
        failures += 1
        print("not ok - %s: status %d, stderr %r" % (name, rc, err.strip()))


def stops(name, data, pattern):
    """data loads, but the machine it describes can never run on: the run
    must end at once with one line matching pattern and exit status 1,
    not spin (a run still going after the timeout fails)."""
    global failures, count
    count += 1
    try:
        rc, out, err = rivet(["-incoming", "file:" + write("s", data)], timeout=20)
    except subprocess.TimeoutExpired:
        failures += 1
        print("not ok - %s: still running after 20 s" % name)
        return
    lines = err.splitlines()
    if not (rc == 1 and len(lines) == 1 and re.search(pattern, lines[0])):
        failures += 1
        print("not ok - %s: status %d, stderr %r" % (name, rc, err.strip()))


def patched(data, offset, value, size):
    return data[:offset] + value.to_bytes(size, "big") + data[offset + size:]


def main():
    snap = os.path.join(TMP, "good")
    rc, _, err = rivet(["-save-at", "5000,file:" + snap])
    assert rc == 0, err
    good = open(snap, "rb").read()
    s = qs.parse(good)
    f = s.fields

    # The unmodified snapshot loads and finishes the demo.
    rc, out, err = rivet(["-incoming", "file:" + snap])
    if rc != 0 or b"goodbye" not in out:
        print("not ok - the good snapshot does not resume: %d %r" % (rc, err))
        return 1

    # Truncation at every record boundary (the end of each record but the
    # last two: the stream is complete after EOF) and at random points.
    bounds = sorted({r.offset for r in s.records} | {r.end for r in s.records})
    eof = [r for r in s.records if r.type == qs.EOF_][0]
    for b in bounds:
        if b >= eof.end:
            continue
        refused("truncated at record boundary %d" % b, good[:b],
                r"truncated|missing from the stream|incomplete in the stream")
    rng = random.Random(5)
    for _ in range(40):
        cut = rng.randrange(0, eof.end)
        refused("truncated at %d" % cut, good[:cut],
                r"truncated|missing from the stream|incomplete")
    # Cut inside the description: its length no longer matches.
    refused("truncated description", good[:-3],
            r"VM description: length \d+ does not match")

    refused("wrong magic", b"QEMU" + good[4:], r"not a migration stream: magic 0x51454d55")
    refused("wrong version", patched(good, 4, 2, 4), r"stream format version 2 is not supported")
    refused("not a snapshot", b"hello world\n", r"not a migration stream")
    refused("empty file", b"", r"stream header: stream truncated at offset 0")

    # Unknown section name: rename the PL011's section.
    pl = [r for r in s.records if r.name == "pl011"][0]
    name_at = pl.offset + 6
    assert good[name_at:name_at + 5] == b"pl011"
    refused("unknown section", good[:name_at] + b"pl0xx" + good[name_at + 5:],
            r"unknown section 'pl0xx' \(instance 0\)")
    refused("unknown record type", patched(good, pl.offset, 0x42, 1),
            r"unknown record type 0x42")

    # Oversized lengths: the machine name, a section name past the end, the
    # description.
    refused("oversized configuration length", patched(good, 9, 0xFFFFFFFF, 4),
            r"configuration section: machine name of 4294967295 bytes")
    refused("section name past the end", patched(good, pl.offset + 5, 255, 1)[:pl.offset + 40],
            r"section header: stream truncated at offset")
    desc = [r for r in s.records if r.type == qs.DESC][0]
    refused("oversized description length", patched(good, desc.offset + 1, 0x7FFFFFFF, 4),
            r"VM description: length 2147483647 does not match")
    ram_part = [r for r in s.records if r.type == qs.PART][0]
    refused("RAM page outside the block", patched(good, ram_part.offset + 5, (1 << 40) | 0x08, 8),
            r"section 'ram' \(instance 0\): field 'pages': page 0x10000000000 is outside")
    refused("RAM size of 2^62 bytes", patched(good, 17 + 17, (1 << 62) | 0x04, 8),
            r"field 'block': RAM block 'virt.ram' is 0x4000000 bytes in the stream "
            r"\(total 0x4000000000000000\)")
    refused("RAM of another size", patched(good, 17 + 17, (32 << 20) | 0x04, 8),
            r"field 'block': RAM block 'virt.ram' is 0x4000000 bytes in the stream \(total 0x2000000\)")

    # The HPET's timer array length is its (fixed) comparator count.
    refused("variable array count past the device's",
            patched(good, f["hpet/num_timers"].offset, 40, 1),
            r"section 'hpet' \(instance 0\): field 'num_timers': the stream has 40, this device has 3")

    # Field validators.
    refused("PL011 IMSC bits", patched(good, f["pl011/imsc"].offset, 0x800, 4),
            r"section 'pl011' \(instance 0\): field 'imsc': value 0x800 has bits outside 0x7ff")
    refused("PL011 FIFO level", patched(good, f["pl011/rx_count"].offset, 33, 4),
            r"section 'pl011' \(instance 0\): field 'rx_count': value 33 is above the maximum 32")
    refused("PL011 FIFO level without FIFOs", patched(good, f["pl011/rx_count"].offset, 5, 4),
            r"section 'pl011' \(instance 0\): field 'rx_count': 5 entries, but the FIFO holds 1")
    refused("CPU pc alignment", patched(good, f["riscv-cpu/pc"].offset, 0x80000001, 8),
            r"section 'riscv-cpu' \(instance 0\): field 'pc': 0x80000001 is not 2-byte aligned")
    refused("CPU mstatus", patched(good, f["riscv-cpu/csr.mstatus"].offset, 1 << 1, 8),
            r"field 'csr.mstatus': value 0x2 has bits outside 0x221888")
    refused("CPU waiting flag", patched(good, f["riscv-cpu/waiting"].offset, 7, 1),
            r"section 'riscv-cpu' \(instance 0\): field 'waiting': invalid bool value 7")
    # FSB delivery is not implemented, so Tn_FSB_EN_CNF is not writable
    # (docs/migration.md quotes this line).
    refused("HPET timer config", patched(good, f["hpet/timers[1].config"].offset, 1 << 14, 8),
            r"section 'hpet' \(instance 0\): field 'timers\[1\].config': "
            r"value 0x4000 has bits outside 0x3f4e$")
    refused("HPET timer deadline", patched(good, f["hpet/timers[2].timer"].offset, (1 << 64) - 7, 8),
            r"field 'timers\[2\].timer': invalid timer deadline -7")
    refused("HPET counter reference before time began",
            patched(good, f["hpet/counter_base_ns"].offset, (1 << 64) - 5, 8),
            r"section 'hpet' \(instance 0\): field 'counter_base_ns': negative time -5$")
    refused("HPET event before time began",
            patched(good, f["hpet/timers[0].event_ns"].offset, 1 << 63, 8),
            r"section 'hpet' \(instance 0\): field 'timers\[0\].event_ns': "
            r"negative time -9223372036854775808$")
    refused("PLIC priority", patched(good, f["plic/priority[3]"].offset, 9, 4),
            r"section 'plic' \(instance 0\): field 'priority\[3\]': value 0x9 has bits outside 0x7")
    refused("clock", patched(good, f["vclock/now_ns"].offset, (1 << 64) - 1, 8),
            r"section 'vclock' \(instance 0\): field 'now_ns': negative time -1")
    refused("other firmware", patched(good, f["virt/tohost_addr"].offset, 0x80002000, 8),
            r"section 'virt' \(instance 0\): field 'tohost_addr': the stream has 2147491840")

    # The I2C controller, the bus's transfer and the EEPROM (docs/i2c.md).
    refused("I2C CTR reserved bits", patched(good, f["ocores/ctr"].offset, 0x01, 1),
            r"section 'ocores' \(instance 0\): field 'ctr': value 0x1 has bits outside 0xc0")
    refused("I2C SR with TIP", patched(good, f["ocores/sr"].offset, 0x02, 1),
            r"section 'ocores' \(instance 0\): field 'sr': value 0x2 has bits outside 0x81")
    refused("I2C transfer phase", patched(good, f["ocores/xfer.phase"].offset, 4, 1),
            r"section 'ocores' \(instance 0\): field 'xfer.phase': value 4 is above the maximum 3")
    refused("I2C transfer address", patched(good, f["ocores/xfer.address"].offset, 0x80, 1),
            r"section 'ocores' \(instance 0\): field 'xfer.address': value 128 is above the "
            r"maximum 127")
    writing = patched(good, f["ocores/xfer.phase"].offset, 1, 1)
    refused("I2C transfer to an empty address",
            patched(writing, f["ocores/xfer.address"].offset, 0x51, 1),
            r"section 'ocores' \(instance 0\): the I2C transfer is addressed to 0x51, "
            r"where this machine has no target")
    refused("I2C idle bus with an address",
            patched(good, f["ocores/xfer.address"].offset, 0x50, 1),
            r"section 'ocores' \(instance 0\): an idle I2C bus has no transfer address \(0x50\)")
    refused("EEPROM phase", patched(good, f["at24c02/phase"].offset, 4, 1),
            r"section 'at24c02' \(instance 0\): field 'phase': value 4 is above the maximum 3")
    ee = [r for r in s.records if r.name == "at24c02"][0]
    refused("EEPROM section missing", good[:ee.offset] + good[ee.end + 5:],
            r"section 'at24c02' \(instance 0\) is missing from the stream")

    # The PCF8574, written in Rust only: its section may not go missing,
    # and a board without the expander (-M ...,pcf8574-present=off, or a build
    # without Rust) refuses a stream that has it.
    if "pcf8574/latch" in f:
        pcf = [r for r in s.records if r.name == "pcf8574"][0]
        refused("PCF8574 section missing", good[:pcf.offset] + good[pcf.end + 5:],
                r"section 'pcf8574' \(instance 0\) is missing from the stream")
        refused("PCF8574 section on a board without it", good,
                r"unknown section 'pcf8574' \(instance 0\): this machine has no such device$",
                args=["-M", MACHINE + ",pcf8574-present=off"])

    # Versions outside the device's range name the device and both versions.
    refused("section version too new", patched(good, pl.offset + 15, 3, 4),
            r"section 'pl011' \(instance 0\): 'pl011' version 3 is newer than this build "
            r"supports \(version 2\)")
    refused("section version too old", patched(good, pl.offset + 15, 1, 4),
            r"section 'pl011' \(instance 0\): 'pl011' version 1 is older than this build "
            r"accepts \(minimum version 2\)")
    # A stream of the 16-byte timers (before the vclock section's version 2)
    # is refused at its clock, before any device section is misread.
    refused("16-byte timers (old stream)",
            open(os.path.join(OLD_STREAMS, "timer16-demo-7000.snap"), "rb").read(),
            r"^rivet: snapshot '[^']*': section 'vclock' \(instance 0\): 'vclock' version 1 "
            r"is older than this build accepts \(minimum version 2\)$", args=["-m", "1M"])

    # Missing and duplicated sections.
    hp = [r for r in s.records if r.name == "hpet"][0]
    hp_footer_end = hp.end + 5
    refused("missing section", good[:hp.offset] + good[hp_footer_end:],
            r"section 'hpet' \(instance 0\) is missing from the stream")
    refused("duplicate section", good[:hp_footer_end] + good[hp.offset:],
            r"section 'hpet' \(instance 0\) appears twice")

    # Streams that load but leave nothing to run.  The clock at the end of
    # virtual time (no timer is pending at this point of the demo):
    assert all(v.value == (1 << 64) - 1 for k, v in f.items()
               if k.endswith("timer")), "a timer is pending at 5000"
    stops("clock at the end of time", patched(good, f["vclock/now_ns"].offset, (1 << 63) - 1, 8),
          r"^rivet: guest virtual time reached its end \(9223372036854775807 ns, about "
          r"292 years\) after 5000 instructions")
    # With the HPET ticking into the PLIC (9500: demo's start_ticks done, the
    # first tick ahead), a hart asleep in WFI that nothing can wake.
    ticking = os.path.join(TMP, "ticking")
    rc, _, err = rivet(["-save-at", "9500,file:" + ticking])
    assert rc == 0, err
    ticking = open(ticking, "rb").read()
    t = qs.parse(ticking).fields
    assert t["riscv-cpu/csr.mie"].value == 1 << 11 and t["plic/enable"].value == 0x404 \
        and t["hpet/timers[0].timer"].value < 1 << 63, "demo not ticking at 9500"
    asleep = patched(ticking, t["riscv-cpu/waiting"].offset, 1, 1)
    stops("asleep with mie 0", patched(asleep, t["riscv-cpu/csr.mie"].offset, 0, 8),
          r"^rivet: guest stopped in WFI at pc 0x[0-9a-f]+ and nothing can wake it: mie is 0$")
    stops("asleep with the HPET's source in service",
          patched(asleep, t["plic/in_service"].offset, 1 << 2, 4),
          r"^rivet: guest stopped in WFI at pc 0x[0-9a-f]+ and nothing can wake it: "
          r"mie\.MEIE: PLIC source 2 \(hpet\) is in service \(claimed, never completed\), "
          r"PLIC source 10 \(uart0\) has no timer armed and no input$")
    # A high line the gateway did not pend would never interrupt again.
    refused("PLIC line high but not pending",
            patched(ticking, t["plic/line_level"].offset, 1 << 2, 4),
            r"section 'plic' \(instance 0\): field 'pending': source 2's line is high and "
            r"not in service, so it must be pending")
    # A clock past a pending deadline: the periodic HPET would catch up one
    # period at a time, for ever.
    refused("clock past a pending timer",
            patched(ticking, t["vclock/now_ns"].offset, (1 << 63) - 1, 8),
            r"a timer is due at %d ns, before the clock's time 9223372036854775807 ns"
            % t["hpet/timers[0].timer"].value)

    # The timers' tie order (the hpet/timer-order subsection): a sequence
    # number the clock has not handed out yet, one for a timer that is not
    # pending, a subsection twice.
    seq = t["hpet/hpet/timer-order/seq[0]"]
    next_seq = t["vclock/next_seq"].value
    refused("timer sequence not yet handed out", patched(ticking, seq.offset, next_seq, 8),
            r"section 'hpet' \(instance 0\): field 'hpet/timer-order.seq\[0\]': "
            r"sequence %d is not below the clock's next sequence %d$" % (next_seq, next_seq))
    refused("timer sequence for a timer not pending",
            patched(ticking, t["hpet/hpet/timer-order/seq[1]"].offset, 1, 8),
            r"field 'hpet/timer-order.seq\[1\]': sequence 1 for a timer that is not pending$")
    sub_at = ticking.index(b"\x05\x10hpet/timer-order")
    sub_end = t["hpet/hpet/timer-order/seq[2]"].offset + 8
    refused("timer order twice",
            ticking[:sub_end] + ticking[sub_at:sub_end] + ticking[sub_end:],
            r"section 'hpet' \(instance 0\): subsection 'hpet/timer-order' appears twice$")

    # Random bit flips in everything but RAM page data: refused cleanly,
    # or loaded and run.
    for i in range(60):
        pos = rng.choice([rng.randrange(0, 72), rng.randrange(ram_part.end, eof.end)])
        flipped = bytearray(good)
        flipped[pos] ^= 1 << rng.randrange(8)
        survives("bit flip %d at %d" % (i, pos), bytes(flipped))

    if REGRESSIONS and os.path.isdir(REGRESSIONS):
        for name in sorted(os.listdir(REGRESSIONS)):
            survives("fuzzer regression " + name,
                     open(os.path.join(REGRESSIONS, name), "rb").read())

    print("# %d corrupt snapshots, %d failures" % (count, failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
