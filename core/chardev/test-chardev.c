/*
 * Unit tests for the chardev backends and frontend API: null, file, stdio
 * input through a pipe, the unix-socket server (connect, flow control both
 * ways, disconnect and reconnect, who owns the path) and the errors of bad
 * specs.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "chardev/char.h"
#include "test-capture.h"
#include "unit-test.h"
#include "util/main-loop.h"

/* A frontend that records what it receives and can be told how much room
 * it has. */
typedef struct TestFrontend {
    CharFrontend fe;
    int room;
    char received[256];
    int nr_received;
    int receive_calls;
    int largest_delivery;
    int opened;
    int closed;
    int write_ready;
} TestFrontend;

static int tf_can_receive(void *opaque)
{
    return ((TestFrontend *)opaque)->room;
}

static void tf_receive(void *opaque, const uint8_t *buf, int size)
{
    TestFrontend *tf = opaque;
    if (size > tf->room) {
        UNIT_FAIL("delivered %d bytes with room for %d", size, tf->room);
    }
    memcpy(tf->received + tf->nr_received, buf, (size_t)size);
    tf->nr_received += size;
    tf->receive_calls++;
    if (size > tf->largest_delivery) {
        tf->largest_delivery = size;
    }
}

static void tf_event(void *opaque, ChardevEvent event)
{
    TestFrontend *tf = opaque;
    if (event == CHR_EVENT_OPENED) {
        tf->opened++;
    } else {
        tf->closed++;
    }
}

static void tf_write_ready(void *opaque)
{
    ((TestFrontend *)opaque)->write_ready++;
}

static void tf_attach(TestFrontend *tf, Chardev *chr, int room)
{
    memset(tf, 0, sizeof(*tf));
    tf->room = room;
    Error *err = NULL;
    if (!char_fe_init(&tf->fe, chr, &err)) {
        UNIT_FAIL("char_fe_init: %s", error_get_message(err));
    }
    char_fe_set_handlers(&tf->fe, tf_can_receive, tf_receive, tf_event,
                         tf_write_ready, tf);
}

static Chardev *new_chardev(const char *label, const char *spec)
{
    Error *err = NULL;
    Chardev *chr = chardev_new_from_spec(label, spec, &err);
    if (!chr || !chardev_start(chr, &err)) {
        UNIT_FAIL("%s: %s", spec, error_get_message(err));
    }
    return chr;
}

/* Poll until cond holds or about a second passes. */
#define POLL_UNTIL(cond)                                                       \
    do {                                                                       \
        for (int tries_ = 0; !(cond) && tries_ < 100; tries_++) {              \
            main_loop_poll(10);                                                \
        }                                                                      \
        CHECK(cond);                                                           \
    } while (0)

static char tmpdir[64];

static const char *tmp_path(const char *name)
{
    static char path[128];
    if (!tmpdir[0]) {
        strcpy(tmpdir, "/tmp/rivet-chardev-XXXXXX");
        if (!mkdtemp(tmpdir)) {
            UNIT_FAIL("mkdtemp failed");
        }
    }
    snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
    return path;
}

static char *expect_error(const char *label, const char *spec)
{
    Error *err = NULL;
    Chardev *chr = chardev_new_from_spec(label, spec, &err);
    if (chr) {
        chardev_destroy(chr);
        UNIT_FAIL("spec '%s' was accepted", spec);
    }
    if (!err) {
        UNIT_FAIL("spec '%s' failed without an error", spec);
    }
    static char msg[512];
    snprintf(msg, sizeof(msg), "%s", error_get_message(err));
    error_free(err);
    return msg;
}

