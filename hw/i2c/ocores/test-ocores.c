/*
 * OpenCores I2C master unit tests: each register and command against the
 * specification (rev. 0.9), through the MMIO callbacks, with a 24C02 at
 * 0x50 on the bus: reset values, the address phase with ACK and NACK,
 * writes, reads with ACK/NACK, repeated start, stop, the busy flag, the
 * interrupt flag and output, register widths, and every error path
 * (disabled core, a byte without a start, a read right after a start, bad
 * offsets and sizes).
 */
#include "hw/hw-test.h"
#include "hw/i2c/at24c02/at24c02.h"
#include "hw/i2c/ocores/ocores.h"

#define EEPROM 0x50
#define EMPTY 0x51

typedef struct Rig {
    DeviceState *ctrl;
    DeviceState *eeprom;
    IrqProbe irq;
} Rig;

static void rig_setup(Rig *r)
{
    r->ctrl = hw_test_create(TYPE_OCORES);
    irq_probe_attach(&r->irq, r->ctrl, 0);
    r->eeprom = hw_test_new(TYPE_AT24C02);
    CHECK(object_property_set_link(OBJECT(r->eeprom), "bus",
                                   OBJECT(OCORES(r->ctrl)->bus), NULL));
    hw_test_realize(r->eeprom);
}

static void rig_destroy(Rig *r)
{
    device_unrealize(r->eeprom);
    object_unref(OBJECT(r->eeprom));
    hw_test_destroy(r->ctrl);
}

static uint8_t rd(Rig *r, hwaddr reg)
{
    return (uint8_t)mmio_read(r->ctrl, reg, 1);
}

static void wr(Rig *r, hwaddr reg, uint8_t v)
{
    mmio_write(r->ctrl, reg, v, 1);
}

static void enable(Rig *r, uint8_t ctr)
{
    wr(r, OCORES_CTR, OCORES_CTR_EN | ctr);
}

/* TXR then CR, as the driver does; returns SR. */
static uint8_t cmd_tx(Rig *r, uint8_t byte, uint8_t cr)
{
    wr(r, OCORES_TXR, byte);
    wr(r, OCORES_CR, cr);
    return rd(r, OCORES_SR);
}

static uint8_t cmd(Rig *r, uint8_t cr)
{
    wr(r, OCORES_CR, cr);
    return rd(r, OCORES_SR);
}

static At24c02State *eeprom(Rig *r)
{
    return AT24C02(r->eeprom);
}

UNIT_TEST(reset_values)
{
    Rig r;
    rig_setup(&r);
    CHECK_EQ_U64(rd(&r, OCORES_PRERLO), 0xff);
    CHECK_EQ_U64(rd(&r, OCORES_PRERHI), 0xff);
    CHECK_EQ_U64(rd(&r, OCORES_CTR), 0x00);
    CHECK_EQ_U64(rd(&r, OCORES_RXR), 0x00);
    CHECK_EQ_U64(rd(&r, OCORES_SR), 0x00);
    CHECK_EQ_I64(r.irq.level, 0);
    rig_destroy(&r);
}

UNIT_TEST(prescaler_and_control_read_back)
{
    Rig r;
    rig_setup(&r);
    wr(&r, OCORES_PRERLO, 0x3f);
    wr(&r, OCORES_PRERHI, 0x01);
    CHECK_EQ_U64(rd(&r, OCORES_PRERLO), 0x3f);
    CHECK_EQ_U64(rd(&r, OCORES_PRERHI), 0x01);
    /* CTR bits 5:0 are reserved. */
    wr(&r, OCORES_CTR, 0xff);
    CHECK_EQ_U64(rd(&r, OCORES_CTR), OCORES_CTR_EN | OCORES_CTR_IEN);
    /* Changing the prescaler with EN set is logged, and taken. */
    wr(&r, OCORES_PRERLO, 0x10);
    CHECK_EQ_U64(rd(&r, OCORES_PRERLO), 0x10);
    rig_destroy(&r);
}

/* reg-io-width 1, 2 or 4 at reg-shift 2; bits above 7 read 0, are
 * ignored on write. */
