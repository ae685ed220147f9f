//! The builder's descriptions as the C core sees them: checked as
//! registering a section checks them, then saved and loaded by the C
//! encoder, with the Rust hooks called back through the trampolines.

use std::cell::Cell;
use std::ffi::{c_int, c_void};
use std::mem::{offset_of, MaybeUninit};
use std::ptr;

use super::*;
use crate::vmstate_field;

/// A register block as a device would describe it.  `loaded_version`
/// is host-side state the description leaves out.
#[repr(C)]
#[derive(Debug, Default, PartialEq)]
struct Regs {
    ctrl: u32,
    count: u8,
    fifo: [u16; 4],
    enabled: bool,
    loaded_version: Cell<i32>,
}

const FIELDS: &[VMStateField] = &[
    vmstate_field!(Regs, ctrl).mask(0xff).build(),
    vmstate_field!(Regs, count).max(3).build(),
    vmstate_field!(Regs, fifo)
        .varray::<u8>(offset_of!(Regs, count))
        .build(),
    vmstate_field!(Regs, enabled).version(2).build(),
    END_OF_LIST,
];

const EXTRA_FIELDS: &[VMStateField] = &[vmstate_field!(Regs, fifo).build(), END_OF_LIST];

/// The subsection, in the stream only while `ctrl` bit 7 is set.
const EXTRA: &VMStateDescription = &VMStateDescription {
    needed: Some(extra_needed),
    ..description(c"test-regs/extra", 1, 1, EXTRA_FIELDS)
};
const SUBSECTIONS: &[*const VMStateDescription] = &[EXTRA, ptr::null()];

const VMSD: &VMStateDescription = &VMStateDescription {
    pre_save: Some(regs_pre_save),
    post_load: Some(regs_post_load),
    subsections: SUBSECTIONS.as_ptr(),
    ..description(c"test-regs", 2, 1, FIELDS)
};

impl Regs {
    fn refuse_bad_ctrl(&self) -> Result<()> {
        if self.ctrl == 0xee {
            return Err(Error::new("test-regs: ctrl 0xee cannot be saved"));
        }
        Ok(())
    }
    fn record_version(&self, version_id: i32) -> Result<()> {
        self.loaded_version.set(version_id);
        Ok(())
    }
}

unsafe extern "C" fn regs_pre_save(opaque: *mut c_void, errp: *mut *mut util_sys::Error) -> bool {
    // SAFETY: the C core passes the Regs being saved and its error pointer.
    unsafe { call_pre_save::<Regs>(opaque, errp, Regs::refuse_bad_ctrl) }
}

unsafe extern "C" fn regs_post_load(
    opaque: *mut c_void,
    version_id: c_int,
    errp: *mut *mut util_sys::Error,
) -> bool {
    // SAFETY: as in regs_pre_save.
    unsafe { call_post_load::<Regs>(opaque, version_id, errp, Regs::record_version) }
}

unsafe extern "C" fn extra_needed(opaque: *mut c_void) -> bool {
    // SAFETY: the C core passes the Regs being saved.
    unsafe { call_needed::<Regs>(opaque, |r| r.ctrl & 0x80 != 0) }
}

/// What the C core writes for `regs`.
fn save(vmsd: &VMStateDescription, regs: &mut Regs) -> Result<Vec<u8>> {
    let mut w = MaybeUninit::<sys::MigWriter>::zeroed();
    // SAFETY: w is initialised by mig_writer_init and freed once below;
    // regs is the struct the description describes.
    unsafe {
        sys::mig_writer_init(w.as_mut_ptr());
        let saved = Error::with_errp(|errp| {
            sys::vmstate_save(
                w.as_mut_ptr(),
                vmsd,
                ptr::from_mut(regs).cast(),
                ptr::null_mut(),
                errp,
            )
        });
        let w = w.as_mut_ptr();
        let bytes = if (*w).len == 0 {
            Vec::new()
        } else {
            std::slice::from_raw_parts((*w).data, (*w).len).to_vec()
        };
        sys::mig_writer_free(w);
        saved.map(|_| bytes)
    }
}

