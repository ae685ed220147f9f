/*
 * libFuzzer target for guest MMIO: the C and Rust device twins must be the
 * same device.
 *
 * Each input is a program of device accesses: reads and writes of 1, 2, 4
 * or 8 bytes at any offset in the window of any device on the `virt` board
 * (the board table, machine/virt-board.h), with advances of virtual time in
 * between that run the timers due.  It runs on a board built with the C
 * twins (pl011-impl=c,hpet-impl=c, ...), then on one built with the Rust twins;
 * the guest CPU never runs.  Every access's result and value, the level of
 * every interrupt line after each step (PLIC inputs, hart pins), then the
 * twins' `registers` properties and the whole snapshot stream must be the same
 * on both boards: the first difference aborts, with a description of it, so
 * libFuzzer saves the input.  ASan and UBSan cover the C side of both.
 * `make fuzz-mmio FUZZ_SECONDS=N` builds and runs it (docs/testing.md);
 * fuzz/mmio-inputs/ holds its seeds and every input that found a bug; the
 * fuzz-mmio-regressions test replays them (fuzz/replay-main.c).
 *
 * Input encoding, one step after another until the input ends:
 *   byte 0: bits 0-1 kind (0, 3 read; 1 write; 2 advance time), bits 2-3
 *           log2 of the access size, bits 4-7 the device (modulo the
 *           number of entries of fuzz_devices, where twins count twice);
 *   read/write: 3 bytes of offset (little-endian, modulo the window size),
 *           then for a write `size` bytes of value (little-endian);
 *   advance: 3 bytes of nanoseconds (little-endian).
 * A step cut short by the end of the input is dropped.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/riscv.h"
#include "hwcore/irq.h"
#include "machine/snapshot.h"
#include "machine/virt-map.h"
#include "machine/virt.h"
#include "memory/memory.h"
#include "migration/stream.h"
#include "util/main-loop.h"
#include "util/vclock.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct FuzzDevice {
    const char *name;
    hwaddr base;
    uint64_t size;
    bool twin;
    int index; /* in VirtMachine.devices */
} FuzzDevice;

/* Every device of the board table (machine/virt-board.h), so a new device
 * is fuzzed without an edit here.  A twin is listed twice: only twins can
 * differ, so they get more of the fuzzer's steps. */
#define FUZZ_IS_TWIN_C false
#define FUZZ_IS_TWIN_RUST false
#define FUZZ_IS_TWIN_TWIN true
#define FUZZ_ENTRY(NAME, type, impl)                                           \
    {type, VIRT_##NAME##_BASE, VIRT_##NAME##_SIZE, FUZZ_IS_TWIN_##impl,        \
     VIRT_DEV_##NAME},
#define FUZZ_EXTRA_C(NAME, type)
#define FUZZ_EXTRA_RUST(NAME, type)
#define FUZZ_EXTRA_TWIN(NAME, type) FUZZ_ENTRY(NAME, type, TWIN)
static const FuzzDevice fuzz_devices[] = {
#define VIRT_DEVICE(NAME, child, type, impl, base, size, irq)                  \
    FUZZ_ENTRY(NAME, type, impl) FUZZ_EXTRA_##impl(NAME, type)
#include "machine/virt-board.h"
#undef VIRT_DEVICE
};
#define FUZZ_NUM_DEVICES (sizeof(fuzz_devices) / sizeof(fuzz_devices[0]))

/* A periodic timer may re-arm itself forever within one advance (period
 * 0); both boards stop after this many timer rounds and record it. */
#define FUZZ_MAX_TIMER_ROUNDS 10000

/* What one board did: a text line per step, then its registers, and its
 * snapshot stream. */
typedef struct Trace {
    char *text;
    size_t len;
    FILE *f;
    MigWriter stream;
} Trace;

static void trace_printf(Trace *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void trace_printf(Trace *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfprintf(t->f, fmt, ap);
    va_end(ap);
}

static void trace_irqs(Trace *t, VirtMachine *vms)
{
    uint32_t plic_inputs = 0;
    for (int n = 1; n < VIRT_PLIC_NUM_SOURCES; n++) {
        if (irq_get_level(qdev_get_gpio_in(vms->devices[VIRT_DEV_PLIC], n))) {
            plic_inputs |= 1u << n;
        }
    }
    DeviceState *cpu = DEVICE(vms->cpu);
    trace_printf(t, " irq plic=%08" PRIx32 " meip=%d msip=%d mtip=%d\n",
                 plic_inputs,
                 irq_get_level(qdev_get_gpio_in(cpu, RISCV_IRQ_MEIP)),
                 irq_get_level(qdev_get_gpio_in(cpu, RISCV_IRQ_MSIP)),
                 irq_get_level(qdev_get_gpio_in(cpu, RISCV_IRQ_MTIP)));
}

static void fuzz_advance(Trace *t, uint64_t delta_ns)
{
    int64_t target = vclock_get_ns() + (int64_t)delta_ns;
    int rounds = 0;
    while (vclock_next_deadline() <= target && rounds < FUZZ_MAX_TIMER_ROUNDS) {
        int64_t deadline = vclock_next_deadline();
        if (deadline > vclock_get_ns()) {
            vclock_advance_to(deadline);
        }
        vclock_run_expired();
        rounds++;
    }
    vclock_advance_to(target);
    trace_printf(t, "advance %" PRIu64 " to %" PRId64 ": %d timer rounds",
                 delta_ns, vclock_get_ns(), rounds);
}

static uint64_t get_le(const uint8_t *p, unsigned n)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++) {
        v |= (uint64_t)p[i] << (8 * i);
    }
    return v;
}

