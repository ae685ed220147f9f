#!/usr/bin/env python3
"""Keep firmware/prebuilt/ in step with the firmware sources.

  compare  check that a freshly built ELF equals its committed blob byte for
           byte (a meson test: exit 0 same, 1 different, 77 cannot tell)
  update   copy freshly built ELFs over the blobs and record the toolchain
  skip     print why a comparison cannot run and exit 77 (meson: skipped)
  refuse   print why the blobs cannot be updated and exit 1

Only the toolchain that built the blobs can be expected to reproduce them,
so `update` writes prebuilt/TOOLCHAIN and `compare` skips, saying so, when
the installed compiler or linker differs.
"""

import argparse
import pathlib
import shutil
import subprocess
import sys

SKIP = 77


def toolchain_identity(gcc):
    """First --version line of the compiler and of the linker it drives."""
    def first_line(*cmd):
        out = subprocess.run(cmd, check=True, capture_output=True, text=True)
        return out.stdout.splitlines()[0].strip()

    ld = subprocess.run([gcc, '-print-prog-name=ld'], check=True,
                        capture_output=True, text=True).stdout.strip()
    return [first_line(gcc, '--version'), first_line(ld, '--version')]


def compare(args):
    built = pathlib.Path(args.built).read_bytes()
    prebuilt_path = pathlib.Path(args.prebuilt)
    if not prebuilt_path.exists():
        print(f'{args.prebuilt} does not exist yet: run `{args.update_command}` '
              f'and commit the blob.')
        return 1
    prebuilt = prebuilt_path.read_bytes()
    if built == prebuilt:
        print(f'{prebuilt_path.name}: identical to the build from source '
              f'({len(built)} bytes)')
        return 0

    recorded = pathlib.Path(args.toolchain_file).read_text().splitlines()
    installed = toolchain_identity(args.gcc)
    if recorded != installed:
        print(f'{prebuilt_path.name} differs from the build from source, '
              'but the blobs were built with a different toolchain, so no '
              'bit-for-bit match can be expected:\n'
              f'  blobs:     {" / ".join(recorded)}\n'
              f'  installed: {" / ".join(installed)}')
        return SKIP

    offset = next((i for i, (a, b) in enumerate(zip(built, prebuilt))
                   if a != b), min(len(built), len(prebuilt)))
    print(f'{args.prebuilt} is out of date: building firmware program '
          f"'{args.name}' from source gives {args.built} "
          f'({len(built)} bytes, blob {len(prebuilt)} bytes, first '
          f'difference at offset {offset:#x}).\n'
          f'Run `{args.update_command}` and commit the blob.')
    return 1


def update(args):
    pairs = args.programs
    if len(pairs) % 2:
        sys.exit('update: expected ELF BLOB pairs')
    changed = 0
    for elf, blob in zip(pairs[0::2], pairs[1::2]):
        dest = pathlib.Path(blob)
        new = pathlib.Path(elf).read_bytes()
        if dest.exists() and dest.read_bytes() == new:
            continue
        shutil.copyfile(elf, dest)
        print(f'updated {dest}')
        changed += 1
    toolchain = pathlib.Path(args.toolchain_file)
    identity = '\n'.join(toolchain_identity(args.gcc)) + '\n'
    if not toolchain.exists() or toolchain.read_text() != identity:
        toolchain.write_text(identity)
        print(f'updated {toolchain}')
    print(f'{changed} firmware blob(s) changed'
          + (': commit them' if changed else ''))
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest='command', required=True)

    p = sub.add_parser('compare')
    p.add_argument('--name', required=True)
    p.add_argument('--built', required=True)
    p.add_argument('--prebuilt', required=True)
    p.add_argument('--gcc', required=True)
    p.add_argument('--toolchain-file', required=True)
    p.add_argument('--update-command', required=True)

    p = sub.add_parser('update')
    p.add_argument('--gcc', required=True)
    p.add_argument('--toolchain-file', required=True)
    # The blob is firmware/prebuilt/<name>.elf, or <name>.elf in the
    # firmware/ folder of the device the program tests.
    p.add_argument('programs', nargs='*', metavar='ELF BLOB')

    for name in ('skip', 'refuse'):
        sub.add_parser(name).add_argument('reason')

    args = parser.parse_args()
    if args.command == 'compare':
        return compare(args)
    if args.command == 'update':
        return update(args)
    print(args.reason)
    return SKIP if args.command == 'skip' else 1


if __name__ == '__main__':
    sys.exit(main())