UNIT_TEST(null_discards_and_is_open)
{
    Chardev *chr = new_chardev("n0", "null");
    TestFrontend tf;
    tf_attach(&tf, chr, 16);
    CHECK_EQ_I64(tf.opened, 1);
    CHECK(char_fe_backend_connected(&tf.fe));
    CHECK_EQ_I64(char_fe_write(&tf.fe, (const uint8_t *)"abc", 3), 3);
    CHECK_EQ_I64(main_loop_active_fds(), 0);
    CHECK(object_resolve_path("/chardevs/n0") == OBJECT(chr));
    char_fe_deinit(&tf.fe);
    chardev_destroy(chr);
    CHECK(object_resolve_path("/chardevs/n0") == NULL);
}

UNIT_TEST(frontend_without_backend_discards)
{
    CharFrontend fe;
    CHECK(char_fe_init(&fe, NULL, NULL));
    CHECK_EQ_I64(char_fe_write(&fe, (const uint8_t *)"x", 1), 1);
    CHECK(!char_fe_backend_connected(&fe));
    char_fe_accept_input(&fe);
    char_fe_deinit(&fe);
}

UNIT_TEST(second_frontend_refused)
{
    Chardev *chr = new_chardev("n1", "null");
    CharFrontend a, b;
    Error *err = NULL;
    CHECK(char_fe_init(&a, chr, NULL));
    CHECK(!char_fe_init(&b, chr, &err));
    CHECK(strstr(error_get_message(err), "n1") != NULL);
    error_free(err);
    char_fe_deinit(&a);
    CHECK(char_fe_init(&b, chr, NULL));
    char_fe_deinit(&b);
    chardev_destroy(chr);
}

UNIT_TEST(file_writes_exact_bytes)
{
    const char *path = tmp_path("out.bin");
    /* Old contents must go: the backend truncates. */
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    fputs("old contents that are longer", f);
    fclose(f);

    char spec[160];
    snprintf(spec, sizeof(spec), "file:%s", path);
    Chardev *chr = new_chardev("f0", spec);
    TestFrontend tf;
    tf_attach(&tf, chr, 0);
    const uint8_t data[] = {'h', 'i', 0, 0xff, '\n', '\r'};
    CHECK_EQ_I64(char_fe_write(&tf.fe, data, sizeof(data)), sizeof(data));
    CHECK_EQ_I64(char_fe_write(&tf.fe, data, 2), 2);
    char_fe_deinit(&tf.fe);
    chardev_destroy(chr);

    uint8_t back[64];
    f = fopen(path, "rb");
    CHECK(f != NULL);
    size_t n = fread(back, 1, sizeof(back), f);
    fclose(f);
    CHECK_EQ_U64(n, sizeof(data) + 2);
    CHECK(memcmp(back, data, sizeof(data)) == 0);
    CHECK(memcmp(back + sizeof(data), "hi", 2) == 0);
    unlink(path);
}

/* A start that fails after -serial was read must not have touched the
 * file: it is only checked until chardev_start(). */
UNIT_TEST(file_is_untouched_until_started)
{
    const char *path = tmp_path("kept.txt");
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    fputs("keep me", f);
    fclose(f);
    char spec[160];
    snprintf(spec, sizeof(spec), "file:%s", path);
    Error *err = NULL;
    Chardev *chr = chardev_new_from_spec("kept", spec, &err);
    CHECK(chr != NULL);
    chardev_destroy(chr);
    char back[16] = "";
    f = fopen(path, "r");
    CHECK(f != NULL);
    CHECK(fgets(back, sizeof(back), f) != NULL);
    fclose(f);
    CHECK_STREQ(back, "keep me");
    unlink(path);

    const char *missing = tmp_path("not-created.txt");
    snprintf(spec, sizeof(spec), "file:%s", missing);
    chr = chardev_new_from_spec("missing", spec, &err);
    CHECK(chr != NULL);
    CHECK(access(missing, F_OK) != 0);
    CHECK(chardev_start(chr, &err));
    CHECK(access(missing, F_OK) == 0);
    chardev_destroy(chr);
    unlink(missing);
}

/* -serial file:/dev/full: reported once, and remembered for the exit
 * status; the guest's later output is discarded. */
