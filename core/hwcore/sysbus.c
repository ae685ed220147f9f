/*
 * System-bus devices: MMIO regions the board maps into system memory and
 * IRQ outputs it wires to an interrupt controller.
 */
#include "hwcore/sysbus.h"

#include <stdio.h>
#include <stdlib.h>

static void sysbus_bug(const char *what, const SysBusDevice *dev)
{
    fprintf(stderr, "rivet: bug: %s (device type '%s')\n", what,
            object_get_typename(OBJECT(dev)));
    abort();
}

void sysbus_init_mmio(SysBusDevice *dev, MemoryRegion *mr)
{
    if (dev->num_mmio == SYSBUS_DEVICE_MAX_MMIO) {
        sysbus_bug("too many MMIO regions", dev);
    }
    dev->mmio_addr[dev->num_mmio] = 0;
    dev->mmio[dev->num_mmio++] = mr;
}

void sysbus_init_irq(SysBusDevice *dev, IRQ *p)
{
    if (dev->num_irq == SYSBUS_DEVICE_MAX_IRQ) {
        sysbus_bug("too many IRQ outputs", dev);
    }
    dev->irqp[dev->num_irq++] = p;
}

MemoryRegion *sysbus_mmio_get_region(SysBusDevice *dev, int n)
{
    if (n < 0 || n >= dev->num_mmio) {
        sysbus_bug("MMIO region index out of range", dev);
    }
    return dev->mmio[n];
}

void sysbus_mmio_map(SysBusDevice *dev, int n, hwaddr addr)
{
    MemoryRegion *mr = sysbus_mmio_get_region(dev, n);
    MemoryRegion *sysmem = get_system_memory();
    /* Re-mapping moves the region rather than mapping it twice. */
    if (mr->container) {
        memory_region_del_subregion(mr->container, mr);
    }
    dev->mmio_addr[n] = addr;
    memory_region_add_subregion(sysmem, addr, mr);
}

void sysbus_connect_irq(SysBusDevice *dev, int n, IRQ irq)
{
    if (n < 0 || n >= dev->num_irq) {
        sysbus_bug("IRQ output index out of range", dev);
    }
    *dev->irqp[n] = irq;
}

/* Runs after the subclass finalizers; a region the subclass destroyed is
 * already detached (its container is NULL), so only live mappings go. */
static void sysbus_device_finalize(Object *obj)
{
    SysBusDevice *dev = (SysBusDevice *)obj;
    for (int i = 0; i < dev->num_mmio; i++) {
        MemoryRegion *mr = dev->mmio[i];
        if (mr->container) {
            memory_region_del_subregion(mr->container, mr);
        }
    }
}

static const TypeInfo sysbus_device_type = {
    .name = TYPE_SYS_BUS_DEVICE,
    .parent = TYPE_DEVICE,
    .instance_size = sizeof(SysBusDevice),
    .class_size = sizeof(SysBusDeviceClass),
    .abstract = true,
    .instance_finalize = sysbus_device_finalize,
};

__attribute__((constructor)) static void sysbus_register_types(void)
{
    type_register_static(&sysbus_device_type);
}
