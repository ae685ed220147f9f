/*
 * HTIF as spike's front end speaks it (machine/htif.h has the protocol):
 * MMIO windows over the guest's `tohost` and `fromhost` variables, with a
 * higher priority than RAM, so the CPU knows nothing of the convention.
 * Commands are served at once, in guest time, and input is taken only at
 * the run loop's fixed polling points, so runs stay reproducible.
 */
#include "machine/htif.h"

#include <string.h>

#include "util/log.h"
#include "util/main-loop.h"

#define HTIF_DEV_SYSCALL 0
#define HTIF_DEV_CONSOLE 1
#define HTIF_CONSOLE_GETCHAR 0
#define HTIF_CONSOLE_PUTCHAR 1
#define HTIF_PAYLOAD_MASK ((1ULL << 48) - 1)

/* riscv-pk's system call numbers (Linux's generic ones). */
#define HTIF_SYS_WRITE 64
#define HTIF_SYS_EXIT 93
#define HTIF_SYSCALL_WORDS 8
/* The guest's errno values (RISC-V Linux: asm-generic/errno-base.h and
 * errno.h), not the host's: they differ on some hosts (MIPS: ENOSYS 89). */
#define HTIF_EIO 5
#define HTIF_EBADF 9
#define HTIF_EFAULT 14
#define HTIF_ENOSYS 38

static uint64_t htif_command(unsigned device, unsigned cmd, uint64_t payload)
{
    return (uint64_t)device << 56 | (uint64_t)cmd << 48 |
           (payload & HTIF_PAYLOAD_MASK);
}

/* Hand a response to the guest: into fromhost when it is free, else to
 * the queue (spike's front end queues without bound; a guest that never
 * clears fromhost loses the ones past HTIF_MAX_RESPONSES). */
static void htif_respond(Htif *h, uint64_t response)
{
    if (h->fromhost == 0 && h->nr_responses == 0) {
        h->fromhost = response;
        return;
    }
    if (h->nr_responses == HTIF_MAX_RESPONSES) {
        log_item(LOG_ITEM_GUEST_ERROR,
                 "htif: fromhost is not being cleared; response 0x%llx "
                 "dropped",
                 (unsigned long long)response);
        return;
    }
    h->responses[h->nr_responses++] = response;
}

/* fromhost was written: a cleared one takes the oldest waiting response. */
static void htif_deliver(Htif *h)
{
    if (h->fromhost != 0 || h->nr_responses == 0) {
        return;
    }
    h->fromhost = h->responses[0];
    h->nr_responses--;
    memmove(h->responses, h->responses + 1,
            h->nr_responses * sizeof(h->responses[0]));
}

/* Whether [addr, addr + len) is guest RAM; *host points at it. */
static bool htif_ram(Htif *h, uint64_t addr, uint64_t len, uint8_t **host)
{
    uint64_t size = h->ram->size;
    if (addr < h->ram_base || addr - h->ram_base > size ||
        len > size - (addr - h->ram_base)) {
        return false;
    }
    *host = memory_region_get_ram_ptr(h->ram) + (addr - h->ram_base);
    return true;
}

static uint64_t htif_get64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) {
        v = v << 8 | p[i];
    }
    return v;
}

static void htif_put64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++) {
        p[i] = (uint8_t)(v >> (8 * i));
    }
}

/* write(fd, buf, len): fd 1 and 2 are the serial port. */
static int64_t htif_sys_write(Htif *h, uint64_t fd, uint64_t buf, uint64_t len)
{
    uint8_t *host;
    if (fd != 1 && fd != 2) {
        return -HTIF_EBADF;
    }
    if (!htif_ram(h, buf, len, &host)) {
        return -HTIF_EFAULT;
    }
    uint64_t done = 0;
    while (done < len) {
        uint64_t chunk = len - done < INT32_MAX ? len - done : INT32_MAX;
        int n = char_fe_write(&h->console, host + done, (int)chunk);
        if (n < 0) {
            return done ? (int64_t)done : -HTIF_EIO;
        }
        done += (uint64_t)n;
        if ((uint64_t)n < chunk) {
            break; /* a socket peer that is not reading */
        }
    }
    return (int64_t)done;
}

