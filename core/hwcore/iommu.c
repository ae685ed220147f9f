/*
 * The abstract IOMMU type and the entry point devices call before a DMA
 * (hwcore/iommu.h).
 */
#include "hwcore/iommu.h"

#include <stdio.h>
#include <stdlib.h>

int iommu_translate(IOMMU *iommu, uint32_t device_id, uint64_t iova,
                    uint64_t len, unsigned access, uint64_t *phys,
                    uint64_t *mapped)
{
    if (len == 0) {
        *phys = iova;
        *mapped = 0;
        return 0;
    }
    if (!iommu) {
        *phys = iova;
        *mapped = len;
        return 0;
    }
    IOMMUClass *ic = IOMMU_GET_CLASS(iommu);
    int cause =
        ic->translate(iommu, device_id, iova, len, access, phys, mapped);
    if (cause == 0 && (*mapped == 0 || *mapped > len)) {
        fprintf(stderr,
                "rivet: bug: %s mapped %llu bytes of a %llu-byte request\n",
                object_get_typename(OBJECT(iommu)), (unsigned long long)*mapped,
                (unsigned long long)len);
        abort();
    }
    return cause;
}

IommuMode iommu_get_mode(IOMMU *iommu)
{
    return iommu ? IOMMU_GET_CLASS(iommu)->get_mode(iommu) : IOMMU_MODE_BARE;
}

uint64_t iommu_get_generation(IOMMU *iommu)
{
    return iommu ? iommu->generation : 0;
}

void iommu_invalidated(IOMMU *iommu)
{
    iommu->generation++;
}

static const TypeInfo iommu_type = {
    .name = TYPE_IOMMU,
    .parent = TYPE_SYS_BUS_DEVICE,
    .instance_size = sizeof(IOMMU),
    .class_size = sizeof(IOMMUClass),
    .abstract = true,
};

/* Registered before main().  The static linker keeps this file whenever a
 * model is linked: every model calls iommu_invalidated(). */
__attribute__((constructor)) static void iommu_register_types(void)
{
    type_register_static(&iommu_type);
}
