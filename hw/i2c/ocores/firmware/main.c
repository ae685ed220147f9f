/*
 * The I2C test firmware: the OpenCores controller's registers at reset,
 * a scan of the bus, the 24C02 EEPROM written and read back (a byte, a
 * page write that wraps within its page, a sequential read that wraps at
 * the end of the memory), a NACK at an empty address, the busy flag, and
 * the controller's interrupt through the PLIC (source VIRT_I2C_IRQ); and
 * the PCF8574 GPIO expander, written in Rust only: absent from a build
 * without Rust, which the test then expects (firmware/ocores-no-rust.out).
 */
#include <stdint.h>

#include "check.h"
#include "i2c.h"
#include "machine/virt-map.h"
#include "plic.h"
#include "uart.h"

#define EEPROM VIRT_EEPROM_I2C_ADDR
#define EMPTY 0x51 /* next to the EEPROM, where nothing answers */

static void scan(void)
{
    print("scan:");
    for (unsigned a = I2C_ADDR_FIRST; a <= I2C_ADDR_LAST; a++) {
        if (i2c_probe((uint8_t)a)) {
            print(" 0x%02x", a);
        }
    }
    print("\n");
}

/* What the EEPROM held before this run wrote it: erased (0xff) without a
 * backing file, the last run's bytes with one (-M virt,eeprom=FILE). */
static void eeprom_dump(uint8_t word)
{
    uint8_t got[8];
    i2c_write_read(EEPROM, &word, 1, got, sizeof(got));
    print("eeprom 0x%02x:", word);
    for (unsigned i = 0; i < sizeof(got); i++) {
        print(" %02x", got[i]);
    }
    print("\n");
}

static void eeprom_byte(void)
{
    const uint8_t write[] = {0x00, 0x5a};
    uint8_t word = 0x00, got = 0;
    check_true("eeprom acks a byte write", i2c_write(EEPROM, write, 2));
    check_true("eeprom acks a random read",
               i2c_write_read(EEPROM, &word, 1, &got, 1));
    check_eq("eeprom byte reads back", got, 0x5a);
}

/* 8 bytes from 0x1c: 0x1c..0x1f, then the page (0x18..0x1f) wraps to
 * 0x18..0x1b; 0x20 is another page and keeps its byte. */
static void eeprom_page_wrap(void)
{
    const uint8_t guard[] = {0x20, 0xee};
    const uint8_t page[] = {0x1c, 1, 2, 3, 4, 5, 6, 7, 8};
    static const uint8_t expect[9] = {5, 6, 7, 8, 1, 2, 3, 4, 0xee};
    uint8_t word = 0x18, got[9];
    i2c_write(EEPROM, guard, sizeof(guard));
    check_true("eeprom acks a page write",
               i2c_write(EEPROM, page, sizeof(page)));
    i2c_write_read(EEPROM, &word, 1, got, sizeof(got));
    unsigned same = 0;
    for (unsigned i = 0; i < sizeof(got); i++) {
        same += got[i] == expect[i];
    }
    check_count("page write wrapped within its page", same, sizeof(got));
    print("page 0x18:");
    for (unsigned i = 0; i < sizeof(got); i++) {
        print(" %02x", got[i]);
    }
    print("\n");
}

static void eeprom_read_wrap(void)
{
    const uint8_t last[] = {0xfe, 0xa1, 0xa2};
    const uint8_t first[] = {0x00, 0xb1};
    uint8_t word = 0xfe, got[3];
    i2c_write(EEPROM, last, sizeof(last));
    i2c_write(EEPROM, first, sizeof(first));
    i2c_write_read(EEPROM, &word, 1, got, sizeof(got));
    check_eq("sequential read 0xfe", got[0], 0xa1);
    check_eq("sequential read 0xff", got[1], 0xa2);
    check_eq("sequential read wraps to 0x00", got[2], 0xb1);
}

static void nack_and_busy(void)
{
    i2c_reg_write(I2C_TXR, EMPTY << 1);
    uint32_t sr = i2c_command(I2C_CR_STA | I2C_CR_WR);
    check_eq("empty address: RxACK (no acknowledge)", sr & I2C_SR_RXACK,
             I2C_SR_RXACK);
    check_eq("busy after a start", sr & I2C_SR_BUSY, I2C_SR_BUSY);
    sr = i2c_command(I2C_CR_STO);
    check_eq("not busy after the stop", sr & I2C_SR_BUSY, 0);
    check_true("a write to an empty address fails",
               !i2c_write(EMPTY, (const uint8_t[]){0}, 1));
    check_eq("arbitration never lost", i2c_reg_read(I2C_SR) & I2C_SR_AL, 0);
}