/// Loads `bytes`, written by `version_id`, into `regs`.
fn load(vmsd: &VMStateDescription, bytes: &[u8], regs: &mut Regs, version_id: i32) -> Result<()> {
    let mut r = MaybeUninit::<sys::MigReader>::zeroed();
    // SAFETY: the reader covers bytes, which outlive it; regs is the
    // struct the description describes.
    unsafe {
        sys::mig_reader_init(r.as_mut_ptr(), bytes.as_ptr(), bytes.len());
        Error::with_errp(|errp| {
            sys::vmstate_load(
                r.as_mut_ptr(),
                vmsd,
                ptr::from_mut(regs).cast(),
                version_id,
                errp,
            )
        })
    }
    .map(drop)
}

fn sample() -> Regs {
    Regs {
        ctrl: 0x12,
        count: 2,
        fifo: [0x101, 0x202, 0x303, 0x404],
        enabled: true,
        ..Regs::default()
    }
}

#[test]
fn the_c_core_accepts_the_built_description() {
    assert_eq!(check_description(VMSD), Ok(()));
}

#[test]
fn the_c_core_rejects_a_count_field_after_its_array() {
    const LATE_COUNT_FIELDS: &[VMStateField] = &[
        vmstate_field!(Regs, fifo)
            .varray::<u8>(offset_of!(Regs, count))
            .build(),
        vmstate_field!(Regs, count).build(),
        END_OF_LIST,
    ];
    const LATE_COUNT: &VMStateDescription = &description(c"late-count", 1, 1, LATE_COUNT_FIELDS);
    assert_eq!(
        check_description(LATE_COUNT),
        Err(Error::new(
            "vmstate 'late-count' field 'fifo': its uint8 count field must be an earlier field \
             of the same description"
        ))
    );
}

#[test]
fn a_saved_struct_loads_back_with_its_hooks() {
    let mut regs = sample();
    let bytes = save(VMSD, &mut regs).unwrap();
    // Big-endian ctrl, count, the 2 counted fifo entries, enabled; no
    // subsection (ctrl bit 7 is clear).
    assert_eq!(bytes, [0, 0, 0, 0x12, 2, 1, 1, 2, 2, 1]);

    let mut loaded = Regs::default();
    load(VMSD, &bytes, &mut loaded, 2).unwrap();
    assert_eq!(loaded.loaded_version.get(), 2);
    loaded.loaded_version.set(0);
    assert_eq!(
        loaded,
        Regs {
            fifo: [0x101, 0x202, 0, 0],
            ..sample()
        }
    );
}

#[test]
fn a_needed_subsection_is_saved_and_loaded() {
    let mut regs = Regs {
        ctrl: 0x80,
        ..sample()
    };
    let with = save(VMSD, &mut regs).unwrap();
    regs.ctrl = 0x00;
    let without = save(VMSD, &mut regs).unwrap();
    assert!(with.len() > without.len() + 8, "{with:?} vs {without:?}");

    let mut loaded = Regs::default();
    load(VMSD, &with, &mut loaded, 2).unwrap();
    // The subsection carries the whole fifo, not just the counted part.
    assert_eq!(loaded.fifo, sample().fifo);
}

#[test]
fn a_failing_pre_save_hook_fails_the_save_with_its_message() {
    let mut regs = Regs {
        ctrl: 0xee,
        ..sample()
    };
    assert_eq!(
        save(VMSD, &mut regs).map(drop).unwrap_err().message(),
        "test-regs: ctrl 0xee cannot be saved"
    );
}

#[test]
fn loading_applies_the_builder_limits() {
    for (regs, field) in [
        (
            Regs {
                ctrl: 0x1ff,
                ..sample()
            },
            "ctrl",
        ),
        (
            Regs {
                count: 4,
                ..sample()
            },
            "count",
        ),
    ] {
        let mut regs = regs;
        let bytes = save(VMSD, &mut regs).unwrap();
        let err = load(VMSD, &bytes, &mut Regs::default(), 2).unwrap_err();
        assert!(err.message().contains(&format!("'{field}'")), "{err}");
    }
}

#[test]
fn a_version_1_stream_has_no_version_2_field() {
    let mut regs = sample();
    let bytes = save(VMSD, &mut regs).unwrap();
    // Without `enabled`, the last byte.
    let v1 = &bytes[..bytes.len() - 1];
    let mut loaded = Regs::default();
    load(VMSD, v1, &mut loaded, 1).unwrap();
    assert_eq!(loaded.loaded_version.get(), 1);
    assert!(!loaded.enabled);
    assert_eq!(loaded.ctrl, 0x12);
}