UNIT_TEST(file_write_error_is_reported_once)
{
    Chardev *chr = new_chardev("full", "file:/dev/full");
    TestFrontend tf;
    tf_attach(&tf, chr, 0);
    CHECK(!error_output_lost());
    Capture cap;
    capture_begin(&cap, stderr);
    for (int i = 0; i < 3; i++) {
        CHECK_EQ_I64(char_fe_write(&tf.fe, (const uint8_t *)"x", 1), 1);
    }
    char *on_stderr = capture_end(&cap);
    CHECK_STREQ(on_stderr, "rivet: cannot write the guest output of full to "
                           "'/dev/full'; later output is discarded: No space "
                           "left on device\n");
    CHECK(error_output_lost());
    free(on_stderr);
    char_fe_deinit(&tf.fe);
    chardev_destroy(chr);
}

UNIT_TEST(bad_specs_explain_themselves)
{
    CHECK_STREQ(expect_error("b0", "foo"),
                "-serial: unknown backend 'foo' (expected stdio, null, "
                "file:PATH, unix:PATH,server or tcp:HOST:PORT,server)");
    CHECK_STREQ(expect_error("b0", "tcp:localhost,server"),
                "tcp:localhost: expected HOST:PORT");
    CHECK_STREQ(expect_error("b0", "tcp::4444"),
                "tcp::4444: only server mode is supported (add ',server')");
    CHECK_STREQ(expect_error("b0", "file:/nonexistent-dir/x"),
                "cannot create '/nonexistent-dir/x': No such file or "
                "directory");
    CHECK(strstr(expect_error("b0", "file:"), "needs a path") != NULL);
    CHECK(strstr(expect_error("b0", "unix:/tmp/x"), "server") != NULL);
    CHECK(strstr(expect_error("b0", "unix:/tmp/x,server,bogus"), "bogus") !=
          NULL);
    CHECK(strstr(expect_error("b0", "null:x"), "options") != NULL);

    /* Labels are unique. */
    Chardev *chr = new_chardev("dup", "null");
    CHECK(strstr(expect_error("dup", "null"), "already exists") != NULL);
    chardev_destroy(chr);
    CHECK(object_resolve_path("/chardevs/b0") == NULL);
}

static int connect_client(const char *path)
{
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path);
    if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0) {
        UNIT_FAIL("cannot connect to %s", path);
    }
    return fd;
}

UNIT_TEST(socket_server_flow_control_and_reconnect)
{
    char spec[160];
    const char *path = tmp_path("sock");
    snprintf(spec, sizeof(spec), "unix:%s,server", path);
    char sock_path[128];
    snprintf(sock_path, sizeof(sock_path), "%s", path);

    Chardev *chr = new_chardev("s0", spec);
    TestFrontend tf;
    tf_attach(&tf, chr, 2);
    CHECK_EQ_I64(tf.opened, 0); /* no client yet: start-up did not block */
    CHECK(!char_fe_backend_connected(&tf.fe));
    /* Output with nobody connected is dropped, not an error. */
    CHECK_EQ_I64(char_fe_write(&tf.fe, (const uint8_t *)"lost", 4), 4);

    int client = connect_client(sock_path);
    POLL_UNTIL(tf.opened == 1);
    CHECK(char_fe_backend_connected(&tf.fe));

    CHECK_EQ_I64(write(client, "hello", 5), 5);
    POLL_UNTIL(tf.nr_received == 5);
    CHECK(memcmp(tf.received, "hello", 5) == 0);
    CHECK_EQ_I64(tf.largest_delivery, 2);
    CHECK_EQ_I64(tf.receive_calls, 3);

    /* A full frontend leaves the bytes queued in the socket. */
    tf.room = 0;
    CHECK_EQ_I64(write(client, "xyz", 3), 3);
    for (int i = 0; i < 5; i++) {
        main_loop_poll(5);
    }
    CHECK_EQ_I64(tf.nr_received, 5);
    tf.room = 64;
    char_fe_accept_input(&tf.fe);
    POLL_UNTIL(tf.nr_received == 8);
    CHECK(memcmp(tf.received + 5, "xyz", 3) == 0);

    /* Backend to client: queued, then sent by the main loop. */
    CHECK_EQ_I64(char_fe_write(&tf.fe, (const uint8_t *)"out", 3), 3);
    main_loop_poll(10);
    char back[8] = {0};
    CHECK_EQ_I64(read(client, back, sizeof(back)), 3);
    CHECK_STREQ(back, "out");

    /* Disconnect, then a new client is accepted. */
    close(client);
    POLL_UNTIL(tf.closed == 1);
    CHECK(!char_fe_backend_connected(&tf.fe));
    client = connect_client(sock_path);
    POLL_UNTIL(tf.opened == 2);
    CHECK_EQ_I64(write(client, "!", 1), 1);
    POLL_UNTIL(tf.nr_received == 9);
    CHECK_EQ_I64(tf.received[8], '!');
    close(client);
    POLL_UNTIL(tf.closed == 2);

    char_fe_deinit(&tf.fe);
    chardev_destroy(chr);
    CHECK(access(sock_path, F_OK) != 0); /* the socket file is removed */
    CHECK_EQ_I64(main_loop_active_fds(), 0);
}

