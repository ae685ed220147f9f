/*
 * PL011 unit tests: every register driven through the MMIO callbacks,
 * the receive FIFO and its interrupts, the receive timeout on the virtual
 * clock, and output reaching a chardev backend.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "hw/char/pl011/pl011.h"
#include "hw/hw-test.h"
#include "machine/virt-map.h"
#include "util/log.h"
#include "util/main-loop.h"

/* A PL011 with a null chardev, so the frontend handlers are installed and
 * tests can feed input straight into them. */
typedef struct Uart {
    DeviceState *dev;
    PL011State *s;
    Chardev *chr;
    IrqProbe irq;
} Uart;

static void uart_setup_with(Uart *u, const char *spec)
{
    static int serial;
    char label[32];
    Error *err = NULL;

    vclock_reset();
    snprintf(label, sizeof(label), "pl011-test%d", serial++);
    u->chr = chardev_new_from_spec(label, spec, &err);
    if (!u->chr || !chardev_start(u->chr, &err)) {
        UNIT_FAIL("chardev %s: %s", spec, error_get_message(err));
    }
    u->dev = hw_test_new(TYPE_PL011);
    u->s = PL011(u->dev);
    if (!object_property_set_link(OBJECT(u->dev), "chardev", OBJECT(u->chr),
                                  &err)) {
        UNIT_FAIL("set chardev: %s", error_get_message(err));
    }
    hw_test_realize(u->dev);
    irq_probe_attach(&u->irq, u->dev, 0);
}

static void uart_setup(Uart *u)
{
    uart_setup_with(u, "null");
}

static void uart_teardown(Uart *u)
{
    hw_test_destroy(u->dev);
    chardev_destroy(u->chr);
}

static int uart_can_receive(Uart *u)
{
    return u->s->fe.can_receive(u->s->fe.opaque);
}

static void uart_receive(Uart *u, const char *text)
{
    u->s->fe.receive(u->s->fe.opaque, (const uint8_t *)text, (int)strlen(text));
}

static void uart_receive_n(Uart *u, int n, char first)
{
    for (int i = 0; i < n; i++) {
        uint8_t ch = (uint8_t)(first + i);
        u->s->fe.receive(u->s->fe.opaque, &ch, 1);
    }
}

static void uart_enable_fifos(Uart *u)
{
    wr32(u->dev, PL011_LCR_H, PL011_LCR_H_FEN | PL011_LCR_H_WLEN_MASK);
}

UNIT_TEST(reset_values)
{
    Uart u;
    uart_setup(&u);
    CHECK_EQ_U64(rd32(u.dev, PL011_DR), 0);
    CHECK_EQ_U64(rd32(u.dev, PL011_RSR_ECR), 0);
    CHECK_EQ_U64(rd32(u.dev, PL011_FR), PL011_FR_TXFE | PL011_FR_RXFE);
    CHECK_EQ_U64(rd32(u.dev, PL011_FR), 0x90);
    CHECK_EQ_U64(rd32(u.dev, PL011_ILPR), 0);
    CHECK_EQ_U64(rd32(u.dev, PL011_IBRD), 0);
    CHECK_EQ_U64(rd32(u.dev, PL011_FBRD), 0);
    CHECK_EQ_U64(rd32(u.dev, PL011_LCR_H), 0);
    CHECK_EQ_U64(rd32(u.dev, PL011_CR), 0x300);
    CHECK_EQ_U64(rd32(u.dev, PL011_IFLS), 0x12);
    CHECK_EQ_U64(rd32(u.dev, PL011_IMSC), 0);
    CHECK_EQ_U64(rd32(u.dev, PL011_RIS), 0);
    CHECK_EQ_U64(rd32(u.dev, PL011_MIS), 0);
    CHECK_EQ_U64(rd32(u.dev, PL011_DMACR), 0);
    CHECK_EQ_I64(u.irq.level, 0);
    uart_teardown(&u);
}

