#!/usr/bin/env python3
"""The man page and the bash completion know every option of `rivet --help`,
and nothing that is not one; the same for the -machine properties (--help)
and the -d items (`rivet -d help`).

    options-sync.py --man core/main/rivet.1 \
        --completion core/main/rivet.bash-completion -- RIVET [WRAPPER ARGS]

Prints TAP: one line per list and document, naming what is missing where.
"""
import argparse
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "functional"))
from host_command import host_command  # noqa: E402
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "migration"))
from tap import Tap  # noqa: E402


def run(rivet, *args):
    return subprocess.run(host_command(rivet + list(args)), capture_output=True,
                          text=True, check=True).stdout


def help_lists(rivet):
    """(options, machine properties) as `rivet --help` prints them."""
    options, props = set(), set()
    for line in run(rivet, "--help").splitlines():
        # "  -machine, -M virt[...]  board", "  -h, --help       show ..."
        m = re.match(r"  (-[^\s,]+(?:, -[^\s,]+)*)", line)
        if m:
            options.update(opt.split()[0] for opt in m.group(1).split(", "))
        # "        htif=on|off     honour ..."
        m = re.match(r" {8}([a-z0-9-]+)=", line)
        if m:
            props.add(m.group(1))
    return options, props


def debug_items(rivet):
    lines = run(rivet, "-d", "help").splitlines()[1:]
    return {line.split()[0] for line in lines if line.strip()} | {"help"}


def man_sections(path):
    """section name -> the tags of its .TP paragraphs, roff markup removed."""
    sections, section, tag_next = {}, None, False
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith(".SH "):
                section = line[4:].strip('"')
                sections[section] = []
            elif line == ".TP":
                tag_next = True
            elif tag_next:
                tag_next = False
                text = re.sub(r"\\f[BIRP]", "", line).replace("\\-", "-")
                text = re.sub(r"^\.[A-Z]+ ?", "", text).replace('"', " ")
                sections[section].append(text)
    return sections


def man_lists(path):
    sections = man_sections(path)
    options = set()
    for tag in sections.get("OPTIONS", []):
        options.update(re.findall(r"(?<![\w-])--?[A-Za-z][\w-]*", tag))
    props = {tag.split("=")[0].strip() for tag in sections.get("MACHINE PROPERTIES", [])}
    items = {tag.split()[0] for tag in sections.get("DEBUG LOG ITEMS", [])}
    # `-d help` is documented with -d itself.
    return options, props, items | {"help"}


def completion_lists(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()

    def words(var):
        m = re.search(var + r'="([^"]*)"', text)
        return m.group(1).split() if m else []

    props = {w.split("=")[0] for w in words("props")}
    return set(words("options")), props, set(words("items"))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--man", required=True)
    parser.add_argument("--completion", required=True)
    parser.add_argument("rivet", nargs="+")
    args = parser.parse_args()

    help_options, help_props = help_lists(args.rivet)
    truth = {"options": help_options, "-machine properties": help_props,
             "-d items": debug_items(args.rivet)}
    documents = {"man page": man_lists(args.man),
                 "bash completion": completion_lists(args.completion)}
    tap = Tap()
    tap.plan(len(truth) * len(documents))
    for doc, lists in documents.items():
        for (what, expected), got in zip(truth.items(), lists):
            missing, extra = sorted(expected - got), sorted(got - expected)
            tap.check(expected and not missing and not extra,
                      f"{doc} lists the {len(expected)} {what}",
                      f"missing {missing or 'none'}, not in rivet {extra or 'none'}"
                      + ("" if expected else " (rivet listed none)"))
    return tap.finish()


if __name__ == "__main__":
    sys.exit(main())
