//! `#[derive(Device)]`: the qdev property table from `#[property(...)]`
//! fields.

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{DeriveInput, Error, Expr, Field, LitCStr, LitStr};

use crate::util::{named_fields, no_generics};

/// One `#[property(...)]` field, parsed.
struct PropertyAttr {
    name: LitStr,
    default: Option<Expr>,
    desc: Option<LitStr>,
}

fn c_string(lit: &LitStr) -> Result<LitCStr, Error> {
    let value = lit.value();
    if value.contains('\0') {
        return Err(Error::new_spanned(
            lit,
            "a NUL byte cannot appear in a property string",
        ));
    }
    let c = std::ffi::CString::new(value).expect("checked for NUL");
    Ok(LitCStr::new(&c, lit.span()))
}

/// Parses the `#[property(...)]` attribute of `field`, if it has one.
fn property_attr(field: &Field) -> Result<Option<PropertyAttr>, Error> {
    let mut attrs = field.attrs.iter().filter(|a| a.path().is_ident("property"));
    let Some(attr) = attrs.next() else {
        return Ok(None);
    };
    if let Some(second) = attrs.next() {
        return Err(Error::new_spanned(
            second,
            "a field has at most one #[property(...)]",
        ));
    }
    let field_name = field.ident.as_ref().expect("named field");
    let mut out = PropertyAttr {
        name: LitStr::new(&field_name.to_string(), field_name.span()),
        default: None,
        desc: None,
    };
    let mut seen: Vec<String> = Vec::new();
    if matches!(attr.meta, syn::Meta::Path(_)) {
        // A bare #[property]: every key takes its default.
        return Ok(Some(out));
    }
    attr.parse_nested_meta(|meta| {
        let key = meta
            .path
            .get_ident()
            .map(|i| i.to_string())
            .unwrap_or_default();
        if seen.contains(&key) {
            return Err(meta.error(format!("`{key}` is given twice")));
        }
        match key.as_str() {
            "name" => out.name = meta.value()?.parse()?,
            "default" => out.default = Some(meta.value()?.parse()?),
            "desc" => out.desc = Some(meta.value()?.parse()?),
            _ => {
                return Err(
                    meta.error("unknown key in #[property(...)]; expected name, default or desc")
                )
            }
        }
        seen.push(key);
        Ok(())
    })?;
    if out.name.value().is_empty() {
        return Err(Error::new_spanned(
            &out.name,
            "a property name cannot be empty",
        ));
    }
    Ok(Some(out))
}

/// The expansion of `#[derive(Device)]`, or the first error found.
pub fn derive_device_or_error(input: DeriveInput) -> Result<TokenStream, Error> {
    no_generics(&input, "Device")?;
    let fields = named_fields(&input, "Device")?;
    let name = &input.ident;
    let mut names: Vec<String> = Vec::new();
    let mut entries = Vec::new();
    for field in &fields.named {
        let Some(prop) = property_attr(field)? else {
            continue;
        };
        if names.contains(&prop.name.value()) {
            return Err(Error::new_spanned(
                &prop.name,
                format!("property \"{}\" is defined twice", prop.name.value()),
            ));
        }
        names.push(prop.name.value());
        let field_name = field.ident.as_ref().expect("named field");
        let pname = c_string(&prop.name)?;
        let default = prop.default.as_ref().map(|d| quote!(, default = #d));
        let desc = match &prop.desc {
            Some(d) => {
                let d = c_string(d)?;
                quote!(.with_description(#d))
            }
            None => quote!(),
        };
        // Spanned on the field's type, so a type that cannot be a property
        // (not rivet_qom::PropertyType) is reported there.
        let ty = &field.ty;
        entries.push(quote_spanned! {ty.span()=>
            ::rivet_hwcore::qdev_prop!(#name, #field_name, #pname #default) #desc
        });
    }
    if entries.is_empty() {
        return Err(Error::new(
            Span::call_site(),
            "#[derive(Device)] found no #[property(...)] field; a device without \
             properties needs no derive",
        ));
    }
    Ok(quote! {
        impl #name {
            /// The static properties of the device, from its
            /// `#[property(...)]` fields, for `DeviceImpl::PROPERTIES`.
            pub const DEVICE_PROPERTIES: &'static [::rivet_hwcore::qdev::PropertyInfo] = &[
                #(#entries,)*
            ];
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use syn::parse_quote;

    fn expand(input: DeriveInput) -> Result<String, String> {
        derive_device_or_error(input)
            .map(|t| t.to_string())
            .map_err(|e| e.to_string())
    }

    #[test]
    fn scalar_and_link_properties() {
        let out = expand(parse_quote! {
            struct Hpet {
                parent: P,
                #[property(name = "timers", default = 3, desc = "comparators")]
                num_timers: Cell<u8>,
                #[property(default = INTCAP)]
                intcap: Cell<u32>,
                #[property(name = "chardev")]
                chr: ChardevLink,
                not_a_property: u64,
            }
        })
        .unwrap();
        let want = quote! {
            impl Hpet {
                /// The static properties of the device, from its
                /// `#[property(...)]` fields, for `DeviceImpl::PROPERTIES`.
                pub const DEVICE_PROPERTIES: &'static [::rivet_hwcore::qdev::PropertyInfo] = &[
                    ::rivet_hwcore::qdev_prop!(Hpet, num_timers, c"timers", default = 3)
                        .with_description(c"comparators"),
                    ::rivet_hwcore::qdev_prop!(Hpet, intcap, c"intcap", default = INTCAP),
                    ::rivet_hwcore::qdev_prop!(Hpet, chr, c"chardev"),
                ];
            }
        };
        assert_eq!(out, want.to_string());
    }

    #[test]
    fn field_name_is_the_default_name() {
        let out = expand(parse_quote! { struct D { p: P, #[property] level: bool } }).unwrap();
        assert!(out.contains("c\"level\""), "{out}");
        assert!(!out.contains("default"), "{out}");
    }

    #[test]
    fn attribute_errors() {
        let cases: [(DeriveInput, &str); 6] = [
            (
                parse_quote! { struct D { #[property(nmae = "x")] f: u8 } },
                "unknown key in #[property(...)]",
            ),
            (
                parse_quote! { struct D { #[property(name = "x", name = "y")] f: u8 } },
                "`name` is given twice",
            ),
            (
                parse_quote! { struct D { #[property(name = "x")] f: u8, #[property(name = "x")] g: u8 } },
                "property \"x\" is defined twice",
            ),
            (
                parse_quote! { struct D { #[property(name = "")] f: u8 } },
                "cannot be empty",
            ),
            (
                parse_quote! { struct D { #[property] #[property] f: u8 } },
                "at most one",
            ),
            (
                parse_quote! { struct D { f: u8 } },
                "found no #[property(...)] field",
            ),
        ];
        for (input, want) in cases {
            let err = expand(input).unwrap_err();
            assert!(err.contains(want), "expected {want:?}, got {err:?}");
        }
    }
}
