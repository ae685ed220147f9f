/*
 * The `virt` board: creates the hart, RAM and devices, maps them at the
 * addresses of machine/virt-map.h and wires their interrupt lines.
 */
#include "machine/virt.h"

#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hw/intc/clint/clint.h"
#include "hw/misc/power/power.h"
#include "hwcore/iommu.h"
#include "hwcore/sysbus.h"
#include "machine/drive.h"
#include "machine/htif.h"
#include "machine/virt-map.h"
#include "qapi/runstate.h"
#include "util/log.h"
#include "util/main-loop.h"
#include "util/vclock.h"

/* Board properties are configuration: they cannot change once the board
 * is built. */
static bool virt_refuse_if_running(VirtMachine *vms, const ObjectProperty *prop,
                                   Error **errp)
{
    if (vms->realized) {
        error_setg(errp, "%s cannot change on a running machine", prop->name);
        return true;
    }
    return false;
}

static bool virt_get_ram_size(Object *obj, ObjectProperty *prop, PropValue *out,
                              Error **errp)
{
    (void)prop;
    (void)errp;
    out->u = VIRT_MACHINE(obj)->ram_size;
    return true;
}

static bool virt_set_ram_size(Object *obj, ObjectProperty *prop,
                              const PropValue *in, Error **errp)
{
    VirtMachine *vms = VIRT_MACHINE(obj);
    if (virt_refuse_if_running(vms, prop, errp)) {
        return false;
    }
    if (in->u < VIRT_RAM_MIN_SIZE || in->u > VIRT_RAM_MAX_SIZE ||
        in->u % 4096 != 0) {
        error_setg(errp,
                   "RAM size must be a multiple of 4K between 1M and 16G, "
                   "got %llu bytes",
                   (unsigned long long)in->u);
        return false;
    }
    vms->ram_size = in->u;
    return true;
}

static bool virt_get_htif(Object *obj, ObjectProperty *prop, PropValue *out,
                          Error **errp)
{
    (void)prop;
    (void)errp;
    out->b = VIRT_MACHINE(obj)->htif;
    return true;
}

static bool virt_set_htif(Object *obj, ObjectProperty *prop,
                          const PropValue *in, Error **errp)
{
    VirtMachine *vms = VIRT_MACHINE(obj);
    if (virt_refuse_if_running(vms, prop, errp)) {
        return false;
    }
    vms->htif = in->b;
    return true;
}

static bool virt_get_misaligned(Object *obj, ObjectProperty *prop,
                                PropValue *out, Error **errp)
{
    (void)prop;
    (void)errp;
    out->s = strdup(VIRT_MACHINE(obj)->trap_misaligned ? "trap" : "allow");
    return true;
}

static bool virt_set_misaligned(Object *obj, ObjectProperty *prop,
                                const PropValue *in, Error **errp)
{
    VirtMachine *vms = VIRT_MACHINE(obj);
    if (virt_refuse_if_running(vms, prop, errp)) {
        return false;
    }
    if (in->s && strcmp(in->s, "allow") == 0) {
        vms->trap_misaligned = false;
    } else if (in->s && strcmp(in->s, "trap") == 0) {
        vms->trap_misaligned = true;
    } else {
        error_setg(errp,
                   "'%s' is not a misaligned access mode (use allow or "
                   "trap)",
                   in->s ? in->s : "");
        return false;
    }
    return true;
}

/* The board table (machine/virt-board.h) as data. */
typedef enum { VIRT_IMPL_C, VIRT_IMPL_RUST, VIRT_IMPL_TWIN } VirtImpl;

/* Which device a line of the board table is and how the board picks its
 * implementation: what its two lists (devices, I2C targets) share. */
typedef struct VirtPart {
    const char *child;     /* name under /machine */
    const char *type;      /* QOM type; for a twin or a Rust-only device,
                            * the machine property */
    const char *rust_type; /* QOM type of the Rust implementation */
    VirtImpl impl;
} VirtPart;

