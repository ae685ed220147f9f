#!/usr/bin/env python3
"""Audio end to end (TAP): the pcm firmware plays 300 ms of a known
stereo waveform at 8000 Hz through -audiodev backends.

  - wav: the file holds exactly the waveform, computed here independently
    of the firmware; a second run writes the same bytes;
  - a snapshot taken mid-playback (-save-at) and resumed (-incoming): the
    first run's frames then the resumed run's equal an uninterrupted run's;
  - gstreamer (appsrc name=src ! wavenc ! filesink): the same samples as
    the wav backend (skipped when this rivet was built without it);
  - bad -audiodev options, an absent audiodev, an unwritable file, a bad
    pipeline: one line on stderr, exit 1, no file left behind;
  - a WAV file that meets a full disk (a file-size limit) at run time: one
    line, exit 1, nothing left at its path.
Usage: audio.py RIVET PCM_ELF
"""
import os
import re
import resource
import signal
import subprocess
import sys
import tempfile
import wave

from host_command import host_command, step_timeout

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "migration"))
from tap import Tap  # noqa: E402

RIVET, PCM = sys.argv[1:3]
TAP = Tap()

# The firmware's waveform (hw/audio/pcm/firmware/main.c), written again.
RATE, CHANNELS, FRAMES = 8000, 2, 2400


