#!/usr/bin/env bash
# `make fuzz-mmio FUZZ_SECONDS=N`: build the guest-MMIO twin fuzzer
# (fuzz/fuzz-mmio.c) with clang, libFuzzer, ASan and UBSan in
# build-fuzz-rust/ (Rust enabled: it links both twins), and fuzz for N seconds from
# fuzz/mmio-inputs/ plus the corpus of earlier runs.  A difference
# between the twins or a sanitizer report lands in
# build-fuzz-rust/fuzz/mmio-crashes/; copy it into fuzz/mmio-inputs/
# so that the fuzz-mmio-regressions test replays it.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
build=build-fuzz-rust
export PATH="$PWD/.venv/bin:$PATH"

if ! command -v clang >/dev/null; then
    echo "fuzz-mmio: clang is missing (scripts/setup installs clang and libclang-rt-14-dev when run as root)" >&2
    exit 1
fi
if [ ! -f "$build/build.ninja" ]; then
    # Only the C code gets libFuzzer's coverage instrumentation: rustc's
    # (-Cpasses=sancov-module) would also reach the proc-macros and rustc's
    # sanity check, which are not linked with libFuzzer.
    CC=clang CFLAGS="-fsanitize=fuzzer-no-link -fno-sanitize-recover=undefined" \
        meson setup "$build" --wrap-mode=nodownload -Db_sanitize=address,undefined \
        -Db_lundef=false -Drust=enabled >/dev/null
fi
ninja -C "$build" --quiet fuzz/fuzz-mmio

corpus=$build/fuzz/mmio-corpus
crashes=$build/fuzz/mmio-crashes
mkdir -p "$corpus" "$crashes"
echo "fuzz-mmio: fuzzing for $seconds s"
UBSAN_OPTIONS=print_stacktrace=1 \
    "$build/fuzz/fuzz-mmio" "$corpus" fuzz/mmio-inputs -max_total_time="$seconds" \
    -max_len=4096 -artifact_prefix="$crashes/" -print_final_stats=1
