#!/usr/bin/env python3
"""The QMP monitor end to end over real sockets, with QEMU's own client
library (qemu.qmp) where it can speak the case, raw bytes where it cannot.

Usage: qmp.py CASE RIVET [--firmware NAME ELF]... [--rust yes|no]

Cases:
  negotiate      greeting, commands before and after qmp_capabilities,
                 capabilities rivet does not offer, ids echoed
  commands       every run-state command and query (query-status,
                 query-cpus-fast, query-version, query-commands), answered
                 while the guest runs
  events         stop, cont, system_reset, quit: STOP, RESUME, RESET,
                 SHUTDOWN with QEMU's members and timestamps; exit 0
  start-paused   -S: the guest executes nothing until cont, then runs to
                 its poweroff: SHUTDOWN guest=true, exit 0
  no-shutdown    -no-shutdown: the guest's poweroff stops the machine;
                 cont is refused, system_reset + cont runs it again
  bad-input      malformed JSON, non-objects, wrong and missing arguments,
                 unknown commands, deep nesting, an oversized message,
                 disconnecting mid-command: QEMU's errors, the monitor
                 keeps serving, the guest keeps running
  two-monitors   two monitors, both negotiated, both get every event
  reconnect      a second client waits until the first leaves; a new
                 client is greeted afresh and must negotiate again
  no-read        a client that never reads is disconnected (one line on
                 stderr) and the guest runs to its end meanwhile
  tcp            -qmp tcp::PORT listens on 127.0.0.1 only
  unix-mode      the unix socket is owner-only (0600)
  stdio          -qmp stdio speaks on stdin/stdout
  migrate        migrate to file: at -S writes -save-at 0's stream byte
                 for byte; mid-run: MIGRATION setup/active/completed,
                 postmigrate until cont, and the file resumes with
                 -incoming in a new process; an unwritable destination
                 fails and the guest runs on
  qom-set        qom-set of the PCF8574's input pin in2 while paused
                 (-S): the guest reads the pin low when it runs; bad
                 values and a property fixed at realize are refused and
                 change nothing (Rust builds; C-only: DeviceNotFound)
  hmp            human-monitor-command: info registers shows the values
                 the guest (hmp-regs) put in its registers, unchanged
                 while stopped; info qtree shows the board's devices as
                 qom-list has them, on their buses, with the values
                 qom-get reads (a qom-set included); help, info and an
                 unknown command answer QEMU's texts; a uint64 past
                 INT64_MAX (the hart's ID, a request's id) crosses JSON
                 exactly
"""
import argparse
import json
import os
import socket
import stat
import subprocess
import sys
import tempfile
import time

from host_command import host_command, step_timeout
from qmp_machine import TIMEOUT, RawClient, RivetQmp, require_qemu_qmp

# The commands this branch implements; qapi/implementations is the list.
RUN_STATE_COMMANDS = ["query-status", "stop", "cont", "system_reset", "quit",
                      "query-cpus-fast"]


def check(cond: bool, what: str) -> None:
    if not cond:
        raise AssertionError(what)


def error(msg: dict, cls: str, desc: str, ident=None) -> None:
    want = {"error": {"class": cls, "desc": desc}}
    if ident is not None:
        want["id"] = ident
    check(msg == want, f"expected {want}, got {msg}")


def event(qmp, name: str) -> dict:
    """The next event, which must be name; its timestamp is checked."""
    ev = qmp.pull_event(wait=TIMEOUT)
    check(ev is not None and ev["event"] == name,
          f"expected event {name}, got {ev}")
    ts = ev["timestamp"]
    check(abs(ts["seconds"] - time.time()) < 60 and
          0 <= ts["microseconds"] < 1000000, f"bad timestamp {ts}")
    return ev


def status(qmp) -> str:
    st = qmp.cmd("query-status")
    check(set(st) == {"running", "singlestep", "status"} and
          st["singlestep"] is False and
          st["running"] == (st["status"] == "running"),
          f"query-status answered {st}")
    return st["status"]


