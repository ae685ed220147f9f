//! `#[derive(VMState)]`: the C core's `VMStateField` table of a struct, and
//! with `#[vmstate(name = ...)]` its whole `VMStateDescription`, with every
//! offset taken from `core::mem::offset_of!` and every wire type from the
//! field's Rust type (`rivet_migration::VMStateFieldType`).

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{DeriveInput, Error, Expr, Field, Ident, LitCStr, LitInt, LitStr, Path};

use crate::util::{named_fields, no_generics};

/// The struct-level `#[vmstate(...)]`.
#[derive(Default)]
struct StructAttr {
    name: Option<LitStr>,
    version: Option<LitInt>,
    minimum_version: Option<LitInt>,
    pre_save: Option<Path>,
    post_load: Option<Path>,
}

/// A field's `#[vmstate(...)]`.
#[derive(Default)]
struct FieldAttr {
    skip: bool,
    flatten: bool,
    rename: Option<LitStr>,
    version: Option<LitInt>,
    mask: Option<Expr>,
    max: Option<Expr>,
    must_equal: bool,
    varray_count: Option<Ident>,
}

fn c_string(lit: &LitStr) -> Result<LitCStr, Error> {
    let value = lit.value();
    if value.is_empty() || value.len() > 255 || value.contains('\0') {
        return Err(Error::new_spanned(
            lit,
            "a migration name is 1 to 255 bytes, without NUL",
        ));
    }
    let c = std::ffi::CString::new(value).expect("checked for NUL");
    Ok(LitCStr::new(&c, lit.span()))
}

