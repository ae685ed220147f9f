// A QOM type has one layout: no generic parameters.
use rivet_hwcore::prelude::*;
use rivet_macros::Object;

#[repr(C)]
#[derive(Object)]
pub struct Generic<T> {
    parent_obj: ParentField<SysBusDevice>,
    value: T,
}

// expect-error: 7:20: #[derive(Object)] does not support generic parameters
