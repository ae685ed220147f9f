#!/usr/bin/env bash
# `make fuzz-migration|fuzz-loader|fuzz-mmio|fuzz-qmp|fuzz-iommu|fuzz-virtio FUZZ_SECONDS=N`:
# build the fuzz target fuzz/fuzz-TARGET with clang, libFuzzer, ASan and
# UBSan in build-fuzz/ (C-only; build-fuzz-rust/ for mmio and virtio, which
# link the Rust devices), make its seed corpus, and fuzz for N seconds.  Seeds: for the
# migration stream, real snapshots (the demo and the device test firmware,
# saved at several instruction counts on the fuzzer's 1 MiB board); for the
# firmware loader, the prebuilt firmware (firmware/prebuilt/ and the
# devices' test programs); for guest MMIO, fuzz/mmio-inputs/; for virtio,
# fuzz/virtio-inputs/; for QMP, the
# client side of real sessions, tests/functional/qmp-sessions/; for the
# IOMMU, programs written below (a mapped page, the queues).  Crashes land
# in BUILD/fuzz/TARGET/crashes/; each becomes a regression test
# (docs/testing.md says where).
set -euo pipefail
cd "$(dirname "$0")/.."
target=${1:?usage: scripts/fuzz.sh migration|loader|mmio|qmp|iommu|virtio [SECONDS]}
seconds=${2:-60}
build=build-fuzz
rust=disabled
# Leaks are checked where each input builds and frees what it uses.
detect_leaks=0
if [ "$target" = mmio ] || [ "$target" = virtio ]; then
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
mmio | virtio)
    for input in fuzz/$target-inputs/*; do
        [ "$input" = "fuzz/$target-inputs/README.md" ] && continue
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
iommu)
    # Programs in fuzz/fuzz-iommu.c's language: a 1LVL DDT, device 8
    # translating through Sv39 (0x12345000 -> RAM page 5), the fault and
    # command queues on, DMAs that pass and fault, an IOFENCE.C.
    python3 - "$corpus" <<'PY'
import struct, sys
def raw(off, v): return struct.pack("<BHQ", 0, off, v)
def ptr(off, page, low): return struct.pack("<BHBH", 1, off, page, low)
def fsc(off, page, mode): return struct.pack("<BHBB", 2, off, page, mode)
def ddtp(page, mode): return struct.pack("<BBB", 3, page, mode)
def mmio(off, v, size8): return struct.pack("<BHQB", 4, off, v, size8)
def dma(did, iova, n, write): return struct.pack("<B", 6) + did.to_bytes(3, "little") + struct.pack("<QHB", iova, n, 1 if write else 0)
iova = 0x12345000
table = (raw(8 * 32, 1) + fsc(8 * 32 + 24, 1, 8) +
         ptr(4096 + 8 * ((iova >> 30) & 0x1ff), 2, 0x01) +
         ptr(2 * 4096 + 8 * ((iova >> 21) & 0x1ff), 3, 0x01) +
         ptr(3 * 4096 + 8 * ((iova >> 12) & 0x1ff), 5, 0xd7) + ddtp(0, 2))
queues = (mmio(0x28, (0x80006 << 10) | 3, 1) + mmio(0x4c, 3, 4) +
          mmio(0x18, (0x80007 << 10) | 1, 1) + mmio(0x48, 3, 4))
fence = raw(7 * 4096, 2 | 1 << 10 | 0x1234 << 32) + raw(7 * 4096 + 8, (0x80008000 >> 2)) + mmio(0x24, 1, 0)
seeds = {
    "seed-map": table + queues + dma(8, iova + 0x10, 64, True) + dma(8, iova + 0x1000, 8, False),
    "seed-fence": queues + fence + ddtp(0, 1) + dma(3, 0x80001000, 4096, True),
    "seed-overflow": table + mmio(0x28, 0x80006 << 10, 1) + mmio(0x4c, 3, 4) + dma(9, 0, 8, False) * 3,
}
for name, data in seeds.items():
    with open(f"{sys.argv[1]}/{name}", "wb") as f:
        f.write(data)
PY
    seeds=3
    max_len=4096
    ;;
*)
    echo "fuzz: unknown target '$target' (migration, loader, mmio, qmp, iommu or virtio)" >&2
    exit 1
    ;;
esac
echo "fuzz-$target: $seeds seeds in $corpus; fuzzing for $seconds s"
ASAN_OPTIONS=detect_leaks=$detect_leaks UBSAN_OPTIONS=print_stacktrace=1 \
    "$build/fuzz/fuzz-$target" "$corpus" -max_total_time="$seconds" \
    -max_len="$max_len" -artifact_prefix="$crashes/" -print_final_stats=1
