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
    // u64::MAX prints as a real through jansson (qobject/qjson.h).
    assert_eq!(again.to_value()["u"], json!(1.8446744073709552e19));
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
