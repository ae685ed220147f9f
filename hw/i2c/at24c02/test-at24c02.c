/*
 * 24C02 EEPROM unit tests, through an I2C bus: the address pointer, page
 * writes that wrap within the page and land at the STOP, sequential reads
 * that wrap at the end, a start without a stop, reset, and the backing
 * file (read at realize, written through, each bad file one error).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hw/hw-test.h"
#include "hw/i2c/at24c02/at24c02.h"

#define ADDR AT24C02_DEFAULT_ADDRESS

static I2CBus *bus;

/* A realized 24C02 at the default address; file may be NULL. */
static At24c02State *eeprom_new(const char *file, Error **errp)
{
    if (!bus) {
        bus = i2c_bus_new(NULL);
    }
    DeviceState *dev = hw_test_new(TYPE_AT24C02);
    CHECK(object_property_set_link(OBJECT(dev), "bus", OBJECT(bus), NULL));
    if (file) {
        CHECK(object_property_set_str(OBJECT(dev), "file", file, NULL));
    }
    if (!device_realize(dev, errp)) {
        object_unref(OBJECT(dev));
        return NULL;
    }
    return AT24C02(dev);
}

static At24c02State *eeprom(void)
{
    Error *err = NULL;
    At24c02State *s = eeprom_new(NULL, &err);
    if (!s) {
        UNIT_FAIL("realize: %s", error_get_message(err));
    }
    return s;
}

static void eeprom_free(At24c02State *s)
{
    device_unrealize(DEVICE(s));
    object_unref(OBJECT(s));
}

/* START, address+W, word address, data..., STOP. */
static void write_bytes(uint8_t word, const uint8_t *data, int n)
{
    CHECK(i2c_bus_start(bus, ADDR, false));
    CHECK(i2c_bus_send(bus, word));
    for (int i = 0; i < n; i++) {
        CHECK(i2c_bus_send(bus, data[i]));
    }
    i2c_bus_stop(bus);
}

/* Dummy write of the word address, repeated start, n reads, STOP. */
static void read_bytes(uint8_t word, uint8_t *out, int n)
{
    CHECK(i2c_bus_start(bus, ADDR, false));
    CHECK(i2c_bus_send(bus, word));
    CHECK(i2c_bus_start(bus, ADDR, true));
    for (int i = 0; i < n; i++) {
        out[i] = i2c_bus_recv(bus);
    }
    i2c_bus_stop(bus);
}

UNIT_TEST(default_address_and_erased_content)
{
    At24c02State *s = eeprom();
    CHECK_EQ_U64(s->parent_obj.address, 0x50);
    CHECK(i2c_bus_find(bus, 0x50) == &s->parent_obj);
    uint8_t b[4];
    read_bytes(0x00, b, 4);
    for (int i = 0; i < 4; i++) {
        CHECK_EQ_U64(b[i], 0xff);
    }
    eeprom_free(s);
}

UNIT_TEST(byte_write_and_random_read)
{
    At24c02State *s = eeprom();
    const uint8_t v = 0x42;
    write_bytes(0x33, &v, 1);
    CHECK_EQ_U64(s->mem[0x33], 0x42);
    CHECK_EQ_U64(s->pointer, 0x34); /* the next address */
    uint8_t b;
    read_bytes(0x33, &b, 1);
    CHECK_EQ_U64(b, 0x42);
    eeprom_free(s);
}

UNIT_TEST(page_write_wraps_within_the_page)
{
    At24c02State *s = eeprom();
    /* Starting at 0x1e, 4 bytes: 0x1e, 0x1f, then 0x18, 0x19 (the page is
     * 0x18..0x1f), never 0x20. */
    const uint8_t data[] = {1, 2, 3, 4};
    write_bytes(0x1e, data, 4);
    CHECK_EQ_U64(s->mem[0x1e], 1);
    CHECK_EQ_U64(s->mem[0x1f], 2);
    CHECK_EQ_U64(s->mem[0x18], 3);
    CHECK_EQ_U64(s->mem[0x19], 4);
    CHECK_EQ_U64(s->mem[0x20], 0xff);
    CHECK_EQ_U64(s->mem[0x1a], 0xff);
    /* More than a page: the 9th byte overwrites the 1st. */
    const uint8_t nine[] = {10, 11, 12, 13, 14, 15, 16, 17, 18};
    write_bytes(0x40, nine, 9);
    CHECK_EQ_U64(s->mem[0x40], 18);
    for (int i = 1; i < 8; i++) {
        CHECK_EQ_U64(s->mem[0x40 + i], 10 + i);
    }
    CHECK_EQ_U64(s->mem[0x48], 0xff);
    eeprom_free(s);
}

