//! Tests of the generated Rust types and of dispatch through the full
//! table: every schema type round-trips through QObject and JSON (the
//! generator's test checks that each type is here), a value built in C
//! reads the same in Rust and back, and the Rust command runs from the
//! generated table with the C side's argument checks.

use std::ffi::{c_char, CStr};
use std::fmt::Debug;

use qobject_sys as sys;
use rivet_qapi::common::*;
use rivet_qapi::control::*;
use rivet_qapi::machine::*;
use rivet_qapi::migration::*;
use rivet_qapi::misc::*;
use rivet_qapi::qom::*;
use rivet_qapi::run_state::*;
use rivet_qapi::trace::*;
use rivet_qobject::{from_qobject, to_qobject, QObject};
use serde::de::DeserializeOwned;
use serde::Serialize;

extern "C" {
    fn qmp_dispatch(request: *mut sys::QObject) -> *mut sys::QDict;
    fn qapi_cross_c_value() -> *mut sys::QObject;
    fn qapi_cross_c_check(obj: *mut sys::QObject) -> *mut c_char;
    fn free(ptr: *mut core::ffi::c_void);
}

/// JSON -> QObject (C parser) -> T -> QObject -> JSON -> T -> JSON (C
/// parser), each equal to the first.
fn round_trip<T>(json: &str)
where
    T: Serialize + DeserializeOwned + PartialEq + Debug,
{
    let first = QObject::from_json(json).unwrap_or_else(|e| panic!("{json}: {e}"));
    let value: T = from_qobject(&first).unwrap_or_else(|e| panic!("{json}: {e}"));
    let back = to_qobject(&value).unwrap();
    assert_eq!(back, first, "{json}");
    let text = back.to_json();
    let again: T = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{text}: {e}"));
    assert_eq!(again, value);
    let printed = serde_json::to_string(&again).unwrap();
    assert_eq!(QObject::from_json(&printed).unwrap(), first, "{printed}");
}