static void trace_registers(Trace *t, DeviceState *dev)
{
    Error *err = NULL;
    char *text =
        object_property_print(OBJECT(dev), DEVICE_PROP_REGISTERS, &err);
    if (!text) {
        trace_printf(t, "registers: %s\n", error_get_message(err));
        error_free(err);
        return;
    }
    trace_printf(t, "registers: %s\n", text);
    free(text);
}

/* Run the program on a fresh board with the given twins. */
static void fuzz_run(Trace *t, const char *machine, const uint8_t *data,
                     size_t size)
{
    Error *err = NULL;
    memset(t, 0, sizeof(*t));
    t->f = open_memstream(&t->text, &t->len);
    mig_writer_init(&t->stream);
    VirtMachine *vms = virt_machine_new(machine, &err);
    if (!vms || !virt_machine_realize(vms, NULL, NULL, &err)) {
        error_report_err(err);
        abort();
    }
    AddressSpace *as = get_address_space_memory();
    size_t pos = 0;
    while (pos + 4 <= size) {
        uint8_t op = data[pos];
        unsigned kind = op & 3;
        unsigned access = 1u << ((op >> 2) & 3);
        const FuzzDevice *dev = &fuzz_devices[(op >> 4) % FUZZ_NUM_DEVICES];
        uint64_t arg = get_le(data + pos + 1, 3);
        if (kind == 2) {
            pos += 4;
            fuzz_advance(t, arg);
        } else if (kind == 1) {
            if (pos + 4 + access > size) {
                break;
            }
            uint64_t value = get_le(data + pos + 4, access);
            pos += 4 + access;
            hwaddr addr = dev->base + arg % dev->size;
            MemTxResult r = address_space_st(as, addr, access, value);
            trace_printf(t, "write %s+0x%" PRIx64 " size %u 0x%" PRIx64 ": %d",
                         dev->name, addr - dev->base, access, value, (int)r);
        } else {
            pos += 4;
            hwaddr addr = dev->base + arg % dev->size;
            uint64_t value = 0;
            MemTxResult r = address_space_ld(as, addr, access, &value);
            trace_printf(t, "read %s+0x%" PRIx64 " size %u: %d 0x%" PRIx64,
                         dev->name, addr - dev->base, access, (int)r, value);
        }
        trace_irqs(t, vms);
    }
    for (size_t i = 0; i < FUZZ_NUM_DEVICES; i++) {
        const FuzzDevice *dev = &fuzz_devices[i];
        if (dev->twin && (i == 0 || fuzz_devices[i - 1].index != dev->index)) {
            trace_registers(t, vms->devices[dev->index]);
        }
    }
    if (!virt_snapshot_save(vms, &t->stream, &err)) {
        trace_printf(t, "snapshot: %s\n", error_get_message(err));
        error_free(err);
    }
    fclose(t->f);
    object_unparent(OBJECT(vms)); /* resets the virtual clock */
    main_loop_reset();            /* a power/test write may request exit */
}

static void trace_free(Trace *t)
{
    free(t->text);
    mig_writer_free(&t->stream);
}

/* The line of text where a and b first differ, both versions. */
static void report_difference(const char *a, const char *b)
{
    size_t line_start = 0;
    for (size_t i = 0; a[i] == b[i]; i++) {
        if (a[i] == '\n') {
            line_start = i + 1;
        }
    }
    fprintf(stderr, "fuzz-mmio: the twins differ\n  c:    %.*s\n  rust: %.*s\n",
            (int)strcspn(a + line_start, "\n"), a + line_start,
            (int)strcspn(b + line_start, "\n"), b + line_start);
}

/* The -machine text that picks implementation impl ("c" or "rust") for
 * every twin of the board. */
static const char *fuzz_machine(char *buf, size_t len, const char *impl)
{
    size_t used = (size_t)snprintf(buf, len, "virt,ram-size=1048576,htif=off");
    for (size_t i = 0; i < FUZZ_NUM_DEVICES && used < len; i++) {
        const FuzzDevice *dev = &fuzz_devices[i];
        if (dev->twin && (i == 0 || fuzz_devices[i - 1].index != dev->index)) {
            used += (size_t)snprintf(buf + used, len - used, ",%s=%s",
                                     dev->name, impl);
        }
    }
    return buf;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    Trace c, rust;
    char machine[256];
    fuzz_run(&c, fuzz_machine(machine, sizeof(machine), "c"), data, size);
    fuzz_run(&rust, fuzz_machine(machine, sizeof(machine), "rust"), data, size);
    if (c.len != rust.len || memcmp(c.text, rust.text, c.len) != 0) {
        report_difference(c.text, rust.text);
        abort();
    }
    if (c.stream.len != rust.stream.len ||
        memcmp(c.stream.data, rust.stream.data, c.stream.len) != 0) {
        size_t i = 0;
        while (i < c.stream.len && i < rust.stream.len &&
               c.stream.data[i] == rust.stream.data[i]) {
            i++;
        }
        fprintf(stderr,
                "fuzz-mmio: the twins' snapshots differ at byte %zu "
                "(%zu and %zu bytes)\n",
                i, c.stream.len, rust.stream.len);
        abort();
    }
    trace_free(&c);
    trace_free(&rust);
    return 0;
}
