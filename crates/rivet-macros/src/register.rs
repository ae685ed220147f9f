//! `#[derive(RegisterOffset)]`: decoding of MMIO offsets into an enum.

use proc_macro2::TokenStream;
use quote::quote;
use syn::{Data, DeriveInput, Error, Fields};

use crate::util::{no_generics, reprs};

/// The expansion of `#[derive(RegisterOffset)]`, or the first error found.
pub fn derive_register_offset_or_error(input: DeriveInput) -> Result<TokenStream, Error> {
    no_generics(&input, "RegisterOffset")?;
    let Data::Enum(data) = &input.data else {
        return Err(Error::new_spanned(
            &input.ident,
            "#[derive(RegisterOffset)] applies to fieldless enums",
        ));
    };
    if !reprs(&input.attrs)?.iter().any(|r| r == "u64") {
        return Err(Error::new_spanned(
            &input.ident,
            "#[derive(RegisterOffset)] needs #[repr(u64)]: offsets are compared as u64",
        ));
    }
    let mut variants = Vec::new();
    for v in &data.variants {
        if !matches!(v.fields, Fields::Unit) {
            return Err(Error::new_spanned(
                &v.fields,
                "a register offset variant has no fields",
            ));
        }
        if v.discriminant.is_none() {
            return Err(Error::new_spanned(
                &v.ident,
                "give the register's offset explicitly, e.g. `Dr = 0x000`",
            ));
        }
        variants.push(&v.ident);
    }
    let name = &input.ident;
    Ok(quote! {
        impl ::core::convert::TryFrom<u64> for #name {
            type Error = u64;
            #[inline]
            // The constants keep the variants' names (and spans), which
            // the lint also checks where the patterns use them.
            #[allow(non_upper_case_globals)]
            fn try_from(offset: u64) -> ::core::result::Result<Self, u64> {
                // One constant per variant, so the decode is a `match` on
                // integers that compiles to a jump table, like a C switch.
                #(
                    const #variants: u64 = #name::#variants as u64;
                )*
                match offset {
                    #(#variants => ::core::result::Result::Ok(#name::#variants),)*
                    _ => ::core::result::Result::Err(offset),
                }
            }
        }
        impl #name {
            /// The register's offset in the device's MMIO region.
            #[inline]
            pub const fn offset(self) -> u64 {
                self as u64
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use syn::parse_quote;

    fn expand(input: DeriveInput) -> Result<String, String> {
        derive_register_offset_or_error(input)
            .map(|t| t.to_string())
            .map_err(|e| e.to_string())
    }

    #[test]
    fn expansion() {
        let out = expand(parse_quote! {
            #[repr(u64)]
            enum R { A = 0, B = 0x18 }
        })
        .unwrap();
        assert!(
            out.contains("impl :: core :: convert :: TryFrom < u64 > for R"),
            "{out}"
        );
        assert!(out.contains("const A : u64 = R :: A as u64"), "{out}");
        assert!(
            out.contains("A => :: core :: result :: Result :: Ok (R :: A)"),
            "{out}"
        );
        assert!(
            out.contains("B => :: core :: result :: Result :: Ok (R :: B)"),
            "{out}"
        );
        assert!(out.contains("pub const fn offset (self) -> u64"), "{out}");
    }

    #[test]
    fn errors() {
        let cases: [(DeriveInput, &str); 5] = [
            (parse_quote! { enum R { A = 0 } }, "needs #[repr(u64)]"),
            (
                parse_quote! { #[repr(u32)] enum R { A = 0 } },
                "needs #[repr(u64)]",
            ),
            (
                parse_quote! { #[repr(u64)] enum R { A = 0, B } },
                "explicitly",
            ),
            (
                parse_quote! { #[repr(u64)] enum R { A(u8) = 0 } },
                "no fields",
            ),
            (
                parse_quote! { #[repr(u64)] struct R { a: u8 } },
                "fieldless enums",
            ),
        ];
        for (input, want) in cases {
            let err = expand(input).unwrap_err();
            assert!(err.contains(want), "expected {want:?}, got {err:?}");
        }
    }
}
