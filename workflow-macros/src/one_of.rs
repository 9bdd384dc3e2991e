//! `#[derive(OneOf)]`: an enum whose variants each carry one event (or an
//! `Option` of one, or another `OneOf` enum), for a step that returns one of
//! several events, or that accepts any of them.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Data, DeriveInput, Fields, Type};

use crate::errors::Errors;
use crate::private::{Private, crate_option};
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
    let krate = crate_option(&input.attrs, "one_of", &mut errors);
    if !errors.is_empty() {
        return errors.to_compile_errors();
    }

    let p = Private::new(krate.as_ref());
    let ident = &input.ident;
    let names: Vec<_> = variants.iter().map(|(name, _)| name).collect();
    let types: Vec<&Type> = variants.iter().map(|(_, ty)| *ty).collect();
    let variant_trait = quote!(#p::OneOfVariant);
    // Spanned on each variant's type: one that is not an event, a `OneOf`
    // or an `Option` of those is an error there.
    let members: Vec<TokenStream> = types
        .iter()
        .map(|ty| quote_spanned! {ty.span()=> <#ty as #variant_trait>::MEMBERS })
        .collect();
    // Where each variant's events start in the enum's: after those of the
    // variants before it.
    let offsets = (0..types.len()).map(|nth| {
        let before = &members[..nth];
        quote!((0 #( + #before.len() )*))
    });
    let message = format!("`{ident}` is taken for one of its variants' events, not gathered");
    // The enum's stop event is the first of its variants' (a lenient fold,
    // which never fails), and so is its start event; that each is one type
    // is checked once, in the type of a field, so that a conflict is one
    // error, on the enum's name, and the workflows that use the enum see
    // none.
    let fold = |join: TokenStream, role: TokenStream| {
        types.iter().fold(quote!(#p::Absent), |acc, ty| {
            let at = p.at(ty.span());
            quote_spanned! {ty.span()=>
                <#acc as #at::#join<<#ty as #variant_trait>::#role>>::Out
            }
        })
    };
    let stop = fold(quote!(Pick), quote!(AsStop));
    let start = fold(quote!(Pick), quote!(AsStart));
    let strict_stop = fold(quote!(JoinStop), quote!(AsStop));
    let strict_start = fold(quote!(JoinStart), quote!(AsStart));
    let role_checks = quote_spanned! {input.ident.span()=>
        const _: () = {
            #[allow(dead_code, clippy::type_complexity)]
            struct OneStop(::core::marker::PhantomData<#strict_stop>);
            #[allow(dead_code, clippy::type_complexity)]
            struct OneStart(::core::marker::PhantomData<#strict_start>);
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
            |ty| quote!(<#ty as #variant_trait>::MEMBERS),
            &p,
        );
        quote! {
            impl #p::Variant<#ident, #repeat> for #ty {
                fn wrap(self) -> #ident {
                    #ident::#name(self)
                }
            }
        }
    });
    quote! {
        impl #p::Emit for #ident {
            const MEMBERS: &'static [#p::EventInfo] =
                &#p::concat::<{ 0 #( + #members.len() )* }>(&[ #( #members ),* ]);
            type AsStop = #stop;

            #[inline]
            fn emit<__W, __S>(self, sink: &mut __S)
            where
                __W: #p::Workflow,
                __S: #p::Sink<__W>,
            {
                match self {
                    #( Self::#names(carried) => <#types as #variant_trait>::carry::<__W, __S>(carried, sink), )*
                }
            }
        }

        impl #p::Single for #ident {}

        impl #variant_trait for #ident {
            const MEMBERS: &'static [#p::EventInfo] =
                <Self as #p::Emit>::MEMBERS;
            type AsStop = <Self as #p::Emit>::AsStop;
            type AsStart = #start;

            #[inline]
            fn carry<__W, __S>(self, sink: &mut __S)
            where
                __W: #p::Workflow,
                __S: #p::Sink<__W>,
            {
                #p::Emit::emit::<__W, __S>(self, sink)
            }

            #[inline]
            fn routed(slot: &mut dyn ::core::any::Any) -> ::core::option::Option<Self> {
                #(
                    if let ::core::option::Option::Some(carried) = <#types as #variant_trait>::routed(slot) {
                        return ::core::option::Option::Some(Self::#names(carried));
                    }
                )*
                ::core::option::Option::None
            }

            #[inline]
            fn accepted(&self) -> usize {
                match self {
                    #( Self::#names(carried) => #offsets + <#types as #variant_trait>::accepted(carried), )*
                }
            }

            fn duplicate(&self) -> Self {
                match self {
                    #( Self::#names(carried) => Self::#names(<#types as #variant_trait>::duplicate(carried)), )*
                }
            }

            fn events(&self) -> ::std::vec::Vec<#p::AnyEvent> {
                match self {
                    #( Self::#names(carried) => <#types as #variant_trait>::events(carried), )*
                }
            }
        }

        impl #p::StepParam for #ident {
            const ACCEPTS: &'static [#p::EventInfo] =
                <Self as #p::Emit>::MEMBERS;
            type AsStart = #start;
            const GATHERS: bool = false;

            #[inline]
            fn routed(slot: &mut dyn ::core::any::Any) -> Self {
                match <Self as #variant_trait>::routed(slot) {
                    ::core::option::Option::Some(param) => param,
                    ::core::option::Option::None => {
                        ::core::unreachable!("an event is routed only to a step that takes its type")
                    }
                }
            }

            fn gather(_events: ::std::vec::Vec<#p::AnyEvent>) -> Self {
                ::core::unreachable!(#message)
            }

            #[inline]
            fn accepted(&self) -> usize {
                <Self as #variant_trait>::accepted(self)
            }

            fn duplicate(&self) -> Self {
                <Self as #variant_trait>::duplicate(self)
            }

            fn events(&self) -> ::std::vec::Vec<#p::AnyEvent> {
                <Self as #variant_trait>::events(self)
            }
        }

        #role_checks

        #( #variant_impls )*

        impl<__E: #p::Variant<#ident>> ::core::convert::From<__E> for #ident {
            fn from(event: __E) -> Self {
                event.wrap()
            }
        }
    }
}