/* Every line of the board table, the devices then the I2C targets:
 * VirtMachine.rust is indexed alike. */
static const VirtPart virt_parts[VIRT_NUM_PARTS] = {
#define VIRT_DEVICE(NAME, child, type, impl, base, size, irq)                  \
    {#child, type, type "-rust", VIRT_IMPL_##impl},
#define VIRT_I2C_TARGET(NAME, child, type, impl, address, irq)                 \
    {#child, type, type "-rust", VIRT_IMPL_##impl},
#include "machine/virt-board.h"
#undef VIRT_DEVICE
#undef VIRT_I2C_TARGET
};

/* Where the devices sit (their part is virt_parts[i]). */
typedef struct VirtSlot {
    hwaddr base;
    int irq; /* PLIC source of output 0, 0: wired below or none */
} VirtSlot;

static const VirtSlot virt_board[VIRT_NUM_DEVICES] = {
#define VIRT_DEVICE(NAME, child, type, impl, base, size, irq) {base, irq},
#include "machine/virt-board.h"
#undef VIRT_DEVICE
};

/* The I2C targets of the board table, on the bus of the controller at
 * VIRT_DEV_I2C (their part is virt_parts[VIRT_NUM_DEVICES + i]). */
typedef struct VirtI2CSlot {
    uint8_t address;
    int irq; /* PLIC source of GPIO output 0, 0: none */
} VirtI2CSlot;

static const VirtI2CSlot virt_i2c_board[VIRT_NUM_I2C_TARGETS] = {
#define VIRT_I2C_TARGET(NAME, child, type, impl, address, irq) {address, irq},
#include "machine/virt-board.h"
#undef VIRT_I2C_TARGET
};

static size_t virt_part_index(const VirtPart *part)
{
    return (size_t)(part - virt_parts);
}

/* The machine property that picks a part: "<type>-impl" (c|rust) for a
 * twin, "<type>-present" (on|off) for a device written in Rust only.  Not
 * the bare type: the board's children are named after their types too
 * (/machine/hpet), and an object's property and child names must differ. */
static const char *virt_part_property(const VirtPart *part, char *buf,
                                      size_t size)
{
    snprintf(buf, size, "%s-%s", part->type,
             part->impl == VIRT_IMPL_TWIN ? "impl" : "present");
    return buf;
}

#define VIRT_PROPERTY_NAME_MAX 64

static bool virt_rust_linked(const VirtPart *part)
{
    return object_class_by_name(part->rust_type) != NULL;
}

/* Whether this rivet was linked with its Rust devices (-Drust). */
static bool virt_rust_built(void)
{
    for (size_t i = 0; i < VIRT_NUM_PARTS; i++) {
        if (virt_parts[i].impl != VIRT_IMPL_C &&
            virt_rust_linked(&virt_parts[i])) {
            return true;
        }
    }
    return false;
}

/* The implementation a twin gets unless -machine says: -Dtwin_default,
 * which meson.build turns into c when Rust is not built. */
static bool virt_twin_default_rust(const VirtPart *twin)
{
    return VIRT_TWIN_DEFAULT_RUST && virt_rust_linked(twin);
}

/* The QOM type the board creates for a part, or NULL for a Rust-only
 * device left off the board (-machine <type>=off, or no Rust). */
static const char *virt_part_type(VirtMachine *vms, const VirtPart *part)
{
    switch (part->impl) {
    case VIRT_IMPL_C:
        return part->type;
    case VIRT_IMPL_RUST:
        return vms->rust[virt_part_index(part)] ? part->rust_type : NULL;
    case VIRT_IMPL_TWIN:
        return vms->rust[virt_part_index(part)] ? part->rust_type : part->type;
    }
    return NULL;
}

static bool virt_get_twin(Object *obj, ObjectProperty *prop, PropValue *out,
                          Error **errp)
{
    (void)errp;
    const VirtPart *twin = prop->opaque;
    out->s =
        strdup(VIRT_MACHINE(obj)->rust[virt_part_index(twin)] ? "rust" : "c");
    return true;
}

static bool virt_set_twin(Object *obj, ObjectProperty *prop,
                          const PropValue *in, Error **errp)
{
    const VirtPart *twin = prop->opaque;
    VirtMachine *vms = VIRT_MACHINE(obj);
    bool rust;
    if (virt_refuse_if_running(vms, prop, errp)) {
        return false;
    }
    if (in->s && strcmp(in->s, "c") == 0) {
        rust = false;
    } else if (in->s && strcmp(in->s, "rust") == 0) {
        rust = true;
    } else {
        error_setg(errp, "'%s' is not an implementation of %s (use c or rust)",
                   in->s ? in->s : "", twin->type);
        return false;
    }
    if (rust && !virt_rust_linked(twin)) {
        error_setg(errp,
                   "this rivet was built without Rust, so only the C %s "
                   "exists (use %s=c, or rebuild with -Drust=enabled)",
                   twin->type, prop->name);
        return false;
    }
    vms->rust[virt_part_index(twin)] = rust;
    return true;
}

/* "<type>=on|off" of a Rust-only device: whether it is on the board. */
static bool virt_get_rust_only(Object *obj, ObjectProperty *prop,
                               PropValue *out, Error **errp)
{
    (void)errp;
    const VirtPart *part = prop->opaque;
    out->b = VIRT_MACHINE(obj)->rust[virt_part_index(part)];
    return true;
}

/* Refuses a device written in Rust only when this rivet does not have it:
 * built without Rust, or with Rust but not that device (a 32-bit host has
 * no vm-memory, docs/cross.md). */
static bool virt_check_rust_only_linked(const VirtPart *part, Error **errp)
{
    if (virt_rust_linked(part)) {
        return true;
    }
    if (virt_rust_built()) {
        error_setg(errp,
                   "%s exists only in Rust and was not built for this host "
                   "(docs/cross.md)",
                   part->type);
    } else {
        error_setg(errp,
                   "this rivet was built without Rust, and %s exists only "
                   "in Rust (rebuild with -Drust=enabled)",
                   part->type);
    }
    return false;
}

static bool virt_set_rust_only(Object *obj, ObjectProperty *prop,
                               const PropValue *in, Error **errp)
{
    const VirtPart *part = prop->opaque;
    VirtMachine *vms = VIRT_MACHINE(obj);
    if (virt_refuse_if_running(vms, prop, errp)) {
        return false;
    }
    if (in->b && !virt_check_rust_only_linked(part, errp)) {
        return false;
    }
    vms->rust[virt_part_index(part)] = in->b;
    return true;
}

bool virt_check_global(const char *spec, Error **errp)
{
    size_t n = strcspn(spec, ".");
    for (size_t i = 0; i < VIRT_NUM_PARTS; i++) {
        const VirtPart *part = &virt_parts[i];
        if (part->impl == VIRT_IMPL_RUST && strlen(part->type) == n &&
            strncmp(spec, part->type, n) == 0 &&
            !virt_check_rust_only_linked(part, errp)) {
            error_prepend(errp, "-global %s: ", spec);
            return false;
        }
    }
    return true;
}

void virt_print_machine_help(FILE *out)
{
    for (size_t i = 0; i < VIRT_NUM_PARTS; i++) {
        const VirtPart *part = &virt_parts[i];
        char upper[32];
        size_t n = 0;
        for (; part->type[n] && n < sizeof(upper) - 1; n++) {
            upper[n] = (char)toupper((unsigned char)part->type[n]);
        }
        upper[n] = '\0';
        char name[VIRT_PROPERTY_NAME_MAX];
        char key[VIRT_PROPERTY_NAME_MAX + 16];
        if (part->impl == VIRT_IMPL_TWIN) {
            snprintf(key, sizeof(key), "%s=c|rust",
                     virt_part_property(part, name, sizeof(name)));
            fprintf(out, "        %-22s %s implementation (default %s)\n", key,
                    upper, virt_twin_default_rust(part) ? "rust" : "c");
        } else if (part->impl == VIRT_IMPL_RUST) {
            snprintf(key, sizeof(key), "%s=on|off",
                     virt_part_property(part, name, sizeof(name)));
            fprintf(out, "        %-22s the %s, written in Rust only (%s)\n",
                    key, upper,
                    virt_rust_linked(part) ? "default on" : "absent");
        }
    }
    if (!virt_rust_built()) {
        fprintf(out, "                        This rivet was built without "
                     "Rust (-Drust):\n"
                     "                        only the C twins exist, and "
                     "the devices\n"
                     "                        written in Rust only are off "
                     "the board.\n");
    }
}

static bool virt_get_eeprom(Object *obj, ObjectProperty *prop, PropValue *out,
                            Error **errp)
{
    (void)prop;
    (void)errp;
    const char *file = VIRT_MACHINE(obj)->eeprom_file;
    out->s = file ? strdup(file) : NULL;
    return true;
}
static bool virt_set_eeprom(Object *obj, ObjectProperty *prop,
                            const PropValue *in, Error **errp)
{
    VirtMachine *vms = VIRT_MACHINE(obj);
    if (virt_refuse_if_running(vms, prop, errp)) {
        return false;
    }
    if (!in->s || !*in->s) {
        error_setg(errp, "the EEPROM file name is empty");
        return false;
    }
    free(vms->eeprom_file);
    vms->eeprom_file = strdup(in->s);
    return true;
}

static void virt_instance_init(Object *obj)
{
    VirtMachine *vms = VIRT_MACHINE(obj);
    vms->ram_size = VIRT_RAM_DEFAULT_SIZE;
    vms->htif = true;
    vms->firmware.fd = -1;
    for (size_t i = 0; i < VIRT_NUM_PARTS; i++) {
        const VirtPart *part = &virt_parts[i];
        vms->rust[i] =
            part->impl == VIRT_IMPL_TWIN
                ? virt_twin_default_rust(part)
                : part->impl == VIRT_IMPL_RUST && virt_rust_linked(part);
    }
}

static void virt_instance_finalize(Object *obj)
{
    VirtMachine *vms = VIRT_MACHINE(obj);
    if (vms->realized) {
        runstate_unregister_cpus();
        vclock_reset();
        htif_destroy(&vms->htif_dev);
        memory_region_destroy(&vms->ram);
    }
    loader_source_close(&vms->firmware);
    free(vms->eeprom_file);
}

static void virt_class_init(ObjectClass *oc, const void *data)
{
    (void)data;
    object_class_property_add(oc, "ram-size", PROP_TYPE_UINT64,
                              virt_get_ram_size, virt_set_ram_size, NULL,
                              "guest RAM size in bytes (also -m)");
    object_class_property_add(oc, "htif", PROP_TYPE_BOOL, virt_get_htif,
                              virt_set_htif, NULL,
                              "stop the machine when the guest writes the "
                              "ELF symbol tohost (RISC-V test convention)");
    object_class_property_add(oc, "eeprom-file", PROP_TYPE_STRING,
                              virt_get_eeprom, virt_set_eeprom, NULL,
                              "file of 256 bytes holding the I2C EEPROM's "
                              "content, read at start and written through");
    object_class_property_add(oc, "misaligned", PROP_TYPE_STRING,
                              virt_get_misaligned, virt_set_misaligned, NULL,
                              "misaligned loads and stores: allow (complete "
                              "in RAM, the default) or trap");
    for (size_t i = 0; i < VIRT_NUM_PARTS; i++) {
        char name[VIRT_PROPERTY_NAME_MAX];
        virt_part_property(&virt_parts[i], name, sizeof(name));
        if (virt_parts[i].impl == VIRT_IMPL_TWIN) {
            object_class_property_add(oc, name, PROP_TYPE_STRING, virt_get_twin,
                                      virt_set_twin, (void *)&virt_parts[i],
                                      "implementation of the device: c or "
                                      "rust (default: -Dtwin_default)");
        } else if (virt_parts[i].impl == VIRT_IMPL_RUST) {
            object_class_property_add(oc, name, PROP_TYPE_BOOL,
                                      virt_get_rust_only, virt_set_rust_only,
                                      (void *)&virt_parts[i],
                                      "whether the device, written in Rust "
                                      "only, is on the board (default on "
                                      "when built with Rust)");
        }
    }
}

static const TypeInfo virt_machine_type = {
    .name = TYPE_VIRT_MACHINE,
    .parent = TYPE_OBJECT,
    .instance_size = sizeof(VirtMachine),
    .class_init = virt_class_init,
    .instance_init = virt_instance_init,
    .instance_finalize = virt_instance_finalize,
};

__attribute__((constructor)) static void virt_register_types(void)
{
    type_register_static(&virt_machine_type);
}

/* The machine property an option key sets.  The spellings from before
 * the properties were renamed apart from the board's children (eeprom=,
 * <type>= of a twin or a Rust-only device) are still taken: docs/rivet.1
 * and --help give the new ones. */
static const char *virt_option_property(const char *key, char *buf, size_t size)
{
    if (strcmp(key, "eeprom") == 0) {
        return "eeprom-file";
    }
    for (size_t i = 0; i < VIRT_NUM_PARTS; i++) {
        if (virt_parts[i].impl != VIRT_IMPL_C &&
            strcmp(key, virt_parts[i].type) == 0) {
            return virt_part_property(&virt_parts[i], buf, size);
        }
    }
    return key;
}

/* Apply "key=value,key=value" to the machine's properties.  An empty item
 * (a trailing comma, or ",," which QEMU reads as an escaped comma) is
 * refused rather than skipped: what the user meant is not clear. */
static bool virt_apply_options(VirtMachine *vms, const char *opts, Error **errp)
{
    char *copy = strdup(opts);
    bool ok = true;
    for (char *item = copy; ok; item++) {
        char *end = item + strcspn(item, ",");
        bool last = *end == '\0';
        *end = '\0';
        char *eq = strchr(item, '=');
        if (*item == '\0') {
            error_setg(errp,
                       "-machine virt,%s: empty property (a stray comma?)",
                       opts);
            ok = false;
        } else if (!eq) {
            error_setg(errp, "-machine: '%s' is not of the form key=value",
                       item);
            ok = false;
        } else {
            *eq = '\0';
            Error *local = NULL;
            char name[VIRT_PROPERTY_NAME_MAX];
            const char *property =
                virt_option_property(item, name, sizeof(name));
            if (!object_property_parse(OBJECT(vms), property, eq + 1, &local)) {
                error_propagate(errp, local);
                error_prepend(errp, "-machine %s: ", property);
                ok = false;
            }
        }
        if (last) {
            break;
        }
        item = end;
    }
    free(copy);
    return ok;
}

VirtMachine *virt_machine_new(const char *spec, Error **errp)
{
    size_t namelen = strcspn(spec, ",");
    if (namelen != strlen(TYPE_VIRT_MACHINE) ||
        strncmp(spec, TYPE_VIRT_MACHINE, namelen) != 0) {
        error_setg(errp, "-machine: unknown machine '%.*s' (available: virt)",
                   (int)namelen, spec);
        return NULL;
    }
    Object *obj = object_new(TYPE_VIRT_MACHINE, errp);
    if (!obj) {
        return NULL;
    }
    VirtMachine *vms = VIRT_MACHINE(obj);
    if (spec[namelen] == ',' &&
        !virt_apply_options(vms, spec + namelen + 1, errp)) {
        object_unref(obj);
        return NULL;
    }
    if (!object_property_add_child(object_get_root(), "machine", obj, errp)) {
        object_unref(obj);
        return NULL;
    }
    object_unref(obj); /* the tree holds the reference now */
    return vms;
}

bool virt_machine_set_virtio_blk(VirtMachine *vms, const Drive *drive,
                                 Error **errp)
{
    const VirtPart *part = &virt_parts[VIRT_DEV_VIRTIO];
    if (!virt_check_rust_only_linked(part, errp)) {
        error_prepend(errp, "-device virtio-blk-device: ");
        return false;
    }
    if (!vms->rust[VIRT_DEV_VIRTIO]) {
        char name[VIRT_PROPERTY_NAME_MAX];
        error_setg(errp,
                   "-device virtio-blk-device: -machine %s=off leaves the "
                   "virtio-mmio transport off the board",
                   virt_part_property(part, name, sizeof(name)));
        return false;
    }
    vms->virtio_blk = drive;
    return true;
}

/* Gives the virtio-mmio transport its disk: the device opens the image
 * at realize. */
static bool virt_set_drive(DeviceState *dev, const Drive *drive, Error **errp)
{
    return object_property_set_str(OBJECT(dev), "file", drive->file, errp) &&
           object_property_set_bool(OBJECT(dev), "readonly", drive->readonly,
                                    errp) &&
           object_property_set_str(OBJECT(dev), "serial", drive->id, errp);
}

/* The IOMMU of the board: the first device of the table that is one (it
 * precedes the devices behind it), or NULL. */
static IOMMU *virt_iommu(VirtMachine *vms)
{
    for (size_t i = 0; i < VIRT_NUM_DEVICES; i++) {
        if (vms->devices[i] &&
            object_dynamic_cast(OBJECT(vms->devices[i]), TYPE_IOMMU)) {
            return IOMMU(vms->devices[i]);
        }
    }
    return NULL;
}

/* A device with an "iommu" link sits behind the board's IOMMU, with the
 * device ID of its slot (machine/virt-map.h). */
static bool virt_place_behind_iommu(VirtMachine *vms, DeviceState *dev,
                                    hwaddr base, Error **errp)
{
    IOMMU *iommu = virt_iommu(vms);
    if (!iommu || !object_property_find(OBJECT(dev), IOMMU_PROP_LINK)) {
        return true;
    }
    return object_property_set_link(OBJECT(dev), IOMMU_PROP_LINK, OBJECT(iommu),
                                    errp) &&
           object_property_set_uint(OBJECT(dev), IOMMU_PROP_DEVICE_ID,
                                    VIRT_IOMMU_DEVICE_ID(base), errp) &&
           qdev_apply_globals(dev, errp);
}

/* Create a sysbus device as child `name` of the machine at base and
 * realize it.  A device with a "chardev" link takes *serial, if still
 * unused; one with an "iommu" link goes behind the board's IOMMU; drive,
 * if not NULL, is the disk of a virtio-mmio transport. */
static DeviceState *virt_create_device(VirtMachine *vms, const char *type,
                                       const char *name, hwaddr base,
                                       Chardev **serial, const Drive *drive,
                                       Error **errp)
{
    DeviceState *dev = qdev_new(type, errp);
    if (!dev) {
        return NULL;
    }
    bool ok = object_property_add_child(OBJECT(vms), name, OBJECT(dev), errp);
    object_unref(OBJECT(dev));
    if (!ok) {
        return NULL;
    }
    if (*serial && object_property_find(OBJECT(dev), "chardev")) {
        if (!object_property_set_link(OBJECT(dev), "chardev", OBJECT(*serial),
                                      errp)) {
            return NULL;
        }
        *serial = NULL;
    }
    if (drive && !virt_set_drive(dev, drive, errp)) {
        return NULL;
    }
    if (!virt_place_behind_iommu(vms, dev, base, errp) ||
        !device_realize(dev, errp)) {
        return NULL;
    }
    return dev;
}

/* Wire output line of dev to PLIC source, and remember who drives it. */
static void virt_connect_plic_source(VirtMachine *vms, DeviceState *dev,
                                     int line, int source)
{
    sysbus_connect_irq(SYS_BUS_DEVICE(dev), line,
                       qdev_get_gpio_in(vms->devices[VIRT_DEV_PLIC], source));
    vms->plic_source_device[source] = dev;
}

/* The I2C targets of the board table, children of the machine (so they
 * are reset and saved like the devices) on the controller's bus. */
static bool virt_create_i2c_targets(VirtMachine *vms, Error **errp)
{
    Object *bus = object_child(OBJECT(vms->devices[VIRT_DEV_I2C]), "bus");
    for (size_t i = 0; i < VIRT_NUM_I2C_TARGETS; i++) {
        const VirtPart *part = &virt_parts[VIRT_NUM_DEVICES + i];
        const char *type = virt_part_type(vms, part);
        if (!type) {
            continue; /* Rust-only, and off the board */
        }
        DeviceState *dev = qdev_new(type, errp);
        if (!dev) {
            return false;
        }
        bool ok = object_property_add_child(OBJECT(vms), part->child,
                                            OBJECT(dev), errp);
        object_unref(OBJECT(dev));
        if (!ok || !object_property_set_link(OBJECT(dev), "bus", bus, errp) ||
            !object_property_set_uint(OBJECT(dev), "address",
                                      virt_i2c_board[i].address, errp) ||
            /* -global DEV.address=... moves a target off its board address */
            !qdev_apply_globals(dev, errp)) {
            return false;
        }
        if (i == VIRT_I2C_EEPROM && vms->eeprom_file &&
            !object_property_set_str(OBJECT(dev), "file", vms->eeprom_file,
                                     errp)) {
            return false;
        }
        if (!device_realize(dev, errp)) {
            return false;
        }
        vms->i2c_targets[i] = dev;
    }
    return true;
}

static void virt_power_reset_request(void *opaque)
{
    VirtMachine *vms = opaque;
    vms->reset_requested = true;
}

/* The `time` CSR shadows the CLINT's mtime, including guest writes to it. */
static uint64_t virt_read_mtime(void *opaque)
{
    return clint_get_mtime(CLINT(opaque));
}

static bool virt_load_firmware(VirtMachine *vms, Error **errp)
{
    return load_image(&vms->firmware, get_address_space_memory(), VIRT_RAM_BASE,
                      vms->ram_size, &vms->image, errp);
}

/* `info registers` of the human monitor. */
static void virt_dump_cpu_state(Object *cpu, FILE *out)
{
    riscv_cpu_dump_state(RISCV_CPU(cpu), out);
}

bool virt_machine_realize(VirtMachine *vms, Chardev *serial,
                          const char *firmware_path, Error **errp)
{
    MemoryRegion *sysmem = get_system_memory();

    if (!memory_region_init_ram(&vms->ram, OBJECT(vms), "virt.ram",
                                vms->ram_size, errp)) {
        return false;
    }
    memory_region_add_subregion(sysmem, VIRT_RAM_BASE, &vms->ram);
    vms->realized = true; /* from here on finalize tears the board down */

    DeviceState *cpu = qdev_new(TYPE_RISCV_CPU, errp);
    if (!cpu) {
        return false;
    }
    bool ok = object_property_add_child(OBJECT(vms), "cpu0", OBJECT(cpu), errp);
    object_unref(OBJECT(cpu));
    if (!ok) {
        return false;
    }
    vms->cpu = RISCV_CPU(cpu);
    runstate_register_cpu(OBJECT(cpu), virt_dump_cpu_state);
    riscv_cpu_set_address_space(vms->cpu, get_address_space_memory());

    /* The devices of the board table, in its order.  The first with a
     * "chardev" link is the serial port. */
    Chardev *unused_serial = serial;
    for (size_t i = 0; i < VIRT_NUM_DEVICES; i++) {
        const VirtPart *part = &virt_parts[i];
        const char *type = virt_part_type(vms, part);
        if (!type) {
            continue; /* Rust-only, and this rivet has no Rust */
        }
        DeviceState *dev = virt_create_device(
            vms, type, part->child, virt_board[i].base, &unused_serial,
            i == VIRT_DEV_VIRTIO ? vms->virtio_blk : NULL, errp);
        if (!dev) {
            return false;
        }
        sysbus_mmio_map(SYS_BUS_DEVICE(dev), 0, virt_board[i].base);
        vms->devices[i] = dev;
    }
    if (!virt_create_i2c_targets(vms, errp)) {
        return false;
    }
    DeviceState *plic = vms->devices[VIRT_DEV_PLIC];
    DeviceState *clint = vms->devices[VIRT_DEV_CLINT];
    DeviceState *hpet = vms->devices[VIRT_DEV_HPET];
    power_test_set_reset_handler(vms->devices[VIRT_DEV_POWER],
                                 virt_power_reset_request, vms);
    riscv_cpu_set_time_source(vms->cpu, virt_read_mtime, clint);

    /* Interrupt wiring: devices -> PLIC -> hart; CLINT -> hart. */
    sysbus_connect_irq(SYS_BUS_DEVICE(plic), 0,
                       qdev_get_gpio_in(cpu, RISCV_IRQ_MEIP));
    sysbus_connect_irq(SYS_BUS_DEVICE(clint), 0,
                       qdev_get_gpio_in(cpu, RISCV_IRQ_MSIP));
    sysbus_connect_irq(SYS_BUS_DEVICE(clint), 1,
                       qdev_get_gpio_in(cpu, RISCV_IRQ_MTIP));
    for (size_t i = 0; i < VIRT_NUM_DEVICES; i++) {
        if (vms->devices[i] && virt_board[i].irq) {
            virt_connect_plic_source(vms, vms->devices[i], 0,
                                     virt_board[i].irq);
        }
    }
    for (size_t i = 0; i < VIRT_NUM_I2C_TARGETS; i++) {
        if (vms->i2c_targets[i] && virt_i2c_board[i].irq) {
            qdev_connect_gpio_out(vms->i2c_targets[i], 0,
                                  qdev_get_gpio_in(vms->devices[VIRT_DEV_PLIC],
                                                   virt_i2c_board[i].irq));
            vms->plic_source_device[virt_i2c_board[i].irq] =
                vms->i2c_targets[i];
        }
    }
    /* The HPET's timers raise the PLIC source of their route. */
    uint32_t intcap =
        (uint32_t)object_property_get_uint(OBJECT(hpet), "intcap", NULL);
    for (int route = 1; route < VIRT_PLIC_NUM_SOURCES; route++) {
        if (intcap & (1u << route)) {
            virt_connect_plic_source(vms, hpet, route, route);
        }
    }

    if (firmware_path) {
        if (!loader_source_open(&vms->firmware, firmware_path, errp)) {
            return false;
        }
    } else {
        loader_source_init_buffer(&vms->firmware, "built-in demo firmware",
                                  rivet_demo_firmware,
                                  rivet_demo_firmware_size);
    }
    if (!virt_load_firmware(vms, errp)) {
        return false;
    }
    if (vms->htif && vms->image.tohost_addr != LOADER_NO_TOHOST &&
        !htif_init(&vms->htif_dev, OBJECT(vms), vms->image.tohost_addr,
                   vms->image.fromhost_addr, &vms->ram, VIRT_RAM_BASE, serial,
                   errp)) {
        return false;
    }
    if (!object_property_set_uint(OBJECT(cpu), "reset-pc", vms->image.entry,
                                  errp) ||
        !object_property_set_bool(OBJECT(cpu), "trap-misaligned",
                                  vms->trap_misaligned, errp) ||
        !device_realize(cpu, errp)) {
        return false;
    }
    return virt_machine_reset(vms, errp);
}

bool virt_machine_reset(VirtMachine *vms, Error **errp)
{
    vms->reset_requested = false;
    htif_reset(&vms->htif_dev);
    device_reset_tree(OBJECT(vms));
    /* The image was validated when first loaded: reloading fails only if
     * the file changed or cannot be read.  HTIF is switched off meanwhile
     * so the `tohost` bytes of the image reach RAM instead of being taken
     * as a command. */
    htif_set_enabled(&vms->htif_dev, false);
    bool ok = virt_load_firmware(vms, errp);
    htif_set_enabled(&vms->htif_dev, true);
    return ok;
}
