/*
 * The power/test device (SiFive "test finisher" style): one 32-bit register
 * at offset 0 through which the guest powers the machine off with an exit
 * status or asks for a reset.
 *
 *   VIRT_POWER_PASS                   -> exit status 0
 *   (code << 16) | VIRT_POWER_FAIL    -> exit status code (code 0 means 1)
 *   VIRT_POWER_RESET                  -> reset_request(reset_opaque)
 *
 * Power-off goes through main_loop_request_exit().  Reset needs the board:
 * it installs a function that resets the machine with
 * power_test_set_reset_handler() (before or after realize); without one the
 * request is logged as unimplemented and ignored.  The hook must not free the
 * device: it runs inside the device's MMIO write.
 *
 * Sysbus: MMIO region 0 (VIRT_POWER_SIZE), no IRQ.
 */
#ifndef RIVET_HW_MISC_POWER_H
#define RIVET_HW_MISC_POWER_H

#include <stdint.h>

#include "hwcore/sysbus.h"
#include "machine/virt-map.h"

#define TYPE_POWER_TEST "power-test"

/* Register offsets. */
typedef enum PowerTestRegister {
    POWER_TEST_CTRL = 0x0,
} PowerTestRegister;

/* Command values (low 16 bits of the written word). */
typedef enum PowerTestCommand {
    POWER_TEST_PASS = VIRT_POWER_PASS,
    POWER_TEST_FAIL = VIRT_POWER_FAIL,
    POWER_TEST_RESET = VIRT_POWER_RESET,
} PowerTestCommand;

typedef enum PowerTestConstants {
    POWER_TEST_COMMAND_MASK = 0xffff,
    POWER_TEST_CODE_SHIFT = 16, /* FAIL: exit code in bits 31:16 */
    POWER_TEST_MMIO_SIZE = VIRT_POWER_SIZE,
} PowerTestConstants;

typedef void PowerResetRequest(void *opaque);

typedef struct PowerTestState {
    SysBusDevice parent_obj;
    MemoryRegion iomem;

    /* Set by the board: called when the guest requests a reset. */
    PowerResetRequest *reset_request;
    void *reset_opaque;
} PowerTestState;

#define POWER_TEST(obj) OBJECT_CHECK(PowerTestState, (obj), TYPE_POWER_TEST)

/* Install the board's reset hook (NULL removes it). */
void power_test_set_reset_handler(DeviceState *dev, PowerResetRequest *fn,
                                  void *opaque);

#endif /* RIVET_HW_MISC_POWER_H */
