//! `#[derive(OneOf)]`: an enum whose variants each carry one event (or an
//! `Option` of one, or another `OneOf` enum), for a step that returns one of
//! several events.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Data, DeriveInput, Fields, Type};

use crate::errors::Errors;
use crate::repeat::repeat_of;

pub(crate) fn derive(input: DeriveInput) -> TokenStream {
    let mut errors = Errors::default();
    if !input.generics.params.is_empty() {
        errors.spanned(
            &input.generics,
            "`#[derive(OneOf)]` does not support generic enums: the graph checks need concrete event types",
        );
    }
    let Data::Enum(data) = &input.data else {
        errors.spanned(
            &input.ident,
            "`#[derive(OneOf)]` goes on an enum with one variant per event, like `enum Next { Retry(RetryEvent), Done(StopEvent<String>) }`",
        );
        return errors.to_compile_errors();
    };
    if data.variants.is_empty() {
        errors.spanned(
            &input.ident,
            "a `OneOf` enum needs at least one variant, each carrying one event",
        );
    }
    let mut variants = Vec::new();
    for variant in &data.variants {
        match &variant.fields {
            Fields::Unnamed(fields) if fields.unnamed.len() == 1 => {
                variants.push((&variant.ident, &fields.unnamed[0].ty));
            }
            _ => errors.spanned(
                variant,
                format!(
                    "each variant of a `OneOf` enum carries exactly one event, like `{}(SomeEvent)`",
                    variant.ident
                ),
            ),
        }
    }
    if !errors.is_empty() {
        return errors.to_compile_errors();
    }

    let ident = &input.ident;
    let names = variants.iter().map(|(name, _)| name);
    let types: Vec<&Type> = variants.iter().map(|(_, ty)| *ty).collect();
    // Spanned on each variant's type: one that is not an event, a `OneOf`
    // or an `Option` of those is an error there.
    let members: Vec<TokenStream> = types
        .iter()
        .map(|ty| {
            quote_spanned! {ty.span()=>
                <#ty as ::workflows::__private::OneOfVariant>::MEMBERS
            }
        })
        .collect();
    let carries = types.iter().map(|ty| {
        quote! { <#ty as ::workflows::__private::OneOfVariant>::carry::<__W, __S>(carried, sink) }
    });
    // The enum's stop event is the first of its variants' (a lenient fold,
    // which never fails); that they are all one type is checked once, in
    // the type of a field, so that a conflict is one error, on the
    // enum's name, and the workflows that return the enum see none.
    let fold = |join: TokenStream| {
        types
            .iter()
            .fold(quote!(::workflows::__private::Absent), |acc, ty| {
                quote_spanned! {ty.span()=>
                    <#acc as ::workflows::__private::#join<<#ty as ::workflows::__private::OneOfVariant>::AsStop>>::Out
                }
            })
    };
    let stop = fold(quote!(Pick));
    let strict_stop = fold(quote!(JoinStop));
    let stop_check = quote_spanned! {input.ident.span()=>
        const _: () = {
            #[allow(dead_code, clippy::type_complexity)]
            struct OneStop(::core::marker::PhantomData<#strict_stop>);
        };
    };
    // `From` for `.into()`, through one `Variant` impl per variant: a type
    // that appears twice, perhaps under another spelling, gets its own
    // `REPEAT` there, so the impls do not conflict, and `.into()` makes the
    // first variant that holds it.
    let variant_impls = variants.iter().enumerate().map(|(nth, (name, ty))| {
        let repeat = repeat_of(
            &types,
            nth,
            |ty| quote!(<#ty as ::workflows::__private::OneOfVariant>::MEMBERS),
        );
        quote! {
            impl ::workflows::__private::Variant<#ident, #repeat> for #ty {
                fn wrap(self) -> #ident {
                    #ident::#name(self)
                }
            }
        }
    });
    quote! {
        impl ::workflows::Emit for #ident {
            const MEMBERS: &'static [::workflows::__private::EventInfo] =
                &::workflows::__private::concat::<{ 0 #( + #members.len() )* }>(&[ #( #members ),* ]);
            type AsStop = #stop;

            #[inline]
            fn emit<__W, __S>(self, sink: &mut __S)
            where
                __W: ::workflows::Workflow,
                __S: ::workflows::__private::Sink<__W>,
            {
                match self {
                    #( Self::#names(carried) => #carries, )*
                }
            }
        }

        impl ::workflows::__private::Single for #ident {}

        impl ::workflows::__private::OneOfVariant for #ident {
            const MEMBERS: &'static [::workflows::__private::EventInfo] =
                <Self as ::workflows::Emit>::MEMBERS;
            type AsStop = <Self as ::workflows::Emit>::AsStop;

            #[inline]
            fn carry<__W, __S>(self, sink: &mut __S)
            where
                __W: ::workflows::Workflow,
                __S: ::workflows::__private::Sink<__W>,
            {
                ::workflows::Emit::emit::<__W, __S>(self, sink)
            }
        }

        #stop_check

        #( #variant_impls )*

        impl<__E: ::workflows::__private::Variant<#ident>> ::core::convert::From<__E> for #ident {
            fn from(event: __E) -> Self {
                event.wrap()
            }
        }
    }
}