def waveform_sample(n: int, channel: int) -> int:
    if channel == 0:  # a triangle of 40 frames, -8000..8000 by 800
        phase = n % 40
        return -8000 + phase * 800 if phase < 20 else 8000 - (phase - 20) * 800
    return 4000 if (n // 16) % 2 else -4000  # a square of 32 frames


EXPECTED = [waveform_sample(n, c) for n in range(FRAMES) for c in range(CHANNELS)]


def run(args: list[str], preexec=None) -> subprocess.CompletedProcess:
    return subprocess.run(host_command([RIVET, "-serial", "null", "-bios", PCM] + args),
                          capture_output=True, text=True, preexec_fn=preexec,
                          timeout=step_timeout(60))


def samples(path: str) -> tuple[tuple[int, int, int], list[int]]:
    """(rate, channels, bytes per sample) and the samples of a WAV file."""
    with wave.open(path, "rb") as w:
        data = w.readframes(w.getnframes())
        fmt = (w.getframerate(), w.getnchannels(), w.getsampwidth())
    return fmt, [int.from_bytes(data[i:i + 2], "little", signed=True)
                 for i in range(0, len(data), 2)]


def play_wav(path: str, extra: list[str] = ()) -> subprocess.CompletedProcess:
    return run(["-audiodev", f"wav,id=snd,path={path}", "-global", "pcm.audiodev=snd"]
               + list(extra))


def check_one_line(what: str, p: subprocess.CompletedProcess, pattern: str) -> None:
    lines = p.stderr.splitlines()
    TAP.check(p.returncode == 1 and len(lines) == 1 and re.search(pattern, lines[0]),
              what, f"exit {p.returncode}, stderr {p.stderr!r}, wanted /{pattern}/")


def main() -> int:
    helped = subprocess.run(host_command([RIVET, "-audiodev", "help"]), capture_output=True,
                            text=True, timeout=step_timeout(30))
    have_gst = re.search(r"^  gstreamer +plays", helped.stdout, re.M) is not None
    tmp = tempfile.mkdtemp(prefix="rivet-audio-")
    full = os.path.join(tmp, "full.wav")

    p = play_wav(full)
    fmt, got = samples(full) if p.returncode == 0 else ((0, 0, 0), [])
    TAP.check(p.returncode == 0 and fmt == (RATE, CHANNELS, 2) and got == EXPECTED,
              "wav: the file holds the firmware's waveform, sample for sample",
              f"exit {p.returncode} {p.stderr!r}; format {fmt}; {len(got)} samples, "
              f"first difference at {next((i for i, (a, b) in enumerate(zip(got, EXPECTED)) if a != b), None)}")
    again = os.path.join(tmp, "again.wav")
    p = play_wav(again)
    TAP.check(p.returncode == 0 and open(full, "rb").read() == open(again, "rb").read(),
              "wav: two runs write the same bytes")
    TAP.check(sorted(os.listdir(tmp)) == ["again.wav", "full.wav"], "wav: no temporary file is left",
              str(os.listdir(tmp)))

    # Mid-playback: half the instructions of the whole run, which the
    # refusal of a save point past the end names.
    p = run(["-save-at", "1000000000000,file:" + os.path.join(tmp, "never")])
    m = re.search(r"after (\d+) instructions", p.stderr)
    snap, first, rest = (os.path.join(tmp, n) for n in ("snap", "first.wav", "rest.wav"))
    if m:
        half = int(m.group(1)) // 2
        p1 = play_wav(first, ["-save-at", f"{half},file:{snap}"])
        p2 = play_wav(rest, ["-incoming", f"file:{snap}"])
        ok = p1.returncode == 0 and p2.returncode == 0
        head = samples(first)[1] if ok else []
        tail = samples(rest)[1] if ok else []
        TAP.check(ok and 0 < len(head) < len(EXPECTED) and head + tail == EXPECTED,
                  "snapshot mid-playback: the saved run's frames then the resumed run's "
                  "are the uninterrupted run's",
                  f"exits {p1.returncode} {p2.returncode} {p1.stderr!r} {p2.stderr!r}; "
                  f"{len(head)} + {len(tail)} samples")
    else:
        TAP.check(False, "snapshot mid-playback", f"no instruction count in {p.stderr!r}")

    gst = os.path.join(tmp, "gst.wav")
    if have_gst:
        p = run(["-audiodev", f"gstreamer,id=g,pipeline=appsrc name=src ! wavenc ! filesink location={gst}",
                 "-global", "pcm.audiodev=g"])
        got = samples(gst)[1] if p.returncode == 0 else []
        TAP.check(p.returncode == 0 and got == EXPECTED,
                  "gstreamer: wavenc's file holds the samples the wav backend wrote",
                  f"exit {p.returncode} {p.stderr!r}; {len(got)} samples")
    else:
        print("ok %d - gstreamer: the same samples # SKIP this rivet was built without the "
              "gstreamer backend" % (len(TAP.results) + 1))
        TAP.results.append(True)

    absent = os.path.join(tmp, "absent.wav")
    hostile = [
        ("unknown backend", ["-audiodev", "alsa,id=a"], r"^rivet: -audiodev alsa,id=a: unknown backend 'alsa'"),
        ("missing id", ["-audiodev", f"wav,path={absent}"], r": id=ID is missing$"),
        ("missing path", ["-audiodev", "wav,id=a"], r": the wav backend needs path=$"),
        ("unknown key", ["-audiodev", "none,id=a,rate=8000"], r"has no key 'rate'"),
        ("duplicate id", ["-audiodev", "none,id=a", "-audiodev", "none,id=a"],
         r"an audiodev with id 'a' exists already$"),
        ("device naming an absent audiodev",
         ["-audiodev", f"wav,id=a,path={absent}", "-global", "pcm.audiodev=b"],
         r"^rivet: pcm: audiodev 'b' does not exist"),
        ("unwritable path", ["-audiodev", "wav,id=a,path=/nonexistent/dir/x.wav"],
         r"^rivet: audiodev a: cannot create '/nonexistent/dir/x.wav': No such file or directory$"),
        ("a directory as path", ["-audiodev", f"wav,id=a,path={tmp}"], r"is not a regular file"),
    ]
    if have_gst:
        hostile += [
            ("bad pipeline", ["-audiodev", "gstreamer,id=g,pipeline=appsrc name=src ! nosuchelement"],
             r"^rivet: audiodev g: pipeline 'appsrc name=src ! nosuchelement': .*nosuchelement"),
            ("pipeline without src", ["-audiodev", "gstreamer,id=g,pipeline=audiotestsrc ! fakesink"],
             r"^rivet: audiodev g: .* has no element named src"),
            ("pipeline to an unwritable file",
             ["-audiodev", "gstreamer,id=g,pipeline=appsrc name=src ! wavenc ! filesink "
              "location=/nonexistent/dir/g.wav"], r"^rivet: audiodev g: GStreamer: .*/nonexistent/dir/g.wav"),
        ]
    else:
        hostile += [("gstreamer not built", ["-audiodev", "gstreamer,id=g"],
                     r"this rivet was built without the gstreamer backend")]
    for what, args, pattern in hostile:
        check_one_line("refused: " + what, run(args), pattern)
    TAP.check(not os.path.exists(absent) and sorted(os.listdir(tmp)) == sorted(
        ["again.wav", "full.wav", "first.wav", "rest.wav", "snap"] + (["gst.wav"] if have_gst else [])),
        "refused starts leave no file behind", str(os.listdir(tmp)))

    # A full disk at run time: the WAV grows past a file-size limit.
    def limit() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))
    small = os.path.join(tmp, "small.wav")
    check_one_line("a full disk while playing", run(
        ["-audiodev", f"wav,id=snd,path={small}", "-global", "pcm.audiodev=snd"], preexec=limit),
        rf"^rivet: audiodev snd: cannot write '{re.escape(small)}': File too large$")
    TAP.check(not [n for n in os.listdir(tmp) if n.startswith("small.wav")],
              "a full disk leaves nothing at the path", str(os.listdir(tmp)))

    for name in os.listdir(tmp):
        os.unlink(os.path.join(tmp, name))
    os.rmdir(tmp)
    return TAP.finish()


sys.exit(main())