UNIT_TEST(device_reset_restores_registers)
{
    Uart u;
    uart_setup(&u);
    wr32(u.dev, PL011_IBRD, 13);
    wr32(u.dev, PL011_CR, 0x301);
    wr32(u.dev, PL011_IMSC, PL011_INT_RX);
    uart_enable_fifos(&u);
    uart_receive(&u, "abc");
    device_reset(u.dev);
    CHECK_EQ_U64(rd32(u.dev, PL011_IBRD), 0);
    CHECK_EQ_U64(rd32(u.dev, PL011_CR), 0x300);
    CHECK_EQ_U64(rd32(u.dev, PL011_IMSC), 0);
    CHECK_EQ_U64(rd32(u.dev, PL011_LCR_H), 0);
    CHECK_EQ_U64(rd32(u.dev, PL011_FR), 0x90);
    CHECK(!timer_pending(&u.s->rx_timeout_timer));
    uart_teardown(&u);
}

UNIT_TEST(peripheral_and_cell_ids)
{
    Uart u;
    static const uint32_t ids[8] = {0x11, 0x10, 0x34, 0x00,
                                    0x0d, 0xf0, 0x05, 0xb1};
    uart_setup(&u);
    for (int i = 0; i < 8; i++) {
        CHECK_EQ_U64(rd32(u.dev, PL011_PERIPH_ID0 + 4 * i), ids[i]);
    }
    /* The ID registers are read-only. */
    wr32(u.dev, PL011_PERIPH_ID0, 0xff);
    CHECK_EQ_U64(rd32(u.dev, PL011_PERIPH_ID0), 0x11);
    uart_teardown(&u);
}

UNIT_TEST(register_widths)
{
    Uart u;
    uart_setup(&u);
    wr32(u.dev, PL011_IBRD, 0x12345);
    CHECK_EQ_U64(rd32(u.dev, PL011_IBRD), 0x2345);
    wr32(u.dev, PL011_FBRD, 0xff);
    CHECK_EQ_U64(rd32(u.dev, PL011_FBRD), 0x3f);
    wr32(u.dev, PL011_ILPR, 0x1ff);
    CHECK_EQ_U64(rd32(u.dev, PL011_ILPR), 0xff);
    wr32(u.dev, PL011_LCR_H, 0x1ff);
    CHECK_EQ_U64(rd32(u.dev, PL011_LCR_H), 0xff);
    wr32(u.dev, PL011_CR, 0x1ffff);
    CHECK_EQ_U64(rd32(u.dev, PL011_CR), 0xffff);
    wr32(u.dev, PL011_IFLS, 0xff);
    CHECK_EQ_U64(rd32(u.dev, PL011_IFLS), 0x3f);
    wr32(u.dev, PL011_IMSC, 0xffffffff);
    CHECK_EQ_U64(rd32(u.dev, PL011_IMSC), 0x7ff);
    wr32(u.dev, PL011_DMACR, 0xff);
    CHECK_EQ_U64(rd32(u.dev, PL011_DMACR), 0x7);
    /* Flags and raw status are read-only. */
    wr32(u.dev, PL011_FR, 0);
    wr32(u.dev, PL011_RIS, 0x7ff);
    CHECK_EQ_U64(rd32(u.dev, PL011_RIS), 0);
    uart_teardown(&u);
}

UNIT_TEST(bad_accesses_are_ignored)
{
    Uart u;
    uart_setup(&u);
    CHECK_EQ_U64(rd32(u.dev, 0x050), 0);     /* reserved */
    CHECK_EQ_U64(rd32(u.dev, PL011_ICR), 0); /* write-only */
    wr32(u.dev, 0x800, 0x1234);
    uart_receive(&u, "x");
    /* Unaligned and 8-byte accesses do not pop the FIFO. */
    CHECK_EQ_U64(mmio_read(u.dev, 1, 1), 0);
    CHECK_EQ_U64(mmio_read(u.dev, 0, 8), 0);
    CHECK_EQ_U64(rd32(u.dev, PL011_FR) & PL011_FR_RXFE, 0);
    CHECK_EQ_U64(rd32(u.dev, PL011_DR), 'x');
    uart_teardown(&u);
}

