/*
 * The OpenCores I2C master controller (Richard Herveille, "I2C-Master Core
 * Specification", rev. 0.9, 2003), as Linux's i2c-ocores driver programs
 * it.  Five 8-bit registers, one every 4 bytes (the driver's reg-shift 2);
 * accesses of 1, 2 or 4 bytes at a register's offset all work (reg-io-width
 * 1, 2 or 4), the value in bits 7:0 and bits above them reading as 0.
 *
 *   0x00 PRERlo  read/write, prescale bits 7:0   (reset 0xff)
 *   0x04 PRERhi  read/write, prescale bits 15:8  (reset 0xff)
 *   0x08 CTR     read/write: EN (7) core enable, IEN (6) interrupt enable
 *   0x0c TXR     write: the next byte; in an address byte bit 0 is R/W
 *        RXR     read: the last byte received
 *   0x10 CR      write: STA (7) start, STO (6) stop, RD (5) read, WR (4)
 *                write, ACK (3) the acknowledge to send after a read
 *                (0: ACK, 1: NACK), IACK (0) clear IF
 *        SR      read: RxACK (7) no acknowledge received, Busy (6) between
 *                a start and a stop, AL (5) arbitration lost, TIP (1)
 *                transfer in progress, IF (0) interrupt flag
 *
 * One command (a write of CR) runs STA, then RD or WR (RD first if both,
 * as the core's byte controller does), then STO; when it had any of them
 * it sets IF.  The first byte after a start is the address byte.  The
 * interrupt output is IF && IEN.  CR writes while EN is clear are ignored,
 * as in the core.  Where rivet differs from the silicon, by choice:
 *   - a command completes within the CR write (the I2C clock the prescaler
 *     sets is not modelled), so TIP is never seen set;
 *   - the controller is the bus's only master, so arbitration is never
 *     lost and AL reads 0.
 * Bad accesses (offsets between registers or past SR, 8-byte accesses) are
 * logged under -d guest_errors and read as 0.
 *
 * Sysbus: MMIO region 0 (OCORES_MMIO_SIZE), IRQ output 0.  The bus is the
 * child "bus" (/machine/i2c/bus on the board): targets link to it.
 */
#ifndef RIVET_HW_I2C_OCORES_H
#define RIVET_HW_I2C_OCORES_H

#include <stdint.h>

#include "hwcore/sysbus.h"
#include "i2c/i2c.h"

#define TYPE_OCORES "ocores"

/* Register offsets (the driver's register index << 2). */
typedef enum OcoresRegister {
    OCORES_PRERLO = 0x00,
    OCORES_PRERHI = 0x04,
    OCORES_CTR = 0x08,
    OCORES_TXR = 0x0c, /* RXR when read */
    OCORES_RXR = 0x0c,
    OCORES_CR = 0x10, /* SR when read */
    OCORES_SR = 0x10,
} OcoresRegister;

typedef enum OcoresBits {
    OCORES_CTR_EN = 1u << 7,
    OCORES_CTR_IEN = 1u << 6,

    OCORES_CR_STA = 1u << 7,
    OCORES_CR_STO = 1u << 6,
    OCORES_CR_RD = 1u << 5,
    OCORES_CR_WR = 1u << 4,
    OCORES_CR_ACK = 1u << 3,
    OCORES_CR_IACK = 1u << 0,

    OCORES_SR_RXACK = 1u << 7,
    OCORES_SR_BUSY = 1u << 6,
    OCORES_SR_AL = 1u << 5,
    OCORES_SR_TIP = 1u << 1,
    OCORES_SR_IF = 1u << 0,
} OcoresBits;

typedef enum OcoresConstants {
    OCORES_REG_SHIFT = 2,
    OCORES_PRER_RESET = 0xffff,
    OCORES_MMIO_SIZE = 0x1000,
} OcoresConstants;

typedef struct OcoresState {
    SysBusDevice parent_obj;
    MemoryRegion iomem;
    IRQ irq;
    I2CBus *bus; /* the child "bus" */

    /* Guest-visible state, saved by vmstate_ocores. */
    uint16_t prer;
    uint8_t ctr;
    uint8_t txr;
    uint8_t rxr;
    uint8_t sr; /* RxACK and IF; Busy is the bus's, AL and TIP stay 0 */
    /* A start was sent and its address byte not yet. */
    bool start_pending;
    /* The bus's transfer, copied for the snapshot (pre_save/post_load). */
    I2CTransfer xfer;
} OcoresState;

#define OCORES(obj) OBJECT_CHECK(OcoresState, (obj), TYPE_OCORES)

extern const VMStateDescription vmstate_ocores;

#endif /* RIVET_HW_I2C_OCORES_H */