static void htif_syscall(Htif *h, uint64_t block)
{
    uint8_t *p;
    if (!htif_ram(h, block, HTIF_SYSCALL_WORDS * 8, &p)) {
        if (!h->fatal) {
            error_setg(&h->fatal,
                       "htif: the guest's system call block at 0x%llx is "
                       "not in RAM",
                       (unsigned long long)block);
        }
        main_loop_request_exit(1);
        return;
    }
    uint64_t n = htif_get64(p);
    uint64_t a0 = htif_get64(p + 8), a1 = htif_get64(p + 16),
             a2 = htif_get64(p + 24);
    int64_t ret;
    switch (n) {
    case HTIF_SYS_WRITE:
        ret = htif_sys_write(h, a0, a1, a2);
        break;
    case HTIF_SYS_EXIT:
        main_loop_request_exit(a0);
        return;
    default:
        log_item(LOG_ITEM_GUEST_ERROR,
                 "htif: system call %llu is not supported (-ENOSYS)",
                 (unsigned long long)n);
        ret = -HTIF_ENOSYS;
        break;
    }
    htif_put64(p, (uint64_t)ret);
    htif_respond(h, htif_command(HTIF_DEV_SYSCALL, 0, 1));
}

static void htif_console(Htif *h, unsigned cmd, uint64_t payload)
{
    if (cmd == HTIF_CONSOLE_PUTCHAR) {
        uint8_t ch = (uint8_t)payload;
        char_fe_write(&h->console, &ch, 1);
        htif_respond(h, htif_command(HTIF_DEV_CONSOLE, cmd, 0x100 | ch));
    } else if (cmd == HTIF_CONSOLE_GETCHAR) {
        if (h->reads_pending == HTIF_MAX_READS) {
            log_item(LOG_ITEM_GUEST_ERROR,
                     "htif: more than %d console reads waiting; one dropped",
                     HTIF_MAX_READS);
            return;
        }
        h->reads_pending++;
        char_fe_accept_input(&h->console);
    } else {
        log_item(LOG_ITEM_GUEST_ERROR, "htif: console command %u unknown", cmd);
    }
}

static void htif_run_command(Htif *h, uint64_t cmd)
{
    unsigned device = (unsigned)(cmd >> 56);
    unsigned command = (unsigned)(cmd >> 48) & 0xff;
    if (device == HTIF_DEV_SYSCALL && (cmd & 1)) {
        /* The whole code, up to 55 bits: main decides how it maps to an
         * exit status (a narrowing here once turned 2^32 into success). */
        main_loop_request_exit((cmd & 0x00ffffffffffffffULL) >> 1);
    } else if (device == HTIF_DEV_SYSCALL && command == 0) {
        htif_syscall(h, cmd & HTIF_PAYLOAD_MASK);
    } else if (device == HTIF_DEV_CONSOLE) {
        htif_console(h, command, cmd & HTIF_PAYLOAD_MASK);
    } else {
        log_item(LOG_ITEM_UNIMP, "htif: unsupported tohost command 0x%llx",
                 (unsigned long long)cmd);
    }
}

static uint64_t htif_reg_read(uint64_t reg, hwaddr addr, unsigned size)
{
    unsigned shift = (addr & 7) * 8;
    uint64_t mask = size == 8 ? UINT64_MAX : (1ULL << (size * 8)) - 1;
    return (reg >> shift) & mask;
}

static void htif_reg_write(uint64_t *reg, hwaddr addr, uint64_t value,
                           unsigned size)
{
    unsigned shift = (addr & 7) * 8;
    uint64_t mask = size == 8 ? UINT64_MAX : (1ULL << (size * 8)) - 1;
    *reg = (*reg & ~(mask << shift)) | ((value & mask) << shift);
}

static uint64_t htif_tohost_read(void *opaque, hwaddr addr, unsigned size)
{
    return htif_reg_read(((Htif *)opaque)->tohost, addr, size);
}

