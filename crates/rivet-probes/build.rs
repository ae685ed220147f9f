//! Build script of rivet-probes: under plain Cargo (check, clippy, doc,
//! rust-analyzer) it runs probes/probegen.py into OUT_DIR.  Meson generates
//! the module itself and compiles with `--cfg MESON`, so this never runs there.

use std::env;
use std::path::PathBuf;
use std::process::Command;

fn main() {
    let crate_dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap());
    let probes = crate_dir.join("../../probes");
    let out = PathBuf::from(env::var("OUT_DIR").unwrap()).join("rivet_probes.rs");
    println!("cargo:rerun-if-changed={}", probes.display());

    let mut defs: Vec<PathBuf> = std::fs::read_dir(&probes)
        .expect("reading probes/")
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "probes"))
        .collect();
    defs.sort();
    let python = env::var("PYTHON").unwrap_or_else(|_| "python3".into());
    let status = Command::new(&python)
        .arg(probes.join("probegen.py"))
        .args(["rust", "--mode", "usdt", "--out"])
        .arg(&out)
        .args(&defs)
        .status()
        .unwrap_or_else(|e| {
            panic!("rivet-probes: cannot run {python} for probes/probegen.py: {e}")
        });
    assert!(status.success(), "rivet-probes: probes/probegen.py failed");
}
