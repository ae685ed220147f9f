//! Build script of qobject-sys: finds or generates the bindings (see ../sys-build.rs).

include!("../sys-build.rs");
