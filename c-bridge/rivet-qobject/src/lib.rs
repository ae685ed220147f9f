//! The safe Rust API of rivet's C qobject library (include/qobject/):
//! owned references to C QObjects, their JSON text (parsed and printed by
//! the C side, through jansson), and the bridge to serde.
//!
//! A [`QObject`] owns one reference to a C `QObject`: cloning takes
//! another, dropping releases it.  Rust code reads and builds QObjects
//! through serde: [`from_qobject`] deserializes any `DeserializeOwned`
//! type (the QAPI types of `rivet-qapi`) from a QObject, [`to_qobject`]
//! serializes one into a new QObject.  Both go through `serde_json`'s
//! [`Value`](serde_json::Value), the tree serde_json already
//! (de)serializes every type to and from, converted node by node to and
//! from the C tree ([`QObject::to_value`], [`QObject::from_value`]); the
//! conversions keep QNum's three kinds (i64, u64, f64) apart.  A Rust
//! object becomes a QDict with its keys in serde_json's (sorted) order.
//!
//! [`qmp`] holds what the generated marshallers of the QMP commands
//! written in Rust call (crates/rivet-qmp, docs/qapi.md).

pub mod qmp;
#[cfg(test)]
mod tests;

use std::ffi::{c_char, CStr, CString};
use std::fmt;
use std::ptr::NonNull;

use qobject_sys as sys;
use rivet_util::error::{Error, Result};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{Map, Number, Value};

/// The raw bindings of `qobject-sys`, for what the safe API does not cover
/// yet.  Using them needs `unsafe` and a `// SAFETY:` comment.
pub use qobject_sys as bindings;
/// The raw bindings of `util-sys` (the C `Error` of `Error **errp`).
pub use util_sys as util_bindings;

/// One owned reference to a C `QObject` (not `Send`: C's reference counts
/// are not atomic).
pub struct QObject(NonNull<sys::QObject>);

impl QObject {
    /// Take over one reference to `ptr`.
    ///
    /// # Safety
    ///
    /// `ptr` is a valid QObject and the caller gives up one reference to it.
    pub unsafe fn from_raw(ptr: *mut sys::QObject) -> Self {
        Self(NonNull::new(ptr).expect("QObject::from_raw of NULL"))
    }

    /// A new reference to `ptr`, which the caller keeps its own to.
    ///
    /// # Safety
    ///
    /// `ptr` is a valid QObject.
    pub unsafe fn from_borrowed(ptr: *mut sys::QObject) -> Self {
        // SAFETY: ptr is valid (caller); qobject_ref adds one reference.
        unsafe { Self::from_raw(sys::qobject_ref(ptr)) }
    }

    /// Give the reference to C: the caller must release it.
    pub fn into_raw(self) -> *mut sys::QObject {
        let ptr = self.0.as_ptr();
        std::mem::forget(self);
        ptr
    }

    /// The C pointer, valid while `self` lives.
    pub fn as_ptr(&self) -> *mut sys::QObject {
        self.0.as_ptr()
    }

    /// Parse JSON text with the C parser (QEMU's limits, qobject/qjson.h).
    ///
    /// ```
    /// let obj = rivet_qobject::QObject::from_json(r#"{"a": [1, null]}"#).unwrap();
    /// assert_eq!(obj.to_json(), r#"{"a": [1, null]}"#);
    /// ```
    pub fn from_json(text: &str) -> Result<Self> {
        // SAFETY: text is valid for its length; the parser sets err or
        // returns a new reference.
        let obj = unsafe {
            Error::with_errp(|errp| {
                sys::qobject_from_json(text.as_ptr().cast::<c_char>(), text.len(), errp)
            })
        }?;
        // SAFETY: a successful parse returns a new reference.
        Ok(unsafe { Self::from_raw(obj) })
    }

    /// The compact JSON text (QMP's wire form), printed by the C side.
    pub fn to_json(&self) -> String {
        // SAFETY: self is valid; the result is a malloc'd C string we free.
        unsafe {
            let text = sys::qobject_to_json(self.as_ptr(), false);
            let s = CStr::from_ptr(text).to_string_lossy().into_owned();
            libc_free(text.cast());
            s
        }
    }

    /// The same tree as a `serde_json::Value`.
    pub fn to_value(&self) -> Value {
        // SAFETY: self is a valid QObject for the whole call.
        unsafe { value_of(self.as_ptr()) }
    }

