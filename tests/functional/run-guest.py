#!/usr/bin/env python3
"""Run the emulator once and check what it did.

Checks, each optional: stdout equals a file byte for byte, stderr matches a
regular expression (searched, one line expected unless --stderr-lines says
otherwise), the exit status, and the peak resident memory.  Temporary input files can be made for the
run and referred to in the command as {NAME}:

  --tmpfile fw=hex:73005010        bytes given in hex
  --tmpfile fw=head:PATH:64        the first 64 bytes of PATH
  --tmpfile fw=zeros:2097152       that many zero bytes
  --tmpfile fw=sparse:SIZE[:HEX]   a sparse file of SIZE bytes (holes read
                                   as zeros), starting with HEX bytes
  --tmpfile fw=fifo                a named pipe nobody writes to
  --tmpfile out=text:keep me       that text

--file-unchanged NAME checks that the run left temporary file NAME exactly
as it was made (a start that fails must not truncate it).  --stdout-to
sends the emulator's stdout to a path (e.g. /dev/full) or, with "closed",
starts it with stdout closed; stdout is then not captured.

On a mismatch it prints a unified diff or the unexpected text, so a failing
test says what went wrong without rerunning it.
"""
import argparse
import difflib
import os
import pathlib
import re
import resource
import subprocess
import sys
import tempfile

from host_command import host_command


