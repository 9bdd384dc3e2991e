//! The `REPEAT` const of the impls made for each of a list of event types
//! (the markers of `sends(...)`, the variants of a `OneOf`): the macro
//! cannot tell that two spellings are one type, so the compiler works out
//! which ones repeat an earlier one, and those get impls of their own.

use proc_macro2::TokenStream;
use quote::{ToTokens, quote};

use crate::private::Private;

/// `0` for `types[nth]` if no type before it is the same type, `nth`
/// otherwise, as a constant expression. `events` is the constant slice of
/// the events a type carries.
pub(crate) fn repeat_of<T: ToTokens>(
    types: &[T],
    nth: usize,
    events: impl Fn(&T) -> TokenStream,
    p: &Private,
) -> TokenStream {
    if nth == 0 {
        return quote!(0);
    }
    let earlier = types[..=nth].iter().map(events);
    quote! {
        { #p::check::repeat_of(&[ #( #earlier ),* ], #nth) }
    }
}
