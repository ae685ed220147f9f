#!/usr/bin/env python3
"""Lint: every workspace member takes its dependencies from the root
Cargo.toml's [workspace.dependencies] (`name.workspace = true`) and its
version from [workspace.package], so the tree has one list of versions and
paths (docs/rust.md, "The workspace").

Usage: workspace-deps.py SOURCE_DIR
Prints one line per offending entry and exits 1 if there is any.
"""
import glob
import os
import sys
import tomllib

DEPENDENCY_TABLES = ("dependencies", "dev-dependencies", "build-dependencies")
# What a member may add to a workspace dependency (Cargo merges them).
MEMBER_KEYS = {"workspace", "features", "optional"}


def problems(source):
    with open(os.path.join(source, "Cargo.toml"), "rb") as f:
        patterns = tomllib.load(f)["workspace"]["members"]
    # A member may be a glob (the devices: hw/*/*/rust).
    members = [os.path.relpath(m, source) for p in patterns
               for m in sorted(glob.glob(os.path.join(source, p)))]
    for member in members:
        path = os.path.join(member, "Cargo.toml")
        with open(os.path.join(source, path), "rb") as f:
            manifest = tomllib.load(f)
        version = manifest.get("package", {}).get("version")
        if version != {"workspace": True}:
            yield f"{path}: package.version must be `version.workspace = true`"
        tables = [(t, manifest.get(t, {})) for t in DEPENDENCY_TABLES]
        for target, table in manifest.get("target", {}).items():
            tables += [(f"target.{target}.{t}", table.get(t, {})) for t in DEPENDENCY_TABLES]
        for table, deps in tables:
            for name, spec in deps.items():
                if not isinstance(spec, dict) or spec.get("workspace") is not True \
                        or set(spec) - MEMBER_KEYS:
                    yield (f"{path}: [{table}] {name} must be `{name}.workspace = true` "
                           f"(add it to [workspace.dependencies] in Cargo.toml)")


def main():
    found = list(problems(sys.argv[1]))
    for line in found:
        print(f"rivet: {line}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
