// #[derive(Object)] without #[repr(C)]: the parent would not be at offset 0.
use rivet_hwcore::prelude::*;
use rivet_macros::Object;

#[derive(Object)]
pub struct NoReprC {
    parent_obj: ParentField<SysBusDevice>,
}

// expect-error: 6:12: #[derive(Object)] needs #[repr(C)]
