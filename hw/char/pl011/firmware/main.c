/*
 * PL011 self-test: identification and reset values (read before the UART is
 * touched), register read-back and field widths, FIFO and flag state, and
 * the TX interrupt through IMSC/RIS/MIS/ICR up to the PLIC.  The board has
 * no loopback (RX data only comes from the host), so the receive side is
 * checked only for being empty.
 */
#include <stdbool.h>
#include <stdint.h>

#include "check.h"
#include "machine/virt-map.h"
#include "plic.h"
#include "uart.h"

/* Reset-state snapshot, taken before anything is written. */
struct pl011_regs {
    uint32_t periph_id, cell_id;
    uint32_t fr, rsr, ilpr, ibrd, fbrd, lcr_h, cr, ifls, imsc, ris, mis, dmacr;
};

static uint32_t read_id(uint32_t reg)
{
    uint32_t id = 0;
    for (unsigned i = 0; i < 4; i++) {
        id |= (uart_read(reg + 4 * i) & 0xff) << (8 * i);
    }
    return id;
}

static void snapshot(struct pl011_regs *r)
{
    r->periph_id = read_id(PL011_PERIPH_ID0);
    r->cell_id = read_id(PL011_PCELL_ID0);
    r->fr = uart_read(PL011_FR);
    r->rsr = uart_read(PL011_RSR);
    r->ilpr = uart_read(PL011_ILPR);
    r->ibrd = uart_read(PL011_IBRD);
    r->fbrd = uart_read(PL011_FBRD);
    r->lcr_h = uart_read(PL011_LCR_H);
    r->cr = uart_read(PL011_CR);
    r->ifls = uart_read(PL011_IFLS);
    r->imsc = uart_read(PL011_IMSC);
    r->ris = uart_read(PL011_RIS);
    r->mis = uart_read(PL011_MIS);
    r->dmacr = uart_read(PL011_DMACR);
}

/* Flag bits that do not depend on the (unconnected) modem inputs. */
#define FR_STATE_BITS                                                          \
    (PL011_FR_BUSY | PL011_FR_RXFE | PL011_FR_TXFF | PL011_FR_RXFF |           \
     PL011_FR_TXFE)
/* Interrupt bits that do not depend on the modem inputs. */
#define INT_UART_BITS 0x7f0u

static void check_reset_values(const struct pl011_regs *r)
{
    check_eq("periph id is 0x11 0x10 0x34 0x00", r->periph_id, PL011_PERIPH_ID);
    check_eq("pcell id is 0x0d 0xf0 0x05 0xb1", r->cell_id, PL011_PCELL_ID);
    check_eq("reset FR: tx and rx fifos empty, idle", r->fr & FR_STATE_BITS,
             PL011_FR_TXFE | PL011_FR_RXFE);
    check_eq("reset RSR is 0", r->rsr, 0);
    check_eq("reset ILPR is 0", r->ilpr, 0);
    check_eq("reset IBRD is 0", r->ibrd, 0);
    check_eq("reset FBRD is 0", r->fbrd, 0);
    check_eq("reset LCR_H is 0", r->lcr_h, 0);
    check_eq("reset CR is 0x300 (TXE, RXE)", r->cr, PL011_CR_RESET);
    check_eq("reset IFLS is 0x12 (half full)", r->ifls, PL011_IFLS_RESET);
    check_eq("reset IMSC is 0", r->imsc, 0);
    check_eq("reset RIS has no uart interrupt", r->ris & INT_UART_BITS, 0);
    check_eq("reset MIS is 0", r->mis, 0);
    check_eq("reset DMACR is 0", r->dmacr, 0);
}

static uint32_t write_read(uint32_t reg, uint32_t value)
{
    uart_write(reg, value);
    return uart_read(reg);
}

struct readback {
    const char *what;
    uint32_t reg, value, expected, got;
};

/* Reprogramming happens with the UART disabled, as the TRM asks, so the
 * results are printed only once it is enabled again. */
static void check_readback(void)
{
    struct readback cases[] = {
        {"IBRD reads back 0x1234", PL011_IBRD, 0x1234, 0x1234, 0},
        {"IBRD is 16 bits wide", PL011_IBRD, 0x1ffff, 0xffff, 0},
        {"FBRD reads back 0x15", PL011_FBRD, 0x15, 0x15, 0},
        {"FBRD is 6 bits wide", PL011_FBRD, 0xff, 0x3f, 0},
        {"LCR_H reads back 0x70", PL011_LCR_H, 0x70, 0x70, 0},
        {"LCR_H is 8 bits wide", PL011_LCR_H, 0x1ee, 0xee, 0},
        {"CR reads back 0x300", PL011_CR, 0x300, 0x300, 0},
        {"IFLS reads back 0x09", PL011_IFLS, 0x09, 0x09, 0},
        {"IFLS is 6 bits wide", PL011_IFLS, 0xffd2, 0x12, 0},
        {"IMSC reads back 0x50", PL011_IMSC, 0x50, 0x50, 0},
        {"IMSC is 11 bits wide", PL011_IMSC, 0xffff, PL011_INT_ALL, 0},
        {"ILPR reads back 0x5a", PL011_ILPR, 0x5a, 0x5a, 0},
    };
    const unsigned n = sizeof(cases) / sizeof(cases[0]);

    uart_flush();
    uart_write(PL011_CR, 0);
    for (unsigned i = 0; i < n; i++) {
        cases[i].got = write_read(cases[i].reg, cases[i].value);
    }
    uart_write(PL011_IMSC, 0);
    uart_write(PL011_ILPR, 0);
    uart_write(PL011_IFLS, PL011_IFLS_RESET);
    uart_init(true);
    for (unsigned i = 0; i < n; i++) {
        check_eq(cases[i].what, cases[i].got, cases[i].expected);
    }
}

