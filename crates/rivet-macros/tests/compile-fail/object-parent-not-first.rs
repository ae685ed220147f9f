// The parent must be the first field: QOM casts the instance pointer to it.
use rivet_hwcore::prelude::*;
use rivet_macros::Object;

#[repr(C)]
#[derive(Object)]
pub struct ParentSecond {
    iomem: MemoryRegion,
    parent_obj: ParentField<SysBusDevice>,
}

// expect-error: 8:12: the first field must be the parent instance