def case_negotiate(args) -> None:
    with RivetQmp(args.rivet, ["-serial", "null", "-S"]) as vm:
        raw = vm.raw()
        greeting = raw.message()
        version = greeting["QMP"]["version"]
        check(greeting == {"QMP": {"version": version, "capabilities": []}},
              f"greeting {greeting}")
        check(version["package"] == "rivet" and
              all(isinstance(version["qemu"][k], int)
                  for k in ("major", "minor", "micro")), f"version {version}")
        error(raw.reply({"execute": "query-status", "id": 1}),
              "CommandNotFound",
              "Expecting capabilities negotiation with 'qmp_capabilities'", 1)
        # The request's shape is checked first, as QEMU does.
        error(raw.reply({"execute": "stop", "x": 1}), "GenericError",
              "QMP input member 'x' is unexpected")
        error(raw.reply({"execute": "qmp_capabilities",
                         "arguments": {"enable": ["oob"]}}),
              "GenericError", "Capability 'oob' not available")
        error(raw.reply({"execute": "qmp_capabilities",
                         "arguments": {"enable": ["nope"]}}),
              "GenericError",
              "Parameter 'enable[0]' does not accept value 'nope'")
        ident = {"any": ["json", 1]}
        check(raw.reply({"execute": "qmp_capabilities", "id": ident}) ==
              {"return": {}, "id": ident}, "negotiation")
        error(raw.reply({"execute": "qmp_capabilities", "id": "again"}),
              "CommandNotFound",
              "Capabilities negotiation is already complete, command ignored",
              "again")
        check(raw.reply({"execute": "query-status", "id": "s"}) ==
              {"return": {"running": False, "singlestep": False,
                          "status": "prelaunch"}, "id": "s"}, "query-status")
        raw.close()
        # QEMU's library negotiates by itself.
        qmp = vm.connect()
        check(status(qmp) == "prelaunch", "status after reconnect")


def case_commands(args) -> None:
    # exit-code waits for a line on the UART that never comes: the guest
    # idles and the monitor answers meanwhile.
    with RivetQmp(args.rivet, ["-serial", "null",
                               "-bios", args.firmware["exit-code"]]) as vm:
        qmp = vm.connect()
        check(status(qmp) == "running", "running at start")
        version = qmp.cmd("query-version")
        check(version["package"] == "rivet", f"query-version {version}")
        names = {c["name"] for c in qmp.cmd("query-commands")}
        want = {"qmp_capabilities", "query-version", "query-commands",
                "qom-list"} | set(RUN_STATE_COMMANDS)
        check(want <= names, f"query-commands lacks {want - names}")
        check(("qom-list-types" in names) == (args.rust == "yes"),
              f"qom-list-types in a build with rust={args.rust}: {names}")
        cpus = qmp.cmd("query-cpus-fast")
        check(cpus == [{"cpu-index": 0, "qom-path": "/machine/cpu0",
                        "thread-id": vm.proc.pid, "target": "riscv64",
                        "props": {"socket-id": 0, "core-id": 0}}],
              f"query-cpus-fast {cpus}")
        check(qmp.cmd("stop") == {} and status(qmp) == "paused", "stop")
        check(qmp.cmd("stop") == {} and status(qmp) == "paused", "stop twice")
        check(qmp.cmd("cont") == {} and status(qmp) == "running", "cont")
        check(qmp.cmd("system_reset") == {}, "system_reset")
        check(status(qmp) == "running", "running after reset")
        check(qmp.cmd("quit") == {}, "quit")
        code, _, err = vm.finish()
        check(code == 0 and err == "", f"quit: status {code}, stderr {err!r}")


def case_events(args) -> None:
    with RivetQmp(args.rivet, ["-serial", "null",
                               "-bios", args.firmware["exit-code"]]) as vm:
        qmp = vm.connect()
        qmp.cmd("stop")
        event(qmp, "STOP")
        check(status(qmp) == "paused", "paused")
        qmp.cmd("cont")
        ev = event(qmp, "RESUME")
        check("data" not in ev, f"RESUME has no data: {ev}")
        qmp.cmd("system_reset")
        ev = event(qmp, "RESET")
        check(ev["data"] == {"guest": False,
                             "reason": "host-qmp-system-reset"}, f"{ev}")
        # cont on a running machine: STOP then RESUME, as QEMU sends them.
        qmp.cmd("cont")
        event(qmp, "STOP")
        event(qmp, "RESUME")
        qmp.cmd("quit")
        ev = event(qmp, "SHUTDOWN")
        check(ev["data"] == {"guest": False, "reason": "host-qmp-quit"},
              f"{ev}")
        code, _, err = vm.finish()
        check(code == 0 and err == "", f"status {code}, stderr {err!r}")