UNIT_TEST(page_lands_at_the_stop)
{
    At24c02State *s = eeprom();
    CHECK(i2c_bus_start(bus, ADDR, false));
    CHECK(i2c_bus_send(bus, 0x08));
    CHECK(i2c_bus_send(bus, 0xaa));
    CHECK_EQ_U64(s->mem[0x08], 0xff); /* latched, not written */
    i2c_bus_stop(bus);
    CHECK_EQ_U64(s->mem[0x08], 0xaa);
    eeprom_free(s);
}

UNIT_TEST(start_without_stop_abandons_the_page)
{
    At24c02State *s = eeprom();
    CHECK(i2c_bus_start(bus, ADDR, false));
    CHECK(i2c_bus_send(bus, 0x08));
    CHECK(i2c_bus_send(bus, 0xaa));
    CHECK(i2c_bus_start(bus, ADDR, false)); /* repeated start */
    CHECK(i2c_bus_send(bus, 0x10));
    i2c_bus_stop(bus); /* only a word address: writes nothing */
    CHECK_EQ_U64(s->mem[0x08], 0xff);
    CHECK_EQ_U64(s->mem[0x10], 0xff);
    CHECK_EQ_U64(s->pointer, 0x10);
    eeprom_free(s);
}

UNIT_TEST(sequential_read_wraps_at_the_end)
{
    At24c02State *s = eeprom();
    const uint8_t hi[] = {0xfe, 0xff};
    const uint8_t lo[] = {0x00, 0x01};
    write_bytes(0xfe, hi, 2);
    write_bytes(0x00, lo, 2);
    uint8_t b[4];
    read_bytes(0xfe, b, 4);
    CHECK_EQ_U64(b[0], 0xfe);
    CHECK_EQ_U64(b[1], 0xff);
    CHECK_EQ_U64(b[2], 0x00);
    CHECK_EQ_U64(b[3], 0x01);
    /* Current-address read continues from the pointer. */
    CHECK(i2c_bus_start(bus, ADDR, true));
    CHECK_EQ_U64(i2c_bus_recv(bus), s->mem[0x02]);
    i2c_bus_stop(bus);
    CHECK_EQ_U64(s->pointer, 0x03);
    eeprom_free(s);
}

UNIT_TEST(reset_keeps_the_content)
{
    At24c02State *s = eeprom();
    const uint8_t v = 0x5a;
    write_bytes(0x80, &v, 1);
    CHECK(i2c_bus_start(bus, ADDR, false));
    CHECK(i2c_bus_send(bus, 0x90));
    CHECK(i2c_bus_send(bus, 0x01));
    device_reset(DEVICE(s));
    i2c_bus_reset(bus);
    CHECK_EQ_U64(s->mem[0x80], 0x5a);
    CHECK_EQ_U64(s->pointer, 0);
    CHECK_EQ_U64(s->latched, 0);
    CHECK_EQ_U64(s->phase, AT24C02_IDLE);
    eeprom_free(s);
}

static char tmpdir[64];

/* Writes to path (PATH_SIZE bytes) name's place in this run's scratch
 * directory. */
enum { PATH_SIZE = 128 };
static void scratch(char *path, const char *name)
{
    if (!tmpdir[0]) {
        snprintf(tmpdir, sizeof(tmpdir), "/tmp/test-at24c02-XXXXXX");
        CHECK(mkdtemp(tmpdir) != NULL);
    }
    snprintf(path, PATH_SIZE, "%s/%s", tmpdir, name);
}

static void make_file(const char *path, size_t size, uint8_t fill)
{
    uint8_t buf[512];
    memset(buf, fill, sizeof(buf));
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    CHECK_EQ_U64(fwrite(buf, 1, size, f), size);
    CHECK(fclose(f) == 0);
}

