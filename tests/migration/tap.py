"""TAP output for the test scripts: numbered ok / not ok lines, the
detail of a failure as # comments (its last DETAIL_LINES lines: a build's
log can be long), and the plan line at the end, or first when the script
knows its count (a long script then shows its progress)."""

DETAIL_LINES = 40


class Tap:
    def __init__(self):
        self.results = []
        self.planned = False

    def plan(self, count: int) -> None:
        print(f"1..{count}")
        self.planned = True

    def check(self, ok: bool, what: str, detail: str = "") -> bool:
        """Prints the line; returns ok, for a script that goes on only if
        a step worked."""
        self.results.append(bool(ok))
        print(f"{'ok' if ok else 'not ok'} {len(self.results)} - {what}")
        if not ok:
            for line in detail.splitlines()[-DETAIL_LINES:]:
                print("# " + line)
        return bool(ok)

    def finish(self) -> int:
        """Prints the plan unless given first; the script's exit status."""
        if not self.planned:
            print(f"1..{len(self.results)}")
        return 0 if all(self.results) else 1
