//! Build script of i2c-sys: finds or generates the bindings (see ../sys-build.rs).

include!("../sys-build.rs");
