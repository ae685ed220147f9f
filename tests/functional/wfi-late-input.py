#!/usr/bin/env python3
"""A hart that sleeps in WFI with only the UART able to wake it, while an
HPET timer keeps firing into a disabled PLIC source, must wait for input
rather than be stopped as stuck: input typed later wakes it.

Usage: wfi-late-input.py RIVET WFI_STUCK_FIRMWARE [RIVET OPTIONS...]
"""
import subprocess
import sys
import time

from host_command import host_command

TIMEOUT = 20


def main() -> int:
    rivet, firmware = sys.argv[1], sys.argv[2]
    proc = subprocess.Popen(host_command([rivet, "-bios", firmware] + sys.argv[3:]),
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    try:
        proc.stdin.write(b"u")  # the case: wake on UART input
        proc.stdin.flush()
        line = proc.stdout.readline()
        if b"sleeping in wfi" not in line:
            proc.kill()
            print("no 'sleeping in wfi' line; got %r, stderr %r"
                  % (line, proc.stderr.read()))
            return 1
        time.sleep(0.3)  # the guest is asleep by now, waiting for input
        if proc.poll() is not None:
            print("rivet stopped instead of waiting for input: status %d, "
                  "stderr %r" % (proc.returncode, proc.stderr.read()))
            return 1
        out, err = proc.communicate(b"x", timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        proc.kill()
        print(f"no wake-up within {TIMEOUT}s of the input")
        return 1
    want = b"wfi-stuck: woke on plic source 10, input 'x'\n"
    if proc.returncode != 0 or out != want or err:
        print("status %d, stdout %r (expected %r), stderr %r"
              % (proc.returncode, out, want, err))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
