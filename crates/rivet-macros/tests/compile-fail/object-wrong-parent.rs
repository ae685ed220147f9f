// The ParentField must hold ObjectImpl::ParentType, not another ancestor.
use rivet_hwcore::prelude::*;
use rivet_macros::{qom_pin_data, Object};

#[repr(C)]
#[derive(Object)]
#[qom_pin_data]
pub struct WrongParent {
    #[pin]
    parent_obj: ParentField<rivet_hwcore::qdev::DeviceState>,
}

// SAFETY: not registered; the snippet only has to type-check.
unsafe impl ObjectType for WrongParent {
    const TYPE_NAME: &'static core::ffi::CStr = c"wrong-parent";
}
rivet_qom::qom_isa!(WrongParent: SysBusDevice, rivet_hwcore::qdev::DeviceState, rivet_qom::Object);

impl ObjectImpl for WrongParent {
    type ParentType = SysBusDevice;
    fn init() -> impl PinInit<Self> {
        pin_init!(Self {
            parent_obj <- ParentField::initialised_by_c(),
        })
    }
}

// expect-error: 10:5: mismatched types
