/*
 * Unit tests for the main loop: pipe fds become readable and their handler
 * runs, can_read=false keeps an fd out of poll(), handlers may remove
 * watches, a write watch runs once a full pipe has room, expired timers
 * run, and the exit request state.
 */
#include <fcntl.h>
#include <unistd.h>

#include "unit-test.h"
#include "util/main-loop.h"
#include "util/vclock.h"

typedef struct PipeWatch {
    int fds[2];
    bool accept;      /* what can_read answers */
    int reads;        /* handler runs */
    char last;        /* last byte read */
    bool remove_self; /* handler removes its own watch */
} PipeWatch;

static bool pipe_can_read(void *opaque)
{
    PipeWatch *pw = opaque;
    return pw->accept;
}

static void pipe_read(void *opaque)
{
    PipeWatch *pw = opaque;
    char byte;
    if (read(pw->fds[0], &byte, 1) == 1) {
        pw->last = byte;
    }
    pw->reads++;
    if (pw->remove_self) {
        main_loop_remove_fd(pw->fds[0]);
    }
}

static void pipe_open(PipeWatch *pw)
{
    *pw = (PipeWatch){.accept = true};
    CHECK(pipe(pw->fds) == 0);
    CHECK(main_loop_add_fd(pw->fds[0], pipe_can_read, pipe_read, pw, NULL));
}

static void pipe_close(PipeWatch *pw)
{
    main_loop_remove_fd(pw->fds[0]);
    close(pw->fds[0]);
    close(pw->fds[1]);
}

UNIT_TEST(readable_fd_runs_handler)
{
    PipeWatch pw;
    pipe_open(&pw);
    CHECK(!main_loop_poll(0));
    CHECK_EQ_I64(pw.reads, 0);

    CHECK(write(pw.fds[1], "x", 1) == 1);
    CHECK(main_loop_poll(1000));
    CHECK_EQ_I64(pw.reads, 1);
    CHECK_EQ_I64(pw.last, 'x');

    /* Drained: nothing more to do. */
    CHECK(!main_loop_poll(0));
    CHECK_EQ_I64(pw.reads, 1);
    pipe_close(&pw);
}

UNIT_TEST(can_read_false_suppresses_polling)
{
    PipeWatch pw;
    pipe_open(&pw);
    CHECK_EQ_I64(main_loop_active_fds(), 1);
    pw.accept = false;
    CHECK_EQ_I64(main_loop_active_fds(), 0);

    CHECK(write(pw.fds[1], "y", 1) == 1);
    /* Even a blocking poll returns at once: nothing is willing to read,
     * and the byte stays in the pipe. */
    CHECK(!main_loop_poll(-1));
    CHECK_EQ_I64(pw.reads, 0);

    pw.accept = true;
    CHECK(main_loop_poll(0));
    CHECK_EQ_I64(pw.reads, 1);
    CHECK_EQ_I64(pw.last, 'y');
    pipe_close(&pw);
}

UNIT_TEST(duplicate_and_invalid_watches_fail)
{
    PipeWatch pw;
    Error *err = NULL;
    pipe_open(&pw);
    CHECK(!main_loop_add_fd(pw.fds[0], NULL, pipe_read, &pw, &err));
    CHECK(err != NULL);
    error_free(err);
    err = NULL;
    CHECK(!main_loop_add_fd(-1, NULL, pipe_read, &pw, &err));
    CHECK(err != NULL);
    error_free(err);
    pipe_close(&pw);
    CHECK_EQ_I64(main_loop_active_fds(), 0);
    main_loop_remove_fd(pw.fds[0]); /* already gone: harmless */
}

