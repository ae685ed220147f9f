/*
 * A 24C02 serial EEPROM (2 Kbit: 256 bytes in 32 pages of 8) as an I2C
 * target, after the Atmel/Microchip AT24C02 datasheet.
 *
 *   write:  START, address+W, word address (sets the address pointer),
 *           data bytes ... STOP.  Data bytes are latched in the page of
 *           the pointer; the pointer's low 3 bits count up and wrap within
 *           the page (a 9th byte overwrites the 1st).  The page is written
 *           at the STOP; a start without a stop abandons it.  A write of
 *           the word address alone (the "dummy write" before a random
 *           read) writes nothing.
 *   read:   START, address+R, then bytes from the pointer, which counts up
 *           and wraps from 0xff to 0x00 (sequential read).
 *
 * The internal write cycle (tWR, up to 5 ms) is not modelled: the page is
 * in memory at the STOP, and the device acknowledges at once after it.
 *
 * Properties: "address" (default 0x50, A2..A0 = 0), "bus", and "file": a
 * file of exactly 256 bytes that holds the content.  It is read at realize
 * and every completed page write (and a snapshot load) is written through
 * to it and synced, so the content survives the run.  Without a file the
 * memory starts erased (0xff) and lasts until the process exits.
 */
#ifndef RIVET_HW_I2C_AT24C02_H
#define RIVET_HW_I2C_AT24C02_H

#include <stdbool.h>
#include <stdint.h>

#include "i2c/i2c.h"

#define TYPE_AT24C02 "at24c02"

typedef enum At24c02Constants {
    AT24C02_SIZE = 256,
    AT24C02_PAGE_SIZE = 8,
    AT24C02_DEFAULT_ADDRESS = 0x50,
    AT24C02_ERASED = 0xff,
} At24c02Constants;

/* What the next byte of the transfer is. */
typedef enum At24c02Phase {
    AT24C02_IDLE,      /* not addressed */
    AT24C02_WORD_ADDR, /* addressed for a write: the word address */
    AT24C02_DATA,      /* data bytes into the page latch */
    AT24C02_READ,      /* addressed for a read */
} At24c02Phase;

typedef struct At24c02State {
    I2CTarget parent_obj;
    char *file;        /* property "file" */
    int fd;            /* the file, open while realized; -1 without one */
    bool write_failed; /* a write-through failed: said once */

    /* Saved by vmstate_at24c02. */
    uint8_t mem[AT24C02_SIZE];
    uint8_t pointer; /* the address counter */
    uint8_t phase;   /* At24c02Phase */
    /* The page latch: bytes written since the word address, one bit per
     * byte of the pointer's page in latched. */
    uint8_t latch[AT24C02_PAGE_SIZE];
    uint8_t latched;
} At24c02State;

#define AT24C02(obj) OBJECT_CHECK(At24c02State, (obj), TYPE_AT24C02)

extern const VMStateDescription vmstate_at24c02;

#endif /* RIVET_HW_I2C_AT24C02_H */
