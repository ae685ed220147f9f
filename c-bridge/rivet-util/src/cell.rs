//! Cells for state shared with C.
//!
//! [`Opaque<T>`] holds a C structure embedded in a Rust device (a
//! `MemoryRegion`, a `Timer`, a `CharFrontend`): C keeps pointers to it and
//! writes it whenever it likes, so Rust never makes a reference to its
//! contents, only raw pointers.  [`Zeroable`] marks types whose all-zero bit
//! pattern is a valid value: QOM allocates instances zero-filled, and a Rust
//! device's fields must be valid in that state before `instance_init` runs.
//! [`StateCell<T>`] is a `RefCell` whose zero value is defined (std's
//! `RefCell` does not promise a layout), for a device's mutable state.

use std::cell::{Cell, UnsafeCell};
use std::marker::PhantomPinned;
use std::mem::MaybeUninit;
use std::ops::{Deref, DerefMut};

/// A C structure owned by Rust but read and written by C.
///
/// It is `!Unpin` (C holds pointers into it) and gives out only raw
/// pointers.  The all-zero value is what QOM's zero-filled allocation
/// provides; C initialises the contents (e.g. `memory_region_init_io`).
#[repr(transparent)]
pub struct Opaque<T> {
    value: UnsafeCell<MaybeUninit<T>>,
    _pin: PhantomPinned,
}

impl<T> Opaque<T> {
    /// An all-zero value, as in a freshly allocated QOM instance.
    ///
    /// # Safety
    ///
    /// The all-zero bit pattern must be acceptable to the C code that will
    /// use the structure before initialising it (true of the C core's plain
    /// structs).
    pub const unsafe fn zeroed() -> Self {
        Self {
            value: UnsafeCell::new(MaybeUninit::zeroed()),
            _pin: PhantomPinned,
        }
    }

    /// A raw pointer to the C structure, for passing to C.
    pub const fn as_mut_ptr(&self) -> *mut T {
        self.value.get().cast()
    }

    /// A raw const pointer to the C structure.
    pub const fn as_ptr(&self) -> *const T {
        self.as_mut_ptr().cast_const()
    }

    /// The `Opaque` that a C pointer to its contents came from.
    ///
    /// # Safety
    ///
    /// `ptr` must point to the contents of a live `Opaque<T>`, and the
    /// returned reference must not outlive it.
    pub unsafe fn from_raw<'a>(ptr: *mut T) -> &'a Self {
        // SAFETY: Opaque<T> is repr(transparent) over the same memory as T;
        // the caller guarantees it is alive.
        unsafe { &*ptr.cast::<Self>() }
    }
}

impl<T> std::fmt::Debug for Opaque<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Opaque({:p})", self.as_ptr())
    }
}

/// Types whose all-zero bit pattern is a valid value.
///
/// # Safety
///
/// Every field of the type (recursively) must be valid when all its bytes
/// are zero: integers, `bool`, raw pointers, `Option` of references or
/// function pointers, `Cell`/[`StateCell`] of such, [`Opaque`].  References,
/// `NonNull`, `Box`, `Vec` and enums without a zero discriminant are not.
pub unsafe trait Zeroable {}

macro_rules! zeroable {
    ($($t:ty),* $(,)?) => {
        // SAFETY: integers, floats and bool are valid when zero.
        $(unsafe impl Zeroable for $t {})*
    };
}
zeroable!(
    u8,
    u16,
    u32,
    u64,
    u128,
    usize,
    i8,
    i16,
    i32,
    i64,
    i128,
    isize,
    bool,
    f32,
    f64,
    ()
);

// SAFETY: a null raw pointer is valid.
unsafe impl<T> Zeroable for *mut T {}
// SAFETY: a null raw pointer is valid.
unsafe impl<T> Zeroable for *const T {}
// SAFETY: Opaque holds MaybeUninit, for which any bytes are valid.
unsafe impl<T> Zeroable for Opaque<T> {}
// SAFETY: Cell<T> has the layout of T; zero is valid when it is for T.
unsafe impl<T: Zeroable> Zeroable for Cell<T> {}
// SAFETY: StateCell is repr(C): a borrow flag (zero: not borrowed) and a T.
unsafe impl<T: Zeroable> Zeroable for StateCell<T> {}
// SAFETY: an array of zeroable elements is zeroable.
unsafe impl<T: Zeroable, const N: usize> Zeroable for [T; N] {}
// SAFETY: None is the null niche of function pointers and references.
unsafe impl<T: ?Sized> Zeroable for Option<&T> {}
// SAFETY: PhantomData has no bytes.
unsafe impl<T: ?Sized> Zeroable for std::marker::PhantomData<T> {}

