//! The commands themselves: plain Rust on the generated types.

use std::ffi::CString;

use rivet_qapi::qom::{ObjectTypeInfo, QomGetArgs, QomListTypesArgs};
use rivet_qobject::qmp::CommandResult;
use rivet_qom::PropertyValue;
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

/// `qom-get`: the value of one property of an object of the QOM tree, as
/// the JSON of its type (a link or a child as its path, `""` for an empty
/// link, as QEMU; an unset string as `""` too).
pub fn qom_get(args: QomGetArgs) -> CommandResult<serde_json::Value> {
    let c = |what: &str, s: String| {
        CString::new(s).map_err(|_| Error::new(format!("Parameter '{what}' holds a NUL character")))
    };
    let value = rivet_qom::property_get(&c("path", args.path)?, &c("property", args.property)?)?;
    Ok(match value {
        PropertyValue::Bool(b) => b.into(),
        PropertyValue::Unsigned(u) => u.into(),
        PropertyValue::Signed(i) => i.into(),
        PropertyValue::Str(s) | PropertyValue::Path(s) => s.unwrap_or_default().into(),
    })
}