    /// A new QObject tree of `value`; fails for a string or key holding a
    /// NUL, which a C string cannot.
    pub fn from_value(value: &Value) -> Result<Self> {
        // SAFETY: every constructor returns a new reference, which
        // from_raw takes over.
        unsafe {
            Ok(Self::from_raw(match value {
                Value::Null => sys::qnull().cast(),
                Value::Bool(b) => sys::qbool_from_bool(*b).cast(),
                Value::Number(n) => {
                    if let Some(i) = n.as_i64() {
                        sys::qnum_from_int(i).cast()
                    } else if let Some(u) = n.as_u64() {
                        sys::qnum_from_uint(u).cast()
                    } else {
                        sys::qnum_from_double(n.as_f64().unwrap_or(f64::NAN)).cast()
                    }
                }
                Value::String(s) => {
                    let c = c_string(s)?;
                    sys::qstring_from_str(c.as_ptr()).cast()
                }
                Value::Array(items) => {
                    let list = Self::from_raw(sys::qlist_new().cast());
                    for item in items {
                        let item = Self::from_value(item)?;
                        sys::qlist_append_obj(list.as_ptr().cast(), item.into_raw());
                    }
                    list.into_raw()
                }
                Value::Object(map) => {
                    let dict = Self::from_raw(sys::qdict_new().cast());
                    for (key, item) in map {
                        let key = c_string(key)?;
                        let item = Self::from_value(item)?;
                        sys::qdict_put_obj(dict.as_ptr().cast(), key.as_ptr(), item.into_raw());
                    }
                    dict.into_raw()
                }
            }))
        }
    }
}

extern "C" {
    #[link_name = "free"]
    fn libc_free(ptr: *mut core::ffi::c_void);
}

fn c_string(s: &str) -> Result<CString> {
    CString::new(s).map_err(|_| Error::new(format!("string {s:?} holds a NUL character")))
}

/// The `Value` of the QObject at `obj`.
///
/// # Safety
///
/// `obj` is a valid QObject.
unsafe fn value_of(obj: *mut sys::QObject) -> Value {
    // SAFETY: obj is valid (caller); each cast matches the type C reports,
    // and borrowed children live as long as obj.
    unsafe {
        match sys::qobject_type(obj) {
            sys::QType::QTYPE_QNULL => Value::Null,
            sys::QType::QTYPE_QBOOL => Value::Bool(sys::qbool_get_bool(obj.cast())),
            sys::QType::QTYPE_QNUM => {
                let num = obj.cast::<sys::QNum>();
                let (mut i, mut u) = (0i64, 0u64);
                if sys::qnum_get_try_int(num, &raw mut i) {
                    Value::Number(i.into())
                } else if sys::qnum_get_try_uint(num, &raw mut u) {
                    Value::Number(u.into())
                } else {
                    // JSON has no NaN or infinity: null, as the C printer.
                    Number::from_f64(sys::qnum_get_double(num)).map_or(Value::Null, Value::Number)
                }
            }
            sys::QType::QTYPE_QSTRING => Value::String(
                CStr::from_ptr(sys::qstring_get_str(obj.cast()))
                    .to_string_lossy()
                    .into_owned(),
            ),
            sys::QType::QTYPE_QLIST => {
                let list = obj.cast::<sys::QList>();
                (0..sys::qlist_size(list))
                    .map(|i| value_of(sys::qlist_entry(list, i)))
                    .collect()
            }
            sys::QType::QTYPE_QDICT => {
                let dict = obj.cast::<sys::QDict>();
                let mut map = Map::new();
                let mut entry = sys::qdict_first(dict);
                while !entry.is_null() {
                    let key = CStr::from_ptr(sys::qdict_entry_key(entry));
                    map.insert(
                        key.to_string_lossy().into_owned(),
                        value_of(sys::qdict_entry_value(entry)),
                    );
                    entry = sys::qdict_next(dict, entry);
                }
                Value::Object(map)
            }
        }
    }
}

impl Clone for QObject {
    fn clone(&self) -> Self {
        // SAFETY: self is a valid QObject.
        unsafe { Self::from_borrowed(self.as_ptr()) }
    }
}

impl Drop for QObject {
    fn drop(&mut self) {
        // SAFETY: self owns one reference.
        unsafe { sys::qobject_unref(self.as_ptr()) };
    }
}

impl PartialEq for QObject {
    /// Deep equality, as C's `qobject_is_equal`.
    fn eq(&self, other: &Self) -> bool {
        // SAFETY: both are valid QObjects.
        unsafe { sys::qobject_is_equal(self.as_ptr(), other.as_ptr()) }
    }
}

impl fmt::Debug for QObject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "QObject({})", self.to_json())
    }
}

/// A new QObject holding `value` serialized by serde.
///
/// ```
/// let obj = rivet_qobject::to_qobject(&vec![1u8, 2]).unwrap();
/// assert_eq!(obj.to_json(), "[1, 2]");
/// ```
pub fn to_qobject<T: Serialize + ?Sized>(value: &T) -> Result<QObject> {
    let value = serde_json::to_value(value).map_err(|e| Error::new(e.to_string()))?;
    QObject::from_value(&value)
}

/// `T` deserialized by serde from `obj`.
///
/// ```
/// let obj = rivet_qobject::QObject::from_json("[true]").unwrap();
/// let v: Vec<bool> = rivet_qobject::from_qobject(&obj).unwrap();
/// assert_eq!(v, [true]);
/// ```
pub fn from_qobject<T: DeserializeOwned>(obj: &QObject) -> Result<T> {
    serde_json::from_value(obj.to_value()).map_err(|e| Error::new(e.to_string()))
}