UNIT_TEST(handler_may_remove_watches)
{
    PipeWatch a, b;
    pipe_open(&a);
    pipe_open(&b);
    a.remove_self = true;
    b.remove_self = true;
    CHECK(write(a.fds[1], "a", 1) == 1);
    CHECK(write(b.fds[1], "b", 1) == 1);
    CHECK(main_loop_poll(0));
    CHECK_EQ_I64(a.reads, 1);
    CHECK_EQ_I64(b.reads, 1);
    CHECK_EQ_I64(main_loop_active_fds(), 0);

    CHECK(write(a.fds[1], "a", 1) == 1);
    CHECK(!main_loop_poll(0));
    CHECK_EQ_I64(a.reads, 1);
    pipe_close(&a);
    pipe_close(&b);
}

UNIT_TEST(eof_wakes_the_handler)
{
    PipeWatch pw;
    pipe_open(&pw);
    close(pw.fds[1]);
    pw.remove_self = true; /* as a backend does on EOF */
    CHECK(main_loop_poll(1000));
    CHECK_EQ_I64(pw.reads, 1);
    close(pw.fds[0]);
}

static int write_ready_runs;

static void count_write_ready(void *opaque)
{
    (void)opaque;
    write_ready_runs++;
}

UNIT_TEST(write_watch_runs_when_fd_has_room)
{
    PipeWatch pw;
    pipe_open(&pw);
    CHECK(fcntl(pw.fds[0], F_SETFL, O_NONBLOCK) == 0);
    CHECK(fcntl(pw.fds[1], F_SETFL, O_NONBLOCK) == 0);
    char fill[4096] = {0};
    while (write(pw.fds[1], fill, sizeof(fill)) > 0) {
    }
    write_ready_runs = 0;
    CHECK(main_loop_add_fd_writable(pw.fds[1], count_write_ready, NULL, NULL));
    /* The read watch of the other end and the write watch both count. */
    CHECK_EQ_I64(main_loop_active_fds(), 2);
    pw.accept = false;
    CHECK(!main_loop_poll(0));
    CHECK_EQ_I64(write_ready_runs, 0);

    /* Draining the pipe gives the writer room again. */
    while (read(pw.fds[0], fill, sizeof(fill)) > 0) {
    }
    CHECK(main_loop_poll(1000));
    CHECK_EQ_I64(write_ready_runs, 1);

    main_loop_remove_fd_writable(pw.fds[1]);
    CHECK_EQ_I64(main_loop_active_fds(), 0);
    CHECK(!main_loop_poll(0));
    CHECK_EQ_I64(write_ready_runs, 1);
    pipe_close(&pw);
}

static int timer_runs;

static void count_timer(void *opaque)
{
    (void)opaque;
    timer_runs++;
}

UNIT_TEST(poll_runs_expired_timers)
{
    Timer t;
    vclock_reset();
    timer_runs = 0;
    timer_init(&t, count_timer, NULL);
    timer_mod(&t, 100);
    CHECK(!main_loop_poll(0));
    vclock_advance_to(100);
    CHECK(main_loop_poll(0));
    CHECK_EQ_I64(timer_runs, 1);
    CHECK(!main_loop_poll(0));
}

UNIT_TEST(exit_request_keeps_first_status)
{
    main_loop_reset();
    CHECK(!main_loop_exit_requested());
    main_loop_request_exit(3);
    CHECK(main_loop_exit_requested());
    CHECK_EQ_I64(main_loop_exit_status(), 3);
    main_loop_request_exit(0);
    CHECK_EQ_I64(main_loop_exit_status(), 3);
    main_loop_reset();
    CHECK(!main_loop_exit_requested());
    CHECK_EQ_I64(main_loop_exit_status(), 0);
}

/* Exit statuses keep 8 bits: a code that does not fit must still fail. */
UNIT_TEST(exit_status_saturates_instead_of_wrapping)
{
    const uint64_t codes[] = {255,        256,        512,
                              1ull << 31, 1ull << 32, UINT64_MAX};
    for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
        main_loop_reset();
        main_loop_request_exit(codes[i]);
        CHECK_EQ_U64(main_loop_exit_code(), codes[i]);
        CHECK_EQ_I64(main_loop_exit_status(), 255);
    }
    main_loop_reset();
}

int main(void)
{
    return unit_run_all();
}