static char *read_file(const char *path)
{
    static char buf[256];
    FILE *f = fopen(path, "rb");
    if (!f) {
        return NULL;
    }
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    return buf;
}

UNIT_TEST(transmit_reaches_chardev_file)
{
    char path[] = "/tmp/rivet-pl011-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    close(fd);
    char spec[64];
    snprintf(spec, sizeof(spec), "file:%s", path);

    Uart u;
    uart_setup_with(&u, spec);
    wr32(u.dev, PL011_CR, PL011_CR_UARTEN | PL011_CR_TXE | PL011_CR_RXE);
    wr32(u.dev, PL011_DR, 'H');
    mmio_write(u.dev, PL011_DR, 'i', 1); /* byte store, as firmware does */
    wr32(u.dev, PL011_DR, 0x100 | '\n'); /* bits above 7:0 are not data */
    /* Transmission is instant: the FIFO is empty and idle again. */
    CHECK_EQ_U64(rd32(u.dev, PL011_FR), PL011_FR_TXFE | PL011_FR_RXFE);
    uart_teardown(&u);
    CHECK_STREQ(read_file(path), "Hi\n");
    unlink(path);
}

UNIT_TEST(transmit_needs_uarten_and_txe)
{
    char path[] = "/tmp/rivet-pl011-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    close(fd);
    char spec[64];
    snprintf(spec, sizeof(spec), "file:%s", path);

    Uart u;
    uart_setup_with(&u, spec);
    wr32(u.dev, PL011_DR, 'a'); /* reset: UARTEN clear */
    wr32(u.dev, PL011_CR, PL011_CR_UARTEN | PL011_CR_RXE);
    wr32(u.dev, PL011_DR, 'b'); /* TXE clear */
    CHECK_EQ_U64(rd32(u.dev, PL011_RIS) & PL011_INT_TX, 0);
    wr32(u.dev, PL011_CR, PL011_CR_UARTEN | PL011_CR_TXE);
    wr32(u.dev, PL011_DR, 'c');
    uart_teardown(&u);
    CHECK_STREQ(read_file(path), "c");
    unlink(path);
}

UNIT_TEST(transmit_interrupt)
{
    Uart u;
    uart_setup(&u);
    wr32(u.dev, PL011_IMSC, PL011_INT_TX);
    wr32(u.dev, PL011_CR, 0x301);
    /* Enabling alone does not set TXIS: it needs data to drain first. */
    CHECK_EQ_U64(rd32(u.dev, PL011_RIS), 0);
    CHECK_EQ_I64(u.irq.level, 0);
    wr32(u.dev, PL011_DR, 'a');
    CHECK_EQ_U64(rd32(u.dev, PL011_RIS), PL011_INT_TX);
    CHECK_EQ_U64(rd32(u.dev, PL011_MIS), PL011_INT_TX);
    CHECK_EQ_I64(u.irq.level, 1);
    wr32(u.dev, PL011_ICR, PL011_INT_TX);
    CHECK_EQ_U64(rd32(u.dev, PL011_RIS), 0);
    CHECK_EQ_I64(u.irq.level, 0);
    /* With FIFOs enabled the drained FIFO is again below the trigger. */
    uart_enable_fifos(&u);
    wr32(u.dev, PL011_DR, 'b');
    CHECK_EQ_U64(rd32(u.dev, PL011_RIS), PL011_INT_TX);
    CHECK_EQ_I64(u.irq.level, 1);
    uart_teardown(&u);
}

/* A socket client that does not read stalls the line: the transmit FIFO
 * shows full, TXIS drops, a further write is lost and logged; once the
 * client reads, TXIS rises and nothing taken was lost.  crates/pl011's
 * stalled_line_fills_the_transmit_fifo holds the Rust twin to the same. */
