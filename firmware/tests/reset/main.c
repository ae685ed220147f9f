/*
 * Guest-requested reset through the power/test device.  The first boot
 * leaves a marker in RAM outside the image and asks for a reset; the board
 * reloads the image and restarts the hart, and the second boot, finding the
 * marker, reports what it saw and fails with code 7 so the test can tell a
 * reset from a program that simply ran once.
 */
#include <stdint.h>

#include "machine/virt-map.h"
#include "power.h"
#include "uart.h"

#define MARKER_ADDR (VIRT_RAM_BASE + 0x400000)
#define MARKER_MAGIC 0x5245534554ULL /* "RESET" */

static uint64_t boot_count_in_data = 1; /* reloaded with the image */

int main(void)
{
    volatile uint64_t *marker = (volatile uint64_t *)MARKER_ADDR;
    uart_init(true);
    if (*marker != MARKER_MAGIC) {
        *marker = MARKER_MAGIC;
        boot_count_in_data = 2;
        print("reset: first boot, requesting a reset\n");
        uart_flush();
        power_reset();
    }
    print("reset: second boot, marker kept, data reloaded: ");
    print(boot_count_in_data == 1 ? "yes\n" : "no\n");
    uart_flush();
    power_fail(7);
}