UNIT_TEST(register_widths)
{
    Rig r;
    rig_setup(&r);
    mmio_write(r.ctrl, OCORES_PRERLO, 0xabcd12, 4);
    CHECK_EQ_U64(mmio_read(r.ctrl, OCORES_PRERLO, 4), 0x12);
    mmio_write(r.ctrl, OCORES_PRERHI, 0x0134, 2);
    CHECK_EQ_U64(mmio_read(r.ctrl, OCORES_PRERHI, 2), 0x34);
    CHECK_EQ_U64(mmio_read(r.ctrl, OCORES_PRERHI, 1), 0x34);
    rig_destroy(&r);
}

UNIT_TEST(bad_offsets_and_sizes)
{
    Rig r;
    rig_setup(&r);
    /* Between registers, past SR, and 8-byte accesses: 0, no effect. */
    CHECK_EQ_U64(mmio_read(r.ctrl, OCORES_PRERLO + 1, 1), 0);
    CHECK_EQ_U64(mmio_read(r.ctrl, OCORES_SR + 4, 4), 0);
    CHECK_EQ_U64(mmio_read(r.ctrl, 0xffc, 4), 0);
    CHECK_EQ_U64(mmio_read(r.ctrl, OCORES_PRERLO, 8), 0);
    mmio_write(r.ctrl, OCORES_PRERLO + 1, 0x00, 1);
    mmio_write(r.ctrl, OCORES_CTR + 2, OCORES_CTR_EN, 1);
    mmio_write(r.ctrl, OCORES_PRERLO, 0, 8);
    CHECK_EQ_U64(rd(&r, OCORES_PRERLO), 0xff);
    CHECK_EQ_U64(rd(&r, OCORES_CTR), 0);
    rig_destroy(&r);
}

UNIT_TEST(command_ignored_while_disabled)
{
    Rig r;
    rig_setup(&r);
    wr(&r, OCORES_TXR, EEPROM << 1);
    wr(&r, OCORES_CR, OCORES_CR_STA | OCORES_CR_WR);
    CHECK_EQ_U64(rd(&r, OCORES_SR), 0); /* no Busy, no IF */
    CHECK(!i2c_bus_busy(OCORES(r.ctrl)->bus));
    rig_destroy(&r);
}

UNIT_TEST(address_acked_by_a_target)
{
    Rig r;
    rig_setup(&r);
    enable(&r, 0);
    uint8_t sr = cmd_tx(&r, EEPROM << 1, OCORES_CR_STA | OCORES_CR_WR);
    CHECK_EQ_U64(sr, OCORES_SR_BUSY | OCORES_SR_IF);
    sr = cmd(&r, OCORES_CR_STO | OCORES_CR_IACK);
    CHECK_EQ_U64(sr, OCORES_SR_IF); /* a stop completes too */
    rig_destroy(&r);
}

UNIT_TEST(no_target_is_rxack)
{
    Rig r;
    rig_setup(&r);
    enable(&r, 0);
    uint8_t sr = cmd_tx(&r, EMPTY << 1, OCORES_CR_STA | OCORES_CR_WR);
    CHECK_EQ_U64(sr, OCORES_SR_RXACK | OCORES_SR_BUSY | OCORES_SR_IF);
    /* Bytes after a NACKed address are NACKed too. */
    sr = cmd_tx(&r, 0x00, OCORES_CR_WR | OCORES_CR_IACK);
    CHECK_EQ_U64(sr, OCORES_SR_RXACK | OCORES_SR_BUSY | OCORES_SR_IF);
    sr = cmd(&r, OCORES_CR_STO | OCORES_CR_IACK);
    CHECK_EQ_U64(sr, OCORES_SR_RXACK | OCORES_SR_IF);
    CHECK(!i2c_bus_busy(OCORES(r.ctrl)->bus));
    rig_destroy(&r);
}