UNIT_TEST(stalled_line_fills_the_transmit_fifo)
{
    char dir[] = "/tmp/rivet-pl011-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    snprintf(addr.sun_path, sizeof(addr.sun_path), "%s/s", dir);
    char spec[160];
    snprintf(spec, sizeof(spec), "unix:%s,server", addr.sun_path);
    char log_path[] = "/tmp/rivet-pl011-log-XXXXXX";
    int log_fd = mkstemp(log_path);
    CHECK(log_fd >= 0);
    close(log_fd);

    Uart u;
    uart_setup_with(&u, spec);
    int client = socket(AF_UNIX, SOCK_STREAM, 0);
    CHECK(connect(client, (struct sockaddr *)&addr, sizeof(addr)) == 0);
    for (int i = 0; i < 100 && !char_fe_backend_connected(&u.s->fe); i++) {
        main_loop_poll(10);
    }
    CHECK(char_fe_backend_connected(&u.s->fe));
    wr32(u.dev, PL011_CR, 0x301);
    wr32(u.dev, PL011_IMSC, PL011_INT_TX);

    uint64_t sent = 0;
    while (!(rd32(u.dev, PL011_FR) & PL011_FR_TXFF)) {
        wr32(u.dev, PL011_DR, (uint8_t)(sent % 251));
        sent++;
        CHECK(sent < 64 * 1024 * 1024); /* the backend's queue is bounded */
    }
    CHECK_EQ_U64(rd32(u.dev, PL011_FR),
                 PL011_FR_TXFF | PL011_FR_BUSY | PL011_FR_RXFE);
    CHECK_EQ_U64(rd32(u.dev, PL011_RIS), 0);
    CHECK_EQ_I64(u.irq.level, 0);
    Error *err = NULL;
    CHECK(log_set_file(log_path, &err));
    uint32_t saved = log_item_mask;
    log_item_mask |= LOG_ITEM_GUEST_ERROR;
    wr32(u.dev, PL011_DR, 'X');
    log_item_mask = saved;
    log_close();
    CHECK_STREQ(read_file(log_path),
                "pl011: write to UARTDR while the transmit FIFO is full "
                "(UARTFR.TXFF): byte 0x58 lost\n");

    /* The client reads: TXIS rises, every byte taken arrives in order. */
    uint64_t got = 0;
    bool intact = true;
    int rounds = 0;
    while (got < sent || !u.irq.level) {
        main_loop_poll(10);
        uint8_t buf[65536];
        ssize_t n = recv(client, buf, sizeof(buf), MSG_DONTWAIT);
        for (ssize_t i = 0; i < n; i++) {
            intact &= buf[i] == (uint8_t)((got + (uint64_t)i) % 251);
        }
        got += n > 0 ? (uint64_t)n : 0;
        CHECK(got <= sent);
        CHECK(++rounds < 100000);
    }
    CHECK(intact);
    CHECK_EQ_U64(rd32(u.dev, PL011_MIS), PL011_INT_TX);
    CHECK_EQ_U64(rd32(u.dev, PL011_FR), PL011_FR_TXFE | PL011_FR_RXFE);
    close(client);
    uart_teardown(&u);
    unlink(log_path);
    rmdir(dir);
}

UNIT_TEST(fifo_fill_and_drain)
{
    Uart u;
    uart_setup(&u);
    uart_enable_fifos(&u);
    CHECK_EQ_I64(uart_can_receive(&u), 32);
    uart_receive_n(&u, 31, 'A');
    CHECK_EQ_I64(uart_can_receive(&u), 1);
    CHECK_EQ_U64(rd32(u.dev, PL011_FR) & (PL011_FR_RXFE | PL011_FR_RXFF), 0);
    uart_receive_n(&u, 1, 'A' + 31);
    CHECK_EQ_I64(uart_can_receive(&u), 0);
    CHECK_EQ_U64(rd32(u.dev, PL011_FR), PL011_FR_TXFE | PL011_FR_RXFF);
    for (int i = 0; i < 32; i++) {
        CHECK_EQ_U64(rd32(u.dev, PL011_DR), (uint32_t)('A' + i));
        CHECK_EQ_I64(uart_can_receive(&u), i + 1);
    }
    CHECK_EQ_U64(rd32(u.dev, PL011_FR), PL011_FR_TXFE | PL011_FR_RXFE);
    CHECK_EQ_U64(rd32(u.dev, PL011_RSR_ECR), 0);
    uart_teardown(&u);
}

