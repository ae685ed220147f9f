/*
 * The `virt` board: one RV64 hart, RAM at VIRT_RAM_BASE and the devices of
 * machine/virt-map.h, plus spike's HTIF (machine/htif.h) for programs that
 * have a `tohost` symbol.
 */
#ifndef RIVET_MACHINE_VIRT_H
#define RIVET_MACHINE_VIRT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "chardev/char.h"
#include "cpu/riscv.h"
#include "hwcore/qdev.h"
#include "machine/htif.h"
#include "machine/loader.h"
#include "machine/virt-map.h"
#include "memory/memory.h"
#include "qom/object.h"

#define TYPE_VIRT_MACHINE "virt"

/* The devices of the board table (machine/virt-board.h), in its order:
 * VIRT_DEV_<NAME> indexes VirtMachine.devices. */
enum {
#define VIRT_DEVICE(NAME, child, type, impl, base, size, irq) VIRT_DEV_##NAME,
#include "machine/virt-board.h"
#undef VIRT_DEVICE
    VIRT_NUM_DEVICES
};

/* The I2C targets of the board table: VIRT_I2C_<NAME> indexes
 * VirtMachine.i2c_targets. */
enum {
#define VIRT_I2C_TARGET(NAME, child, type, impl, address, irq) VIRT_I2C_##NAME,
#include "machine/virt-board.h"
#undef VIRT_I2C_TARGET
    VIRT_NUM_I2C_TARGETS
};

/* Every line of the board table: the devices, then the I2C targets. */
#define VIRT_NUM_PARTS (VIRT_NUM_DEVICES + VIRT_NUM_I2C_TARGETS)

/* RAM size limits accepted by -m. */
#define VIRT_RAM_MIN_SIZE (1ULL << 20)
#define VIRT_RAM_MAX_SIZE (16ULL << 30)

typedef struct VirtMachine {
    Object parent_obj;
    /* Properties (-machine virt,NAME=VALUE). */
    uint64_t ram_size; /* "ram-size", also set by -m */
    bool htif;         /* "htif": honour the ELF `tohost` symbol */
    /* "misaligned" (allow|trap): misaligned loads and stores complete in
     * RAM (allow, the default) or raise the address-misaligned exception
     * (trap), for firmware that tests its handler. */
    bool trap_misaligned;
    /* "<type>" (c|rust) of each twin of the board table: which
     * implementation the board builds (default: -Dtwin_default); and
     * "<type>" (on|off) of each Rust-only device: whether it is on the
     * board (default on when linked in).  Indexed by line of the board
     * table: devices[i] is rust[i], i2c_targets[i] is
     * rust[VIRT_NUM_DEVICES + i]. */
    bool rust[VIRT_NUM_PARTS];
    /* "eeprom": the file backing the EEPROM's content (NULL: none). */
    char *eeprom_file;
    /* The drive of -device virtio-blk-device (NULL: an empty virtio-mmio
     * slot); owned by the caller, who keeps it until the machine goes. */
    const struct Drive *virtio_blk;
    /* Built by virt_machine_realize(). */
    MemoryRegion ram;
    Htif htif_dev; /* mapped when htif is on and the firmware has tohost */
    RiscvCPU *cpu;
    /* The board table's devices (NULL: a Rust-only device in a build
     * without Rust). */
    DeviceState *devices[VIRT_NUM_DEVICES];
    /* The I2C targets on the controller's bus (NULL: Rust-only, no Rust). */
    DeviceState *i2c_targets[VIRT_NUM_I2C_TARGETS];
    /* The device wired to each PLIC source, NULL where none is. */
    DeviceState *plic_source_device[VIRT_PLIC_NUM_SOURCES];
    /* The firmware, kept open to reload it on a guest-requested reset. */
    LoaderSource firmware;
    LoadedImage image;
    bool reset_requested;
    bool realized;
    /* Guest instructions executed since power-on (resets do not clear it):
     * the clock -save-at counts and host input is polled on (run.c). */
    uint64_t insns_executed;
} VirtMachine;

#define VIRT_MACHINE(obj) OBJECT_CHECK(VirtMachine, (obj), TYPE_VIRT_MACHINE)

/* Parse a -machine argument ("virt" or "virt,key=value,...") into a new
 * machine object added to the tree as /machine.  Errors name the bad key. */
VirtMachine *virt_machine_new(const char *spec, Error **errp);
/* Puts drive behind the virtio-mmio transport (-device virtio-blk-device),
 * before virt_machine_realize(); fails when the transport is not on the
 * board (a build without Rust, or -machine virtio-present=off). */
bool virt_machine_set_virtio_blk(VirtMachine *vms, const struct Drive *drive,
                                 Error **errp);

/* Build the board: RAM, CPU, devices wired per virt-map.h, the serial port
 * on `serial` (may be NULL: output is discarded), and the firmware file
 * firmware_path (ELF or raw; NULL boots the built-in demo) loaded into RAM.
 * Nothing is left half-built on failure: the machine can be unref'd. */
bool virt_machine_realize(VirtMachine *vms, Chardev *serial,
                          const char *firmware_path, Error **errp);

/* Reset every device and the CPU and reload the firmware image; fails only
 * when the firmware file changed on disk or cannot be read again. */
bool virt_machine_reset(VirtMachine *vms, Error **errp);

/* -global's DRIVER (spec up to its '.') is not a device written in Rust
 * only while this rivet has no Rust: else one line that names the missing
 * Rust build. */
bool virt_check_global(const char *spec, Error **errp);

/* The --help lines of the board's device properties: each twin's
 * implementation and its default, each Rust-only device and whether this
 * build has it. */
void virt_print_machine_help(FILE *out);

/* Run the guest until it powers off (power device or HTIF); returns the
 * exit status, or -1 with *errp set when the guest can never make progress
 * (it sleeps in WFI and nothing can ever wake it, or virtual time reached
 * its end, VCLOCK_END_NS) or a guest reset cannot reload the firmware. */
int virt_machine_run(VirtMachine *vms, Error **errp);

/* virt_machine_run() that stops once insns_executed reaches stop_at, at a
 * point where a snapshot resumes exactly as the run would have gone on;
 * returns VIRT_RUN_STOPPED then. */
#define VIRT_RUN_STOPPED (-2)
int virt_machine_run_until(VirtMachine *vms, uint64_t stop_at, Error **errp);

/* What may still wake the hart while it sleeps in WFI: a timer expiring
 * (the next deadline is worth skipping to) and host input arriving (worth
 * blocking for).  With neither, returns false with *errp naming why no
 * interrupt enabled in mie can ever become pending (wake.c). */
typedef struct VirtWakers {
    bool timer;
    bool input;
} VirtWakers;
bool virt_hart_wakers(VirtMachine *vms, VirtWakers *wakers, Error **errp);

/* The demo firmware built into the executable. */
extern const uint8_t rivet_demo_firmware[];
extern const size_t rivet_demo_firmware_size;

#endif /* RIVET_MACHINE_VIRT_H */