UNIT_TEST(write_then_read_back)
{
    Rig r;
    rig_setup(&r);
    enable(&r, 0);
    CHECK_EQ_U64(cmd_tx(&r, EEPROM << 1, OCORES_CR_STA | OCORES_CR_WR) &
                     OCORES_SR_RXACK,
                 0);
    CHECK_EQ_U64(cmd_tx(&r, 0x10, OCORES_CR_WR) & OCORES_SR_RXACK, 0);
    CHECK_EQ_U64(cmd_tx(&r, 0xa5, OCORES_CR_WR) & OCORES_SR_RXACK, 0);
    CHECK_EQ_U64(cmd_tx(&r, 0x5a, OCORES_CR_WR | OCORES_CR_STO) &
                     (OCORES_SR_RXACK | OCORES_SR_BUSY),
                 0);
    CHECK_EQ_U64(eeprom(&r)->mem[0x10], 0xa5);
    CHECK_EQ_U64(eeprom(&r)->mem[0x11], 0x5a);
    /* Random read: dummy write of the word address, repeated start. */
    cmd_tx(&r, EEPROM << 1, OCORES_CR_STA | OCORES_CR_WR);
    cmd_tx(&r, 0x10, OCORES_CR_WR);
    uint8_t sr = cmd_tx(&r, (EEPROM << 1) | 1, OCORES_CR_STA | OCORES_CR_WR);
    CHECK_EQ_U64(sr & (OCORES_SR_RXACK | OCORES_SR_BUSY), OCORES_SR_BUSY);
    /* RD with ACK: RxACK is the controller's own ACK bit (0). */
    sr = cmd(&r, OCORES_CR_RD);
    CHECK_EQ_U64(sr & OCORES_SR_RXACK, 0);
    CHECK_EQ_U64(rd(&r, OCORES_RXR), 0xa5);
    /* RD with NACK and STO, as the driver ends a read. */
    sr = cmd(&r, OCORES_CR_RD | OCORES_CR_ACK | OCORES_CR_STO);
    CHECK_EQ_U64(sr & (OCORES_SR_RXACK | OCORES_SR_BUSY), OCORES_SR_RXACK);
    CHECK_EQ_U64(rd(&r, OCORES_RXR), 0x5a);
    rig_destroy(&r);
}

/* STA alone holds the bus; the next WR is the address byte. */
UNIT_TEST(start_alone_then_address)
{
    Rig r;
    rig_setup(&r);
    enable(&r, 0);
    CHECK_EQ_U64(cmd(&r, OCORES_CR_STA), OCORES_SR_BUSY | OCORES_SR_IF);
    CHECK(!i2c_bus_busy(OCORES(r.ctrl)->bus));
    uint8_t sr = cmd_tx(&r, EEPROM << 1, OCORES_CR_WR | OCORES_CR_IACK);
    CHECK_EQ_U64(sr, OCORES_SR_BUSY | OCORES_SR_IF);
    CHECK(i2c_bus_busy(OCORES(r.ctrl)->bus));
    /* STA then STO with no address: the bus is released. */
    cmd(&r, OCORES_CR_STO);
    cmd(&r, OCORES_CR_STA);
    CHECK_EQ_U64(cmd(&r, OCORES_CR_STO) & OCORES_SR_BUSY, 0);
    rig_destroy(&r);
}

/* RD takes precedence over WR in one command (the byte controller checks
 * read first). */
UNIT_TEST(read_and_write_in_one_command_reads)
{
    Rig r;
    rig_setup(&r);
    eeprom(&r)->mem[0] = 0x77;
    enable(&r, 0);
    cmd_tx(&r, (EEPROM << 1) | 1, OCORES_CR_STA | OCORES_CR_WR);
    cmd_tx(&r, 0x99, OCORES_CR_RD | OCORES_CR_WR);
    CHECK_EQ_U64(rd(&r, OCORES_RXR), 0x77);
    cmd(&r, OCORES_CR_STO);
    rig_destroy(&r);
}

/* A read right after a start clocks in 0xff as the address byte: a read
 * from the reserved 0x7f, which nobody acknowledges. */
UNIT_TEST(read_right_after_start)
{
    Rig r;
    rig_setup(&r);
    enable(&r, 0);
    cmd(&r, OCORES_CR_STA | OCORES_CR_RD | OCORES_CR_ACK);
    CHECK_EQ_U64(rd(&r, OCORES_RXR), 0xff);
    I2CBus *bus = OCORES(r.ctrl)->bus;
    CHECK_EQ_U64(bus->xfer.phase, I2C_PHASE_NO_TARGET);
    CHECK_EQ_U64(bus->xfer.address, 0x7f);
    cmd(&r, OCORES_CR_STO);
    rig_destroy(&r);
}

/* A data byte with no start: nobody is addressed, NACK; the bus stays
 * idle. */
