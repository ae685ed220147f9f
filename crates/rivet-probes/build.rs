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
    // Each device's own, hw/<class>/<name>/<name>.probes, as the build's
    // device list (hw/devices.list) names the folders.
    let hw = crate_dir.join("../../hw");
    let list = hw.join("devices.list");
    println!("cargo:rerun-if-changed={}", list.display());
    for line in std::fs::read_to_string(&list)
        .expect("reading hw/devices.list")
        .lines()
    {
        let Some(folder) = line
            .split_whitespace()
            .next()
            .filter(|w| !w.starts_with('#'))
        else {
            continue;
        };
        let name = folder.rsplit('/').next().unwrap();
        let def = hw.join(folder).join(format!("{name}.probes"));
        println!("cargo:rerun-if-changed={}", def.display());
        defs.push(def);
    }
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