def make_tmpfile(directory: pathlib.Path, spec: str) -> tuple[str, str]:
    name, _, recipe = spec.partition("=")
    kind, _, arg = recipe.partition(":")
    if kind == "hex":
        data = bytes.fromhex(arg)
    elif kind == "head":
        path, _, count = arg.rpartition(":")
        data = pathlib.Path(path).read_bytes()[: int(count)]
    elif kind == "zeros":
        data = bytes(int(arg))
    elif kind == "text":
        data = arg.encode()
    elif kind == "sparse":
        size, _, head = arg.partition(":")
        path = directory / name
        path.write_bytes(bytes.fromhex(head))
        os.truncate(path, int(size))
        return name, str(path)
    elif kind == "fifo":
        path = directory / name
        os.mkfifo(path)
        return name, str(path)
    else:
        raise SystemExit(f"run-guest: unknown --tmpfile recipe '{recipe}'")
    path = directory / name
    path.write_bytes(data)
    return name, str(path)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stdout", type=pathlib.Path,
                        help="file whose content stdout must equal")
    parser.add_argument("--stderr", help="regular expression stderr must match")
    parser.add_argument("--stderr-lines", type=int, default=None,
                        help="exact number of stderr lines (default 1 with --stderr)")
    parser.add_argument("--status", type=int, default=0, help="expected exit status")
    parser.add_argument("--stdin", help="text fed to stdin (default: none)")
    parser.add_argument("--tmpfile", action="append", default=[])
    parser.add_argument("--timeout", type=float, default=60)
    parser.add_argument("--file-equals", action="append", default=[],
                        metavar="NAME=EXPECTED",
                        help="after the run, temporary file NAME must equal EXPECTED")
    parser.add_argument("--file-matches", action="append", default=[],
                        metavar="NAME=REGEX",
                        help="after the run, temporary file NAME must match REGEX (multiline)")
    parser.add_argument("--file-unchanged", action="append", default=[],
                        metavar="NAME",
                        help="after the run, --tmpfile NAME must be as it was made")
    parser.add_argument("--stdout-to", metavar="PATH|closed",
                        help="stdout goes to PATH, or is closed, instead of captured")
    parser.add_argument("--max-rss-mib", type=float,
                        help="fail if the emulator's peak resident memory exceeds this")
    parser.add_argument("--max-vm-mib", type=int,
                        help="run the emulator with its address space limited to this "
                        "(RLIMIT_AS), so a runaway allocation fails instead of "
                        "exhausting the host")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command

    ok = True
    with tempfile.TemporaryDirectory(prefix="rivet-test-") as tmp:
        names = dict(make_tmpfile(pathlib.Path(tmp), s) for s in args.tmpfile)
        # Files the emulator is to create (-serial file:{out}, -D {log}).
        for spec in args.file_equals + args.file_matches:
            name = spec.partition("=")[0]
            names.setdefault(name, str(pathlib.Path(tmp) / name))
        command = [c.format(**names) for c in command]
        # Input comes from a file, not a pipe written after start-up: it is
        # all there from the first instruction, so where the guest sees it
        # (and so its output) does not depend on host scheduling.
        stdin_path = pathlib.Path(tmp) / "stdin"
        stdin_path.write_text(args.stdin or "")
        made = {name: pathlib.Path(names[name]).read_bytes()
                for name in args.file_unchanged}
        stdout = subprocess.PIPE
        if args.stdout_to and args.stdout_to != "closed":
            stdout = open(args.stdout_to, "wb")

        def prepare_child():
            if args.stdout_to == "closed":
                os.close(1)  # after Popen set fd 1 up
            if args.max_vm_mib:
                limit = args.max_vm_mib << 20
                resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

        try:
            with stdin_path.open("rb") as stdin:
                proc = subprocess.run(
                    host_command(command),
                    stdin=stdin,
                    stdout=stdout,
                    stderr=subprocess.PIPE,
                    preexec_fn=prepare_child,
                    timeout=args.timeout,
                )
        except subprocess.TimeoutExpired:
            print(f"timed out after {args.timeout}s: {' '.join(command)}")
            return 1
        for name, data in made.items():
            now = pathlib.Path(names[name]).read_bytes()
            if now != data:
                print(f"file {name} changed: {data!r} became {now!r}")
                ok = False
        for spec in args.file_equals:
            name, _, expected = spec.partition("=")
            produced = pathlib.Path(names[name])
            got = produced.read_text() if produced.exists() else None
            if got != pathlib.Path(expected).read_text():
                print(f"file {name} differs from {expected}:")
                print(got if got is not None else "(not created)")
                ok = False
        for spec in args.file_matches:
            name, _, regex = spec.partition("=")
            produced = pathlib.Path(names[name])
            got = produced.read_text() if produced.exists() else ""
            if not re.search(regex, got, re.MULTILINE):
                print(f"file {name} does not match /{regex}/:\n{got[-2000:]}")
                ok = False

    if args.max_rss_mib is not None:
        # ru_maxrss of the children is in KiB on Linux; this script has only
        # the one child.
        rss_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        if rss_mib > args.max_rss_mib:
            print(f"peak resident memory {rss_mib:.1f} MiB exceeds {args.max_rss_mib} MiB")
            ok = False
    out = (proc.stdout or b"").decode(errors="replace")
    err = proc.stderr.decode(errors="replace")
    if proc.returncode != args.status:
        print(f"exit status {proc.returncode}, expected {args.status}")
        ok = False
    if args.stdout is not None:
        want = args.stdout.read_text()
        if out != want:
            print("stdout differs from", args.stdout)
            sys.stdout.writelines(difflib.unified_diff(
                want.splitlines(True), out.splitlines(True), "expected", "actual"))
            ok = False
    if args.stderr is not None:
        if not re.search(args.stderr, err):
            print(f"stderr does not match /{args.stderr}/")
            ok = False
        lines = args.stderr_lines if args.stderr_lines is not None else 1
        if len(err.splitlines()) != lines:
            print(f"stderr has {len(err.splitlines())} lines, expected {lines}")
            ok = False
    elif args.stderr_lines is not None and len(err.splitlines()) != args.stderr_lines:
        print(f"stderr has {len(err.splitlines())} lines, expected {args.stderr_lines}")
        ok = False
    if not ok:
        print("command:", " ".join(command))
        print("--- stdout ---\n" + out[-4000:])
        print("--- stderr ---\n" + err[-4000:])
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