UNIT_TEST(file_content_read_and_written_through)
{
    char path[PATH_SIZE];
    scratch(path, "good.bin");
    make_file(path, 256, 0x00);
    At24c02State *s = eeprom_new(path, NULL);
    CHECK(s != NULL);
    CHECK_EQ_U64(s->mem[0x10], 0x00);
    const uint8_t data[] = {0xde, 0xad};
    write_bytes(0x10, data, 2);
    eeprom_free(s);

    uint8_t back[256];
    FILE *f = fopen(path, "rb");
    CHECK(f != NULL);
    CHECK_EQ_U64(fread(back, 1, sizeof(back), f), 256);
    fclose(f);
    CHECK_EQ_U64(back[0x10], 0xde);
    CHECK_EQ_U64(back[0x11], 0xad);
    CHECK_EQ_U64(back[0x12], 0x00);

    /* A second run sees the first one's content. */
    s = eeprom_new(path, NULL);
    CHECK(s != NULL);
    uint8_t b[2];
    read_bytes(0x10, b, 2);
    CHECK_EQ_U64(b[0], 0xde);
    CHECK_EQ_U64(b[1], 0xad);
    eeprom_free(s);
    unlink(path);
}

static const char *realize_error(const char *path)
{
    static char msg[512];
    Error *err = NULL;
    At24c02State *s = eeprom_new(path, &err);
    CHECK(s == NULL);
    CHECK(err != NULL);
    snprintf(msg, sizeof(msg), "%s", error_get_message(err));
    error_free(err);
    /* Nothing is left on the bus. */
    CHECK(i2c_bus_find(bus, ADDR) == NULL);
    return msg;
}

UNIT_TEST(bad_files_refused)
{
    char expected[512];
    char missing[PATH_SIZE];
    scratch(missing, "missing.bin");
    snprintf(expected, sizeof(expected),
             "at24c02: cannot open EEPROM file '%s': No such file or "
             "directory",
             missing);
    CHECK_STREQ(realize_error(missing), expected);

    char small[PATH_SIZE];
    scratch(small, "small.bin");
    make_file(small, 255, 0);
    snprintf(expected, sizeof(expected),
             "at24c02: EEPROM file '%s' is 255 bytes; a 24C02 holds exactly "
             "256 (make one with: truncate -s 256 FILE)",
             small);
    CHECK_STREQ(realize_error(small), expected);

    char big[PATH_SIZE];
    scratch(big, "big.bin");
    make_file(big, 512, 0);
    snprintf(expected, sizeof(expected),
             "at24c02: EEPROM file '%s' is 512 bytes; a 24C02 holds exactly "
             "256 (make one with: truncate -s 256 FILE)",
             big);
    CHECK_STREQ(realize_error(big), expected);

    snprintf(expected, sizeof(expected),
             "at24c02: cannot open EEPROM file '%s': Is a directory", tmpdir);
    CHECK_STREQ(realize_error(tmpdir), expected);

    /* A FIFO opens (read-write does not wait for a writer) but is no
     * memory: refused without reading it. */
    char fifo[PATH_SIZE];
    scratch(fifo, "fifo");
    CHECK(mkfifo(fifo, 0600) == 0);
    snprintf(expected, sizeof(expected),
             "at24c02: EEPROM file '%s' is not a regular file", fifo);
    CHECK_STREQ(realize_error(fifo), expected);
    unlink(fifo);

    /* Unreadable (root reads anything: then it is only checked to open). */
    char locked[PATH_SIZE];
    scratch(locked, "locked.bin");
    make_file(locked, 256, 0);
    CHECK(chmod(locked, 0) == 0);
    if (geteuid() != 0) {
        snprintf(expected, sizeof(expected),
                 "at24c02: cannot open EEPROM file '%s': Permission denied",
                 locked);
        CHECK_STREQ(realize_error(locked), expected);
    }
    unlink(small);
    unlink(big);
    unlink(locked);
}

UNIT_TEST(snapshot_load_writes_the_file)
{
    char path[PATH_SIZE];
    scratch(path, "snap.bin");
    make_file(path, 256, 0x00);
    At24c02State *s = eeprom_new(path, NULL);
    CHECK(s != NULL);
    s->mem[0x20] = 0x77; /* as a loaded section would leave it */
    CHECK(vmstate_at24c02.post_load(s, 1, NULL));
    eeprom_free(s);
    uint8_t back[256];
    FILE *f = fopen(path, "rb");
    CHECK(f != NULL);
    CHECK_EQ_U64(fread(back, 1, sizeof(back), f), 256);
    fclose(f);
    CHECK_EQ_U64(back[0x20], 0x77);
    unlink(path);
}

int main(void)
{
    int rc = unit_run_all();
    /* Each test removes its files; the directory they shared goes last. */
    if (tmpdir[0]) {
        rmdir(tmpdir);
    }
    if (bus) {
        object_unref(OBJECT(bus));
    }
    return rc;
}
