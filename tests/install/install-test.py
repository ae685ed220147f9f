#!/usr/bin/env python3
"""`meson install` into a scratch DESTDIR gives the layout docs/packaging.md
describes, and the installed rivet boots the installed firmware.

The installed rivet runs from a scratch working directory and names each
image by its bare file name, so it must find them in its own
<bindir>/../share/rivet (core/main/main.c), not in the build tree.  Prints TAP.
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "functional"))
from host_command import host_command  # noqa: E402
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "migration"))
from tap import Tap  # noqa: E402

tap = Tap()
check = tap.check


def run_rivet(argv, **kwargs):
    """argv under the build's exe_wrapper.  A rivet that cannot be started
    (a cross build's, run without its qemu-user: Exec format error) is a
    failed run with the reason on stderr, not a traceback."""
    try:
        return subprocess.run(host_command(argv), capture_output=True, timeout=60, **kwargs)
    except OSError as e:
        err = f"cannot start {argv[0]}: {e}"
        return subprocess.CompletedProcess(argv, 127, "" if kwargs.get("text") else b"",
                                           err if kwargs.get("text") else err.encode())


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--built-rivet", required=True,
                        help="the build tree's rivet, which the installed one must be")
    parser.add_argument("--meson", required=True)
    parser.add_argument("--build-dir", required=True)
    parser.add_argument("--destdir", required=True)
    for opt in ("prefix", "bindir", "datadir", "mandir"):
        parser.add_argument("--" + opt, required=True)
    parser.add_argument("--tapset", choices=["yes", "no"], required=True)
    parser.add_argument("--licences", choices=["yes", "no"], required=True,
                        help="whether the build has crates, hence a licence manifest")
    parser.add_argument("--guest", nargs=4, action="append", default=[],
                        metavar=("IMAGE", "EXPECTED_STDOUT", "STDIN", "ARGS"),
                        help="ARGS: the image's own rivet arguments, space-separated (a -global)")
    args = parser.parse_args()

    shutil.rmtree(args.destdir, ignore_errors=True)
    install = subprocess.run([args.meson, "install", "-C", args.build_dir, "--no-rebuild",
                              "--quiet", "--destdir", args.destdir],
                             capture_output=True, text=True)
    if install.returncode != 0:
        check(False, "meson install", install.stdout + install.stderr)
        return tap.finish()

    root = args.destdir + os.path.join(args.prefix, "")

    def under(option_dir, *parts):
        return os.path.join(root, option_dir, *parts)

    rivet = under(args.bindir, "rivet")
    firmware_dir = under(args.datadir, "rivet")
    doc_dir = under(args.datadir, "doc", "rivet")
    expected_files = {
        rivet: "the emulator",
        under(args.mandir, "man1", "rivet.1"): "the manual page",
        under(args.datadir, "bash-completion", "completions", "rivet"): "the bash completion",
        os.path.join(doc_dir, "README.md"): "the README",
        os.path.join(doc_dir, "packaging.md"): "the packaging docs",
    }
    if args.licences == "yes":
        expected_files[os.path.join(doc_dir, "crate-licences.tsv")] = "the licence manifest"
    tapset = under(args.datadir, "systemtap", "tapset", "rivet.stp")
    if args.tapset == "yes":
        expected_files[tapset] = "the SystemTap tapset"
    for guest in args.guest:
        expected_files[os.path.join(firmware_dir, guest[0])] = "a firmware image"

    tap.plan(len(expected_files) + 6 + len(args.guest))
    for path, what in sorted(expected_files.items()):
        check(os.path.isfile(path), f"{what} {os.path.relpath(path, args.destdir)}", "missing")

    # Nothing but the images a user can boot is in the firmware directory.
    installed = sorted(os.listdir(firmware_dir)) if os.path.isdir(firmware_dir) else []
    check(installed == sorted(g[0] for g in args.guest), "share/rivet holds exactly the bootable images",
          f"found {installed}")

    if args.tapset == "yes" and os.path.isfile(tapset):
        with open(tapset, encoding="utf-8") as f:
            binary = os.path.join(args.prefix, args.bindir, "rivet")
            check(f'process("{binary}")' in f.read(), f"the tapset attaches to {binary}")
    else:
        check(True, "# SKIP no tapset in this build (probes are not USDT)")

    built = run_rivet([args.built_rivet, "--version"], text=True)
    installed_version = run_rivet([rivet, "--version"], text=True)
    check(built.returncode == 0 and installed_version.returncode == 0
          and installed_version.stdout == built.stdout,
          "the installed rivet runs and is the one built",
          f"built: status {built.returncode} {built.stdout.strip()!r} {built.stderr.strip()!r}; "
          f"installed: status {installed_version.returncode} {installed_version.stdout.strip()!r} "
          f"{installed_version.stderr.strip()!r}")

    with tempfile.TemporaryDirectory() as cwd:
        for image, expected_path, stdin, extra in args.guest:
            run = run_rivet([rivet, "-bios", image] + extra.split(), cwd=cwd, input=stdin.encode())
            with open(expected_path, "rb") as f:
                expected = f.read()
            check(run.returncode == 0 and run.stdout == expected, f"installed rivet boots {image} by name",
                  f"status {run.returncode}, stderr {run.stderr.decode(errors='replace').strip()!r}, "
                  f"stdout {'as expected' if run.stdout == expected else 'differs'}")

        # A file of that name in the working directory comes first.
        shutil.copy(os.path.join(firmware_dir, "htif-pass.elf"), os.path.join(cwd, "demo.elf"))
        run = run_rivet([rivet, "-bios", "demo.elf"], cwd=cwd)
        check(run.returncode == 0 and b"htif-pass" in run.stdout,
              "a -bios NAME in the working directory wins over the installed one",
              f"status {run.returncode}, stdout {run.stdout[:80]!r}")

        # A name found in neither place: one line naming both.
        run = run_rivet([rivet, "-bios", "no-such.elf"], cwd=cwd, text=True)
        lines = run.stderr.splitlines()
        check(run.returncode == 1 and len(lines) == 1 and "not in the current directory" in lines[0]
              and os.path.realpath(firmware_dir) in lines[0],
              "a missing bare firmware name is refused with one line naming the firmware directory",
              f"status {run.returncode}, stderr {run.stderr!r}")

    # The installed completion offers the installed images by name.
    completion = under(args.datadir, "bash-completion", "completions", "rivet")
    script = f'source "{completion}"; COMP_WORDS=(rivet -bios uart-e); COMP_CWORD=2; _rivet; ' \
        'printf "%s\\n" "${COMPREPLY[@]}"'
    run = subprocess.run(["bash", "-c", script], capture_output=True, text=True,
                         env=dict(os.environ, PATH=os.path.dirname(rivet) + os.pathsep + os.environ["PATH"]))
    check(run.stdout.split() == ["uart-echo.elf"], "the bash completion offers the installed images",
          f"got {run.stdout.split()}, stderr {run.stderr.strip()!r}")
    return tap.finish()


if __name__ == "__main__":
    sys.exit(main())