UNIT_TEST(fifo_overrun_sets_oe)
{
    Uart u;
    uart_setup(&u);
    uart_enable_fifos(&u);
    wr32(u.dev, PL011_IMSC, PL011_INT_OE);
    uart_receive_n(&u, 32, 'a');
    CHECK_EQ_I64(u.irq.level, 0);
    uart_receive(&u, "!"); /* lost: the FIFO is full */
    CHECK_EQ_U64(rd32(u.dev, PL011_RSR_ECR), PL011_RSR_OE);
    CHECK_EQ_U64(rd32(u.dev, PL011_RIS) & PL011_INT_OE, PL011_INT_OE);
    CHECK_EQ_I64(u.irq.level, 1);
    /* The FIFO contents stay valid. */
    CHECK_EQ_U64(rd32(u.dev, PL011_DR), 'a');
    /* The next character that fits carries the overrun flag. */
    uart_receive(&u, "z");
    for (int i = 1; i < 32; i++) {
        CHECK_EQ_U64(rd32(u.dev, PL011_DR), (uint32_t)('a' + i));
    }
    CHECK_EQ_U64(rd32(u.dev, PL011_DR), PL011_DR_OE | 'z');
    /* RSR.OE stays until a write to ECR. */
    CHECK_EQ_U64(rd32(u.dev, PL011_RSR_ECR), PL011_RSR_OE);
    wr32(u.dev, PL011_RSR_ECR, 0);
    CHECK_EQ_U64(rd32(u.dev, PL011_RSR_ECR), 0);
    wr32(u.dev, PL011_ICR, PL011_INT_OE);
    CHECK_EQ_I64(u.irq.level, 0);
    uart_teardown(&u);
}

UNIT_TEST(fifos_disabled_hold_one_character)
{
    Uart u;
    uart_setup(&u);
    wr32(u.dev, PL011_IMSC, PL011_INT_RX);
    CHECK_EQ_I64(uart_can_receive(&u), 1);
    uart_receive(&u, "a");
    CHECK_EQ_I64(uart_can_receive(&u), 0);
    CHECK_EQ_U64(rd32(u.dev, PL011_FR), PL011_FR_TXFE | PL011_FR_RXFF);
    /* Any character raises RXIS when the FIFOs are off. */
    CHECK_EQ_U64(rd32(u.dev, PL011_RIS), PL011_INT_RX);
    CHECK_EQ_I64(u.irq.level, 1);
    uart_receive(&u, "b");
    CHECK_EQ_U64(rd32(u.dev, PL011_RSR_ECR), PL011_RSR_OE);
    /* One read empties the holding register and clears RXIS. */
    CHECK_EQ_U64(rd32(u.dev, PL011_DR), 'a');
    CHECK_EQ_U64(rd32(u.dev, PL011_RIS) & PL011_INT_RX, 0);
    CHECK_EQ_I64(u.irq.level, 0);
    CHECK_EQ_U64(rd32(u.dev, PL011_FR), PL011_FR_TXFE | PL011_FR_RXFE);
    uart_teardown(&u);
}

UNIT_TEST(toggling_fen_flushes_receive_fifo)
{
    Uart u;
    uart_setup(&u);
    uart_enable_fifos(&u);
    uart_receive(&u, "abc");
    wr32(u.dev, PL011_LCR_H, 0);
    CHECK_EQ_U64(rd32(u.dev, PL011_FR), PL011_FR_TXFE | PL011_FR_RXFE);
    CHECK(!timer_pending(&u.s->rx_timeout_timer));
    uart_teardown(&u);
}

