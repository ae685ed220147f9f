/*
 * ARM PrimeCell UART (PL011) r1p5, as described in the ARM TRM DDI0183.
 *
 * Transmission is instant: a byte written to UARTDR goes straight to the
 * chardev backend, so the transmit FIFO is always empty (TXFE set, BUSY
 * clear), unless the backend refuses output (a socket client that does
 * not read): then it shows full (TXFF and BUSY set) until the backend
 * takes bytes again.  Reception goes through a 32-entry FIFO (one entry when
 * UARTLCR_H.FEN is clear) filled by the chardev frontend with can-receive
 * flow control.  Every guest-visible bit lives in a plain field below so a
 * twin implementation can reproduce it and migration can save it.
 *
 * Sysbus: MMIO region 0 (4 KiB), IRQ output 0 = UARTINTR.
 * Property "chardev": link to the backend (optional; output is discarded
 * without one).
 */
#ifndef RIVET_HW_CHAR_PL011_H
#define RIVET_HW_CHAR_PL011_H

#include <stdbool.h>
#include <stdint.h>

#include "chardev/char.h"
#include "hwcore/sysbus.h"
#include "util/vclock.h"

#define TYPE_PL011 "pl011"

/* Register offsets. */
typedef enum PL011Register {
    PL011_DR = 0x000,
    PL011_RSR_ECR = 0x004,
    PL011_FR = 0x018,
    PL011_ILPR = 0x020,
    PL011_IBRD = 0x024,
    PL011_FBRD = 0x028,
    PL011_LCR_H = 0x02c,
    PL011_CR = 0x030,
    PL011_IFLS = 0x034,
    PL011_IMSC = 0x038,
    PL011_RIS = 0x03c,
    PL011_MIS = 0x040,
    PL011_ICR = 0x044,
    PL011_DMACR = 0x048,
    PL011_PERIPH_ID0 = 0xfe0,
    PL011_PERIPH_ID1 = 0xfe4,
    PL011_PERIPH_ID2 = 0xfe8,
    PL011_PERIPH_ID3 = 0xfec,
    PL011_PCELL_ID0 = 0xff0,
    PL011_PCELL_ID1 = 0xff4,
    PL011_PCELL_ID2 = 0xff8,
    PL011_PCELL_ID3 = 0xffc,
} PL011Register;

/* UARTDR error bits (bits 7:0 are the data). */
typedef enum PL011DataBits {
    PL011_DR_FE = 1 << 8,
    PL011_DR_PE = 1 << 9,
    PL011_DR_BE = 1 << 10,
    PL011_DR_OE = 1 << 11,
} PL011DataBits;

/* UARTRSR/UARTECR bits. */
typedef enum PL011RsrBits {
    PL011_RSR_FE = 1 << 0,
    PL011_RSR_PE = 1 << 1,
    PL011_RSR_BE = 1 << 2,
    PL011_RSR_OE = 1 << 3,
} PL011RsrBits;

/* UARTFR bits. */
typedef enum PL011FlagBits {
    PL011_FR_CTS = 1 << 0,
    PL011_FR_DSR = 1 << 1,
    PL011_FR_DCD = 1 << 2,
    PL011_FR_BUSY = 1 << 3,
    PL011_FR_RXFE = 1 << 4,
    PL011_FR_TXFF = 1 << 5,
    PL011_FR_RXFF = 1 << 6,
    PL011_FR_TXFE = 1 << 7,
    PL011_FR_RI = 1 << 8,
} PL011FlagBits;

/* UARTLCR_H bits. */
typedef enum PL011LineControlBits {
    PL011_LCR_H_BRK = 1 << 0,
    PL011_LCR_H_PEN = 1 << 1,
    PL011_LCR_H_EPS = 1 << 2,
    PL011_LCR_H_STP2 = 1 << 3,
    PL011_LCR_H_FEN = 1 << 4,
    PL011_LCR_H_WLEN_MASK = 3 << 5,
    PL011_LCR_H_SPS = 1 << 7,
} PL011LineControlBits;