static void htif_tohost_write(void *opaque, hwaddr addr, uint64_t value,
                              unsigned size)
{
    Htif *h = opaque;
    htif_reg_write(&h->tohost, addr, value, size);
    /* Act when the low word is written: the test suites store the result
     * with sw or sd, and the command's payload starts in the low bits. */
    if (addr != 0 || h->tohost == 0) {
        return;
    }
    uint64_t cmd = h->tohost;
    h->tohost = 0; /* taken, as spike's front end clears it */
    htif_run_command(h, cmd);
}

static uint64_t htif_fromhost_read(void *opaque, hwaddr addr, unsigned size)
{
    return htif_reg_read(((Htif *)opaque)->fromhost, addr, size);
}

static void htif_fromhost_write(void *opaque, hwaddr addr, uint64_t value,
                                unsigned size)
{
    Htif *h = opaque;
    htif_reg_write(&h->fromhost, addr, value, size);
    htif_deliver(h);
}

static const MemoryRegionOps htif_tohost_ops = {
    .read = htif_tohost_read,
    .write = htif_tohost_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = {.min_access_size = 4, .max_access_size = 8},
    .impl = {.min_access_size = 4, .max_access_size = 8},
};

static const MemoryRegionOps htif_fromhost_ops = {
    .read = htif_fromhost_read,
    .write = htif_fromhost_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = {.min_access_size = 4, .max_access_size = 8},
    .impl = {.min_access_size = 4, .max_access_size = 8},
};

/* The console tap wants one byte per waiting read, when its answer has
 * somewhere to go. */
static int htif_console_can_receive(void *opaque)
{
    Htif *h = opaque;
    return h->reads_pending && h->nr_responses < HTIF_MAX_RESPONSES ? 1 : 0;
}

static void htif_console_receive(void *opaque, const uint8_t *buf, int size)
{
    Htif *h = opaque;
    for (int i = 0; i < size && h->reads_pending; i++) {
        h->reads_pending--;
        htif_respond(h, htif_command(HTIF_DEV_CONSOLE, HTIF_CONSOLE_GETCHAR,
                                     0x100 | buf[i]));
    }
}

bool htif_init(Htif *h, Object *owner, uint64_t tohost_addr,
               uint64_t fromhost_addr, MemoryRegion *ram, uint64_t ram_base,
               Chardev *serial, Error **errp)
{
    if (serial) {
        if (!char_fe_init_tap(&h->console, serial, errp)) {
            return false;
        }
        char_fe_set_handlers(&h->console, htif_console_can_receive,
                             htif_console_receive, NULL, NULL, h);
    }
    h->ram = ram;
    h->ram_base = ram_base;
    memory_region_init_io(&h->tohost_mr, owner, &htif_tohost_ops, h,
                          "htif.tohost", 8);
    memory_region_init_io(&h->fromhost_mr, owner, &htif_fromhost_ops, h,
                          "htif.fromhost", 8);
    memory_region_add_subregion_overlap(get_system_memory(), tohost_addr,
                                        &h->tohost_mr, 1);
    memory_region_add_subregion_overlap(get_system_memory(), fromhost_addr,
                                        &h->fromhost_mr, 1);
    h->mapped = true;
    return true;
}

void htif_reset(Htif *h)
{
    h->tohost = 0;
    h->fromhost = 0;
    h->nr_responses = 0;
    h->reads_pending = 0;
}

void htif_set_enabled(Htif *h, bool enabled)
{
    if (h->mapped) {
        memory_region_set_enabled(&h->tohost_mr, enabled);
        memory_region_set_enabled(&h->fromhost_mr, enabled);
    }
}

void htif_destroy(Htif *h)
{
    if (h->mapped) {
        memory_region_destroy(&h->tohost_mr);
        memory_region_destroy(&h->fromhost_mr);
        h->mapped = false;
    }
    char_fe_deinit(&h->console);
    error_free(h->fatal);
    h->fatal = NULL;
}
