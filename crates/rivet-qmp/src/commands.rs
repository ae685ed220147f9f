//! The commands themselves: plain Rust on the generated types.

use std::ffi::CString;

use rivet_qapi::qom::{ObjectTypeInfo, QomListTypesArgs};
use rivet_qobject::qmp::CommandResult;
use rivet_util::error::Error;

/// `qom-list-types`: the QOM types of this build, those implementing
/// `implements` when given, abstract ones only when `abstract` is true.
/// As QEMU: `abstract` is present (true) only for abstract types.
pub fn qom_list_types(args: QomListTypesArgs) -> CommandResult<Vec<ObjectTypeInfo>> {
    let implements = args
        .implements
        .map(CString::new)
        .transpose()
        .map_err(|_| Error::new("Parameter 'implements' holds a NUL character"))?;
    let types = rivet_qom::types(implements.as_deref(), args.r#abstract.unwrap_or(false));
    Ok(types
        .into_iter()
        .map(|t| ObjectTypeInfo {
            name: t.name,
            r#abstract: t.is_abstract.then_some(true),
            parent: t.parent,
        })
        .collect())
}
