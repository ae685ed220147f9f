/*
 * IOMMUs: devices that translate the DMA addresses (I/O virtual addresses,
 * IOVAs) of the devices behind them into physical addresses, and refuse
 * what their tables do not allow.  TYPE_IOMMU is abstract; a model (the
 * RISC-V IOMMU, hw/iommu/riscviommu) derives from it and fills in the
 * class methods.
 *
 * A device behind an IOMMU has a link property "iommu" (to the IOMMU
 * object) and a uint32 property "iommu-device-id" (its requester ID, the
 * RISC-V IOMMU's device_id); the board sets both (core/machine/virt.c).
 * Before each DMA the device calls iommu_translate() and loops while
 * *mapped is shorter than what it wants.
 */
#ifndef RIVET_HWCORE_IOMMU_H
#define RIVET_HWCORE_IOMMU_H

#include <stdint.h>

#include "hwcore/sysbus.h"

#define TYPE_IOMMU "iommu"

/* The property names a device behind an IOMMU declares. */
#define IOMMU_PROP_LINK "iommu"
#define IOMMU_PROP_DEVICE_ID "iommu-device-id"

/* What a DMA does; a read-modify-write asks for both. */
typedef enum IommuAccess {
    IOMMU_ACCESS_READ = 1,
    IOMMU_ACCESS_WRITE = 2,
} IommuAccess;

/* How an IOMMU treats DMA right now (iommu_get_mode). */
typedef enum IommuMode {
    IOMMU_MODE_OFF = 0,       /* every DMA is refused (cause 256) */
    IOMMU_MODE_BARE = 1,      /* DMA addresses are physical addresses */
    IOMMU_MODE_TRANSLATE = 2, /* through the IOMMU's tables */
} IommuMode;

/* Fault causes (RISC-V IOMMU Architecture Specification v1.0, "Fault/Event
 * cause" table): what iommu_translate returns on a refused DMA.  The
 * first-stage causes are the privileged architecture's exception codes. */
typedef enum IommuFaultCause {
    IOMMU_CAUSE_NONE = 0, /* success: iommu_translate returns 0 */
    IOMMU_CAUSE_READ_ACCESS_FAULT = 5,
    IOMMU_CAUSE_WRITE_ACCESS_FAULT = 7,
    IOMMU_CAUSE_READ_PAGE_FAULT = 13,
    IOMMU_CAUSE_WRITE_PAGE_FAULT = 15,
    IOMMU_CAUSE_ALL_DISALLOWED = 256,
    IOMMU_CAUSE_DDT_LOAD_FAULT = 257,
    IOMMU_CAUSE_DDT_INVALID = 258,
    IOMMU_CAUSE_DDT_MISCONFIGURED = 259,
    IOMMU_CAUSE_TTYPE_DISALLOWED = 260,
} IommuFaultCause;

typedef struct IOMMU {
    SysBusDevice parent_obj;
    /* Bumped (iommu_invalidated) whenever a translation handed out
     * earlier may no longer hold: a cache of translations kept by a
     * device (vm-memory's Iotlb) is dropped when this changed. */
    uint64_t generation;
} IOMMU;

/* Translate [iova, iova + len) for device_id with access (IommuAccess
 * bits): 0 with *phys and *mapped (1 <= *mapped <= len bytes from iova
 * contiguous in physical memory, all allowed access), or the fault cause
 * after recording the fault as the model's specification says (fault
 * queue record, interrupt).  len 0 returns 0 with *mapped 0. */
typedef int IommuTranslate(IOMMU *iommu, uint32_t device_id, uint64_t iova,
                           uint64_t len, unsigned access, uint64_t *phys,
                           uint64_t *mapped);
typedef IommuMode IommuGetMode(IOMMU *iommu);

typedef struct IOMMUClass {
    SysBusDeviceClass parent_class;
    IommuTranslate *translate;
    IommuGetMode *get_mode;
} IOMMUClass;

#define IOMMU(obj) OBJECT_CHECK(IOMMU, (obj), TYPE_IOMMU)
#define IOMMU_GET_CLASS(obj) OBJECT_GET_CLASS(IOMMUClass, (obj), TYPE_IOMMU)
#define IOMMU_CLASS(klass)                                                     \
    ((IOMMUClass *)object_class_dynamic_cast(OBJECT_CLASS(klass), TYPE_IOMMU))

/* The entry point for devices (C and Rust).  iommu NULL means no IOMMU
 * in front of the device: *phys = iova, *mapped = len. */
int iommu_translate(IOMMU *iommu, uint32_t device_id, uint64_t iova,
                    uint64_t len, unsigned access, uint64_t *phys,
                    uint64_t *mapped);
/* IOMMU_MODE_BARE for NULL. */
IommuMode iommu_get_mode(IOMMU *iommu);
/* The current generation (0 for NULL); see IOMMU.generation. */
uint64_t iommu_get_generation(IOMMU *iommu);
/* For models: cached translations may be stale from now on. */
void iommu_invalidated(IOMMU *iommu);

#endif /* RIVET_HWCORE_IOMMU_H */
