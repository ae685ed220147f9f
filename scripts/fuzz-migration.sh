#!/usr/bin/env bash
# `make fuzz-migration FUZZ_SECONDS=N`: build the migration-stream fuzzer
# with clang, libFuzzer, ASan and UBSan in build-fuzz/, make a seed corpus
# of real snapshots (the demo and the device test firmware, saved at
# several instruction counts on the fuzzer's 1 MiB board), and fuzz for N
# seconds.  Crashes land in build-fuzz/fuzz/crashes/; copy each into
# tests/migration/regressions/ so it becomes a regression test.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
build=build-fuzz
export PATH="$PWD/.venv/bin:$PATH"

if ! command -v clang >/dev/null; then
    echo "fuzz-migration: clang is missing (scripts/setup installs clang and libclang-rt-14-dev when run as root)" >&2
    exit 1
fi
if [ ! -f "$build/build.ninja" ]; then
    CC=clang CFLAGS="-fsanitize=fuzzer-no-link -fno-sanitize-recover=undefined" \
        meson setup "$build" -Db_sanitize=address,undefined -Db_lundef=false \
        -Dfirmware=prebuilt -Drust=disabled >/dev/null
fi
ninja -C "$build" --quiet rivet fuzz/fuzz-migration

corpus=$build/fuzz/corpus
crashes=$build/fuzz/crashes
mkdir -p "$corpus" "$crashes"
seeds=0
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
echo "fuzz-migration: $seeds seed snapshots in $corpus; fuzzing for $seconds s"
ASAN_OPTIONS=detect_leaks=0 UBSAN_OPTIONS=print_stacktrace=1 \
    "$build/fuzz/fuzz-migration" "$corpus" -max_total_time="$seconds" \
    -max_len=65536 -artifact_prefix="$crashes/" -print_final_stats=1
