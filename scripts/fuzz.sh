#!/usr/bin/env bash
# `make fuzz-migration|fuzz-loader|fuzz-mmio|fuzz-qmp FUZZ_SECONDS=N`: build the
# fuzz target fuzz/fuzz-TARGET with clang, libFuzzer, ASan and UBSan in
# build-fuzz/ (C-only; build-fuzz-rust/ for mmio, which links the Rust
# twins), make its seed corpus, and fuzz for N seconds.  Seeds: for the
# migration stream, real snapshots (the demo and the device test firmware,
# saved at several instruction counts on the fuzzer's 1 MiB board); for the
# firmware loader, the prebuilt firmware (firmware/prebuilt/ and the
# devices' test programs); for guest MMIO, fuzz/mmio-inputs/; for QMP, the
# client side of real sessions, tests/functional/qmp-sessions/.  Crashes land
# in BUILD/fuzz/TARGET/crashes/; each becomes a regression test
# (docs/testing.md says where).
set -euo pipefail
cd "$(dirname "$0")/.."
target=${1:?usage: scripts/fuzz.sh migration|loader|mmio|qmp [SECONDS]}
seconds=${2:-60}
build=build-fuzz
rust=disabled
# Leaks are checked where each input builds and frees what it uses.
detect_leaks=0
if [ "$target" = mmio ]; then
    # Only the C code gets libFuzzer's coverage instrumentation: rustc's
    # (-Cpasses=sancov-module) would also reach the proc-macros and
    # rustc's sanity check, which are not linked with libFuzzer.
    build=build-fuzz-rust
    rust=enabled
    detect_leaks=1
fi
export PATH="$PWD/.venv/bin:$PATH"

if ! command -v clang >/dev/null; then
    echo "fuzz-$target: clang is missing (scripts/setup installs clang and libclang-rt-14-dev when run as root)" >&2
    exit 1
fi
if [ ! -f "$build/build.ninja" ]; then
    CC=clang CFLAGS="-fsanitize=fuzzer-no-link -fno-sanitize-recover=undefined" \
        meson setup "$build" --wrap-mode=nodownload -Db_sanitize=address,undefined \
        -Db_lundef=false -Dfirmware=prebuilt -Drust="$rust" >/dev/null
fi
ninja -C "$build" --quiet rivet "fuzz/fuzz-$target"

corpus=$build/fuzz/$target/corpus
crashes=$build/fuzz/$target/crashes
mkdir -p "$corpus" "$crashes"
seeds=0
case $target in
migration)
    # The device test programs' blobs live in their devices' folders.
    for elf in firmware/prebuilt/demo.elf hw/*/*/firmware/*.elf \
        firmware/prebuilt/traps.elf firmware/prebuilt/reset.elf; do
        fw=$(basename "$elf" .elf)
        [ "$fw" = demo ] && args=() || args=(-bios "$elf")
        for n in 1 500 3000 9000 40000; do
            out=$corpus/seed-$fw-$n.snap
            if ASAN_OPTIONS=detect_leaks=0 "$build/rivet" -m 1M "${args[@]}" -serial null \
                -save-at "$n,file:$out" >/dev/null 2>&1; then
                seeds=$((seeds + 1))
            fi
        done
    done
    max_len=65536
    ;;
loader)
    for elf in firmware/prebuilt/*.elf hw/*/*/firmware/*.elf; do
        cp "$elf" "$corpus/seed-$(basename "$elf")"
        seeds=$((seeds + 1))
    done
    max_len=32768
    ;;
mmio)
    for input in fuzz/mmio-inputs/*; do
        [ "$input" = fuzz/mmio-inputs/README.md ] && continue
        cp "$input" "$corpus/"
        seeds=$((seeds + 1))
    done
    max_len=4096
    ;;
qmp)
    # Each input is one client's bytes after a chunk-size byte (0: one
    # read); every allocation of a session is freed, so leaks are checked.
    detect_leaks=1
    for input in tests/functional/qmp-sessions/*.in; do
        { printf '\0'; cat "$input"; } >"$corpus/seed-$(basename "$input")"
        seeds=$((seeds + 1))
    done
    max_len=16384
    ;;
*)
    echo "fuzz: unknown target '$target' (migration, loader, mmio or qmp)" >&2
    exit 1
    ;;
esac
echo "fuzz-$target: $seeds seeds in $corpus; fuzzing for $seconds s"
ASAN_OPTIONS=detect_leaks=$detect_leaks UBSAN_OPTIONS=print_stacktrace=1 \
    "$build/fuzz/fuzz-$target" "$corpus" -max_total_time="$seconds" \
    -max_len="$max_len" -artifact_prefix="$crashes/" -print_final_stats=1
