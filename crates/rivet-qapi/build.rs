//! Build script of rivet-qapi, run only under Cargo (cargo check, clippy,
//! doc, rust-analyzer): generates each schema module's Rust file into
//! OUT_DIR with the generator Meson runs (qapi/meson.build), with the
//! conditions of a Rust build (CONFIG_RUST).

use std::env;
use std::path::PathBuf;
use std::process::Command;

fn main() {
    let root = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap()).join("../..");
    let qapi = root.join("qapi");
    let out = env::var("OUT_DIR").unwrap();
    println!("cargo:rerun-if-changed={}", qapi.display());
    for entry in std::fs::read_dir(&qapi).expect("rivet: cannot read qapi/") {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "json") || path.ends_with("qapi-schema.json") {
            continue;
        }
        let status = Command::new("python3")
            .arg(qapi.join("gen/qapi-gen.py"))
            .arg(&path)
            .args(["-o", &out, "--define", "CONFIG_RUST", "module"])
            .status()
            .expect("rivet: cannot run python3 for qapi/gen/qapi-gen.py");
        assert!(
            status.success(),
            "rivet: qapi-gen.py failed on {}",
            path.display()
        );
    }
}
