/*
 * NXP PCF8574 8-bit I2C GPIO expander self-test through the board's I2C
 * controller (firmware/lib/i2c.h): the target answers at its address, a byte
 * written reads back, and its interrupt reaches the PLIC (source PCF8574_IRQ of
 * the board table).
 */
#include <stdint.h>

#include "check.h"
#include "i2c.h"
#include "machine/virt-map.h"
#include "plic.h"
#include "uart.h"

#define ADDR VIRT_PCF8574_I2C_ADDR

int main(void)
{
    uart_init(false);
    print("pcf8574 test\n");
    i2c_init();
    check_true("the target answers at its address", i2c_probe(ADDR));

    plic_set_priority(VIRT_PCF8574_IRQ, 1);
    plic_set_threshold(0);
    plic_enable(VIRT_PCF8574_IRQ);
    check_true("no plic request at reset", !plic_is_pending(VIRT_PCF8574_IRQ));
    uint8_t byte = 0x5a;
    check_true("a byte is written", i2c_write(ADDR, &byte, 1));
    check_true("the write raises the plic source",
               plic_is_pending(VIRT_PCF8574_IRQ));
    check_eq("plic claim names the source", plic_claim(), VIRT_PCF8574_IRQ);
    byte = 0;
    check_true("a byte is read", i2c_write_read(ADDR, 0, 0, &byte, 1));
    check_eq("the byte reads back", byte, 0x5a);
    plic_complete(VIRT_PCF8574_IRQ);
    check_true("the read lowers the interrupt",
               !plic_is_pending(VIRT_PCF8574_IRQ));
    plic_disable(VIRT_PCF8574_IRQ);
    return check_summary("pcf8574");
}
