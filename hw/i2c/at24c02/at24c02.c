/*
 * The 24C02 EEPROM: the address pointer, the page latch and sequential
 * reads, with optional write-through to a file (at24c02.h).
 */
#include "hw/i2c/at24c02/at24c02.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "probes/at24c02.h"
#include "util/error.h"

/* Write mem[offset, offset + len) to the file and sync it: a page the
 * guest saw acknowledged survives a crash of the host. */
static void at24c02_write_through(At24c02State *s, unsigned offset,
                                  unsigned len)
{
    if (s->fd < 0) {
        return;
    }
    ssize_t n = pwrite(s->fd, s->mem + offset, len, offset);
    int err = n < 0 ? errno : (size_t)n != len ? EIO : 0;
    if (!err && fdatasync(s->fd) != 0) {
        err = errno;
    }
    if (err) {
        probe_at24c02_file_error(err);
        if (!s->write_failed) {
            s->write_failed = true;
            error_report("at24c02: cannot write the EEPROM file '%s': %s; "
                         "its content no longer follows the guest's",
                         s->file, strerror(err));
        }
    }
}

static void at24c02_commit(At24c02State *s)
{
    unsigned base = s->pointer & ~(AT24C02_PAGE_SIZE - 1u);
    if (!s->latched) {
        return;
    }
    for (unsigned i = 0; i < AT24C02_PAGE_SIZE; i++) {
        if (s->latched & (1u << i)) {
            s->mem[base + i] = s->latch[i];
        }
    }
    probe_at24c02_commit(base, s->latched);
    s->latched = 0;
    at24c02_write_through(s, base, AT24C02_PAGE_SIZE);
}

static bool at24c02_event(I2CTarget *t, I2CEvent event)
{
    At24c02State *s = AT24C02(t);
    switch (event) {
    case I2C_EVENT_START_WRITE:
        s->latched = 0; /* a start without a stop abandons the page */
        s->phase = AT24C02_WORD_ADDR;
        break;
    case I2C_EVENT_START_READ:
        s->latched = 0;
        s->phase = AT24C02_READ;
        break;
    case I2C_EVENT_STOP:
        if (s->phase == AT24C02_DATA) {
            at24c02_commit(s);
        }
        s->phase = AT24C02_IDLE;
        break;
    }
    return true;
}

static bool at24c02_send(I2CTarget *t, uint8_t byte)
{
    At24c02State *s = AT24C02(t);
    switch (s->phase) {
    case AT24C02_WORD_ADDR:
        s->pointer = byte;
        s->phase = AT24C02_DATA;
        return true;
    case AT24C02_DATA: {
        unsigned in_page = s->pointer & (AT24C02_PAGE_SIZE - 1u);
        s->latch[in_page] = byte;
        s->latched |= (uint8_t)(1u << in_page);
        s->pointer = (uint8_t)((s->pointer - in_page) +
                               ((in_page + 1) & (AT24C02_PAGE_SIZE - 1u)));
        return true;
    }
    default:
        return false; /* the bus sends only to a write target */
    }
}

static uint8_t at24c02_recv(I2CTarget *t)
{
    At24c02State *s = AT24C02(t);
    return s->mem[s->pointer++]; /* wraps from 0xff to 0x00 */
}

static bool at24c02_open_file(At24c02State *s, Error **errp)
{
    int fd = open(s->file, O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        error_setg_errno(errp, errno, "at24c02: cannot open EEPROM file '%s'",
                         s->file);
        return false;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        error_setg(errp, "at24c02: EEPROM file '%s' is not a regular file",
                   s->file);
        close(fd);
        return false;
    }
    if (st.st_size != AT24C02_SIZE) {
        error_setg(errp,
                   "at24c02: EEPROM file '%s' is %lld bytes; a 24C02 holds "
                   "exactly %d (make one with: truncate -s %d FILE)",
                   s->file, (long long)st.st_size, AT24C02_SIZE, AT24C02_SIZE);
        close(fd);
        return false;
    }
    ssize_t n = pread(fd, s->mem, AT24C02_SIZE, 0);
    if (n != AT24C02_SIZE) {
        error_setg_errno(errp, n < 0 ? errno : EIO,
                         "at24c02: cannot read EEPROM file '%s'", s->file);
        close(fd);
        return false;
    }
    s->fd = fd;
    return true;
}

static bool at24c02_realize(DeviceState *dev, Error **errp)
{
    At24c02State *s = AT24C02(dev);
    memset(s->mem, AT24C02_ERASED, sizeof(s->mem));
    return !s->file || !*s->file || at24c02_open_file(s, errp);
}

static void at24c02_close(At24c02State *s)
{
    if (s->fd >= 0) {
        close(s->fd);
        s->fd = -1;
    }
}

static void at24c02_unrealize(DeviceState *dev)
{
    at24c02_close(AT24C02(dev));
}

/* The memory is non-volatile: a reset clears the transfer state only. */
static void at24c02_reset(DeviceState *dev)
{
    At24c02State *s = AT24C02(dev);
    s->pointer = 0;
    s->phase = AT24C02_IDLE;
    s->latched = 0;
    memset(s->latch, 0, sizeof(s->latch));
}

static void at24c02_instance_init(Object *obj)
{
    AT24C02(obj)->fd = -1;
}

static void at24c02_instance_finalize(Object *obj)
{
    at24c02_close(AT24C02(obj));
}

/* A snapshot carries the content: the file follows it. */
static bool at24c02_post_load(void *opaque, int version_id, Error **errp)
{
    At24c02State *s = opaque;
    (void)version_id;
    (void)errp;
    at24c02_write_through(s, 0, AT24C02_SIZE);
    return true;
}

static const VMStateField at24c02_fields[] = {
    VMSTATE_ARRAY(mem, At24c02State, VMS_TYPE_UINT8),
    VMSTATE_UINT8(pointer, At24c02State),
    VMSTATE_CHECKED(phase, At24c02State, VMS_TYPE_UINT8, 0, AT24C02_READ),
    VMSTATE_ARRAY(latch, At24c02State, VMS_TYPE_UINT8),
    VMSTATE_UINT8(latched, At24c02State),
    VMSTATE_END_OF_LIST(),
};

const VMStateDescription vmstate_at24c02 = {
    .name = "at24c02",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = at24c02_fields,
    .post_load = at24c02_post_load,
};

static const Property at24c02_props[] = {
    DEFINE_PROP_STRING("file", At24c02State, file),
    DEFINE_PROP_END_OF_LIST(),
};

static void at24c02_class_init(ObjectClass *klass, const void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    I2CTargetClass *tc = I2C_TARGET_CLASS(klass);
    (void)data;

    dc->desc = "24C02 EEPROM (256 bytes, 8-byte pages)";
    dc->reset = at24c02_reset;
    dc->vmsd = &vmstate_at24c02;
    device_class_set_props(dc, at24c02_props);
    tc->default_address = AT24C02_DEFAULT_ADDRESS;
    tc->event = at24c02_event;
    tc->send = at24c02_send;
    tc->recv = at24c02_recv;
    tc->realize = at24c02_realize;
    tc->unrealize = at24c02_unrealize;
}

static const TypeInfo at24c02_info = {
    .name = TYPE_AT24C02,
    .parent = TYPE_I2C_TARGET,
    .instance_size = sizeof(At24c02State),
    .class_init = at24c02_class_init,
    .instance_init = at24c02_instance_init,
    .instance_finalize = at24c02_instance_finalize,
};

__attribute__((constructor)) static void at24c02_register_types(void)
{
    type_register_static(&at24c02_info);
}
