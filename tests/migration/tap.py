"""TAP output for the test scripts: numbered ok / not ok lines, the
detail of a failure as # comments, and the plan line at the end."""


class Tap:
    def __init__(self):
        self.results = []

    def check(self, ok: bool, what: str, detail: str = "") -> None:
        self.results.append(bool(ok))
        print(f"{'ok' if ok else 'not ok'} {len(self.results)} - {what}")
        if not ok and detail:
            print("# " + detail.replace("\n", "\n# "))

    def finish(self) -> int:
        """Prints the plan; the script's exit status."""
        print(f"1..{len(self.results)}")
        return 0 if all(self.results) else 1
