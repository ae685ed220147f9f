//! The QMP commands written in Rust (docs/qapi.md, "Adding a command").
//!
//! Each command of qapi/implementations marked `rust` is a function of
//! [`commands`] named after it (`qom-list-types` is
//! `commands::qom_list_types`), taking the generated argument struct of
//! rivet-qapi (none when the command has no arguments) and returning a
//! [`CommandResult`](rivet_qobject::qmp::CommandResult) of its generated
//! return type.  The generator writes, for each, the `extern "C"`
//! marshaller that the command's C marshaller calls once it has checked
//! the arguments (`qmp_rust_<command>`, included below), so these
//! commands are dispatched from the same generated table as the C ones.

pub mod commands;
#[cfg(test)]
mod tests;

/// The generated C-callable marshallers.
mod marshallers {
    #[cfg(MESON)]
    include!("qapi-rust-commands.rs");
    #[cfg(not(MESON))]
    include!(concat!(env!("OUT_DIR"), "/qapi-rust-commands.rs"));
}
