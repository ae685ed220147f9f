//! Checks shared by the derives: struct shape and `#[repr(...)]`.

use syn::{Attribute, Data, DeriveInput, Error, Fields, FieldsNamed, Ident};

/// The named fields of a struct, or an error saying why the derive `what`
/// cannot apply.
pub fn named_fields<'a>(input: &'a DeriveInput, what: &str) -> Result<&'a FieldsNamed, Error> {
    let data = match &input.data {
        Data::Struct(s) => s,
        Data::Enum(e) => {
            return Err(Error::new(
                e.enum_token.span,
                format!("#[derive({what})] applies to structs, not enums"),
            ))
        }
        Data::Union(u) => {
            return Err(Error::new(
                u.union_token.span,
                format!("#[derive({what})] applies to structs, not unions"),
            ))
        }
    };
    match &data.fields {
        Fields::Named(named) => Ok(named),
        Fields::Unnamed(_) | Fields::Unit => Err(Error::new_spanned(
            &input.ident,
            format!("#[derive({what})] needs a struct with named fields"),
        )),
    }
}

/// Refuses generic parameters: a QOM type has one fixed layout.
pub fn no_generics(input: &DeriveInput, what: &str) -> Result<(), Error> {
    match input.generics.params.first() {
        Some(param) => Err(Error::new_spanned(
            param,
            format!("#[derive({what})] does not support generic parameters"),
        )),
        None => Ok(()),
    }
}

/// The representations named in `#[repr(...)]` attributes (C, u64, ...).
pub fn reprs(attrs: &[Attribute]) -> Result<Vec<Ident>, Error> {
    let mut out = Vec::new();
    for attr in attrs.iter().filter(|a| a.path().is_ident("repr")) {
        attr.parse_nested_meta(|meta| {
            if let Some(ident) = meta.path.get_ident() {
                out.push(ident.clone());
            }
            // align(N) and packed(N) carry arguments: consume them.
            if meta.input.peek(syn::token::Paren) {
                let content;
                syn::parenthesized!(content in meta.input);
                content.parse::<proc_macro2::TokenStream>()?;
            }
            Ok(())
        })?;
    }
    Ok(out)
}
