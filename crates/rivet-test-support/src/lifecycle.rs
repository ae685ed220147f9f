//! Creating and freeing devices: finalize must release everything the
//! device made (regions, timers, frontends, Rust fields).  The device
//! crates' `lifecycle` tests call [`create_and_free`]; Meson runs them once
//! more under valgrind, which fails on any definitely lost block (a region
//! name, a field's heap memory).

use rivet_hwcore::qdev::{DeviceImpl, DeviceMethods};
use rivet_qom::Owned;

/// The earliest armed deadline on the virtual clock (`i64::MAX`: none).
fn next_deadline() -> i64 {
    // SAFETY: reads the clock's timer list, which only this thread uses.
    unsafe { rivet_util::bindings::vclock_next_deadline() }
}

/// Whether a timer is armed on the virtual clock (for `exercise` to check
/// that it reached the code that must be undone).
pub fn timer_armed() -> bool {
    next_deadline() != i64::MAX
}

/// Create a `T` `times` times, realize it, run `exercise` on it (arm its
/// timers, connect what it connects), and free it.
///
/// # Panics
///
/// When creating or realizing fails, or when a freed device left a timer
/// armed on the clock (the clock would call into freed memory).
pub fn create_and_free<T: DeviceImpl>(times: usize, exercise: impl Fn(&T)) {
    create_and_free_prepared(times, |_| {}, exercise);
}

/// [`create_and_free`] for a device that needs setting up before realize
/// (`prepare`: put an I2C target on its bus).
///
/// # Panics
///
/// As [`create_and_free`].
pub fn create_and_free_prepared<T: DeviceImpl>(
    times: usize,
    prepare: impl Fn(&T),
    exercise: impl Fn(&T),
) {
    assert_eq!(
        next_deadline(),
        i64::MAX,
        "a timer was armed before the test"
    );
    for round in 0..times {
        let dev = Owned::<T>::new().expect("rivet: creating the device failed");
        prepare(&dev);
        dev.realize_device()
            .expect("rivet: realizing the device failed");
        exercise(&dev);
        drop(dev);
        assert_eq!(
            next_deadline(),
            i64::MAX,
            "round {round}: a freed device left a timer armed"
        );
    }
}
