// The ParentField must hold ObjectImpl::ParentType, not another ancestor.
use rivet_hwcore::prelude::*;
use rivet_macros::Object;

#[repr(C)]
#[derive(Object)]
pub struct WrongParent {
    parent_obj: ParentField<rivet_hwcore::qdev::DeviceState>,
}

// SAFETY: not registered; the snippet only has to type-check.
unsafe impl ObjectType for WrongParent {
    const TYPE_NAME: &'static core::ffi::CStr = c"wrong-parent";
}
rivet_qom::qom_isa!(WrongParent: SysBusDevice, rivet_hwcore::qdev::DeviceState, rivet_qom::Object);

impl ObjectImpl for WrongParent {
    type ParentType = SysBusDevice;
}

// expect-error: 8:5: mismatched types
