//! `#[qom_pin_data]`: pinned-init's `#[pin_data]` for a struct that also
//! derives `Device` or `VMState`.
//!
//! `#[pin_data]` copies every field attribute onto the code it generates
//! (a projection function per field, a struct of the pinned fields), where
//! our derives' helper attributes `#[vmstate(...)]` and `#[property(...)]`
//! are not in scope and fail as unknown attributes.  The derives run first
//! (rustc expands `#[derive]` before the attributes below it) and read
//! them; this macro then takes them off and hands the struct to
//! `#[pin_data]`.

use proc_macro2::TokenStream;
use quote::quote;
use syn::{Attribute, Error, ItemStruct};

/// The helper attributes of rivet's derives (`Device`, `VMState`).
const DERIVE_HELPERS: [&str; 2] = ["property", "vmstate"];

fn is_derive_helper(attr: &Attribute) -> bool {
    DERIVE_HELPERS.iter().any(|name| attr.path().is_ident(name))
}

/// `args` are `#[pin_data]`'s (`PinnedDrop` or nothing).
pub fn qom_pin_data_or_error(args: TokenStream, input: TokenStream) -> Result<TokenStream, Error> {
    let mut item: ItemStruct = syn::parse2(input)?;
    let has_helpers = item.attrs.iter().any(is_derive_helper)
        || item
            .fields
            .iter()
            .any(|f| f.attrs.iter().any(is_derive_helper));
    // A #[derive] still on the item is below this attribute: it has not
    // run yet, and would find its helper attributes gone.
    if let Some(derive) = item.attrs.iter().find(|a| a.path().is_ident("derive")) {
        if has_helpers {
            return Err(Error::new_spanned(
                derive,
                "#[derive(...)] must come before #[qom_pin_data], which removes the \
                 #[vmstate]/#[property] attributes the derives read",
            ));
        }
    }
    item.attrs.retain(|a| !is_derive_helper(a));
    for field in &mut item.fields {
        field.attrs.retain(|a| !is_derive_helper(a));
    }
    let pin_data = if args.is_empty() {
        quote!(#[::pinned_init::pin_data])
    } else {
        quote!(#[::pinned_init::pin_data(#args)])
    };
    Ok(quote! {
        #pin_data
        #item
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expand(args: TokenStream, input: TokenStream) -> Result<String, String> {
        qom_pin_data_or_error(args, input)
            .map(|t| t.to_string())
            .map_err(|e| e.to_string())
    }

    #[test]
    fn helper_attributes_are_removed_others_kept() {
        let out = expand(
            quote!(),
            quote! {
                #[repr(C)]
                #[vmstate(name = "s")]
                struct S {
                    #[pin]
                    parent: ParentField<SysBusDevice>,
                    #[property(name = "n", default = 3)]
                    #[doc = "count"]
                    n: Cell<u8>,
                    #[vmstate(skip)]
                    x: Cell<u32>,
                }
            },
        )
        .unwrap();
        let want = quote! {
            #[::pinned_init::pin_data]
            #[repr(C)]
            struct S {
                #[pin]
                parent: ParentField<SysBusDevice>,
                #[doc = "count"]
                n: Cell<u8>,
                x: Cell<u32>,
            }
        };
        assert_eq!(out, want.to_string());
    }

    #[test]
    fn arguments_go_to_pin_data() {
        let out = expand(
            quote!(PinnedDrop),
            quote!(
                struct S {
                    x: u8,
                }
            ),
        )
        .unwrap();
        let want = quote! {
            #[::pinned_init::pin_data(PinnedDrop)]
            struct S { x: u8, }
        };
        assert_eq!(out, want.to_string());
    }

    #[test]
    fn derive_below_with_helpers_is_refused() {
        let err = expand(
            quote!(),
            quote! {
                #[derive(VMState)]
                struct S { #[vmstate(skip)] x: u8 }
            },
        )
        .unwrap_err();
        assert!(err.contains("must come before #[qom_pin_data]"), "{err}");
    }

    #[test]
    fn derive_below_without_helpers_is_fine() {
        let out = expand(
            quote!(),
            quote!(
                #[derive(Debug)]
                struct S {
                    x: u8,
                }
            ),
        )
        .unwrap();
        let want = quote! {
            #[::pinned_init::pin_data]
            #[derive(Debug)]
            struct S { x: u8, }
        };
        assert_eq!(out, want.to_string());
    }
}