/* UARTCR bits. */
typedef enum PL011ControlBits {
    PL011_CR_UARTEN = 1 << 0,
    PL011_CR_SIREN = 1 << 1,
    PL011_CR_SIRLP = 1 << 2,
    PL011_CR_LBE = 1 << 7,
    PL011_CR_TXE = 1 << 8,
    PL011_CR_RXE = 1 << 9,
    PL011_CR_DTR = 1 << 10,
    PL011_CR_RTS = 1 << 11,
    PL011_CR_OUT1 = 1 << 12,
    PL011_CR_OUT2 = 1 << 13,
    PL011_CR_RTSEN = 1 << 14,
    PL011_CR_CTSEN = 1 << 15,
} PL011ControlBits;

/* Interrupt bits, shared by UARTIMSC, UARTRIS, UARTMIS and UARTICR. */
typedef enum PL011InterruptBits {
    PL011_INT_RI = 1 << 0,
    PL011_INT_CTS = 1 << 1,
    PL011_INT_DCD = 1 << 2,
    PL011_INT_DSR = 1 << 3,
    PL011_INT_RX = 1 << 4,
    PL011_INT_TX = 1 << 5,
    PL011_INT_RT = 1 << 6,
    PL011_INT_FE = 1 << 7,
    PL011_INT_PE = 1 << 8,
    PL011_INT_BE = 1 << 9,
    PL011_INT_OE = 1 << 10,
    PL011_INT_ALL = 0x7ff,
} PL011InterruptBits;

/* Reset values that are not zero. */
typedef enum PL011ResetValues {
    PL011_CR_RESET = 0x300,  /* TXE | RXE */
    PL011_IFLS_RESET = 0x12, /* both trigger levels at 1/2 */
} PL011ResetValues;

typedef enum PL011Constants {
    PL011_FIFO_DEPTH = 32,
    PL011_MMIO_SIZE = 0x1000,
    /* UARTCLK: fixes the bit period derived from IBRD/FBRD. */
    PL011_UARTCLK_HZ = 24000000,
    /* The receive timeout fires after this many bit periods of silence. */
    PL011_RX_TIMEOUT_BITS = 32,
    /* Bit period used while IBRD is 0 (baud rate not programmed). */
    PL011_DEFAULT_BIT_NS = 1000,
} PL011Constants;

typedef struct PL011State {
    SysBusDevice parent_obj;
    MemoryRegion iomem;

    /* Registers (guest-visible state). */
    uint32_t rsr;   /* UARTRSR: error bits latched by the last read */
    uint32_t ilpr;  /* UARTILPR */
    uint32_t ibrd;  /* UARTIBRD, 16 bits */
    uint32_t fbrd;  /* UARTFBRD, 6 bits */
    uint32_t lcr_h; /* UARTLCR_H */
    uint32_t cr;    /* UARTCR */
    uint32_t ifls;  /* UARTIFLS */
    uint32_t imsc;  /* UARTIMSC: interrupt mask (1 = enabled) */
    uint32_t ris;   /* UARTRIS: raw interrupt status */
    uint32_t dmacr; /* UARTDMACR */

    /* Receive FIFO: entries are 12 bits, error bits 11:8 over the data. */
    uint32_t rx_fifo[PL011_FIFO_DEPTH];
    uint32_t rx_pos;   /* index of the oldest entry */
    uint32_t rx_count; /* entries in use */
    /* An overrun happened: the next character pushed carries UARTDR.OE. */
    bool rx_overrun_pending;

    /* Receive timeout: armed on every received character, fires RTIS when
     * the FIFO is still non-empty 32 bit periods later. */
    Timer rx_timeout_timer;

    /* Properties and wiring. */
    Chardev *chr;
    CharFrontend fe;
    IRQ irq;
} PL011State;

#define PL011(obj) OBJECT_CHECK(PL011State, (obj), TYPE_PL011)

/* Nanoseconds of silence after the last received character before RTIS
 * (32 bit periods at the programmed baud rate). */
int64_t pl011_rx_timeout_ns(const PL011State *s);

/* The migration description shared by the C and Rust PL011: a snapshot of
 * either loads into the other (docs/migration.md). */
extern const VMStateDescription vmstate_pl011;

#endif /* RIVET_HW_CHAR_PL011_H */