/// A `RefCell` for device state, with a defined all-zero value.
///
/// Borrowing twice mutably (e.g. a callback that re-enters the device while
/// a `borrow_mut` guard is alive) panics, which aborts the emulator with
/// the location: such re-entry is a bug in the device.
#[repr(C)]
pub struct StateCell<T> {
    /// 0: free, > 0: that many shared borrows, -1: borrowed mutably.
    flag: Cell<isize>,
    value: UnsafeCell<T>,
}

impl<T> StateCell<T> {
    /// Where the `T` lives inside the cell (`UnsafeCell` is transparent),
    /// for descriptions whose fields the C core reads and writes in place
    /// (rivet-migration): only while no borrow is alive.
    pub const VALUE_OFFSET: usize = std::mem::offset_of!(StateCell<T>, value);

    /// A cell holding `value`.
    pub const fn new(value: T) -> Self {
        Self {
            flag: Cell::new(0),
            value: UnsafeCell::new(value),
        }
    }

    /// Borrow the state for reading.
    ///
    /// # Panics
    ///
    /// If it is borrowed mutably.
    #[track_caller]
    pub fn borrow(&self) -> StateRef<'_, T> {
        let f = self.flag.get();
        assert!(f >= 0, "rivet: device state already borrowed mutably");
        self.flag.set(f + 1);
        StateRef { cell: self }
    }

    /// Borrow the state for writing.
    ///
    /// # Panics
    ///
    /// If it is borrowed at all.
    #[track_caller]
    pub fn borrow_mut(&self) -> StateRefMut<'_, T> {
        assert!(self.flag.get() == 0, "rivet: device state already borrowed");
        self.flag.set(-1);
        StateRefMut { cell: self }
    }

    /// Replace the state, returning the old one.
    #[track_caller]
    pub fn replace(&self, value: T) -> T {
        std::mem::replace(&mut *self.borrow_mut(), value)
    }
}

impl<T: Default> Default for StateCell<T> {
    fn default() -> Self {
        Self::new(T::default())
    }
}

impl<T: std::fmt::Debug> std::fmt::Debug for StateCell<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("StateCell").field(&*self.borrow()).finish()
    }
}

/// A shared borrow of a [`StateCell`].
pub struct StateRef<'a, T> {
    cell: &'a StateCell<T>,
}

impl<T> Deref for StateRef<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: the flag counts this shared borrow, so no mutable one
        // exists until it is dropped.
        unsafe { &*self.cell.value.get() }
    }
}

impl<T> Drop for StateRef<'_, T> {
    fn drop(&mut self) {
        self.cell.flag.set(self.cell.flag.get() - 1);
    }
}

/// A mutable borrow of a [`StateCell`].
pub struct StateRefMut<'a, T> {
    cell: &'a StateCell<T>,
}

impl<T> Deref for StateRefMut<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: the flag is -1: this guard is the only borrow.
        unsafe { &*self.cell.value.get() }
    }
}

impl<T> DerefMut for StateRefMut<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: the flag is -1: this guard is the only borrow.
        unsafe { &mut *self.cell.value.get() }
    }
}

impl<T> Drop for StateRefMut<'_, T> {
    fn drop(&mut self) {
        self.cell.flag.set(0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_cell_borrows() {
        let c = StateCell::new(5u32);
        {
            let a = c.borrow();
            let b = c.borrow();
            assert_eq!(*a + *b, 10);
        }
        *c.borrow_mut() += 1;
        assert_eq!(*c.borrow(), 6);
        assert_eq!(c.replace(1), 6);
    }

    #[test]
    #[should_panic(expected = "already borrowed")]
    fn state_cell_double_mut_panics() {
        let c = StateCell::new(0u8);
        let _a = c.borrow_mut();
        let _b = c.borrow_mut();
    }

    #[test]
    fn zeroed_state_cell_is_free() {
        // What QOM's zero-filled allocation gives a device.
        let c: StateCell<u64> = StateCell::new(0);
        // SAFETY: StateCell<u64> is Zeroable.
        let z: StateCell<u64> = unsafe { std::mem::zeroed() };
        assert_eq!(*z.borrow_mut(), *c.borrow());
    }
}
