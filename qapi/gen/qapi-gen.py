#!/usr/bin/env python3
"""Generates C, Rust and the reference page from the QAPI schema
(docs/qapi.md).

  qapi-gen.py SCHEMA -o DIR [--define SYM]... [--implementations FILE]
              [--languages c,rust] [--depfile FILE] WHAT...

SCHEMA is a module's file (its includes are read too) or the top-level
file.  WHAT is one or more of:
  module     C types, visitors, commands and events, and the Rust module,
             of SCHEMA's own module (qapi-*-MODULE.[ch], qapi-MODULE.rs)
  builtin    the lists of the builtin types (qapi-*-builtin.[ch])
  table      the dispatch table of the implemented commands
             (qapi-commands-table.c)
  rust-commands  the marshallers of the commands implemented in Rust
             (qapi-rust-commands.rs)
  doc        qmp-reference.md

A bad schema is one line `FILE:LINE: reason` on stderr, exit status 1, and
no output written.
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import c as cgen  # noqa: E402
import doc as docgen  # noqa: E402
import rust as rustgen  # noqa: E402
from schema import QAPIError, Schema, read_implementations  # noqa: E402


def write(outdir, files):
    for name, lines in files.items():
        text = "\n".join(lines).rstrip("\n") + "\n"
        path = os.path.join(outdir, name)
        with open(path + ".tmp", "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(path + ".tmp", path)


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("schema")
    ap.add_argument("-o", "--output-dir", required=True)
    ap.add_argument("--define", action="append", default=[])
    ap.add_argument("--implementations")
    ap.add_argument("--languages", default="c")
    ap.add_argument("--depfile")
    ap.add_argument("--depfile-target", default="")
    ap.add_argument("what", nargs="+",
                    choices=["module", "builtin", "table", "rust-commands", "doc"])
    args = ap.parse_args(argv)
    try:
        schema = Schema(args.schema, args.define)
        # A module's schema is only part of the whole: the list is checked
        # in full where the whole schema is read (table, doc).
        whole = any(w in ("table", "rust-commands", "doc") for w in args.what)
        impls = (read_implementations(args.implementations, schema, strict=whole)
                 if args.implementations else {})
    except QAPIError as e:
        print(f"qapi-gen: {e}", file=sys.stderr)
        return 1
    except OSError as e:
        print(f"qapi-gen: {e.filename}: {e.strerror}", file=sys.stderr)
        return 1
    files = {}
    c = cgen.CGen(schema)
    r = rustgen.RustGen(schema)
    module = schema.modules[0]
    for what in args.what:
        if what == "module":
            files.update(c.module(module))
            files.update(c.commands(module, impls))
            files.update(c.events(module))
            files.update(r.module(module))
        elif what == "builtin":
            files.update(c.builtin())
        elif what == "table":
            files.update(c.table(impls, args.languages.split(",")))
        elif what == "rust-commands":
            files.update(r.commands(impls))
        elif what == "doc":
            files.update(docgen.generate(schema, impls))
    os.makedirs(args.output_dir, exist_ok=True)
    write(args.output_dir, files)
    if args.depfile:
        inputs = list(schema.files.values()) + (
            [os.path.abspath(args.implementations)] if args.implementations else [])
        with open(args.depfile, "w", encoding="utf-8") as f:
            target = args.depfile_target or os.path.join(args.output_dir, sorted(files)[0])
            f.write(f"{target}: " + " ".join(p.replace(" ", "\\ ") for p in inputs) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
