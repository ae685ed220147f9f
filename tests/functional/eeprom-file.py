#!/usr/bin/env python3
"""The EEPROM's backing file (-M virt,eeprom-file=FILE) carries its content from
one run to the next: the i2c test firmware prints what the EEPROM held
before it wrote it, so a second run on the same file prints the first
run's bytes, and the file holds exactly what the firmware wrote.

Usage: eeprom-file.py RIVET I2C_FIRMWARE EXPECTED_OUT [RIVET_ARG...]
(EXPECTED_OUT: the firmware's output without a file, EEPROM erased;
RIVET_ARG: more arguments of each run, the firmware's -global.)
"""
import os
import shlex
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "migration"))
from tap import Tap  # noqa: E402

WRAPPER = shlex.split(os.environ.get("MESON_EXE_WRAPPER", ""))


def main():
    rivet, firmware, expected_path = sys.argv[1:4]
    rivet_args = sys.argv[4:]
    expected = open(expected_path, encoding="utf-8").read()
    erased = "ff ff ff ff ff ff ff ff"
    tap = Tap()
    check = tap.check

    with tempfile.TemporaryDirectory(prefix="rivet-eeprom-") as tmp:
        path = os.path.join(tmp, "eeprom.bin")
        with open(path, "wb") as f:
            f.write(bytes(256))

        def run():
            p = subprocess.run(WRAPPER + [rivet, "-M", "virt,eeprom-file=" + path, "-bios",
                                          firmware] + rivet_args, capture_output=True, text=True,
                               timeout=60)
            return p.returncode, p.stdout, p.stderr

        rc, out, err = run()
        check(rc == 0 and err == "", "first run passes (status %d, %r)" % (rc, err))
        zeros = "00 00 00 00 00 00 00 00"
        check(out == expected.replace(erased, zeros),
              "first run reads the file's zeros where an erased EEPROM reads ff")
        first = open(path, "rb").read()
        want = bytearray(256)
        want[0x00] = 0xb1
        want[0x18:0x20] = bytes([5, 6, 7, 8, 1, 2, 3, 4])
        want[0x20] = 0xee
        want[0xfe:0x100] = bytes([0xa1, 0xa2])
        check(first == bytes(want), "the file holds what the firmware wrote")

        rc, out, err = run()
        check(rc == 0 and err == "", "second run passes (status %d, %r)" % (rc, err))
        lines = out.splitlines()
        check("eeprom 0x00: b1 00 00 00 00 00 00 00" in lines
              and "eeprom 0x18: 05 06 07 08 01 02 03 04" in lines,
              "second run reads the first run's bytes")
        check(open(path, "rb").read() == first, "the second run leaves the same file")
    return tap.finish()


if __name__ == "__main__":
    sys.exit(main())
