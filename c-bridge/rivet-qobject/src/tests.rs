//! Unit tests of the QObject bridge: Value <-> QObject keeps every JSON
//! type and QNum's kinds, JSON through the C side, reference counting,
//! serde through QObject, and what a C string cannot hold.

use super::*;
use serde::Deserialize;
use serde_json::json;

#[test]
fn value_round_trip_keeps_types_and_kinds() {
    let v = json!({"i": -1, "u": u64::MAX, "d": 0.5, "s": "é", "b": true, "n": null,
                   "l": [1, [], {}]});
    let obj = QObject::from_value(&v).unwrap();
    assert_eq!(obj.to_value(), v);
    let again = QObject::from_json(&obj.to_json()).unwrap_or_else(|e| panic!("{e}"));
    // u64::MAX crosses the C printer and parser exactly (docs/qapi.md).
    assert_eq!(again.to_value()["u"], json!(u64::MAX));
    assert_eq!(again.to_value(), v);
    assert_eq!(again.to_value()["i"], json!(-1));
}

#[test]
fn c_parser_errors_arrive_as_errors() {
    let err = QObject::from_json("{\"a\": 1, \"a\": 2}").unwrap_err();
    assert!(
        err.message()
            .starts_with("JSON parse error, duplicate object key"),
        "{err}"
    );
    assert!(QObject::from_json(&"[".repeat(2000)).is_err());
}

#[test]
fn clone_and_equality() {
    let a = QObject::from_json("[1, {\"x\": null}]").unwrap();
    let b = a.clone();
    assert_eq!(a, b);
    assert_ne!(a, QObject::from_json("[1, {\"x\": 0}]").unwrap());
    // SAFETY: a is valid; two references are held (a and b).
    assert_eq!(unsafe { (*a.as_ptr()).refcnt }, 2);
    drop(b);
    // SAFETY: as above, one reference left.
    assert_eq!(unsafe { (*a.as_ptr()).refcnt }, 1);
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct Sample {
    name: String,
    #[serde(rename = "cpu-index")]
    cpu_index: i64,
    flags: Vec<bool>,
}

#[test]
fn serde_through_qobject() {
    let s = Sample {
        name: "x".into(),
        cpu_index: 3,
        flags: vec![true],
    };
    let obj = to_qobject(&s).unwrap();
    assert_eq!(
        obj.to_json(),
        r#"{"cpu-index": 3, "flags": [true], "name": "x"}"#
    );
    assert_eq!(from_qobject::<Sample>(&obj).unwrap(), s);
    let wrong = QObject::from_json(r#"{"name": 1, "cpu-index": 3, "flags": []}"#).unwrap();
    assert!(from_qobject::<Sample>(&wrong).is_err());
}

#[test]
fn nul_in_a_string_is_refused() {
    let err = to_qobject(&json!({"a\u{0}b": 1})).unwrap_err();
    assert!(err.message().contains("holds a NUL character"), "{err}");
    assert!(to_qobject(&"x\u{0}").is_err());
}

#[test]
fn marshal_runs_a_command_for_c() {
    use crate::qmp::{marshal, Empty, NoArgs};
    use std::ptr;

    let args = QObject::from_json(r#"{"name": "x", "cpu-index": 1, "flags": []}"#).unwrap();
    let mut ret: *mut sys::QObject = ptr::null_mut();
    let mut err: *mut util_bindings::Error = ptr::null_mut();
    // SAFETY: args is a QDict; ret and err are valid and NULL.
    let ok = unsafe {
        marshal(
            args.as_ptr().cast(),
            &raw mut ret,
            &raw mut err,
            |s: Sample| Ok(s.flags.len() as u64 + s.cpu_index as u64),
        )
    };
    assert!(ok && err.is_null());
    // SAFETY: marshal gave ret a new reference.
    assert_eq!(unsafe { QObject::from_raw(ret) }.to_json(), "1");

    // A command without arguments or result: {} back.
    // SAFETY: as above.
    let ok = unsafe {
        marshal(
            args.as_ptr().cast(),
            &raw mut ret,
            &raw mut err,
            |_: NoArgs| Ok(Empty {}),
        )
    };
    assert!(ok);
    // SAFETY: as above.
    assert_eq!(unsafe { QObject::from_raw(ret) }.to_json(), "{}");

    // Its error reaches errp.
    ret = ptr::null_mut();
    // SAFETY: as above.
    let ok = unsafe {
        marshal(
            args.as_ptr().cast(),
            &raw mut ret,
            &raw mut err,
            |_: NoArgs| Err::<Empty, _>(Error::new("it failed")),
        )
    };
    assert!(!ok && ret.is_null());
    // SAFETY: marshal set err to a valid error we own.
    let err = unsafe { Error::from_c(err) }.unwrap();
    assert_eq!(err.message(), "it failed");
}