UNIT_TEST(receive_trigger_levels)
{
    static const int levels[5] = {4, 8, 16, 24, 28};
    Uart u;
    uart_setup(&u);
    uart_enable_fifos(&u);
    wr32(u.dev, PL011_IMSC, PL011_INT_RX);
    for (unsigned sel = 0; sel < 5; sel++) {
        wr32(u.dev, PL011_IFLS, (sel << 3) | 2);
        uart_receive_n(&u, levels[sel] - 1, 'a');
        CHECK_EQ_U64(rd32(u.dev, PL011_RIS) & PL011_INT_RX, 0);
        CHECK_EQ_I64(u.irq.level, 0);
        uart_receive_n(&u, 1, 'z');
        CHECK_EQ_U64(rd32(u.dev, PL011_RIS) & PL011_INT_RX, PL011_INT_RX);
        CHECK_EQ_I64(u.irq.level, 1);
        /* Reading below the trigger clears it. */
        rd32(u.dev, PL011_DR);
        CHECK_EQ_U64(rd32(u.dev, PL011_RIS) & PL011_INT_RX, 0);
        CHECK_EQ_I64(u.irq.level, 0);
        while (!(rd32(u.dev, PL011_FR) & PL011_FR_RXFE)) {
            rd32(u.dev, PL011_DR);
        }
    }
    uart_teardown(&u);
}

UNIT_TEST(interrupt_masking_and_clearing)
{
    Uart u;
    uart_setup(&u);
    uart_enable_fifos(&u);
    wr32(u.dev, PL011_IFLS, 0); /* RX trigger at 4 */
    uart_receive(&u, "abcd");
    CHECK_EQ_U64(rd32(u.dev, PL011_RIS), PL011_INT_RX);
    CHECK_EQ_U64(rd32(u.dev, PL011_MIS), 0);
    CHECK_EQ_I64(u.irq.level, 0);
    wr32(u.dev, PL011_IMSC, PL011_INT_RX);
    CHECK_EQ_U64(rd32(u.dev, PL011_MIS), PL011_INT_RX);
    CHECK_EQ_I64(u.irq.level, 1);
    wr32(u.dev, PL011_IMSC, PL011_INT_TX);
    CHECK_EQ_I64(u.irq.level, 0);
    wr32(u.dev, PL011_IMSC, PL011_INT_RX);
    CHECK_EQ_I64(u.irq.level, 1);
    /* ICR clears only the bits written as 1. */
    wr32(u.dev, PL011_ICR, PL011_INT_TX);
    CHECK_EQ_I64(u.irq.level, 1);
    wr32(u.dev, PL011_ICR, PL011_INT_RX);
    CHECK_EQ_U64(rd32(u.dev, PL011_RIS), 0);
    CHECK_EQ_I64(u.irq.level, 0);
    /* Cleared RXIS stays clear while the level merely stays above the
     * trigger; it rises again on the next crossing. */
    uart_receive(&u, "e");
    CHECK_EQ_U64(rd32(u.dev, PL011_RIS), 0);
    rd32(u.dev, PL011_DR);
    rd32(u.dev, PL011_DR); /* level 3 */
    uart_receive(&u, "f");
    CHECK_EQ_U64(rd32(u.dev, PL011_RIS), PL011_INT_RX);
    CHECK_EQ_I64(u.irq.level, 1);
    uart_teardown(&u);
}

