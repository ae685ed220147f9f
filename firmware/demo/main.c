/*
 * The rivet demo firmware: what `build/rivet` boots by default.
 *
 * Prints a banner and the devices it finds (by their ID registers where
 * they have them, and the targets that answer on the I2C bus), then runs HPET
 * timer 0 periodically through the PLIC, printing a line per tick and echoing
 * UART input as it arrives by RX interrupt, and powers off with status 0.
 */
#include <stdbool.h>
#include <stdint.h>

#include "clint.h"
#include "csr.h"
#include "hpet.h"
#include "i2c.h"
#include "machine/virt-map.h"
#include "plic.h"
#include "uart.h"

#define DEMO_TICKS 5
#define TICK_PERIOD_NS 1000000               /* 1 ms of guest time */
#define HPET_TIMER_IRQ VIRT_HPET_LEGACY_IRQ0 /* plic source 2 */
#define ECHO_BUFFER 64

static volatile uint32_t ticks;
/* Received characters, filled by the UART handler, drained by main. */
static volatile char echo_buf[ECHO_BUFFER];
static volatile uint32_t echo_head, echo_tail;

static void hpet_tick(unsigned src)
{
    (void)src;
    /* Level-triggered: the line stays up until the status bit is cleared. */
    hpet_write(HPET_GINTR_STA, 1u << 0);
    ticks++;
}

static void uart_rx(unsigned src)
{
    int c;

    (void)src;
    /* Reading DR empties the receiver, which drops the RX interrupt. */
    while ((c = uart_getc()) >= 0) {
        if (echo_head - echo_tail < ECHO_BUFFER) {
            echo_buf[echo_head % ECHO_BUFFER] = (char)c;
            echo_head++;
        }
    }
    uart_write(PL011_ICR, PL011_INT_RX | PL011_INT_RT);
}

static void print_isa(void)
{
    uint64_t misa = csr_read(misa);

    if (misa == 0) {
        print("rv64 (misa not implemented)");
        return;
    }
    /* Extensions in the canonical ISA-string order; S, U, H, X are modes
     * or vendor bits, not part of the name. */
    static const char order[] = "iemafdqcbjtpvn";
    print("rv%u", 32u << ((misa >> 62) - 1));
    for (const char *c = order; *c; c++) {
        if (misa & (1ul << (*c - 'a'))) {
            uart_putc(*c);
        }
    }
}

static uint32_t read_id(uintptr_t base)
{
    uint32_t id = 0;
    for (unsigned i = 0; i < 4; i++) {
        id |= (mmio_read32(base + 4 * i) & 0xff) << (8 * i);
    }
    return id;
}

static void probe_uart(void)
{
    uint32_t periph = read_id(VIRT_UART0_BASE + PL011_PERIPH_ID0);
    uint32_t cell = read_id(VIRT_UART0_BASE + PL011_PCELL_ID0);
    /* Part 0x011 by designer 0x41 (ARM); the revision nibble names the
     * release: 3 is r1p5. */
    static const char *const revisions[] = {"r1p0", "r1p1", "r1p2", "r1p5"};
    unsigned part = periph & 0xfff;
    unsigned designer = (periph >> 12) & 0xff;
    unsigned revision = (periph >> 20) & 0xf;

    if (cell == PL011_PCELL_ID && part == 0x011 && designer == 0x41) {
        print("  pl011 uart at 0x%08x (%s)\n", VIRT_UART0_BASE,
              revision < 4 ? revisions[revision] : "unknown revision");
    } else {
        print("  unknown device at 0x%08x (periph id 0x%08x, cell id "
              "0x%08x)\n",
              VIRT_UART0_BASE, periph, cell);
    }
}

static void probe_hpet(void)
{
    uint64_t cap = hpet_read(HPET_GCAP_ID);
    uint32_t period_fs = HPET_CAP_PERIOD_FS(cap);

    if (period_fs == 0 || HPET_CAP_REV_ID(cap) == 0) {
        print("  no hpet at 0x%08x (capabilities 0x%lx)\n", VIRT_HPET_BASE,
              cap);
        return;
    }
    print("  hpet at 0x%08x: vendor 0x%04x, rev %u, %u timers, %s counter, "
          "period %u fs (%u MHz)\n",
          VIRT_HPET_BASE, HPET_CAP_VENDOR(cap), HPET_CAP_REV_ID(cap),
          HPET_CAP_NUM_TIMERS(cap),
          (cap & HPET_CAP_COUNT_SIZE) ? "64-bit" : "32-bit", period_fs,
          (unsigned)(1000000000ul / period_fs));
}

