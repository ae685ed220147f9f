// QOM hands out zero-filled instances: a String field is not valid as zeroes.
use rivet_hwcore::prelude::*;
use rivet_macros::Object;

#[repr(C)]
#[derive(Object)]
pub struct HoldsString {
    parent_obj: ParentField<SysBusDevice>,
    label: String,
}

// SAFETY: not registered; the snippet only has to type-check.
unsafe impl ObjectType for HoldsString {
    const TYPE_NAME: &'static core::ffi::CStr = c"holdsstring";
}
rivet_qom::qom_isa!(HoldsString: SysBusDevice, rivet_hwcore::qdev::DeviceState, rivet_qom::Object);

impl ObjectImpl for HoldsString {
    type ParentType = SysBusDevice;
}

// expect-error: 9:12: the trait bound `String: Zeroable` is not satisfied
