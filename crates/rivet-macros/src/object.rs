//! `#[derive(Object)]`: layout checks for a QOM instance struct, and its
//! `Zeroable` implementation (QOM hands out zero-filled instances).

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{DeriveInput, Error, Type};

use crate::util::{named_fields, no_generics, reprs};

/// The expansion of `#[derive(Object)]`, or the first error found.
pub fn derive_object_or_error(input: DeriveInput) -> Result<TokenStream, Error> {
    no_generics(&input, "Object")?;
    let fields = named_fields(&input, "Object")?;
    if !reprs(&input.attrs)?.iter().any(|r| r == "C") {
        return Err(Error::new_spanned(
            &input.ident,
            "#[derive(Object)] needs #[repr(C)]: QOM casts a pointer to the \
             instance into a pointer to its first field, the parent",
        ));
    }
    let Some(parent) = fields.named.first() else {
        return Err(Error::new_spanned(
            &input.ident,
            "#[derive(Object)] needs the parent instance as first field",
        ));
    };
    let is_parent_field = matches!(&parent.ty, Type::Path(p)
        if p.path.segments.last().is_some_and(|s| s.ident == "ParentField"));
    if !is_parent_field {
        return Err(Error::new_spanned(
            &parent.ty,
            "the first field must be the parent instance, \
             `ParentField<<Self as ObjectImpl>::ParentType>`: QOM casts a pointer \
             to the instance into a pointer to its first field",
        ));
    }
    let name = &input.ident;
    let parent_name = parent.ident.as_ref().expect("named field");
    let field_types = fields.named.iter().map(|f| &f.ty);
    // Spanned on the first field's type, so a ParentField of the wrong
    // type is reported there.
    let parent_check = quote_spanned! {parent.ty.span()=>
        fn __parent_is_first(
            s: &#name,
        ) -> &::rivet_qom::ParentField<<#name as ::rivet_qom::ObjectImpl>::ParentType> {
            &s.#parent_name
        }
    };
    Ok(quote! {
        // QOM casts a pointer to the instance into a pointer to its first
        // field: that field must be the parent, at offset 0.
        const _: () = {
            #parent_check
            ::core::assert!(::core::mem::offset_of!(#name, #parent_name) == 0);
        };
        // QOM allocates instances zero-filled: every field must accept that.
        const _: () = {
            const fn __zeroable<T: ::rivet_util::cell::Zeroable>() {}
            #(__zeroable::<#field_types>();)*
        };
        // SAFETY: every field is Zeroable (checked just above), so the
        // all-zero struct is a valid value.
        unsafe impl ::rivet_util::cell::Zeroable for #name {}
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use syn::parse_quote;

    fn expand(input: DeriveInput) -> Result<String, String> {
        derive_object_or_error(input)
            .map(|t| t.to_string())
            .map_err(|e| e.to_string())
    }

    #[test]
    fn first_field_is_the_parent() {
        let out = expand(parse_quote! {
            #[repr(C)]
            struct S { parent: ParentField<SysBusDevice>, x: Cell<u32> }
        })
        .unwrap();
        let want = quote! {
            const _: () = {
                fn __parent_is_first(
                    s: &S,
                ) -> &::rivet_qom::ParentField<<S as ::rivet_qom::ObjectImpl>::ParentType> {
                    &s.parent
                }
                ::core::assert!(::core::mem::offset_of!(S, parent) == 0);
            };
            const _: () = {
                const fn __zeroable<T: ::rivet_util::cell::Zeroable>() {}
                __zeroable::<ParentField<SysBusDevice> >();
                __zeroable::<Cell<u32> >();
            };
            unsafe impl ::rivet_util::cell::Zeroable for S {}
        };
        assert_eq!(out, want.to_string());
    }

    #[test]
    fn repr_c_among_others_is_accepted() {
        assert!(expand(parse_quote! {
            #[repr(C, align(8))]
            struct S { parent: ParentField<P> }
        })
        .is_ok());
    }

    #[test]
    fn parent_not_first() {
        let err = expand(parse_quote! {
            #[repr(C)]
            struct S { iomem: MemoryRegion, parent: ParentField<P> }
        })
        .unwrap_err();
        assert!(err.contains("first field must be the parent"), "{err}");
    }

    #[test]
    fn missing_repr_c() {
        let err = expand(parse_quote! { struct S { parent: P } }).unwrap_err();
        assert!(err.contains("needs #[repr(C)]"), "{err}");
        let err = expand(parse_quote! { #[repr(Rust)] struct S { parent: P } }).unwrap_err();
        assert!(err.contains("needs #[repr(C)]"), "{err}");
    }

    #[test]
    fn shapes_that_are_refused() {
        let err = expand(parse_quote! { #[repr(C)] struct S {} }).unwrap_err();
        assert!(err.contains("parent instance as first field"), "{err}");
        let err = expand(parse_quote! { #[repr(C)] struct S(u32); }).unwrap_err();
        assert!(err.contains("named fields"), "{err}");
        let err = expand(parse_quote! { #[repr(C)] enum S { A } }).unwrap_err();
        assert!(err.contains("not enums"), "{err}");
        let err = expand(parse_quote! { #[repr(C)] struct S<T> { p: T } }).unwrap_err();
        assert!(err.contains("generic"), "{err}");
    }
}