/* The I2C bus: every address that acknowledges, by its board name where
 * the board table has one. */
static void probe_i2c(void)
{
    print("  i2c controller at 0x%08x (opencores), bus:", VIRT_I2C_BASE);
    i2c_init();
    unsigned found = 0;
    for (unsigned a = I2C_ADDR_FIRST; a <= I2C_ADDR_LAST; a++) {
        if (i2c_probe((uint8_t)a)) {
            print(" 0x%02x%s", a,
                  a == VIRT_EEPROM_I2C_ADDR    ? " (24c02 eeprom)"
                  : a == VIRT_PCF8574_I2C_ADDR ? " (pcf8574 gpio expander)"
                                               : "");
            found++;
        }
    }
    print(found ? "\n" : " nothing answers\n");
}

static void start_ticks(void)
{
    uint64_t period = TICK_PERIOD_NS / (VIRT_HPET_PERIOD_FS / 1000000);

    hpet_quiesce();
    hpet_setup_periodic(0, period,
                        HPET_TN_INT_ENB | HPET_TN_INT_TYPE_LEVEL |
                            HPET_TN_ROUTE(HPET_TIMER_IRQ));
    plic_set_handler(HPET_TIMER_IRQ, hpet_tick);
    plic_set_priority(HPET_TIMER_IRQ, 1);
    plic_enable(HPET_TIMER_IRQ);

    plic_set_handler(VIRT_UART0_IRQ, uart_rx);
    plic_set_priority(VIRT_UART0_IRQ, 2);
    plic_enable(VIRT_UART0_IRQ);
    uart_write(PL011_IMSC, PL011_INT_RX | PL011_INT_RT);

    plic_set_threshold(0);
    csr_set(mie, MIP_MEIP);
    hpet_write(HPET_GEN_CONF, HPET_CONF_ENABLE);
    print("hpet timer 0: periodic every %lu us, plic source %u\n",
          (uint64_t)TICK_PERIOD_NS / 1000, HPET_TIMER_IRQ);
}

static void print_echo(void)
{
    if (echo_tail == echo_head) {
        return;
    }
    uart_puts("echo: ");
    while (echo_tail != echo_head) {
        char c = echo_buf[echo_tail % ECHO_BUFFER];
        echo_tail++;
        if (c >= 0x20 && c < 0x7f) {
            uart_putc(c);
        } else {
            print("\\x%02x", (unsigned)(uint8_t)c);
        }
    }
    uart_putc('\n');
}

int main(void)
{
    uart_init(false); /* no FIFO: every received character interrupts */
    print("rivet demo firmware\n");
    print("board: virt, hart %lu (", csr_read(mhartid));
    print_isa();
    print(", machine mode), ram at 0x%08lx\n", VIRT_RAM_BASE);

    print("devices:\n");
    probe_uart();
    probe_hpet();
    print("  clint at 0x%08x (mtime %lu MHz)\n", VIRT_CLINT_BASE,
          VIRT_CLINT_TIMEBASE_HZ / 1000000);
    print("  plic at 0x%08x (%u sources)\n", VIRT_PLIC_BASE,
          VIRT_PLIC_NUM_SOURCES - 1);
    print("  power device at 0x%08x\n", VIRT_POWER_BASE);
    probe_i2c();

    start_ticks();

    uint32_t printed = 0;
    irq_global_disable();
    while (printed < DEMO_TICKS) {
        /* Sleep with interrupts masked so none slips in between the test
         * and the WFI; the pending interrupt wakes WFI and is taken when
         * MIE opens. */
        while (ticks == printed && echo_head == echo_tail) {
            wfi();
            irq_global_enable();
            irq_global_disable();
        }
        print_echo();
        while (printed < ticks && printed < DEMO_TICKS) {
            printed++;
            print("tick %u\n", printed);
        }
    }

    hpet_write(HPET_GEN_CONF, 0);
    csr_clear(mie, MIP_MEIP);
    print_echo();
    print("goodbye after %u ticks\n", printed);
    return 0;
}
