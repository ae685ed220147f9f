//! Build script of rivet-probes: under plain Cargo (check, clippy, doc,
//! rust-analyzer) it runs probes/probegen.py into OUT_DIR.  Meson generates
//! the module itself and compiles with `--cfg MESON`, so this never runs there.

use std::env;
use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    let crate_dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap());
    let probes = crate_dir.join("../../probes");
    let out = PathBuf::from(env::var("OUT_DIR").unwrap()).join("rivet_probes.rs");

    // The core's groups in probes/, each device's in its folder under hw/.
    let mut defs = Vec::new();
    for dir in [probes.clone(), crate_dir.join("../../hw")] {
        println!("cargo:rerun-if-changed={}", dir.display());
        probe_files(&dir, &mut defs);
    }
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

/// Every `*.probes` file below `dir`.
fn probe_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let entries = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("rivet-probes: reading {}: {e}", dir.display()));
    for entry in entries {
        let path = entry.unwrap().path();
        if path.is_dir() {
            probe_files(&path, out);
        } else if path.extension().is_some_and(|ext| ext == "probes") {
            out.push(path);
        }
    }
}