def case_start_paused(args) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        serial = os.path.join(tmp, "serial.out")
        with RivetQmp(args.rivet, ["-S", "-serial", f"file:{serial}"]) as vm:
            qmp = vm.connect()
            time.sleep(0.3)  # a running guest prints its banner by now
            check(status(qmp) == "prelaunch", "prelaunch")
            with open(serial, "rb") as f:
                check(f.read() == b"", "the guest ran before cont")
            qmp.cmd("cont")
            event(qmp, "RESUME")
            ev = event(qmp, "SHUTDOWN")
            check(ev["data"] == {"guest": True, "reason": "guest-shutdown"},
                  f"{ev}")
            code, _, err = vm.finish()
            check(code == 0 and err == "", f"status {code}, {err!r}")
            with open(serial, "rb") as f:
                out = f.read()
            check(out.startswith(b"rivet demo firmware\n") and
                  out.endswith(b"goodbye after 5 ticks\n"), f"serial {out!r}")


def case_no_shutdown(args) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        serial = os.path.join(tmp, "serial.out")
        with RivetQmp(args.rivet, ["-S", "-no-shutdown",
                                   "-serial", f"file:{serial}"]) as vm:
            qmp = vm.connect()
            qmp.cmd("cont")
            event(qmp, "RESUME")
            ev = event(qmp, "SHUTDOWN")
            check(ev["data"] == {"guest": True, "reason": "guest-shutdown"},
                  f"{ev}")
            event(qmp, "STOP")
            check(status(qmp) == "shutdown", "shutdown state")
            answer = qmp.cmd_obj({"execute": "cont"})
            error(answer, "GenericError",
                  "Resetting the Virtual Machine is required")
            qmp.cmd("system_reset")
            event(qmp, "RESET")
            check(status(qmp) == "prelaunch", "prelaunch after reset")
            qmp.cmd("cont")
            event(qmp, "RESUME")
            event(qmp, "SHUTDOWN")
            event(qmp, "STOP")
            qmp.cmd("quit")
            code, _, err = vm.finish()
            check(code == 0 and err == "", f"status {code}, {err!r}")
            with open(serial, "rb") as f:
                out = f.read()
            check(out.count(b"goodbye after 5 ticks\n") == 2,
                  f"the guest ran twice: {out!r}")


def case_bad_input(args) -> None:
    with RivetQmp(args.rivet, ["-serial", "null",
                               "-bios", args.firmware["exit-code"]]) as vm:
        raw = vm.raw()
        raw.negotiate()
        cases = [
            ("nonsense\n", "GenericError", None),
            ('{"execute": "query-status",}', "GenericError", None),
            ("[1, 2]", "GenericError", "QMP input must be a JSON object"),
            ('"text"', "GenericError", "QMP input must be a JSON object"),
            ("42 ", "GenericError", "QMP input must be a JSON object"),
            ('{"execute": 1}', "GenericError",
             "QMP input member 'execute' must be a string"),
            ('{"arguments": {}}', "GenericError",
             "Expected 'execute' in QMP input"),
            ('{"execute": "qom-list"}', "GenericError",
             "Parameter 'path' is missing"),
            ('{"execute": "qom-list", "arguments": {"path": 1}}',
             "GenericError",
             "Invalid parameter type for 'path', expected: string"),
            ('{"execute": "query-status", "arguments": {"x": 1}}',
             "GenericError", "Parameter 'x' is unexpected"),
            ('{"execute": "query-status", "arguments": []}', "GenericError",
             "QMP input member 'arguments' must be an object"),
            ('{"execute": "no-such-command"}', "CommandNotFound",
             "The command no-such-command has not been found"),
            ("[" * 2000 + "]" * 2000, "GenericError",
             "JSON parse error, nesting deeper than 1024 levels"),
        ]
        for text, cls, desc in cases:
            answer = raw.reply(text)
            check(set(answer) == {"error"} and
                  answer["error"]["class"] == cls and
                  (desc is None or answer["error"]["desc"] == desc),
                  f"{text[:60]!r}: {answer}")
            check(raw.reply({"execute": "query-status"})["return"]["status"]
                  == "running", f"still serving after {text[:60]!r}")
        # Over the size limit: an error, then a clean close.
        raw.send('{"execute": "query-status", "id": "' + "a" * (1 << 20))
        answer = raw.message()
        error(answer, "GenericError", "JSON message size limit exceeded")
        check(raw.line() == b"", "closed after an oversized message")
        raw.close()
        # Leaving in the middle of a command, or without reading the
        # answer, is harmless.
        for text in ['{"execute": "query-st',
                     '{"execute": "query-cpus-fast"}' * 50]:
            raw = vm.raw()
            raw.message()
            raw.send(text)
            raw.close()
        qmp = vm.connect()
        check(status(qmp) == "running", "serving after hostile clients")
        qmp.cmd("quit")
        code, _, err = vm.finish()
        check(code == 0 and err == "", f"status {code}, stderr {err!r}")


