// Shared build script of the c-bridge/*-sys crates, include!d by each
// crate's build.rs.  It runs only under Cargo (cargo check, clippy, doc,
// rust-analyzer); Meson generates the bindings itself with rust.bindgen.
//
// The bindings are taken, in this order of preference:
//   1. from Meson's build tree ($RIVET_BUILD_DIR, default <root>/build), when
//      that copy is newer than every input (headers, wrapper.h, args);
//   2. from the bindgen CLI ($BINDGEN, <root>/.venv/bin/bindgen, or PATH),
//      run with the same wrapper.h and bindgen.args files as Meson;
// and otherwise the build stops with one message saying how to get either.

use std::env;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::SystemTime;

fn main() {
    let crate_dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap());
    let pkg = env::var("CARGO_PKG_NAME").unwrap();
    let sub = pkg.strip_suffix("-sys").expect("a -sys crate");
    let bridge_dir = crate_dir.parent().unwrap().to_path_buf();
    let root = bridge_dir.parent().unwrap().to_path_buf();
    let out = PathBuf::from(env::var("OUT_DIR").unwrap()).join("bindings.inc.rs");

    let inputs = [
        crate_dir.join("wrapper.h"),
        crate_dir.join("bindgen.args"),
        bridge_dir.join("bindgen.args"),
        bridge_dir.join("sys-build.rs"),
        root.join("include"),
    ];
    for input in &inputs {
        println!("cargo:rerun-if-changed={}", input.display());
    }
    println!("cargo:rerun-if-env-changed=RIVET_BUILD_DIR");
    println!("cargo:rerun-if-env-changed=BINDGEN");

    let build_dir = env::var_os("RIVET_BUILD_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("build"));
    let meson_copy = build_dir
        .join("c-bridge")
        .join(&pkg)
        .join(format!("{pkg}-bindings.inc.rs"));
    if is_fresh(&meson_copy, &inputs) {
        fs::copy(&meson_copy, &out).expect("copying Meson's bindings");
        return;
    }

    let Some(bindgen) = find_bindgen(&root) else {
        panic!(
            "rivet: no bindings for {pkg}: build with Meson first (`make`, which writes \
             {}) or install bindgen-cli (scripts/setup puts it in .venv/bin)",
            meson_copy.display()
        );
    };
    let mut args: Vec<String> = vec![
        crate_dir.join("wrapper.h").display().to_string(),
        "--output".into(),
        out.display().to_string(),
    ];
    args.extend(read_args(&bridge_dir.join("bindgen.args")));
    args.extend(read_args(&crate_dir.join("bindgen.args")));
    // Same items as Meson's output_inline_wrapper run; the C file is unused
    // here because Cargo only checks, it never links the emulator.
    let inline_c = out.with_file_name("inline.c");
    args.extend(
        [
            "--experimental",
            "--wrap-static-fns",
            "--wrap-static-fns-path",
        ]
        .map(String::from),
    );
    args.push(inline_c.display().to_string());
    args.push("--".into());
    args.push(format!("-I{}", root.join("include").display()));
    args.extend(["-std=c11", "-D_GNU_SOURCE"].map(String::from));
    // A crate binding a system library (gst-sys) names its pkg-config
    // packages, as Meson's dependency() does for rust.bindgen.
    let pkg_config = crate_dir.join("pkg-config");
    if pkg_config.is_file() {
        println!("cargo:rerun-if-changed={}", pkg_config.display());
        args.extend(pkg_config_cflags(&read_args(&pkg_config)));
    }
    let status = Command::new(&bindgen).args(&args).status();
    match status {
        Ok(s) if s.success() => {}
        Ok(s) => panic!("rivet: {} failed for {sub} ({s})", bindgen.display()),
        Err(e) => panic!("rivet: cannot run {}: {e}", bindgen.display()),
    }
}

/// Whether `copy` exists and is newer than every input (a directory input
/// counts with its newest file).
fn is_fresh(copy: &Path, inputs: &[PathBuf]) -> bool {
    let Ok(copy_time) = fs::metadata(copy).and_then(|m| m.modified()) else {
        return false;
    };
    inputs.iter().all(|i| newest(i) <= copy_time)
}

fn newest(path: &Path) -> SystemTime {
    let Ok(meta) = fs::metadata(path) else {
        return SystemTime::UNIX_EPOCH;
    };
    let mut t = meta.modified().unwrap_or(SystemTime::UNIX_EPOCH);
    if meta.is_dir() {
        for entry in fs::read_dir(path).into_iter().flatten().flatten() {
            t = t.max(newest(&entry.path()));
        }
    }
    t
}

fn find_bindgen(root: &Path) -> Option<PathBuf> {
    if let Some(b) = env::var_os("BINDGEN") {
        return Some(PathBuf::from(b));
    }
    let venv = root.join(".venv/bin/bindgen");
    if venv.is_file() {
        return Some(venv);
    }
    env::split_paths(&env::var_os("PATH")?)
        .map(|d| d.join("bindgen"))
        .find(|p| p.is_file())
}

/// The C flags of pkg-config packages; stops the build with one message
/// when they are not installed.
fn pkg_config_cflags(packages: &[String]) -> Vec<String> {
    let out = Command::new("pkg-config")
        .arg("--cflags")
        .args(packages)
        .output()
        .unwrap_or_else(|e| panic!("rivet: cannot run pkg-config: {e}"));
    if !out.status.success() {
        panic!(
            "rivet: pkg-config {}: {} (scripts/setup installs the development packages)",
            packages.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .map(String::from)
        .collect()
}

/// One argument per line; blank lines and `#` comments are skipped.
fn read_args(path: &Path) -> Vec<String> {
    fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("rivet: cannot read {}: {e}", path.display()))
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(String::from)
        .collect()
}
