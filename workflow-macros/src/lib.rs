//! Procedural macros of the [`typed-workflows`](https://docs.rs/typed-workflows) crate.
//! Use them through that crate, which documents them; the code they generate
//! names it by absolute paths (`::typed_workflows::...`).

#![warn(missing_docs)]

mod derives;
mod errors;
mod event;
mod one_of;
mod repeat;
mod workflow;

use proc_macro::TokenStream;
use syn::{DeriveInput, ItemImpl, parse_macro_input};

/// Builds a workflow from an `impl` block whose `#[step]` methods react to
/// events: `workflow! { impl MyWorkflow { ... } }`. The attribute spelling,
/// `#[workflow_impl] impl MyWorkflow { ... }`, is the same macro (Rust gives
/// a function-like and an attribute macro of one module distinct names).
/// Options of the whole workflow go in `#[workflow(...)]` on the `impl`
/// block: `workflow! { #[workflow(state = Counter)] impl MyWorkflow { ... } }`.
#[proc_macro]
pub fn workflow(input: TokenStream) -> TokenStream {
    workflow::expand(
        parse_macro_input!(input as ItemImpl),
        proc_macro2::TokenStream::new(),
    )
    .into()
}

/// Builds a workflow from the `impl` block it is put on; the same macro as
/// `workflow! { ... }`, in the spelling that rustfmt and IDEs handle best.
/// Options of the whole workflow are its arguments:
/// `#[workflow_impl(state = Counter)]`.
#[proc_macro_attribute]
pub fn workflow_impl(args: TokenStream, input: TokenStream) -> TokenStream {
    let item = parse_macro_input!(input as ItemImpl);
    workflow::expand(item, args.into()).into()
}

/// Marks a step inside a `workflow!` or `#[workflow_impl]` block; those macros
/// read and remove it, so this one only runs where it is misplaced.
#[proc_macro_attribute]
pub fn step(_args: TokenStream, input: TokenStream) -> TokenStream {
    let input = proc_macro2::TokenStream::from(input);
    let mut output = syn::Error::new(
        proc_macro2::Span::call_site(),
        "`#[step]` marks a method of a workflow: put it inside a `#[workflow_impl] impl ... { }` block or a `workflow! { impl ... { } }` invocation; a step that a macro call inside the block writes is not seen, since the workflow's macro runs first: have your macro write the whole `impl` block instead",
    )
    .to_compile_error();
    output.extend(input);
    output.into()
}

/// Makes a struct or enum an event: adds the derives an event needs
/// (`Debug`, `Clone`, `Serialize`, `Deserialize`, `Event`), with serde named
/// through `typed_workflows`, so the user's crate need not depend on serde.
/// Its arguments are the event's role, as `#[event(...)]` gives it to the
/// `Event` derive: `#[event(start)]`.
#[proc_macro_attribute]
pub fn event(args: TokenStream, input: TokenStream) -> TokenStream {
    derives::event(args.into(), input.into()).into()
}

/// Makes a struct or enum serde data, for a workflow's state or a type
/// inside an event: adds `Serialize` and `Deserialize`, with serde named
/// through `typed_workflows`.
#[proc_macro_attribute]
pub fn data(args: TokenStream, input: TokenStream) -> TokenStream {
    derives::data(args.into(), input.into()).into()
}

/// Implements `typed_workflows::Event` for a struct or enum; see that trait.
#[proc_macro_derive(Event, attributes(event))]
pub fn derive_event(input: TokenStream) -> TokenStream {
    event::derive(parse_macro_input!(input as DeriveInput)).into()
}

/// Lets a step return one of several events, or accept any of them: put it
/// on an enum whose variants each carry one event.
#[proc_macro_derive(OneOf)]
pub fn derive_one_of(input: TokenStream) -> TokenStream {
    one_of::derive(parse_macro_input!(input as DeriveInput)).into()
}