def case_two_monitors(args) -> None:
    with RivetQmp(args.rivet, ["-serial", "null", "-bios",
                               args.firmware["exit-code"]],
                  monitors=2) as vm:
        a = vm.connect(0)
        b = vm.connect(1)
        a.cmd("stop")
        event(a, "STOP")
        event(b, "STOP")
        check(status(b) == "paused", "b sees a's stop")
        b.cmd("cont")
        event(a, "RESUME")
        event(b, "RESUME")
        b.cmd("quit")
        event(a, "SHUTDOWN")
        event(b, "SHUTDOWN")
        code, _, err = vm.finish()
        check(code == 0 and err == "", f"status {code}, stderr {err!r}")


def case_reconnect(args) -> None:
    with RivetQmp(args.rivet, ["-serial", "null", "-bios",
                               args.firmware["exit-code"]]) as vm:
        first = vm.raw()
        first.negotiate()
        # One client at a time: the second waits, ungreeted.
        second = vm.raw()
        second.sock.settimeout(0.5)
        try:
            data = second.sock.recv(1)
            raise AssertionError(f"second client greeted early: {data!r}")
        except socket.timeout:
            pass
        second.sock.settimeout(TIMEOUT)
        first.close()
        second.message()  # the greeting, now that the first left
        error(second.reply({"execute": "query-status"}), "CommandNotFound",
              "Expecting capabilities negotiation with 'qmp_capabilities'")
        check(second.reply({"execute": "qmp_capabilities"}) == {"return": {}},
              "the new client negotiates")
        second.close()
        for _ in range(3):
            qmp = vm.connect()
            check(status(qmp) == "running", "reconnected")
            qmp.close()
        qmp = vm.connect()
        qmp.cmd("quit")
        code, _, err = vm.finish()
        check(code == 0 and err == "", f"status {code}, stderr {err!r}")


def case_no_read(args) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        serial = os.path.join(tmp, "serial.out")
        with RivetQmp(args.rivet, ["-S", "-serial", f"file:{serial}"],
                      monitors=2) as vm:
            silent = vm.raw(0)
            silent.message()
            silent.send('{"execute": "qmp_capabilities"}')
            request = b'{"execute": "query-commands"}'
            sent = 0
            # The answers (~700 bytes each) pile up past the 1 MiB queue:
            # rivet drops the client, and the sends then fail.
            try:
                for _ in range(20000):
                    silent.sock.sendall(request)
                    sent += 1
            except (BrokenPipeError, ConnectionResetError):
                pass
            check(sent < 20000, "rivet never dropped the silent client")
            qmp = vm.connect(1)
            qmp.cmd("cont")
            event(qmp, "RESUME")
            event(qmp, "SHUTDOWN")
            code, _, err = vm.finish()
            check(code == 0, f"status {code}, stderr {err!r}")
            lines = err.splitlines()
            check(len(lines) == 1 and
                  "the client does not read its output" in lines[0] and
                  "disconnecting it" in lines[0], f"stderr {err!r}")
            with open(serial, "rb") as f:
                check(f.read().endswith(b"goodbye after 5 ticks\n"),
                      "the guest ran to its end")