UNIT_TEST(socket_without_frontend_keeps_data)
{
    char spec[160];
    const char *path = tmp_path("sock2");
    snprintf(spec, sizeof(spec), "unix:%s,server,wait=off", path);
    char sock_path[128];
    snprintf(sock_path, sizeof(sock_path), "%s", path);

    Chardev *chr = new_chardev("s1", spec);
    int client = connect_client(sock_path);
    CHECK_EQ_I64(write(client, "abc", 3), 3);
    for (int i = 0; i < 5; i++) {
        main_loop_poll(5);
    }
    CHECK(chr->connected);
    TestFrontend tf;
    tf_attach(&tf, chr, 8);
    CHECK_EQ_I64(tf.opened, 1); /* told on attach that a peer is there */
    POLL_UNTIL(tf.nr_received == 3);
    CHECK(memcmp(tf.received, "abc", 3) == 0);
    close(client);
    char_fe_deinit(&tf.fe);
    chardev_destroy(chr);
}

/* Output to a client that does not read: never blocks, queues a bounded
 * amount, refuses the rest until the client reads, loses nothing it took. */
UNIT_TEST(socket_output_is_bounded_and_flow_controlled)
{
    char spec[160];
    const char *path = tmp_path("sock3");
    snprintf(spec, sizeof(spec), "unix:%s,server", path);
    Chardev *chr = new_chardev("s3", spec);
    TestFrontend tf;
    tf_attach(&tf, chr, 0);
    int client = connect_client(path);
    POLL_UNTIL(tf.opened == 1);

    static uint8_t chunk[65536];
    size_t taken = 0;
    for (;;) {
        for (size_t i = 0; i < sizeof(chunk); i++) {
            chunk[i] = (uint8_t)((taken + i) % 251);
        }
        int n = char_fe_write(&tf.fe, chunk, (int)sizeof(chunk));
        CHECK(n >= 0);
        taken += (size_t)n;
        if (n < (int)sizeof(chunk)) {
            break;
        }
        CHECK(taken < 64 * 1024 * 1024); /* bounded */
    }
    CHECK(!char_fe_can_write(&tf.fe));
    CHECK_EQ_I64(char_fe_write(&tf.fe, chunk, 1), 0);
    main_loop_poll(0);
    CHECK_EQ_I64(tf.write_ready, 0);

    /* The client reads everything; the queue drains and the frontend is
     * told once it may write again. */
    size_t got = 0;
    bool intact = true;
    while (got < taken) {
        main_loop_poll(10);
        ssize_t n = recv(client, chunk, sizeof(chunk), MSG_DONTWAIT);
        for (ssize_t i = 0; i < n; i++) {
            intact &= chunk[i] == (uint8_t)((got + (size_t)i) % 251);
        }
        got += n > 0 ? (size_t)n : 0;
    }
    CHECK(intact);
    POLL_UNTIL(tf.write_ready == 1);
    CHECK(char_fe_can_write(&tf.fe));
    CHECK_EQ_I64(char_fe_write(&tf.fe, (const uint8_t *)"z", 1), 1);

    tf.room = 1; /* so the read watch sees the hangup */
    close(client);
    POLL_UNTIL(tf.closed == 1);
    char_fe_deinit(&tf.fe);
    chardev_destroy(chr);
    CHECK_EQ_I64(main_loop_active_fds(), 0);
}

