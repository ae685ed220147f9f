/*
 * Unit tests of HTIF as spike's front end speaks it: exit, the console
 * (putchar, getchar from the serial input, responses queued until the
 * guest clears fromhost) and the system call proxy (write to fd 1/2,
 * exit, and the precise answers to bad requests).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "machine/htif.h"
#include "unit-test.h"
#include "util/main-loop.h"

#define RAM_BASE 0x80000000ULL
#define RAM_SIZE 0x10000ULL
#define TOHOST (RAM_BASE + 0x1000)
#define FROMHOST (RAM_BASE + 0x1040) /* riscv-tests align each to 64 */
#define BLOCK (RAM_BASE + 0x2000)
#define BUF (RAM_BASE + 0x3000)

#define CMD(dev, cmd, payload)                                                 \
    ((uint64_t)(dev) << 56 | (uint64_t)(cmd) << 48 | (uint64_t)(payload))

static MemoryRegion ram;
static Htif htif;
static Chardev *serial;
static char out_path[64];
static int stdin_pipe = -1;

static AddressSpace *as(void)
{
    return get_address_space_memory();
}

static void put64(uint64_t addr, uint64_t v)
{
    CHECK_EQ_U64(address_space_st(as(), addr, 8, v), MEMTX_OK);
}

static uint64_t get64(uint64_t addr)
{
    uint64_t v = 0;
    CHECK_EQ_U64(address_space_ld(as(), addr, 8, &v), MEMTX_OK);
    return v;
}

/* What the serial port has received so far. */
static const char *output(void)
{
    static char text[256];
    FILE *f = fopen(out_path, "r");
    size_t n = f ? fread(text, 1, sizeof(text) - 1, f) : 0;
    if (f) {
        fclose(f);
    }
    text[n] = 0;
    return text;
}

/* RAM, HTIF on a stdio serial port whose stdin is a pipe and whose stdout
 * is a file; everything else cleared. */
static void setup(void)
{
    if (!serial) {
        Error *err = NULL;
        int fds[2];
        CHECK(pipe(fds) == 0);
        CHECK(dup2(fds[0], STDIN_FILENO) == STDIN_FILENO);
        close(fds[0]);
        stdin_pipe = fds[1];
        snprintf(out_path, sizeof(out_path), "/tmp/rivet-htif-%d",
                 (int)getpid());
        fflush(stdout);
        int saved = dup(STDOUT_FILENO);
        FILE *f = fopen(out_path, "w");
        CHECK(f && saved >= 0);
        CHECK(dup2(fileno(f), STDOUT_FILENO) == STDOUT_FILENO);
        fclose(f);
        serial = chardev_new_from_spec("serial", "stdio", &err);
        CHECK(serial && chardev_start(serial, &err));
        /* The chardev keeps the file; TAP goes back to the real stdout. */
        serial->out_fd = dup(STDOUT_FILENO);
        CHECK(dup2(saved, STDOUT_FILENO) == STDOUT_FILENO);
        close(saved);
        CHECK(memory_region_init_ram(&ram, NULL, "ram", RAM_SIZE, &err));
        memory_region_add_subregion(get_system_memory(), RAM_BASE, &ram);
        CHECK(htif_init(&htif, NULL, TOHOST, FROMHOST, &ram, RAM_BASE, serial,
                        &err));
    }
    main_loop_reset();
    htif_reset(&htif);
    error_free(htif.fatal);
    htif.fatal = NULL;
    memset(memory_region_get_ram_ptr(&ram), 0, RAM_SIZE);
    CHECK(ftruncate(serial->out_fd, 0) == 0);
    CHECK(lseek(serial->out_fd, 0, SEEK_SET) == 0);
}

UNIT_TEST(exit_code_and_tohost_cleared)
{
    setup();
    put64(TOHOST, (5 << 1) | 1);
    CHECK(main_loop_exit_requested());
    CHECK_EQ_U64(main_loop_exit_code(), 5);
    CHECK_EQ_U64(get64(TOHOST), 0);
    CHECK_EQ_U64(get64(FROMHOST), 0);
}

UNIT_TEST(putchar_writes_and_responds)
{
    setup();
    put64(TOHOST, CMD(1, 1, 'h'));
    CHECK_EQ_U64(get64(FROMHOST), CMD(1, 1, 0x100 | 'h'));
    CHECK_EQ_U64(get64(TOHOST), 0);
    /* fromhost not cleared yet: the next responses wait, in order. */
    put64(TOHOST, CMD(1, 1, 'i'));
    put64(TOHOST, CMD(1, 1, '!'));
    CHECK_STREQ(output(), "hi!");
    CHECK_EQ_U64(get64(FROMHOST), CMD(1, 1, 0x100 | 'h'));
    put64(FROMHOST, 0);
    CHECK_EQ_U64(get64(FROMHOST), CMD(1, 1, 0x100 | 'i'));
    put64(FROMHOST, 0);
    CHECK_EQ_U64(get64(FROMHOST), CMD(1, 1, 0x100 | '!'));
    put64(FROMHOST, 0);
    CHECK_EQ_U64(get64(FROMHOST), 0);
    CHECK(!main_loop_exit_requested());
}

