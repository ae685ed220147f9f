/*
 * A polled driver for the board's OpenCores I2C master (VIRT_I2C_BASE,
 * hw/i2c/ocores/ocores.h): registers 8 bits wide, one every 4 bytes,
 * programmed as Linux's i2c-ocores does, waiting on TIP instead of the
 * interrupt.
 */
#ifndef FW_I2C_H
#define FW_I2C_H

#include <stdbool.h>
#include <stdint.h>

#include "machine/virt-map.h"
#include "mmio.h"

#define I2C_PRERLO 0x00
#define I2C_PRERHI 0x04
#define I2C_CTR 0x08
#define I2C_TXR 0x0c
#define I2C_RXR 0x0c
#define I2C_CR 0x10
#define I2C_SR 0x10

#define I2C_CTR_EN 0x80
#define I2C_CTR_IEN 0x40
#define I2C_CR_STA 0x80
#define I2C_CR_STO 0x40
#define I2C_CR_RD 0x20
#define I2C_CR_WR 0x10
#define I2C_CR_NACK 0x08
#define I2C_CR_IACK 0x01
#define I2C_SR_RXACK 0x80
#define I2C_SR_BUSY 0x40
#define I2C_SR_AL 0x20
#define I2C_SR_TIP 0x02
#define I2C_SR_IF 0x01

/* The first and last address a target may have (the specification
 * reserves the others). */
#define I2C_ADDR_FIRST 0x08
#define I2C_ADDR_LAST 0x77

static inline uint32_t i2c_reg_read(uint32_t reg)
{
    return mmio_read32(VIRT_I2C_BASE + reg) & 0xff;
}

static inline void i2c_reg_write(uint32_t reg, uint32_t value)
{
    mmio_write32(VIRT_I2C_BASE + reg, value);
}

/* i2c_init: prescaler for 100 kHz from a 50 MHz core clock, core on,
 * interrupts off (the functions below poll).  i2c_command: run one command
 * (CR), wait for TIP to clear, acknowledge IF; returns SR as the command
 * left it.  i2c_probe: whether a target acknowledges its address (a
 * zero-length write).  i2c_write: n bytes to addr, false at the first NACK
 * (a stop is sent either way).  i2c_write_read: wn bytes, a repeated
 * start, rn bytes read (the last NACKed), stop; false when the address or
 * a byte was NACKed.  Header-only, so only the programs that use it link
 * it. */
#define I2C_CORE_CLOCK_KHZ 50000
#define I2C_BUS_KHZ 100

static inline void i2c_init(void)
{
    uint32_t prescale = I2C_CORE_CLOCK_KHZ / (5 * I2C_BUS_KHZ) - 1;
    i2c_reg_write(I2C_CTR, 0);
    i2c_reg_write(I2C_PRERLO, prescale & 0xff);
    i2c_reg_write(I2C_PRERHI, prescale >> 8);
    i2c_reg_write(I2C_CTR, I2C_CTR_EN);
    i2c_reg_write(I2C_CR, I2C_CR_IACK);
}

static inline uint32_t i2c_command(uint32_t cr)
{
    i2c_reg_write(I2C_CR, cr);
    uint32_t sr;
    while ((sr = i2c_reg_read(I2C_SR)) & I2C_SR_TIP) {
    }
    i2c_reg_write(I2C_CR, I2C_CR_IACK);
    return sr;
}

static inline bool i2c_send(uint32_t byte, uint32_t cr)
{
    i2c_reg_write(I2C_TXR, byte);
    return !(i2c_command(cr | I2C_CR_WR) & I2C_SR_RXACK);
}

static inline bool i2c_probe(uint8_t addr)
{
    bool ack = i2c_send((uint32_t)addr << 1, I2C_CR_STA);
    i2c_command(I2C_CR_STO);
    return ack;
}

static inline bool i2c_write(uint8_t addr, const uint8_t *buf, unsigned n)
{
    bool ack = i2c_send((uint32_t)addr << 1, I2C_CR_STA);
    for (unsigned i = 0; ack && i < n; i++) {
        ack = i2c_send(buf[i], 0);
    }
    i2c_command(I2C_CR_STO);
    return ack;
}

static inline bool i2c_write_read(uint8_t addr, const uint8_t *wbuf,
                                  unsigned wn, uint8_t *rbuf, unsigned rn)
{
    bool ack = true;
    if (wn) {
        ack = i2c_send((uint32_t)addr << 1, I2C_CR_STA);
        for (unsigned i = 0; ack && i < wn; i++) {
            ack = i2c_send(wbuf[i], 0);
        }
    }
    ack = ack && i2c_send(((uint32_t)addr << 1) | 1, I2C_CR_STA);
    for (unsigned i = 0; ack && i < rn; i++) {
        bool last = i + 1 == rn;
        i2c_command(I2C_CR_RD | (last ? I2C_CR_NACK | I2C_CR_STO : 0));
        rbuf[i] = (uint8_t)i2c_reg_read(I2C_RXR);
    }
    if (!ack || rn == 0) {
        i2c_command(I2C_CR_STO);
    }
    return ack;
}

#endif /* FW_I2C_H */