static void interrupt(void)
{
    plic_set_priority(VIRT_I2C_IRQ, 1);
    plic_set_threshold(0);
    plic_enable(VIRT_I2C_IRQ);
    i2c_reg_write(I2C_CTR, I2C_CTR_EN | I2C_CTR_IEN);
    check_true("no interrupt before a command", !plic_is_pending(VIRT_I2C_IRQ));
    i2c_reg_write(I2C_TXR, EEPROM << 1);
    i2c_reg_write(I2C_CR, I2C_CR_STA | I2C_CR_WR);
    check_true("a finished command interrupts", plic_is_pending(VIRT_I2C_IRQ));
    check_eq("plic claim names the controller", plic_claim(), VIRT_I2C_IRQ);
    i2c_reg_write(I2C_CR, I2C_CR_STO | I2C_CR_IACK);
    i2c_reg_write(I2C_CR, I2C_CR_IACK);
    plic_complete(VIRT_I2C_IRQ);
    check_true("IACK clears the interrupt", !plic_is_pending(VIRT_I2C_IRQ));
    i2c_reg_write(I2C_CTR, I2C_CTR_EN);
    plic_disable(VIRT_I2C_IRQ);
}

/* The PCF8574 at 0x20 (hw/gpio/pcf8574), run with P2 held low from
 * outside (-global pcf8574.in2=0, as the functional test does): INT is
 * asserted from power-on (the pin differs from the all-high port), a read
 * returns the pin levels and releases INT, a written 0 drives its pin low
 * and a written 1 makes it an input again; driving outputs never
 * interrupts. */
#define EXPANDER VIRT_PCF8574_I2C_ADDR
#define EXPANDER_IRQ VIRT_PCF8574_IRQ

static void expander(void)
{
    if (!i2c_probe(EXPANDER)) {
        print("pcf8574: nothing at 0x%02x (a rivet built without Rust)\n",
              EXPANDER);
        return;
    }
    plic_set_priority(EXPANDER_IRQ, 1);
    plic_set_threshold(0);
    plic_enable(EXPANDER_IRQ);
    check_true("expander INT pending: P2 held low since power-on",
               plic_is_pending(EXPANDER_IRQ));
    check_eq("plic claim names the expander", plic_claim(), EXPANDER_IRQ);
    uint8_t port = 0;
    check_true("expander acks a read",
               i2c_write_read(EXPANDER, 0, 0, &port, 1));
    print("pcf8574 inputs: %02x\n", port);
    check_eq("expander pins: all inputs, P2 low from outside", port, 0xfb);
    plic_complete(EXPANDER_IRQ);
    check_true("the read released INT", !plic_is_pending(EXPANDER_IRQ));
    uint8_t out = 0x0f;
    check_true("expander acks a port write", i2c_write(EXPANDER, &out, 1));
    i2c_write_read(EXPANDER, 0, 0, &port, 1);
    print("pcf8574 after writing %02x: %02x\n", out, port);
    check_eq("P4..P7 driven low, P2 still low from outside", port, 0x0b);
    check_true("driving outputs does not interrupt",
               !plic_is_pending(EXPANDER_IRQ));
    out = 0xff;
    i2c_write(EXPANDER, &out, 1);
    i2c_write_read(EXPANDER, 0, 0, &port, 1);
    check_eq("writing 1s makes them inputs again", port, 0xfb);
    plic_disable(EXPANDER_IRQ);
}

int main(void)
{
    uart_init(false);
    print("i2c test\n");
    check_eq("PRERlo at reset", i2c_reg_read(I2C_PRERLO), 0xff);
    check_eq("PRERhi at reset", i2c_reg_read(I2C_PRERHI), 0xff);
    check_eq("CTR at reset", i2c_reg_read(I2C_CTR), 0);
    check_eq("SR at reset", i2c_reg_read(I2C_SR), 0);
    i2c_init();
    check_eq("prescaler for 100 kHz", i2c_reg_read(I2C_PRERLO), 99);
    scan();
    check_true("the eeprom answers the scan", i2c_probe(EEPROM));
    eeprom_dump(0x00);
    eeprom_dump(0x18);
    eeprom_byte();
    eeprom_page_wrap();
    eeprom_read_wrap();
    nack_and_busy();
    interrupt();
    expander();
    return check_summary("i2c");
}