#[test]
fn common() {
    round_trip::<StrOrNull>(r#""text""#);
    round_trip::<StrOrNull>("null");
    round_trip::<Vec<StrOrNull>>(r#"["a", null]"#);
}

#[test]
fn control() {
    round_trip::<QMPCapability>(r#""oob""#);
    round_trip::<VersionTriple>(r#"{"major": 1, "minor": 2, "micro": 3}"#);
    round_trip::<VersionInfo>(
        r#"{"qemu": {"major": 0, "minor": 1, "micro": 0}, "package": "rivet"}"#,
    );
    round_trip::<CommandInfo>(r#"{"name": "quit"}"#);
    round_trip::<Vec<CommandInfo>>(r#"[{"name": "a"}, {"name": "b"}]"#);
    round_trip::<QmpCapabilitiesArgs>(r#"{"enable": ["oob"]}"#);
    round_trip::<QmpCapabilitiesArgs>("{}");
}

#[test]
fn run_state() {
    round_trip::<RunState>(r#""guest-panicked""#);
    round_trip::<ShutdownCause>(r#""host-qmp-system-reset""#);
    round_trip::<StatusInfo>(r#"{"running": false, "singlestep": false, "status": "prelaunch"}"#);
    round_trip::<ShutdownEvent>(r#"{"guest": true, "reason": "guest-shutdown"}"#);
    round_trip::<ResetEvent>(r#"{"guest": false, "reason": "host-qmp-system-reset"}"#);
}

#[test]
fn machine() {
    round_trip::<SysEmuTarget>(r#""riscv64""#);
    round_trip::<CpuS390State>(r#""check-stop""#);
    round_trip::<CpuInstanceProperties>(r#"{"node-id": 0, "thread-id": 7}"#);
    round_trip::<CpuInstanceProperties>("{}");
    round_trip::<CpuInfoS390>(r#"{"cpu-state": "operating"}"#);
    round_trip::<CpuInfoFast>(
        r#"{"cpu-index": 0, "qom-path": "/machine/cpu0", "thread-id": 42, "target": "riscv64"}"#,
    );
    round_trip::<CpuInfoFast>(
        r#"{"cpu-index": 1, "qom-path": "/m/c", "thread-id": 1, "props": {"core-id": 1},
            "target": "s390x", "cpu-state": "load"}"#,
    );
}

#[test]
fn qom() {
    round_trip::<ObjectPropertyInfo>(
        r#"{"name": "baudrate", "type": "uint32", "description": "d",
            "default-value": {"x": [1, 2.5]}}"#,
    );
    round_trip::<ObjectPropertyInfo>(r#"{"name": "n", "type": "bool"}"#);
    round_trip::<ObjectTypeInfo>(
        r#"{"name": "pl011", "abstract": false, "parent": "sys-bus-device"}"#,
    );
    round_trip::<QomListArgs>(r#"{"path": "/machine"}"#);
    round_trip::<QomGetArgs>(r#"{"path": "/m", "property": "p"}"#);
    round_trip::<QomSetArgs>(r#"{"path": "/m", "property": "p", "value": null}"#);
    round_trip::<QomListTypesArgs>(r#"{"implements": "device", "abstract": true}"#);
}

#[test]
fn migration() {
    round_trip::<MigrationStatus>(r#""postcopy-active""#);
    round_trip::<MigrationInfo>(
        r#"{"status": "failed", "total-time": 12, "error-desc": "no space"}"#,
    );
    round_trip::<MigrationInfo>("{}");
    round_trip::<MigrateArgs>(r#"{"uri": "file:/tmp/x", "detach": true, "resume": false}"#);
    round_trip::<MigrationEvent>(r#"{"status": "completed"}"#);
}

#[test]
fn trace() {
    round_trip::<TraceEventState>(r#""unavailable""#);
    round_trip::<TraceEventInfo>(r#"{"name": "pl011_write", "state": "enabled", "vcpu": false}"#);
    round_trip::<TraceEventGetStateArgs>(r#"{"name": "pl011*"}"#);
    round_trip::<TraceEventSetStateArgs>(
        r#"{"name": "*", "enable": true, "ignore-unavailable": true, "vcpu": 0}"#,
    );
}

#[test]
fn misc() {
    round_trip::<HumanMonitorCommandArgs>(r#"{"command-line": "info registers", "cpu-index": 0}"#);
}

#[test]
fn rust_types_refuse_what_the_schema_refuses() {
    let bad = |json: &str| QObject::from_json(json).unwrap();
    assert!(from_qobject::<VersionTriple>(&bad(r#"{"major": 1, "minor": 2}"#)).is_err());
    assert!(from_qobject::<CommandInfo>(&bad(r#"{"name": "a", "x": 1}"#)).is_err());
    assert!(from_qobject::<RunState>(&bad(r#""jogging""#)).is_err());
    assert!(from_qobject::<CpuInfoFast>(&bad(
        r#"{"cpu-index": 0, "qom-path": "", "thread-id": 0, "target": "s390x"}"#
    ))
    .is_err());
}

/// The value core/qapi/cross-check.c builds, written in Rust.
fn cross_value() -> Vec<CpuInfoFast> {
    vec![
        CpuInfoFast {
            cpu_index: 0,
            qom_path: "/machine/cpu[0]".into(),
            thread_id: 1000,
            props: Some(CpuInstanceProperties {
                node_id: None,
                socket_id: None,
                core_id: Some(0),
                thread_id: Some(-7),
            }),
            u: CpuInfoFastBranch::Riscv64,
        },
        CpuInfoFast {
            cpu_index: 1,
            qom_path: "/machine/cpu[1] é".into(),
            thread_id: 1001,
            props: None,
            u: CpuInfoFastBranch::S390x(CpuInfoS390 {
                cpu_state: CpuS390State::CheckStop,
            }),
        },
    ]
}

#[test]
fn c_and_rust_read_each_others_values() {
    // SAFETY: the C helper returns a new reference.
    let from_c = unsafe { QObject::from_raw(qapi_cross_c_value()) };
    let in_rust: Vec<CpuInfoFast> = from_qobject(&from_c).unwrap();
    assert_eq!(in_rust, cross_value());
    for obj in [
        to_qobject(&in_rust).unwrap(),
        to_qobject(&cross_value()).unwrap(),
    ] {
        // SAFETY: obj is valid; the helper returns NULL or a malloc'd
        // message, freed here.
        let why = unsafe { qapi_cross_c_check(obj.as_ptr()) };
        if !why.is_null() {
            // SAFETY: a valid C string from the helper.
            let msg = unsafe { CStr::from_ptr(why) }
                .to_string_lossy()
                .into_owned();
            // SAFETY: malloc'd by the helper.
            unsafe { free(why.cast()) };
            panic!("C reads the Rust value differently: {msg}");
        }
    }
    // A wrong value is noticed: the check can fail.
    let mut wrong = cross_value();
    wrong[1].thread_id = 0;
    let obj = to_qobject(&wrong).unwrap();
    // SAFETY: as above.
    let why = unsafe { qapi_cross_c_check(obj.as_ptr()) };
    assert!(!why.is_null());
    // SAFETY: malloc'd by the helper.
    unsafe { free(why.cast()) };
}

/// The compact JSON response of the full table's dispatch to `request`.
fn dispatch(request: &str) -> String {
    let req = QObject::from_json(request).unwrap();
    // SAFETY: req is valid; qmp_dispatch returns a new QDict reference.
    let rsp = unsafe { QObject::from_raw(qmp_dispatch(req.as_ptr()).cast()) };
    rsp.to_json()
}

#[test]
fn the_rust_command_is_in_the_one_table() {
    assert_eq!(
        dispatch(r#"{"execute": "query-commands"}"#),
        concat!(
            r#"{"return": [{"name": "qmp_capabilities"}, {"name": "query-version"}, "#,
            r#"{"name": "query-commands"}, {"name": "quit"}, {"name": "query-status"}, "#,
            r#"{"name": "stop"}, {"name": "cont"}, {"name": "system_reset"}, "#,
            r#"{"name": "query-cpus-fast"}, {"name": "qom-list"}, {"name": "qom-get"}, "#,
            r#"{"name": "qom-set"}, {"name": "qom-list-types"}, {"name": "query-migrate"}, "#,
            r#"{"name": "migrate"}, {"name": "trace-event-get-state"}, "#,
            r#"{"name": "trace-event-set-state"}, {"name": "human-monitor-command"}]}"#
        )
    );
}

#[test]
fn qom_list_types_from_dispatch() {
    let rsp = dispatch(
        r#"{"execute": "qom-list-types", "arguments": {"implements": "object", "abstract": true}, "id": 3}"#,
    );
    let rsp: serde_json::Value = serde_json::from_str(&rsp).unwrap();
    assert_eq!(rsp["id"], 3);
    let types: Vec<ObjectTypeInfo> = serde_json::from_value(rsp["return"].clone()).unwrap();
    let expected: Vec<ObjectTypeInfo> = rivet_qom::types(Some(c"object"), true)
        .into_iter()
        .map(|t| ObjectTypeInfo {
            name: t.name,
            r#abstract: t.is_abstract.then_some(true),
            parent: t.parent,
        })
        .collect();
    assert!(!expected.is_empty());
    assert_eq!(types, expected);
    let root = types.iter().find(|t| t.name == "object").unwrap();
    assert_eq!(root.parent, None);

    let concrete = dispatch(r#"{"execute": "qom-list-types"}"#);
    assert!(!concrete.contains(r#""abstract": true"#), "{concrete}");
    assert_eq!(
        dispatch(r#"{"execute": "qom-list-types", "arguments": {"implements": "no-such"}}"#),
        r#"{"return": []}"#
    );
}

#[test]
fn argument_errors_of_the_rust_command() {
    let generic =
        |desc: &str| format!(r#"{{"error": {{"class": "GenericError", "desc": "{desc}"}}}}"#);
    assert_eq!(
        dispatch(r#"{"execute": "qom-list-types", "arguments": {"abstract": "yes"}}"#),
        generic("Invalid parameter type for 'abstract', expected: boolean")
    );
    assert_eq!(
        dispatch(r#"{"execute": "qom-list-types", "arguments": {"implements": ["a"]}}"#),
        generic("Invalid parameter type for 'implements', expected: string")
    );
    assert_eq!(
        dispatch(r#"{"execute": "qom-list-types", "arguments": {"parent": "x"}}"#),
        generic("Parameter 'parent' is unexpected")
    );
}

/// The getter of the test object's properties: each returns a value of its
/// type, the uint64 one above `i64::MAX`.
unsafe extern "C" fn get_test_value(
    _obj: *mut rivet_qom::bindings::Object,
    prop: *mut rivet_qom::bindings::ObjectProperty,
    out: *mut rivet_qom::bindings::PropValue,
    _errp: *mut *mut util_sys::Error,
) -> bool {
    use rivet_qom::PropType as T;
    // SAFETY: prop and out are valid for the call (object.h's getter
    // contract); a string is returned as a heap copy C frees.
    unsafe {
        let out = &mut *out;
        match (*prop).type_ {
            T::PROP_TYPE_BOOL => out.b = true,
            T::PROP_TYPE_UINT8 => out.u = 200,
            T::PROP_TYPE_UINT64 => out.u = u64::MAX - 1,
            T::PROP_TYPE_INT64 => out.i = -7,
            T::PROP_TYPE_STRING => out.s = strdup(c"hello".as_ptr()),
            _ => {}
        }
    }
    true
}

extern "C" {
    fn strdup(s: *const c_char) -> *mut c_char;
}

#[test]
fn qom_get_reads_every_kind_of_property() {
    use rivet_qom::bindings as qom;
    use rivet_qom::PropType as T;
    // SAFETY: plain C calls on objects this test creates and owns; the
    // names are C strings; the tree takes its own references.
    unsafe {
        let root = qom::object_get_root();
        let holder = qom::object_new(c"container".as_ptr(), std::ptr::null_mut());
        let inner = qom::object_new(c"container".as_ptr(), std::ptr::null_mut());
        assert!(qom::object_property_add_child(
            root,
            c"qomget".as_ptr(),
            holder,
            std::ptr::null_mut()
        ));
        assert!(qom::object_property_add_child(
            holder,
            c"inner".as_ptr(),
            inner,
            std::ptr::null_mut()
        ));
        for (name, ty) in [
            (c"flag", T::PROP_TYPE_BOOL),
            (c"level", T::PROP_TYPE_UINT8),
            (c"big", T::PROP_TYPE_UINT64),
            (c"offset", T::PROP_TYPE_INT64),
            (c"label", T::PROP_TYPE_STRING),
        ] {
            qom::object_property_add(
                holder,
                name.as_ptr(),
                ty,
                Some(get_test_value),
                None,
                None,
                std::ptr::null_mut(),
                std::ptr::null(),
            );
        }
        let get = |prop: &str| {
            dispatch(&format!(
                r#"{{"execute": "qom-get", "arguments": {{"path": "/qomget", "property": "{prop}"}}}}"#
            ))
        };
        assert_eq!(get("flag"), r#"{"return": true}"#);
        assert_eq!(get("level"), r#"{"return": 200}"#);
        assert_eq!(get("offset"), r#"{"return": -7}"#);
        assert_eq!(get("label"), r#"{"return": "hello"}"#);
        // A child reads as its path, as QEMU's child<> properties do.
        assert_eq!(get("inner"), r#"{"return": "/qomget/inner"}"#);
        assert_eq!(
            get("nope"),
            r#"{"error": {"class": "GenericError", "desc": "Property 'container.nope' not found"}}"#
        );
        // Above INT64_MAX: the QNum stays a uint64 (JSON output is C's).
        let big = rivet_qom::property_get(c"/qomget", c"big").unwrap();
        assert_eq!(big, rivet_qom::PropertyValue::Unsigned(u64::MAX - 1));
        let value = crate::commands::qom_get(QomGetArgs {
            path: "/qomget".into(),
            property: "big".into(),
        })
        .unwrap();
        let obj = to_qobject(&value).unwrap();
        assert_eq!(from_qobject::<u64>(&obj).unwrap(), u64::MAX - 1);

        assert_eq!(
            dispatch(
                r#"{"execute": "qom-get", "arguments": {"path": "/nowhere", "property": "x"}}"#
            ),
            r#"{"error": {"class": "DeviceNotFound", "desc": "Device '/nowhere' not found"}}"#
        );
        assert_eq!(
            dispatch(r#"{"execute": "qom-get", "arguments": {"path": "/qomget"}}"#),
            r#"{"error": {"class": "GenericError", "desc": "Parameter 'property' is missing"}}"#
        );
        qom::object_unparent(holder);
        qom::object_unref(holder);
        qom::object_unref(inner);
    }
}