/// Calls `f(key, meta)` for every key of the `#[vmstate(...)]` attributes
/// in `attrs`, refusing a key given twice.
fn parse_keys(
    attrs: &[syn::Attribute],
    mut f: impl FnMut(&str, &syn::meta::ParseNestedMeta<'_>) -> Result<(), Error>,
) -> Result<(), Error> {
    let mut seen: Vec<String> = Vec::new();
    for attr in attrs.iter().filter(|a| a.path().is_ident("vmstate")) {
        attr.parse_nested_meta(|meta| {
            let key = meta
                .path
                .get_ident()
                .map(|i| i.to_string())
                .unwrap_or_default();
            if seen.contains(&key) {
                return Err(meta.error(format!("`{key}` is given twice")));
            }
            f(&key, &meta)?;
            seen.push(key);
            Ok(())
        })?;
    }
    Ok(())
}

fn struct_attr(input: &DeriveInput) -> Result<StructAttr, Error> {
    let mut out = StructAttr::default();
    parse_keys(&input.attrs, |key, meta| {
        match key {
            "name" => out.name = Some(meta.value()?.parse()?),
            "version" => out.version = Some(meta.value()?.parse()?),
            "minimum_version" => out.minimum_version = Some(meta.value()?.parse()?),
            "pre_save" => out.pre_save = Some(meta.value()?.parse()?),
            "post_load" => out.post_load = Some(meta.value()?.parse()?),
            _ => {
                return Err(meta.error(
                    "unknown key in #[vmstate(...)] on a struct; expected name, version, \
                     minimum_version, pre_save or post_load",
                ))
            }
        }
        Ok(())
    })?;
    if out.name.is_none() {
        let given = out
            .version
            .as_ref()
            .map(Spanned::span)
            .or(out.minimum_version.as_ref().map(Spanned::span))
            .or(out.pre_save.as_ref().map(Spanned::span))
            .or(out.post_load.as_ref().map(Spanned::span));
        if let Some(span) = given {
            return Err(Error::new(
                span,
                "versions and hooks belong to a description: give it a `name = \"...\"`",
            ));
        }
    }
    Ok(out)
}

fn field_attr(field: &Field) -> Result<FieldAttr, Error> {
    let mut out = FieldAttr::default();
    parse_keys(&field.attrs, |key, meta| {
        match key {
            "skip" => out.skip = true,
            "flatten" => out.flatten = true,
            "must_equal" => out.must_equal = true,
            "rename" => out.rename = Some(meta.value()?.parse()?),
            "version" => out.version = Some(meta.value()?.parse()?),
            "mask" => out.mask = Some(meta.value()?.parse()?),
            "max" => out.max = Some(meta.value()?.parse()?),
            "varray_count" => out.varray_count = Some(meta.value()?.parse()?),
            _ => {
                return Err(meta.error(
                    "unknown key in #[vmstate(...)] on a field; expected skip, flatten, rename, \
                     version, mask, max, must_equal or varray_count",
                ))
            }
        }
        Ok(())
    })?;
    let others = out.rename.is_some()
        || out.version.is_some()
        || out.mask.is_some()
        || out.max.is_some()
        || out.must_equal
        || out.varray_count.is_some();
    if (out.skip && (out.flatten || others)) || (out.flatten && others) {
        let what = if out.skip { "skip" } else { "flatten" };
        return Err(Error::new_spanned(
            field.ident.as_ref().expect("named field"),
            format!("`{what}` takes no other #[vmstate] key"),
        ));
    }
    Ok(out)
}

/// `Self::x` in a hook path names the struct (the hook is called from a
/// function nested in the expansion, where `Self` does not exist).
fn resolve_self(path: &Path, name: &Ident) -> Path {
    let mut path = path.clone();
    if let Some(first) = path.segments.first_mut() {
        if first.ident == "Self" {
            first.ident = name.clone();
        }
    }
    path
}

/// The expansion of `#[derive(VMState)]`, or the first error found.
pub fn derive_vmstate_or_error(input: DeriveInput) -> Result<TokenStream, Error> {
    no_generics(&input, "VMState")?;
    let fields = named_fields(&input, "VMState")?;
    let name = &input.ident;
    let sattr = struct_attr(&input)?;
    let mig = quote!(::rivet_migration);

    let mut parts = Vec::new();
    let mut wire_names: Vec<String> = Vec::new();
    for field in &fields.named {
        let fattr = field_attr(field)?;
        if fattr.skip {
            continue;
        }
        let ident = field.ident.as_ref().expect("named field");
        let ty = &field.ty;
        if fattr.flatten {
            // Spanned on the type: a type that cannot be flattened is
            // reported there.
            parts.push(quote_spanned! {ty.span()=>
                (
                    <#ty as #mig::VMStateFlatten>::FIELDS,
                    ::core::mem::offset_of!(#name, #ident) + <#ty as #mig::VMStateFlatten>::OFFSET,
                )
            });
            continue;
        }
        let wire = fattr
            .rename
            .clone()
            .unwrap_or_else(|| LitStr::new(&ident.to_string(), ident.span()));
        if wire_names.contains(&wire.value()) {
            return Err(Error::new_spanned(
                &wire,
                format!("migration field \"{}\" is described twice", wire.value()),
            ));
        }
        wire_names.push(wire.value());
        let cname = c_string(&wire)?;
        let mut opts = TokenStream::new();
        if let Some(v) = &fattr.version {
            opts.extend(quote!(.version(#v)));
        }
        if let Some(m) = &fattr.mask {
            opts.extend(quote!(.mask((#m) as u64)));
        }
        if let Some(m) = &fattr.max {
            opts.extend(quote!(.max((#m) as u64)));
        }
        if fattr.must_equal {
            opts.extend(quote!(.must_equal()));
        }
        if let Some(count) = &fattr.varray_count {
            let Some(count_field) = fields
                .named
                .iter()
                .find(|f| f.ident.as_ref() == Some(count))
            else {
                return Err(Error::new_spanned(
                    count,
                    format!("`{count}` is not a field of `{name}`"),
                ));
            };
            let count_ty = &count_field.ty;
            opts.extend(quote_spanned! {count.span()=>
                .varray::<#count_ty>(::core::mem::offset_of!(#name, #count))
            });
        }
        // Spanned on the field's type, so a type with no wire type (not
        // VMStateFieldType) is reported at the field.
        let builder = quote_spanned! {ty.span()=>
            #mig::FieldBuilder::of::<#name, #ty>(
                #cname,
                ::core::mem::offset_of!(#name, #ident),
                |s: &#name| &s.#ident,
            )
        };
        parts.push(quote! {
            (
                &[
                    // SAFETY: the offset and the accessor name the same field.
                    unsafe { #builder } #opts .build()
                ],
                0usize,
            )
        });
    }

    let mut out = quote! {
        impl #mig::VMState for #name {
            const FIELDS: &'static [#mig::VMStateField] = {
                const PARTS: &[(&[#mig::VMStateField], usize)] = &[#(#parts),*];
                const N: usize = #mig::count_fields(PARTS);
                const ALL: [#mig::VMStateField; N] = #mig::concat_fields::<N>(PARTS);
                &ALL
            };
        }

        impl #mig::VMStateFlatten for #name {
            const FIELDS: &'static [#mig::VMStateField] = <#name as #mig::VMState>::FIELDS;
            const OFFSET: usize = 0;
        }
    };

    let Some(sname) = &sattr.name else {
        return Ok(out);
    };
    let cname = c_string(sname)?;
    let one = LitInt::new("1", Span::call_site());
    let version = sattr.version.as_ref().unwrap_or(&one);
    let minimum = sattr.minimum_version.as_ref().unwrap_or(version);
    let mut hooks = TokenStream::new();
    let mut hook_fns = TokenStream::new();
    if let Some(path) = &sattr.pre_save {
        let path = resolve_self(path, name);
        let f = format_ident!("__{}_pre_save", name);
        hook_fns.extend(quote! {
            #[allow(non_snake_case)]
            unsafe extern "C" fn #f(
                opaque: *mut ::core::ffi::c_void,
                errp: *mut *mut ::rivet_util::bindings::Error,
            ) -> bool {
                // SAFETY: the C core passes the object registered with
                // this description, and its error pointer.
                unsafe { #mig::call_pre_save::<#name>(opaque, errp, #path) }
            }
        });
        hooks.extend(quote!(vmsd.pre_save = Some(#f);));
    }
    if let Some(path) = &sattr.post_load {
        let path = resolve_self(path, name);
        let f = format_ident!("__{}_post_load", name);
        hook_fns.extend(quote! {
            #[allow(non_snake_case)]
            unsafe extern "C" fn #f(
                opaque: *mut ::core::ffi::c_void,
                version_id: ::core::ffi::c_int,
                errp: *mut *mut ::rivet_util::bindings::Error,
            ) -> bool {
                // SAFETY: the C core passes the object registered with
                // this description, and its error pointer.
                unsafe { #mig::call_post_load::<#name>(opaque, version_id, errp, #path) }
            }
        });
        hooks.extend(quote!(vmsd.post_load = Some(#f);));
    }
    out.extend(quote! {
        impl #mig::VMStateDescribed for #name {
            const VMSD: &'static #mig::VMStateDescription = {
                const N: usize = <#name as #mig::VMState>::FIELDS.len() + 1;
                const FIELDS: [#mig::VMStateField; N] = #mig::concat_fields::<N>(&[
                    (<#name as #mig::VMState>::FIELDS, 0),
                    (&[#mig::END_OF_LIST], 0),
                ]);
                #hook_fns
                const VMSD: #mig::VMStateDescription = {
                    #[allow(unused_mut)]
                    let mut vmsd = #mig::description(#cname, #version, #minimum, &FIELDS);
                    #hooks
                    vmsd
                };
                &VMSD
            };
        }

        // SAFETY: a struct of size_of::<Self>() bytes, loaded by its own
        // description.
        unsafe impl #mig::VMStateFieldType for #name {
            const INFO: #mig::FieldInfo = #mig::FieldInfo::structure(
                <#name as #mig::VMStateDescribed>::VMSD,
                ::core::mem::size_of::<#name>(),
            );
        }
    });
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use syn::parse_quote;

    fn expand(input: DeriveInput) -> Result<String, String> {
        derive_vmstate_or_error(input)
            .map(|t| t.to_string())
            .map_err(|e| e.to_string())
    }

    #[test]
    fn fields_in_order_with_options() {
        let out = expand(parse_quote! {
            #[vmstate(name = "dev", version = 2, minimum_version = 1, post_load = Self::post_load)]
            struct Dev {
                #[vmstate(skip)]
                parent: P,
                #[vmstate(must_equal)]
                n: Cell<u8>,
                #[vmstate(mask = 0xff, max = 9, version = 2, rename = "ctrl")]
                control: Cell<u32>,
                #[vmstate(flatten)]
                regs: StateCell<Regs>,
                #[vmstate(varray_count = n)]
                slots: [Slot; 4],
            }
        })
        .unwrap();
        let order = [
            "c\"n\"",
            "must_equal",
            "c\"ctrl\"",
            "VMStateFlatten",
            "c\"slots\"",
        ];
        let mut at = 0;
        for item in order {
            let pos = out[at..]
                .find(item)
                .unwrap_or_else(|| panic!("{item} after {at} in {out}"));
            at += pos;
        }
        assert!(!out.contains("parent"), "{out}");
        assert!(
            out.contains(". mask ((0xff) as u64) . max ((9) as u64)"),
            "{out}"
        );
        assert!(out.contains(". version (2)"), "{out}");
        assert!(
            out.contains("varray :: < Cell < u8 > > (:: core :: mem :: offset_of ! (Dev , n))"),
            "{out}"
        );
        assert!(
            out.contains("description (c\"dev\" , 2 , 1 , & FIELDS)"),
            "{out}"
        );
        // Self:: in a hook names the struct inside the nested function.
        assert!(
            out.contains(
                "call_post_load :: < Dev > (opaque , version_id , errp , Dev :: post_load)"
            ),
            "{out}"
        );
        assert!(out.contains("VMStateFieldType for Dev"), "{out}");
    }

    #[test]
    fn without_a_name_only_the_fields() {
        let out = expand(parse_quote! { struct Regs { a: u32, b: [u64; 2] } }).unwrap();
        assert!(
            out.contains("impl :: rivet_migration :: VMState for Regs"),
            "{out}"
        );
        assert!(!out.contains("VMStateDescribed"), "{out}");
        // The minimum version defaults to the version, the version to 1.
        let out = expand(parse_quote! { #[vmstate(name = "r", version = 3)] struct R { a: u32 } })
            .unwrap();
        assert!(
            out.contains("description (c\"r\" , 3 , 3 , & FIELDS)"),
            "{out}"
        );
    }

    #[test]
    fn attribute_errors() {
        let cases: [(DeriveInput, &str); 8] = [
            (
                parse_quote! { struct D { #[vmstate(mask)] f: u8 } },
                "expected `=`",
            ),
            (
                parse_quote! { struct D { #[vmstate(msak = 1)] f: u8 } },
                "unknown key in #[vmstate(...)] on a field",
            ),
            (
                parse_quote! { struct D { #[vmstate(max = 1, max = 2)] f: u8 } },
                "`max` is given twice",
            ),
            (
                parse_quote! { struct D { #[vmstate(skip, mask = 1)] f: u8 } },
                "`skip` takes no other",
            ),
            (
                parse_quote! { struct D { #[vmstate(varray_count = m)] f: [u8; 2] } },
                "`m` is not a field of `D`",
            ),
            (
                parse_quote! { struct D { a: u8, #[vmstate(rename = "a")] b: u8 } },
                "\"a\" is described twice",
            ),
            (
                parse_quote! { #[vmstate(version = 2)] struct D { a: u8 } },
                "give it a `name",
            ),
            (
                parse_quote! { #[vmstate(name = "")] struct D { a: u8 } },
                "1 to 255 bytes",
            ),
        ];
        for (input, want) in cases {
            let err = expand(input).unwrap_err();
            assert!(err.contains(want), "expected {want:?}, got {err:?}");
        }
    }
}