UNIT_TEST(responses_beyond_the_queue_are_dropped)
{
    setup();
    for (int i = 0; i < 2 + HTIF_MAX_RESPONSES; i++) {
        put64(TOHOST, CMD(1, 1, 'a' + i));
    }
    CHECK_STREQ(output(), "abcdef");
    CHECK_EQ_U64(htif.nr_responses, HTIF_MAX_RESPONSES);
    for (int i = 0; i <= HTIF_MAX_RESPONSES; i++) {
        CHECK_EQ_U64(get64(FROMHOST), CMD(1, 1, 0x100 | ('a' + i)));
        put64(FROMHOST, 0);
    }
    CHECK_EQ_U64(get64(FROMHOST), 0);
}

UNIT_TEST(getchar_answers_from_the_serial_input)
{
    setup();
    put64(TOHOST, CMD(1, 0, 0));
    CHECK_EQ_U64(htif.reads_pending, 1);
    CHECK_EQ_U64(get64(FROMHOST), 0); /* no input yet */
    CHECK(write(stdin_pipe, "xy", 2) == 2);
    for (int i = 0; i < 100 && !get64(FROMHOST); i++) {
        main_loop_poll(10);
    }
    CHECK_EQ_U64(get64(FROMHOST), CMD(1, 0, 0x100 | 'x'));
    CHECK_EQ_U64(htif.reads_pending, 0);
    /* Only what was asked for is taken: "y" waits for the next read. */
    put64(FROMHOST, 0);
    put64(TOHOST, CMD(1, 0, 0));
    for (int i = 0; i < 100 && !get64(FROMHOST); i++) {
        main_loop_poll(10);
    }
    CHECK_EQ_U64(get64(FROMHOST), CMD(1, 0, 0x100 | 'y'));
}

/* A system call block: number and three arguments. */
static void guest_syscall(uint64_t n, uint64_t a0, uint64_t a1, uint64_t a2)
{
    put64(BLOCK, n);
    put64(BLOCK + 8, a0);
    put64(BLOCK + 16, a1);
    put64(BLOCK + 24, a2);
    put64(TOHOST, BLOCK);
}

UNIT_TEST(syscall_write_to_stdout_and_stderr)
{
    setup();
    memcpy(memory_region_get_ram_ptr(&ram) + (BUF - RAM_BASE), "hello\n", 6);
    guest_syscall(64, 1, BUF, 6);
    CHECK_EQ_U64(get64(BLOCK), 6);
    CHECK_EQ_U64(get64(FROMHOST), 1);
    put64(FROMHOST, 0);
    guest_syscall(64, 2, BUF, 5);
    CHECK_EQ_U64(get64(BLOCK), 5);
    CHECK_STREQ(output(), "hello\nhello");
    /* The whole of RAM is a valid buffer, up to its last byte. */
    put64(FROMHOST, 0);
    guest_syscall(64, 1, RAM_BASE + RAM_SIZE - 1, 1);
    CHECK_EQ_U64(get64(BLOCK), 1);
}

UNIT_TEST(syscall_errors_are_precise)
{
    setup();
    guest_syscall(64, 3, BUF, 1);             /* no such fd */
    CHECK_EQ_U64(get64(BLOCK), (uint64_t)-9); /* EBADF: RISC-V Linux values */
    put64(FROMHOST, 0);
    guest_syscall(64, 1, RAM_BASE + RAM_SIZE - 4, 5); /* runs off RAM */
    CHECK_EQ_U64(get64(BLOCK), (uint64_t)-14);        /* EFAULT */
    put64(FROMHOST, 0);
    guest_syscall(64, 1, 0x1000, 1); /* not RAM at all */
    CHECK_EQ_U64(get64(BLOCK), (uint64_t)-14);
    put64(FROMHOST, 0);
    guest_syscall(1234, 0, 0, 0);
    CHECK_EQ_U64(get64(BLOCK), (uint64_t)-38); /* ENOSYS */
    CHECK_EQ_U64(get64(FROMHOST), 1);
    CHECK_STREQ(output(), "");
    CHECK(!main_loop_exit_requested());
}

UNIT_TEST(syscall_exit)
{
    setup();
    guest_syscall(93, 7, 0, 0);
    CHECK(main_loop_exit_requested());
    CHECK_EQ_U64(main_loop_exit_code(), 7);
    CHECK_EQ_U64(get64(FROMHOST), 0); /* exit does not return */
}

UNIT_TEST(syscall_block_outside_ram_stops_the_machine)
{
    setup();
    put64(TOHOST, RAM_BASE + RAM_SIZE - 32); /* 64 bytes: runs off RAM */
    CHECK(main_loop_exit_requested());
    CHECK(htif.fatal != NULL);
    CHECK_STREQ(error_get_message(htif.fatal),
                "htif: the guest's system call block at 0x8000ffe0 is not "
                "in RAM");
    CHECK_EQ_U64(get64(FROMHOST), 0);
}

UNIT_TEST(reset_empties_the_mailboxes)
{
    setup();
    put64(TOHOST, CMD(1, 1, 'a'));
    put64(TOHOST, CMD(1, 1, 'b'));
    put64(TOHOST, CMD(1, 0, 0));
    htif_reset(&htif);
    CHECK_EQ_U64(get64(FROMHOST), 0);
    CHECK_EQ_U64(htif.nr_responses, 0);
    CHECK_EQ_U64(htif.reads_pending, 0);
}

int main(void)
{
    int status = unit_run_all();
    if (serial) {
        htif_destroy(&htif);
        chardev_destroy(serial);
        unlink(out_path);
    }
    return status;
}