/* With the FIFOs on, 32 characters fit before TXFF; then it all drains. */
static void check_tx_fifo(void)
{
    static const char line[] = "# tx fifo: 32 characters.......\n";
    bool full_early = false;

    uart_init(true);
    uart_flush();
    for (unsigned i = 0; i < PL011_FIFO_DEPTH; i++) {
        if (uart_read(PL011_FR) & PL011_FR_TXFF) {
            full_early = true;
        }
        uart_write(PL011_DR, (uint8_t)line[i]);
    }
    uart_flush();
    check_true("tx fifo takes 32 characters without TXFF", !full_early);
    check_eq("FR after draining: fifos empty, idle",
             uart_read(PL011_FR) & FR_STATE_BITS,
             PL011_FR_TXFE | PL011_FR_RXFE);
    check_eq("LCR_H has FEN and 8-bit words", uart_read(PL011_LCR_H),
             PL011_LCR_H_FEN | PL011_LCR_H_WLEN_8);
    check_eq("CR has UARTEN, TXE, RXE", uart_read(PL011_CR),
             PL011_CR_UARTEN | PL011_CR_TXE | PL011_CR_RXE);
    check_true("receive fifo empty without host input", uart_getc() < 0);
    check_eq("no rx interrupt without host input",
             uart_read(PL011_RIS) & (PL011_INT_RX | PL011_INT_RT), 0);
}

/*
 * The TX interrupt with the FIFO off: raised when the transmit holding
 * register empties, cleared by ICR (TRM 3.4.4).  Nothing may be printed
 * while the probe runs, so values are collected first and checked after.
 */
static void check_tx_interrupt(void)
{
    uint32_t ris_cleared, ris_sent, mis_masked, mis_unmasked, ris_acked,
        mis_acked, claimed;
    bool pending_masked, pending_unmasked, pending_after;

    uart_init(false);
    plic_set_priority(VIRT_UART0_IRQ, 1);
    plic_set_threshold(0);
    plic_enable(VIRT_UART0_IRQ);
    /* The read-back checks unmasked interrupts, and the PLIC latched that
     * request: claim and complete it now that the line is low. */
    for (uint32_t stale; (stale = plic_claim()) != 0;) {
        plic_complete(stale);
    }

    print("# tx interrupt probe");
    uart_flush();
    uart_write(PL011_ICR, PL011_INT_ALL);
    ris_cleared = uart_read(PL011_RIS) & PL011_INT_TX;
    uart_putc('\n');
    uart_flush();
    ris_sent = uart_read(PL011_RIS) & PL011_INT_TX;
    mis_masked = uart_read(PL011_MIS);
    pending_masked = plic_is_pending(VIRT_UART0_IRQ);
    uart_write(PL011_IMSC, PL011_INT_TX);
    mis_unmasked = uart_read(PL011_MIS);
    pending_unmasked = plic_is_pending(VIRT_UART0_IRQ);
    claimed = plic_claim();
    uart_write(PL011_ICR, PL011_INT_TX);
    ris_acked = uart_read(PL011_RIS) & PL011_INT_TX;
    mis_acked = uart_read(PL011_MIS);
    plic_complete(claimed);
    pending_after = plic_is_pending(VIRT_UART0_IRQ);
    uart_write(PL011_IMSC, 0);

    check_eq("ICR clears TXRIS while idle", ris_cleared, 0);
    check_eq("TXRIS set once the character has gone", ris_sent, PL011_INT_TX);
    check_eq("MIS is 0 while IMSC masks TX", mis_masked, 0);
    check_true("no plic request while masked", !pending_masked);
    check_eq("MIS shows TX once IMSC.TXIM is set", mis_unmasked, PL011_INT_TX);
    check_true("plic source 10 pending", pending_unmasked);
    check_count("plic claim returns source 10", claimed, VIRT_UART0_IRQ);
    check_eq("ICR clears TXRIS", ris_acked, 0);
    check_eq("ICR clears MIS", mis_acked, 0);
    check_true("no new plic request after ICR and complete", !pending_after);
    plic_disable(VIRT_UART0_IRQ);
}

int main(void)
{
    struct pl011_regs reset;

    snapshot(&reset); /* before uart_init() changes anything */
    uart_init(true);
    print("pl011 test\n");
    check_reset_values(&reset);
    check_readback();
    check_tx_fifo();
    check_tx_interrupt();
    uart_init(true);
    return check_summary("pl011");
}