UNIT_TEST(receive_timeout_timing)
{
    Uart u;
    uart_setup(&u);
    uart_enable_fifos(&u);
    wr32(u.dev, PL011_IMSC, PL011_INT_RT);
    /* 115200 baud at 24 MHz: IBRD 13, FBRD 1, divisor 833/64; 32 bit
     * periods = 32 * 16 * 833 / 64 / 24 MHz = 277666.67 ns. */
    wr32(u.dev, PL011_IBRD, 13);
    wr32(u.dev, PL011_FBRD, 1);
    CHECK_EQ_I64(pl011_rx_timeout_ns(u.s), 277666);

    advance_to(1000);
    uart_receive(&u, "a");
    advance_to(1000 + 277665);
    CHECK_EQ_U64(rd32(u.dev, PL011_RIS), 0);
    CHECK_EQ_I64(u.irq.level, 0);
    advance_to(1000 + 277666);
    CHECK_EQ_U64(rd32(u.dev, PL011_RIS), PL011_INT_RT);
    CHECK_EQ_I64(u.irq.level, 1);
    CHECK_EQ_I64(u.irq.last_rise_ns, 1000 + 277666);
    /* Emptying the FIFO clears RTIS. */
    CHECK_EQ_U64(rd32(u.dev, PL011_DR), 'a');
    CHECK_EQ_U64(rd32(u.dev, PL011_RIS), 0);
    CHECK_EQ_I64(u.irq.level, 0);

    /* Each new character restarts the 32-bit-period count. */
    advance_to(500000);
    uart_receive(&u, "b");
    advance_to(600000);
    uart_receive(&u, "c");
    advance_to(500000 + 277666);
    CHECK_EQ_U64(rd32(u.dev, PL011_RIS), 0);
    advance_to(600000 + 277666);
    CHECK_EQ_U64(rd32(u.dev, PL011_RIS), PL011_INT_RT);
    /* ICR clears it too, with data still in the FIFO. */
    wr32(u.dev, PL011_ICR, PL011_INT_RT);
    CHECK_EQ_I64(u.irq.level, 0);
    uart_teardown(&u);
}

UNIT_TEST(receive_timeout_without_baud_rate)
{
    Uart u;
    uart_setup(&u);
    CHECK_EQ_I64(pl011_rx_timeout_ns(u.s), 32 * 1000);
    uart_receive(&u, "a");
    advance_to(31999);
    CHECK_EQ_U64(rd32(u.dev, PL011_RIS) & PL011_INT_RT, 0);
    advance_to(32000);
    CHECK_EQ_U64(rd32(u.dev, PL011_RIS) & PL011_INT_RT, PL011_INT_RT);
    uart_teardown(&u);
}

/* A character arriving less than a timeout before the end of virtual time:
 * the timeout would fall past it, so it never fires (no overflow into a
 * deadline in the past that would fire at once).  The Rust twin's
 * receive_timeout_past_the_end_of_time is the same case. */
UNIT_TEST(receive_timeout_past_the_end_of_time)
{
    Uart u;
    uart_setup(&u);
    wr32(u.dev, PL011_IMSC, PL011_INT_RT);
    advance_to(VCLOCK_END_NS - 1000);
    uart_receive(&u, "a");
    CHECK(!timer_pending(&u.s->rx_timeout_timer));
    CHECK_EQ_I64(vclock_next_deadline(), VCLOCK_NO_DEADLINE);
    CHECK_EQ_U64(rd32(u.dev, PL011_RIS) & PL011_INT_RT, 0);
    CHECK_EQ_I64(u.irq.level, 0);
    uart_teardown(&u);
}

UNIT_TEST(timeout_does_not_fire_on_empty_fifo)
{
    Uart u;
    uart_setup(&u);
    uart_receive(&u, "a");
    advance_to(100);
    rd32(u.dev, PL011_DR);
    advance_to(1000000);
    CHECK_EQ_U64(rd32(u.dev, PL011_RIS), 0);
    uart_teardown(&u);
}

