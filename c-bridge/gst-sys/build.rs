//! Build script of gst-sys: finds or generates the bindings (see ../sys-build.rs).

include!("../sys-build.rs");
