/*
 * System-bus devices: a device with MMIO regions mapped into the system
 * address space and IRQ outputs wired to an interrupt controller.
 */
#ifndef RIVET_HWCORE_SYSBUS_H
#define RIVET_HWCORE_SYSBUS_H

#include "hwcore/qdev.h"
#include "memory/memory.h"

#define TYPE_SYS_BUS_DEVICE "sys-bus-device"

#define SYSBUS_DEVICE_MAX_MMIO 4
#define SYSBUS_DEVICE_MAX_IRQ 32

typedef struct SysBusDevice {
    DeviceState parent_obj;
    int num_mmio;
    MemoryRegion *mmio[SYSBUS_DEVICE_MAX_MMIO];
    hwaddr mmio_addr[SYSBUS_DEVICE_MAX_MMIO];
    int num_irq;
    IRQ *irqp[SYSBUS_DEVICE_MAX_IRQ];
} SysBusDevice;

typedef struct SysBusDeviceClass {
    DeviceClass parent_class;
} SysBusDeviceClass;

#define SYS_BUS_DEVICE(obj)                                                    \
    OBJECT_CHECK(SysBusDevice, (obj), TYPE_SYS_BUS_DEVICE)

/* Called from instance_init or realize: export a region / an IRQ output
 * (the device raises *p; it stays NULL until connected).  The region must
 * live as long as the device (embed it in the instance struct); a mapping
 * still present at finalize is removed. */
void sysbus_init_mmio(SysBusDevice *dev, MemoryRegion *mr);
void sysbus_init_irq(SysBusDevice *dev, IRQ *p);

/* Board wiring. */
void sysbus_mmio_map(SysBusDevice *dev, int n, hwaddr addr);
void sysbus_connect_irq(SysBusDevice *dev, int n, IRQ irq);
MemoryRegion *sysbus_mmio_get_region(SysBusDevice *dev, int n);

#endif /* RIVET_HWCORE_SYSBUS_H */
