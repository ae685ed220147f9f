/*
 * The power/test device: the guest ends the run with an exit status (pass,
 * or fail with a code) or asks the board for a machine reset.
 */
#include "hw/misc/power/power.h"

#include <inttypes.h>

#include "probes/power.h"
#include "util/log.h"
#include "util/main-loop.h"

void power_test_set_reset_handler(DeviceState *dev, PowerResetRequest *fn,
                                  void *opaque)
{
    PowerTestState *s = POWER_TEST(dev);
    s->reset_request = fn;
    s->reset_opaque = opaque;
}

static uint64_t power_read(void *opaque, hwaddr addr, unsigned size)
{
    (void)opaque;
    (void)size;
    /* The register is write-only; reads return 0 as on SiFive's finisher. */
    log_item(LOG_ITEM_GUEST_ERROR,
             "power-test: read of write-only register offset=0x%03" PRIx64,
             addr);
    probe_power_read(addr, size, 0);
    return 0;
}

static void power_write(void *opaque, hwaddr addr, uint64_t value,
                        unsigned size)
{
    PowerTestState *s = opaque;
    uint32_t v = (uint32_t)value;

    probe_power_write(addr, size, value);
    if (addr != POWER_TEST_CTRL || size != 4) {
        log_item(LOG_ITEM_GUEST_ERROR,
                 "power-test: bad write offset=0x%03" PRIx64 " size=%u", addr,
                 size);
        return;
    }
    uint32_t code = v >> POWER_TEST_CODE_SHIFT;
    switch (v & POWER_TEST_COMMAND_MASK) {
    case POWER_TEST_PASS:
        main_loop_request_exit(0);
        break;
    case POWER_TEST_FAIL:
        /* A failure must never look like success: code 0 becomes 1 (and
         * codes above 255 saturate in main_loop_exit_status()). */
        main_loop_request_exit(code ? code : 1);
        break;
    case POWER_TEST_RESET:
        if (s->reset_request) {
            s->reset_request(s->reset_opaque);
        } else {
            log_item(LOG_ITEM_UNIMP,
                     "power-test: reset requested but the board set no "
                     "reset handler");
        }
        break;
    default:
        log_item(LOG_ITEM_GUEST_ERROR, "power-test: unknown command 0x%08x", v);
        break;
    }
}

static const MemoryRegionOps power_ops = {
    .read = power_read,
    .write = power_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    /* Every size reaches the callbacks, which log the ones the device
     * does not decode instead of faulting the guest. */
    .valid = {.min_access_size = 1, .max_access_size = 8},
    .impl = {.min_access_size = 1, .max_access_size = 8},
};

static void power_instance_init(Object *obj)
{
    PowerTestState *s = POWER_TEST(obj);

    memory_region_init_io(&s->iomem, obj, &power_ops, s, "power-test",
                          POWER_TEST_MMIO_SIZE);
    sysbus_init_mmio(SYS_BUS_DEVICE(obj), &s->iomem);
}

static void power_instance_finalize(Object *obj)
{
    memory_region_destroy(&POWER_TEST(obj)->iomem);
}

/* Migration: the device has no state of its own (a command acts at once),
 * but it has a section so that every device of the board is accounted
 * for and a future field has a version to grow from. */
static const VMStateField power_fields[] = {
    VMSTATE_END_OF_LIST(),
};

static const VMStateDescription vmstate_power = {
    .name = "power-test",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = power_fields,
};

static void power_class_init(ObjectClass *klass, const void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    (void)data;

    dc->desc = "power/test device (pass, fail with code, reset)";
    dc->vmsd = &vmstate_power;
}

static const TypeInfo power_info = {
    .name = TYPE_POWER_TEST,
    .parent = TYPE_SYS_BUS_DEVICE,
    .instance_size = sizeof(PowerTestState),
    .class_init = power_class_init,
    .instance_init = power_instance_init,
    .instance_finalize = power_instance_finalize,
};

/* Registered before main(); hw_dep links this library whole so the
 * constructor is never dropped by the static linker. */
__attribute__((constructor)) static void power_register_types(void)
{
    type_register_static(&power_info);
}