UNIT_TEST(byte_without_start)
{
    Rig r;
    rig_setup(&r);
    enable(&r, 0);
    CHECK_EQ_U64(cmd_tx(&r, 0x12, OCORES_CR_WR),
                 OCORES_SR_RXACK | OCORES_SR_IF);
    CHECK_EQ_U64(cmd(&r, OCORES_CR_RD | OCORES_CR_IACK),
                 OCORES_SR_IF); /* RxACK: our own ACK (0) */
    CHECK_EQ_U64(rd(&r, OCORES_RXR), 0xff);
    rig_destroy(&r);
}

UNIT_TEST(interrupt_flag_and_output)
{
    Rig r;
    rig_setup(&r);
    enable(&r, 0);
    /* IF without IEN: no interrupt. */
    cmd_tx(&r, EEPROM << 1, OCORES_CR_STA | OCORES_CR_WR);
    CHECK_EQ_I64(r.irq.level, 0);
    /* Setting IEN with IF pending raises it. */
    enable(&r, OCORES_CTR_IEN);
    CHECK_EQ_I64(r.irq.level, 1);
    /* A command without transfer bits: IACK clears IF, nothing else. */
    cmd(&r, OCORES_CR_IACK);
    CHECK_EQ_I64(r.irq.level, 0);
    CHECK_EQ_U64(rd(&r, OCORES_SR), OCORES_SR_BUSY);
    /* Each completed command raises it again. */
    cmd_tx(&r, 0x00, OCORES_CR_WR);
    CHECK_EQ_I64(r.irq.level, 1);
    CHECK_EQ_I64(r.irq.rises, 2);
    /* IACK with a command: the new completion sets IF again. */
    cmd(&r, OCORES_CR_STO | OCORES_CR_IACK);
    CHECK_EQ_I64(r.irq.level, 1);
    CHECK_EQ_U64(rd(&r, OCORES_SR), OCORES_SR_IF);
    /* Clearing IEN lowers the output, IF stays. */
    enable(&r, 0);
    CHECK_EQ_I64(r.irq.level, 0);
    CHECK_EQ_U64(rd(&r, OCORES_SR) & OCORES_SR_IF, OCORES_SR_IF);
    /* IACK while disabled is ignored with the rest of CR. */
    wr(&r, OCORES_CTR, OCORES_CTR_IEN);
    CHECK_EQ_I64(r.irq.level, 1);
    cmd(&r, OCORES_CR_IACK);
    CHECK_EQ_I64(r.irq.level, 1);
    rig_destroy(&r);
}

UNIT_TEST(reset_ends_a_transfer)
{
    Rig r;
    rig_setup(&r);
    enable(&r, OCORES_CTR_IEN);
    cmd_tx(&r, EEPROM << 1, OCORES_CR_STA | OCORES_CR_WR);
    CHECK_EQ_I64(r.irq.level, 1);
    device_reset(r.ctrl);
    CHECK(!i2c_bus_busy(OCORES(r.ctrl)->bus));
    CHECK_EQ_U64(rd(&r, OCORES_SR), 0);
    CHECK_EQ_U64(rd(&r, OCORES_CTR), 0);
    CHECK_EQ_I64(r.irq.level, 0);
    rig_destroy(&r);
}

/* Disabling the core in a transfer is logged; the bus keeps its state
 * (the specification does not say what the wires do). */
UNIT_TEST(disable_during_transfer)
{
    Rig r;
    rig_setup(&r);
    enable(&r, 0);
    cmd_tx(&r, EEPROM << 1, OCORES_CR_STA | OCORES_CR_WR);
    wr(&r, OCORES_CTR, 0);
    CHECK(i2c_bus_busy(OCORES(r.ctrl)->bus));
    CHECK_EQ_U64(rd(&r, OCORES_SR) & OCORES_SR_BUSY, OCORES_SR_BUSY);
    enable(&r, 0);
    cmd(&r, OCORES_CR_STO);
    CHECK(!i2c_bus_busy(OCORES(r.ctrl)->bus));
    rig_destroy(&r);
}

UNIT_TEST(registers_property)
{
    Rig r;
    rig_setup(&r);
    enable(&r, 0);
    cmd_tx(&r, EEPROM << 1, OCORES_CR_STA | OCORES_CR_WR);
    char *text =
        object_property_get_str(OBJECT(r.ctrl), DEVICE_PROP_REGISTERS, NULL);
    CHECK_STREQ(text, "prer=0xffff ctr=0x80 txr=0xa0 rxr=0x00 sr=0x41");
    free(text);
    rig_destroy(&r);
}

int main(void)
{
    return unit_run_all();
}