UNIT_TEST(access_through_address_space)
{
    Uart u;
    uint64_t value = 0;
    AddressSpace *as = get_address_space_memory();
    uart_setup(&u);
    sysbus_mmio_map(SYS_BUS_DEVICE(u.dev), 0, VIRT_UART0_BASE);
    CHECK_EQ_I64(address_space_ld(as, VIRT_UART0_BASE + PL011_FR, 4, &value),
                 MEMTX_OK);
    CHECK_EQ_U64(value, 0x90);
    CHECK_EQ_I64(
        address_space_ld(as, VIRT_UART0_BASE + PL011_PCELL_ID3, 4, &value),
        MEMTX_OK);
    CHECK_EQ_U64(value, 0xb1);
    uart_receive(&u, "q");
    CHECK_EQ_I64(address_space_ld(as, VIRT_UART0_BASE + PL011_DR, 1, &value),
                 MEMTX_OK);
    CHECK_EQ_U64(value, 'q');
    CHECK_EQ_I64(address_space_st(as, VIRT_UART0_BASE + PL011_IBRD, 4, 26),
                 MEMTX_OK);
    CHECK_EQ_U64(u.s->ibrd, 26);
    uart_teardown(&u);
    /* Finalize unmapped the region. */
    CHECK_EQ_I64(address_space_ld(as, VIRT_UART0_BASE + PL011_FR, 4, &value),
                 MEMTX_DECODE_ERROR);
}

/* -d mmio logging happens once, in memory dispatch, for every device. */
UNIT_TEST(every_access_is_logged)
{
    char path[] = "/tmp/rivet-pl011-log-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    close(fd);
    Uart u;
    uart_setup(&u);
    sysbus_mmio_map(SYS_BUS_DEVICE(u.dev), 0, VIRT_UART0_BASE);
    Error *err = NULL;
    CHECK(log_set_file(path, &err));
    uint32_t saved = log_item_mask;
    log_item_mask |= LOG_ITEM_MMIO;
    uint64_t value;
    AddressSpace *as = get_address_space_memory();
    CHECK_EQ_I64(address_space_st(as, VIRT_UART0_BASE + PL011_CR, 4, 0x301),
                 MEMTX_OK);
    CHECK_EQ_I64(address_space_ld(as, VIRT_UART0_BASE + PL011_FR, 4, &value),
                 MEMTX_OK);
    log_item_mask = saved;
    log_close();
    uart_teardown(&u);
    const char *text = read_file(path);
    CHECK(text != NULL);
    CHECK(strstr(text, "mmio write pl011+0x30 size 4 <- 0x301") != NULL);
    CHECK(strstr(text, "mmio read  pl011+0x18 size 4 -> 0x90") != NULL);
    unlink(path);
}

/* The "registers" property (-d dev_regs, the twin tests); hw/char/pl011/rust's
 * registers_text test expects the same text. */
UNIT_TEST(registers_property)
{
    Uart u;
    uart_setup(&u);
    uart_enable_fifos(&u);
    uart_receive(&u, "ABC");
    CHECK_EQ_U64(rd32(u.dev, PL011_DR), 'A');
    char *text =
        object_property_get_str(OBJECT(u.dev), DEVICE_PROP_REGISTERS, NULL);
    CHECK_STREQ(text, "rsr=0x0 ilpr=0x0 ibrd=0x0 fbrd=0x0 lcr_h=0x70 cr=0x300 "
                      "ifls=0x12 imsc=0x0 ris=0x0 mis=0x0 fr=0x80 dmacr=0x0 "
                      "rx_overrun=0x0 rx_level=0x2 rx_fifo=0x42,0x43");
    free(text);
    uart_teardown(&u);

    /* FIFOs off: one character held, the next overruns. */
    uart_setup(&u);
    wr32(u.dev, PL011_IMSC, PL011_INT_RX);
    uart_receive(&u, "x");
    uart_receive(&u, "y");
    text = object_property_get_str(OBJECT(u.dev), DEVICE_PROP_REGISTERS, NULL);
    CHECK_STREQ(text,
                "rsr=0x8 ilpr=0x0 ibrd=0x0 fbrd=0x0 lcr_h=0x0 cr=0x300 "
                "ifls=0x12 imsc=0x10 ris=0x410 mis=0x10 fr=0xc0 dmacr=0x0 "
                "rx_overrun=0x1 rx_level=0x1 rx_fifo=0x78");
    free(text);
    uart_teardown(&u);
}

int main(void)
{
    return unit_run_all();
}