/* A client that leaves while output is refused frees the frontend. */
UNIT_TEST(socket_disconnect_unblocks_output)
{
    char spec[160];
    const char *path = tmp_path("sock4");
    snprintf(spec, sizeof(spec), "unix:%s,server", path);
    Chardev *chr = new_chardev("s4", spec);
    TestFrontend tf;
    tf_attach(&tf, chr, 0);
    int client = connect_client(path);
    POLL_UNTIL(tf.opened == 1);
    static uint8_t chunk[65536];
    while (char_fe_write(&tf.fe, chunk, (int)sizeof(chunk)) ==
           (int)sizeof(chunk)) {
    }
    CHECK(!char_fe_can_write(&tf.fe));
    close(client);
    POLL_UNTIL(tf.closed == 1);
    CHECK_EQ_I64(tf.write_ready, 1);
    CHECK(char_fe_can_write(&tf.fe));
    /* Nobody connected: dropped, as before any client came. */
    CHECK_EQ_I64(char_fe_write(&tf.fe, chunk, 10), 10);
    char_fe_deinit(&tf.fe);
    chardev_destroy(chr);
    CHECK_EQ_I64(main_loop_active_fds(), 0);
}

/* A path a live server owns is refused; a socket file nobody listens on is
 * replaced; anything else at the path is refused and left alone. */
