//! Build script of rivet-qmp, run only under Cargo (cargo check, clippy,
//! doc, rust-analyzer): generates the marshallers of the commands
//! qapi/implementations gives to Rust into OUT_DIR, as Meson does
//! (qapi/rust/meson.build).

use std::env;
use std::path::PathBuf;
use std::process::Command;

fn main() {
    let root = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap()).join("../..");
    let qapi = root.join("qapi");
    let out = env::var("OUT_DIR").unwrap();
    println!("cargo:rerun-if-changed={}", qapi.display());
    let status = Command::new("python3")
        .arg(qapi.join("gen/qapi-gen.py"))
        .arg(qapi.join("qapi-schema.json"))
        .args(["-o", &out, "--define", "CONFIG_RUST", "--implementations"])
        .arg(qapi.join("implementations"))
        .arg("rust-commands")
        .status()
        .expect("rivet: cannot run python3 for qapi/gen/qapi-gen.py");
    assert!(status.success(), "rivet: qapi-gen.py failed");
}