def free_tcp_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def listening_addresses(port: int) -> list[str]:
    """Local addresses of the TCP listeners on port (/proc/net/tcp*)."""
    found = []
    for name in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(name) as f:
                rows = f.read().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            fields = row.split()
            addr, hexport = fields[1].split(":")
            if int(hexport, 16) == port and fields[3] == "0A":  # LISTEN
                found.append(addr)
    return found


def case_tcp(args) -> None:
    port = free_tcp_port()
    proc = subprocess.Popen(
        host_command([args.rivet, "-qmp", f"tcp::{port},server=on,wait=off",
                      "-serial", "null", "-bios", args.firmware["exit-code"]]),
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + TIMEOUT
        while True:
            try:
                sock = socket.create_connection(("127.0.0.1", port))
                break
            except ConnectionRefusedError:
                check(time.monotonic() < deadline and proc.poll() is None,
                      "rivet never listened on TCP")
                time.sleep(0.01)
        check(listening_addresses(port) == ["0100007F"],
              f"listens on {listening_addresses(port)}, not only 127.0.0.1")
        raw = RawClient(sock)
        raw.negotiate()
        check(raw.reply({"execute": "quit"}) == {"return": {}}, "quit")
        out, err = proc.communicate(timeout=TIMEOUT)
        check(proc.returncode == 0 and err == b"", f"{proc.returncode} {err}")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()


def case_unix_mode(args) -> None:
    old = os.umask(0)  # even a permissive umask gives an owner-only socket
    try:
        with RivetQmp(args.rivet, ["-serial", "null", "-bios",
                                   args.firmware["exit-code"]]) as vm:
            vm.wait_listening()
            mode = stat.S_IMODE(os.stat(vm.sockets[0]).st_mode)
            check(mode == 0o600, f"socket mode {mode:o}")
    finally:
        os.umask(old)


def case_stdio(args) -> None:
    requests = b"".join(json.dumps(r).encode() + b"\n" for r in [
        {"execute": "qmp_capabilities"},
        {"execute": "query-status", "id": 1},
        {"execute": "quit", "id": 2},
    ])
    proc = subprocess.run(
        host_command([args.rivet, "-qmp", "stdio", "-serial", "null", "-bios",
                      args.firmware["exit-code"]]),
        input=requests, capture_output=True, timeout=TIMEOUT)
    lines = [json.loads(line) for line in proc.stdout.splitlines()]
    check(proc.stdout.endswith(b"\r\n"), "CRLF line ends")
    check(len(lines) == 5 and "QMP" in lines[0], f"stdout {lines}")
    check(lines[1:4] == [{"return": {}},
                         {"return": {"running": True, "singlestep": False,
                                     "status": "running"}, "id": 1},
                         {"return": {}, "id": 2}], f"answers {lines}")
    check(lines[4]["event"] == "SHUTDOWN", f"event {lines[4]}")
    check(proc.returncode == 0 and proc.stderr == b"",
          f"{proc.returncode} {proc.stderr}")


def migration_events(qmp, last: str) -> list:
    """The MIGRATION statuses up to and including last."""
    seen = []
    while not seen or seen[-1] != last:
        ev = event(qmp, "MIGRATION")
        seen.append(ev["data"]["status"])
        check(len(seen) < 8, f"MIGRATION statuses {seen}")
    return seen


def case_migrate(args) -> None:
    firmware = ["-serial", "null", "-bios", args.firmware["exit-code"]]
    with tempfile.TemporaryDirectory() as tmp:
        # At -S nothing has run: the stream is -save-at 0's.
        save_at = os.path.join(tmp, "save-at-0")
        r = subprocess.run(host_command([args.rivet, *firmware, "-save-at",
                                         f"0,file:{save_at}"]),
                           capture_output=True, timeout=step_timeout(TIMEOUT))
        check(r.returncode == 0, f"-save-at 0: {r}")
        at_start = os.path.join(tmp, "migrate-at-start")
        with RivetQmp(args.rivet, ["-S", *firmware]) as vm:
            qmp = vm.connect()
            check(qmp.cmd("migrate", uri=f"file:{at_start}") == {}, "migrate")
            statuses = migration_events(qmp, "completed")
            check(statuses == ["setup", "active", "completed"],
                  f"MIGRATION statuses {statuses}")
            info = qmp.cmd("query-migrate")
            check(info["status"] == "completed" and info["total-time"] >= 0,
                  f"query-migrate {info}")
            check(status(qmp) == "prelaunch", "still prelaunch")
            qmp.cmd("quit")
            vm.finish()
        with open(save_at, "rb") as a, open(at_start, "rb") as b:
            check(a.read() == b.read(), "migrate at -S differs from -save-at 0")

        # Mid-run: the guest idles waiting for its input line.
        mid = os.path.join(tmp, "mid-run")
        with RivetQmp(args.rivet, firmware) as vm:
            qmp = vm.connect()
            # A destination that cannot be written: failed, guest running.
            bad = f"file:{tmp}/no-such-dir/snap"
            rsp = qmp.cmd_obj({"execute": "migrate",
                               "arguments": {"uri": bad}})
            check("return" in rsp or rsp["error"]["class"] == "GenericError",
                  f"migrate {bad}: {rsp}")
            check(migration_events(qmp, "failed")[-1] == "failed", "failed")
            info = qmp.cmd("query-migrate")
            check(info["status"] == "failed" and "error-desc" in info,
                  f"query-migrate {info}")
            check(status(qmp) == "running", "running after a failed migrate")
            check(not os.path.exists(os.path.join(tmp, "no-such-dir")),
                  "a failed migrate left files")

            check(qmp.cmd("migrate", uri=f"file:{mid}") == {}, "migrate")
            check(migration_events(qmp, "completed")[-1] == "completed", "done")
            event(qmp, "STOP")
            check(status(qmp) == "postmigrate", "postmigrate")
            qmp.cmd("cont")
            event(qmp, "RESUME")
            check(status(qmp) == "running", "running after cont")
            qmp.cmd("quit")
            code, _, err = vm.finish()
            check(code == 0 and err == "", f"status {code}, stderr {err!r}")
        # The snapshot resumes in a new process and takes its input there.
        r = subprocess.run(host_command([args.rivet, "-serial", "stdio",
                                         "-bios", args.firmware["exit-code"],
                                         "-incoming", f"file:{mid}"]),
                           input=b"fail 3\n", capture_output=True,
                           timeout=step_timeout(TIMEOUT))
        check(r.returncode == 3 and r.stderr == b"",
              f"resumed: status {r.returncode}, stderr {r.stderr!r}")


def case_qom_set(args) -> None:
    path = "/machine/pcf8574"
    with tempfile.TemporaryDirectory() as tmp:
        serial = os.path.join(tmp, "serial.out")
        with RivetQmp(args.rivet, ["-S", "-serial", f"file:{serial}",
                                   "-bios", args.firmware["ocores"]]) as vm:
            qmp = vm.connect()
            set_in2 = {"execute": "qom-set",
                       "arguments": {"path": path, "property": "in2",
                                     "value": 0}}
            if args.rust != "yes":
                error(qmp.cmd_obj(set_in2), "DeviceNotFound",
                      f"Device '{path}' not found")
                qmp.cmd("quit")
                vm.finish()
                return
            check(qmp.cmd("qom-get", path=path, property="in2") == 1,
                  "in2 is high at start")
            bad = dict(set_in2, arguments=dict(set_in2["arguments"],
                                               value="low"))
            error(qmp.cmd_obj(bad), "GenericError",
                  "Invalid parameter type for 'in2', expected: integer")
            fixed = dict(set_in2, arguments={"path": path,
                                             "property": "address",
                                             "value": 0x21})
            error(qmp.cmd_obj(fixed), "GenericError",
                  "Property 'pcf8574-rust.address' cannot be set after "
                  "realize")
            check(qmp.cmd("qom-get", path=path, property="address") == 0x20,
                  "address unchanged")
            check(qmp.cmd_obj(set_in2) == {"return": {}}, "qom-set in2")
            check(qmp.cmd("qom-get", path=path, property="in2") == 0,
                  "in2 reads back low")
            qmp.cmd("cont")
            event(qmp, "RESUME")
            ev = event(qmp, "SHUTDOWN")
            check(ev["data"] == {"guest": True, "reason": "guest-shutdown"},
                  f"{ev}")
            code, _, err = vm.finish()
        with open(serial, "rb") as f:
            out = f.read()
        # The firmware expects P2 held low from outside: it passes only if
        # the guest saw the qom-set.
        check(b"pcf8574 inputs: fb\n" in out and code == 0 and err == "",
              f"status {code}, stderr {err!r}, serial {out[-300:]!r}")


UINT64_MAX = 2**64 - 1


def hmp(qmp, line: str, **args) -> str:
    return qmp.cmd("human-monitor-command", **{"command-line": line}, **args)


def register_values(text: str) -> dict:
    """NAME -> value of QEMU's riscv `info registers` layout: " mstatus
    0000000200001800" lines, then "x10/a0   ..." four to a line."""
    values = {}
    for line in text.split("\r\n"):
        words = line.split()
        for name, value in zip(words[0::2], words[1::2]):
            values[name.split("/")[-1]] = value if name == "priv" else int(value, 16)
    return values


def qtree_devices(text: str) -> dict:
    """id -> (type, indent, bus, {property: value text}) of each `dev:`
    line of info qtree."""
    devices, current, buses = {}, None, [(0, "main-system-bus")]
    for line in text.split("\r\n"):
        indent = len(line) - len(line.lstrip())
        body = line.strip()
        while buses and buses[-1][0] >= indent:
            buses.pop()
        if body.startswith("bus: "):
            buses.append((indent, body[5:]))
        elif body.startswith("dev: "):
            kind, ident = body[5:].split(", id ")
            current = (kind, indent, buses[-1][1] if buses else None, {})
            devices[json.loads(ident)] = current
        elif " = " in body and current:
            name, value = body.split(" = ", 1)
            current[3][name] = value
    return devices


def case_hmp(args) -> None:
    # The hart's ID past INT64_MAX: a uint64 that must cross JSON exactly.
    with RivetQmp(args.rivet, ["-serial", "null",
                               "-global", f"riscv-cpu.hartid={UINT64_MAX}",
                               "-bios", args.firmware["hmp-regs"]],
                  monitors=2) as vm:
        qmp = vm.connect()
        deadline = time.monotonic() + TIMEOUT
        while register_values(hmp(qmp, "info registers")).get("t6") != 0x0123456789abcdef:
            check(time.monotonic() < deadline, "the guest never set t6")
            time.sleep(0.05)
        qmp.cmd("stop")
        text = hmp(qmp, "info registers")
        regs = register_values(text)
        for n in range(2, 12):
            check(regs[f"s{n}"] == 0x1111111111111111 * (n - 1),
                  f"s{n} in {text!r}")
        check(regs["mscratch"] == 0xfedcba9876543210 and regs["zero"] == 0
              and regs["priv"] == "M" and regs["mhartid"] == UINT64_MAX,
              f"mscratch, x0, priv, mhartid in {text!r}")
        check(0x80000000 <= regs["pc"] < 0x80000000 + os.path.getsize(
            args.firmware["hmp-regs"]), f"pc in the firmware: {text!r}")
        check(text.startswith(" pc       ") and text.endswith("\r\n")
              and " x10/a0   " in text and " x31/t6   0123456789abcdef\r\n" in text,
              f"QEMU's layout: {text!r}")
        check(hmp(qmp, "info registers", **{"cpu-index": 0}) == text,
              "a stopped hart's registers do not change")
        error(qmp.cmd_obj({"execute": "human-monitor-command",
                           "arguments": {"command-line": "info registers",
                                         "cpu-index": 1}}),
              "GenericError", "Parameter 'cpu-index' expects a CPU number")

        # Integers past INT64_MAX through JSON text, both ways, exactly
        # (Python's json reads a real as a float, which would differ).
        raw = vm.raw(1)
        raw.message()  # the greeting
        raw.reply({"execute": "qmp_capabilities"})
        reply = raw.reply(f'{{"execute": "query-status", "id": {UINT64_MAX}}}')
        check(reply.get("id") == UINT64_MAX and type(reply["id"]) is int,
              f"id echoed: {reply}")
        if args.rust == "yes":
            hartid = qmp.cmd("qom-get", path="/machine/cpu0", property="hartid")
            check(hartid == UINT64_MAX and type(hartid) is int,
                  f"qom-get hartid: {hartid!r}")
            error(qmp.cmd_obj({"execute": "qom-set", "arguments": {
                "path": "/machine/pcf8574", "property": "in5",
                "value": UINT64_MAX}}),
                "GenericError", "Parameter 'in5' expects uint8")

        # Every device the board made (qom-list's children of /machine but
        # the hart) is in the qtree with its type; the sysbus ones on the
        # main bus, the I2C targets on the controller's bus.
        if args.rust == "yes":
            qmp.cmd("qom-set", path="/machine/pcf8574", property="in5", value=0)
        tree = hmp(qmp, "info qtree")
        devices = qtree_devices(tree)
        children = {p["name"]: p["type"][6:-1]
                    for p in qmp.cmd("qom-list", path="/machine")
                    if p["type"].startswith("child<")}
        names = [p["name"] for p in qmp.cmd("qom-list", path="/machine")]
        check(len(names) == len(set(names)),
              f"/machine's children and properties share no name: {names}")
        del children["cpu0"]
        check({d: v[0] for d, v in devices.items()} == children,
              f"qtree devices {devices} vs /machine's children {children}")
        check(tree.startswith("bus: main-system-bus\r\n  type System\r\n"),
              f"main bus first: {tree[:80]!r}")
        for ident, (kind, indent, bus, props) in devices.items():
            on_i2c = ident in ("eeprom", "pcf8574")
            check(bus == ("/machine/i2c/bus" if on_i2c else "main-system-bus")
                  and indent == (6 if on_i2c else 2),
                  f"{ident} on bus {bus} at indent {indent}")
            for name, shown in props.items():
                value = qmp.cmd("qom-get", path="/machine/" + ident,
                                property=name) if args.rust == "yes" else None
                if isinstance(value, bool):
                    want = "true" if value else "false"
                elif isinstance(value, int):
                    want = f"{value} (0x{value:x})"
                elif isinstance(value, str):
                    want = json.dumps(value)
                else:
                    continue  # C-only: no qom-get to compare with
                check(shown == want, f"{ident}.{name} = {shown}, qom-get {value!r}")
        check("    mmio 0000000010000000/0000000000001000\r\n" in tree,
              f"the UART's window: {tree!r}")
        if args.rust == "yes":
            check(devices["pcf8574"][3]["in5"] == "0 (0x0)",
                  "qtree shows the qom-set pin")

        check(hmp(qmp, "frob --now") == "unknown command: 'frob'\r\n",
              "unknown command")
        check(hmp(qmp, "info nope") == "unknown command: 'info nope'\r\n",
              "unknown info")
        listing = hmp(qmp, "help")
        check(listing.startswith("help|? [cmd] -- show the help\r\n")
              and "\r\ninfo [subcommand] -- " in listing, f"help {listing!r}")
        info = hmp(qmp, "info")
        check(all(f"info {sub}  -- " in info
                  for sub in ("qtree", "registers", "status")), f"info {info!r}")
        check(hmp(qmp, "info status") == "VM status: paused\r\n", "info status")
        qmp.cmd("quit")
        code, _, err = vm.finish()
        check(code == 0 and err == "", f"quit: status {code}, stderr {err!r}")


CASES = {name[5:].replace("_", "-"): fn for name, fn in globals().items()
         if name.startswith("case_")}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("case", choices=sorted(CASES))
    parser.add_argument("rivet")
    parser.add_argument("--firmware", action="append", default=[], nargs=2,
                        metavar=("NAME", "ELF"))
    parser.add_argument("--rust", choices=["yes", "no"], default="yes")
    args = parser.parse_args()
    args.firmware = dict(args.firmware)
    require_qemu_qmp()
    try:
        CASES[args.case](args)
    except AssertionError as e:
        print(f"FAIL: {args.case}: {e}")
        return 1
    print(f"ok: {args.case}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