UNIT_TEST(socket_path_ownership)
{
    char spec[160];
    const char *path = tmp_path("sock5");
    char sock_path[128];
    snprintf(sock_path, sizeof(sock_path), "%s", path);
    snprintf(spec, sizeof(spec), "unix:%s,server", sock_path);

    Chardev *live = new_chardev("s5", spec);
    char want[256];
    snprintf(want, sizeof(want),
             "unix:%s: another process is listening on this socket (a "
             "second rivet?)",
             sock_path);
    CHECK_STREQ(expect_error("s5b", spec), want);
    /* The live server still owns it: a client reaches it. */
    TestFrontend tf;
    tf_attach(&tf, live, 1);
    int client = connect_client(sock_path);
    POLL_UNTIL(tf.opened == 1);
    close(client);
    POLL_UNTIL(tf.closed == 1);
    char_fe_deinit(&tf.fe);
    chardev_destroy(live);

    /* Stale: bound and closed without unlinking, as a killed run leaves. */
    int stale = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    CHECK(strlen(sock_path) < sizeof(addr.sun_path));
    memcpy(addr.sun_path, sock_path, strlen(sock_path) + 1);
    CHECK(bind(stale, (struct sockaddr *)&addr, sizeof(addr)) == 0);
    close(stale);
    Chardev *fresh = new_chardev("s5c", spec);
    client = connect_client(sock_path);
    close(client);
    chardev_destroy(fresh);

    /* A regular file is never removed. */
    FILE *f = fopen(sock_path, "w");
    CHECK(f != NULL);
    fputs("keep me", f);
    fclose(f);
    snprintf(want, sizeof(want),
             "unix:%s: exists and is not a socket; not replacing it",
             sock_path);
    CHECK_STREQ(expect_error("s5d", spec), want);
    struct stat st;
    CHECK(lstat(sock_path, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 7);
    unlink(sock_path);
    CHECK_EQ_I64(main_loop_active_fds(), 0);
}

/* Make stdin the read end of a pipe; returns its write end, *saved the
 * real stdin for restore_stdin(). */
static int pipe_to_stdin(int *saved)
{
    int pipefd[2];
    CHECK(pipe(pipefd) == 0);
    *saved = dup(STDIN_FILENO);
    CHECK(*saved >= 0);
    CHECK(dup2(pipefd[0], STDIN_FILENO) == STDIN_FILENO);
    close(pipefd[0]);
    return pipefd[1];
}

static void restore_stdin(int saved)
{
    CHECK(dup2(saved, STDIN_FILENO) == STDIN_FILENO);
    close(saved);
    CHECK_EQ_I64(main_loop_active_fds(), 0);
}

UNIT_TEST(stdio_reads_stdin_and_writes_stdout)
{
    int saved_stdin;
    int input = pipe_to_stdin(&saved_stdin);

    Chardev *chr = new_chardev("io", "stdio");
    CHECK(strstr(expect_error("io2", "stdio"), "already used") != NULL);
    TestFrontend tf;
    tf_attach(&tf, chr, 1);
    CHECK_EQ_I64(write(input, "ok", 2), 2);
    POLL_UNTIL(tf.nr_received == 2);
    CHECK_EQ_I64(tf.largest_delivery, 1);
    close(input);
    POLL_UNTIL(tf.closed == 1);
    /* stdout carries TAP, so write a TAP comment. */
    fflush(stdout);
    const char *line = "# stdio backend output\n";
    CHECK_EQ_I64(
        char_fe_write(&tf.fe, (const uint8_t *)line, (int)strlen(line)),
        (int64_t)strlen(line));
    char_fe_deinit(&tf.fe);
    chardev_destroy(chr);
    restore_stdin(saved_stdin);
}

/* The tap is asked first: it takes what it wants, the frontend the rest;
 * it writes to the backend too, and detaching it leaves the frontend. */
UNIT_TEST(tap_takes_input_first)
{
    int saved_stdin;
    int input = pipe_to_stdin(&saved_stdin);

    Chardev *chr = new_chardev("tapped", "stdio");
    TestFrontend tf, tap;
    tf_attach(&tf, chr, 16);
    memset(&tap, 0, sizeof(tap));
    Error *err = NULL;
    CHECK(char_fe_init_tap(&tap.fe, chr, &err));
    CharFrontend second;
    CHECK(!char_fe_init_tap(&second, chr, &err));
    CHECK(strstr(error_get_message(err), "already has a tap") != NULL);
    error_free(err);
    char_fe_set_handlers(&tap.fe, tf_can_receive, tf_receive, NULL, NULL, &tap);
    tap.room = 1;
    CHECK_EQ_I64(write(input, "abc", 3), 3);
    POLL_UNTIL(tap.nr_received == 1);
    tap.room = 0;
    POLL_UNTIL(tf.nr_received == 2);
    CHECK(memcmp(tap.received, "a", 1) == 0);
    CHECK(memcmp(tf.received, "bc", 2) == 0);
    CHECK_EQ_I64(tap.opened, 0); /* events are the frontend's */
    fflush(stdout);
    const char *line = "# written through the tap\n";
    CHECK_EQ_I64(
        char_fe_write(&tap.fe, (const uint8_t *)line, (int)strlen(line)),
        (int64_t)strlen(line));
    char_fe_deinit(&tap.fe);
    CHECK(chr->tap == NULL && chr->fe == &tf.fe);
    close(input);
    POLL_UNTIL(tf.closed == 1);
    char_fe_deinit(&tf.fe);
    chardev_destroy(chr);
    restore_stdin(saved_stdin);
}

int main(void)
{
    int status = unit_run_all();
    if (tmpdir[0]) {
        rmdir(tmpdir);
    }
    return status;
}
