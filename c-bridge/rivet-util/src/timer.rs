//! Timers on the deterministic virtual clock: guest time advances one
//! nanosecond per executed instruction, so a device never reads host time
//! and a run is reproducible.

use std::ffi::c_void;

use crate::cell::{Opaque, Zeroable};
use util_sys as sys;

/// The current virtual time, in nanoseconds since reset.
pub fn now_ns() -> i64 {
    // SAFETY: reads the global virtual clock.
    unsafe { sys::vclock_get_ns() }
}

/// What a timer calls when it expires.
pub trait TimerHandler: 'static {
    /// The timer reached its deadline (re-arm it here for periodic use).
    fn expired(&self);
}

/// # Safety
///
/// `opaque` must be the handler given to [`Timer::init`].
unsafe extern "C" fn timer_cb<T: TimerHandler>(opaque: *mut c_void) {
    // SAFETY: opaque is a live T (init's contract).
    unsafe { &*opaque.cast::<T>() }.expired();
}

/// A one-shot timer embedded in a device.
#[repr(transparent)]
#[derive(Debug)]
pub struct Timer(Opaque<sys::Timer>);

// SAFETY: the C Timer is valid zeroed before timer_init.
unsafe impl Zeroable for Timer {}

/// A timer is disarmed when it is dropped (its owner is finalized), so the
/// clock never calls into freed memory.
impl Drop for Timer {
    fn drop(&mut self) {
        self.delete();
    }
}

impl Timer {
    /// Set the timer up to call `handler` when it expires.
    ///
    /// # Safety
    ///
    /// The timer and `handler` must not move or be freed while the timer
    /// is armed: embed both in the same QOM object (dropping the timer at
    /// finalize disarms it).
    pub unsafe fn init<T: TimerHandler>(&self, handler: &T) {
        // SAFETY: the Timer and handler stay valid (caller).
        unsafe {
            sys::timer_init(
                self.0.as_mut_ptr(),
                Some(timer_cb::<T>),
                std::ptr::from_ref(handler).cast_mut().cast(),
            );
        }
    }

    /// Arm (or re-arm) the timer for virtual time `expire_ns`.
    pub fn modify(&self, expire_ns: i64) {
        // SAFETY: an initialised timer (init ran in instance_init).
        unsafe { sys::timer_mod(self.0.as_mut_ptr(), expire_ns) };
    }

    /// Disarm the timer.
    pub fn delete(&self) {
        // SAFETY: an initialised (or zeroed, hence unarmed) timer.
        unsafe { sys::timer_del(self.0.as_mut_ptr()) };
    }

    /// Whether the timer is armed.
    pub fn is_pending(&self) -> bool {
        // SAFETY: reads an initialised or zeroed timer.
        unsafe { sys::timer_pending(self.0.as_ptr()) }
    }

    /// The deadline of an armed timer, `None` when it is not armed.
    pub fn expire_time(&self) -> Option<i64> {
        // SAFETY: reads an initialised or zeroed timer.
        let t = unsafe { sys::timer_expire_time(self.0.as_ptr()) };
        (t != i64::MAX).then_some(t)
    }
}
