#!/usr/bin/env python3
"""Writes debian/copyright (machine-readable, DEP-5) for the release tarball
from the licence manifest (wrap/rivet-wrap licences, docs/packaging.md).

    debian-copyright.py --manifest crate-licences.tsv --vendor DIST/vendor/crates \
        --license DIST/LICENSE --output DIST/debian/copyright
    debian-copyright.py       (as a Meson dist script: all of the above for
                               MESON_DIST_ROOT, the manifest made there by
                               rivet-wrap licences)

One paragraph for rivet itself, one per crate of the manifest (its SPDX
expression, its use and checksum), one per other vendored crate (the build
tools: bindgen-cli and the crates it is built from, which the package does
not ship), then the text of every licence named.  Run by `make dist` (a Meson
dist script) after scripts/dist-vendor, so the tarball's debian/copyright
always matches its vendor/.  A licence with no known text fails with its
name, as the allow-list does.
"""
import argparse
import csv
import os
import re
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

APACHE = """\
 Licensed under the Apache License, Version 2.0 (the "License"); you may not
 use this file except in compliance with the License.
 .
 On Debian systems, the complete text of the Apache License, Version 2.0
 can be found in /usr/share/common-licenses/Apache-2.0."""

BSD_3 = """\
 Redistribution and use in source and binary forms, with or without
 modification, are permitted provided that the following conditions are met:
 .
 1. Redistributions of source code must retain the above copyright notice,
 this list of conditions and the following disclaimer.
 .
 2. Redistributions in binary form must reproduce the above copyright notice,
 this list of conditions and the following disclaimer in the documentation
 and/or other materials provided with the distribution.
 .
 3. Neither the name of the copyright holder nor the names of its
 contributors may be used to endorse or promote products derived from this
 software without specific prior written permission.
 .
 THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS "AS IS"
 AND ANY EXPRESS OR IMPLIED WARRANTIES, INCLUDING, BUT NOT LIMITED TO, THE
 IMPLIED WARRANTIES OF MERCHANTABILITY AND FITNESS FOR A PARTICULAR PURPOSE
 ARE DISCLAIMED. IN NO EVENT SHALL THE COPYRIGHT HOLDER OR CONTRIBUTORS BE
 LIABLE FOR ANY DIRECT, INDIRECT, INCIDENTAL, SPECIAL, EXEMPLARY, OR
 CONSEQUENTIAL DAMAGES (INCLUDING, BUT NOT LIMITED TO, PROCUREMENT OF
 SUBSTITUTE GOODS OR SERVICES; LOSS OF USE, DATA, OR PROFITS; OR BUSINESS
 INTERRUPTION) HOWEVER CAUSED AND ON ANY THEORY OF LIABILITY, WHETHER IN
 CONTRACT, STRICT LIABILITY, OR TORT (INCLUDING NEGLIGENCE OR OTHERWISE)
 ARISING IN ANY WAY OUT OF THE USE OF THIS SOFTWARE, EVEN IF ADVISED OF THE
 POSSIBILITY OF SUCH DAMAGE."""

ISC = """\
 Permission to use, copy, modify, and/or distribute this software for any
 purpose with or without fee is hereby granted, provided that the above
 copyright notice and this permission notice appear in all copies.
 .
 THE SOFTWARE IS PROVIDED "AS IS" AND THE AUTHOR DISCLAIMS ALL WARRANTIES
 WITH REGARD TO THIS SOFTWARE INCLUDING ALL IMPLIED WARRANTIES OF
 MERCHANTABILITY AND FITNESS. IN NO EVENT SHALL THE AUTHOR BE LIABLE FOR ANY
 SPECIAL, DIRECT, INDIRECT, OR CONSEQUENTIAL DAMAGES OR ANY DAMAGES
 WHATSOEVER RESULTING FROM LOSS OF USE, DATA OR PROFITS, WHETHER IN AN
 ACTION OF CONTRACT, NEGLIGENCE OR OTHER TORTIOUS ACTION, ARISING OUT OF OR
 IN CONNECTION WITH THE USE OR PERFORMANCE OF THIS SOFTWARE."""

UNLICENSE = """\
 This is free and unencumbered software released into the public domain.
 .
 Anyone is free to copy, modify, publish, use, compile, sell, or distribute
 this software, either in source code form or as a compiled binary, for any
 purpose, commercial or non-commercial, and by any means.
 .
 In jurisdictions that recognize copyright laws, the author or authors of
 this software dedicate any and all copyright interest in the software to
 the public domain. We make this dedication for the benefit of the public at
 large and to the detriment of our heirs and successors. We intend this
 dedication to be an overt act of relinquishment in perpetuity of all
 present and future rights to this software under copyright law.
 .
 THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
 IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
 FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
 AUTHORS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN
 ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN
 CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.
 .
 For more information, please refer to <https://unlicense.org/>"""

# Licences whose text is in a vendored crate's own file: (file name).
TEXT_FILES = {"Unicode-3.0": "LICENSE-UNICODE", "BSL-1.0": "LICENSE-BOOST"}


def paragraph(text):
    """A licence file's text as a DEP-5 continuation: ' ' before each line,
    ' .' for a blank one."""
    lines = [line.rstrip() for line in text.strip("\n").splitlines()]
    return "\n".join(" " + line if line else " ." for line in lines)


def dep5_expression(spdx, crate):
    """SPDX 'A OR B', '(A OR B) AND C' as DEP-5 'A or B', 'A or B, and C'."""
    spdx = re.sub(r"\s*/\s*", " OR ", spdx.strip())
    m = re.fullmatch(r"\(([^()]+)\) AND ([^()]+)", spdx)
    if m and " AND " not in m.group(1) and " OR " not in m.group(2):
        return dep5_expression(m.group(1), crate) + ", and " + dep5_expression(m.group(2), crate)
    if "(" in spdx or (" AND " in spdx and " OR " in spdx):
        raise ValueError(f"crate {crate}: cannot write the licence {spdx!r} in DEP-5")
    return spdx.replace(" OR ", " or ").replace(" AND ", " and ")


def licence_names(dep5):
    return [n for n in re.split(r",? (?:or|and) |, ", dep5) if n]


def crate_licence(crate_dir):
    with open(crate_dir / "Cargo.toml", "rb") as f:
        return tomllib.load(f).get("package", {}).get("license", "")


def dist_main(dist):
    """make dist: the manifest of the tarball's crates, then its copyright."""
    wrap = Path(os.environ["MESON_SOURCE_ROOT"]) / "wrap" / "rivet-wrap"
    with tempfile.TemporaryDirectory() as tmp:
        manifest = Path(tmp) / "crate-licences.tsv"
        subprocess.run([sys.executable, wrap, "licences", "--root", dist,
                        "--crates", dist / "vendor" / "crates", "--output", manifest], check=True)
        return main(["--manifest", str(manifest), "--vendor", str(dist / "vendor" / "crates"),
                     "--license", str(dist / "LICENSE"), "--output", str(dist / "debian" / "copyright")])


def main(argv):
    parser = argparse.ArgumentParser()
    parser.add_argument("--manifest", type=Path, required=True)
    parser.add_argument("--vendor", type=Path, required=True)
    parser.add_argument("--license", type=Path, required=True, help="rivet's own LICENSE")
    parser.add_argument("--output", type=Path, required=True)
    args = parser.parse_args(argv)

    out = ["Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/",
           "Upstream-Name: rivet",
           "Comment: Written by scripts/debian-copyright.py at make dist from the",
           " licence manifest (/usr/share/doc/rivet/crate-licences.tsv) and the",
           " crates in vendor/crates.",
           "",
           "Files: *",
           "Copyright: 2026 the rivet developers",
           "License: MIT",
           ""]
    names = {"MIT"}
    with open(args.manifest, encoding="utf-8", newline="") as f:
        manifest = list(csv.DictReader(f, delimiter="\t"))
    in_manifest = set()
    try:
        for row in manifest:
            folder = f"{row['crate']}-{row['version']}"
            in_manifest.add(folder)
            dep5 = dep5_expression(row["license"], row["crate"])
            names.update(licence_names(dep5))
            use = ("linked into /usr/bin/rivet" if row["use"] == "linked"
                   else "run while building rivet (a proc-macro or its dependency)")
            out += [f"Files: vendor/crates/{folder}/*",
                    f"Copyright: the {row['crate']} authors (its Cargo.toml)",
                    f"License: {dep5}",
                    f"Comment: {use}; Cargo.lock sha256 {row['sha256']}", ""]
        for crate_dir in sorted(p for p in args.vendor.iterdir() if p.is_dir()):
            if crate_dir.name in in_manifest:
                continue
            dep5 = dep5_expression(crate_licence(crate_dir), crate_dir.name)
            names.update(licence_names(dep5))
            out += [f"Files: vendor/crates/{crate_dir.name}/*",
                    f"Copyright: the {crate_dir.name.rsplit('-', 1)[0]} authors (its Cargo.toml)",
                    f"License: {dep5}",
                    "Comment: bindgen-cli or a crate it is built from: run while building",
                    " rivet, not shipped", ""]
    except ValueError as e:
        print(f"debian-copyright: {e}", file=sys.stderr)
        return 1

    texts = {"Apache-2.0": APACHE, "BSD-3-Clause": BSD_3, "ISC": ISC, "Unlicense": UNLICENSE,
             "MIT": paragraph(args.license.read_text(encoding="utf-8"))}
    for name, file_name in TEXT_FILES.items():
        found = sorted(args.vendor.glob(f"*/{file_name}"))
        if found:
            texts[name] = paragraph(found[0].read_text(encoding="utf-8"))
    for name in sorted(names):
        if name not in texts:
            print(f"debian-copyright: no text for the licence {name}: add it to "
                  "scripts/debian-copyright.py", file=sys.stderr)
            return 1
        out += [f"License: {name}", texts[name], ""]
    args.output.write_text("\n".join(out).rstrip("\n") + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 1 and "MESON_DIST_ROOT" in os.environ:
        sys.exit(dist_main(Path(os.environ["MESON_DIST_ROOT"])))
    sys.exit(main(sys.argv[1:]))
