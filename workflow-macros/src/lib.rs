//! Procedural macros of the [`typed-workflows`](https://docs.rs/typed-workflows) crate.
//! Use them through that crate, which documents them; the code they generate
//! names it through one hidden module, `::typed_workflows::__private`, or
//! `path::__private` under a `crate = path` option.

#![warn(missing_docs)]

mod derives;
mod errors;
mod event;
mod one_of;
mod private;
mod repeat;
mod workflow;

use proc_macro::TokenStream;
use syn::{DeriveInput, ItemImpl, parse_macro_input};

/// `workflow! { impl MyWorkflow { ... } }` expands to the `impl` block with
/// its steps, the type's `Workflow` impl with its routing table, and the
/// compile-time checks of its graph.
#[proc_macro]
pub fn workflow(input: TokenStream) -> TokenStream {
    workflow::expand(
        parse_macro_input!(input as ItemImpl),
        proc_macro2::TokenStream::new(),
    )
    .into()
}

/// `#[workflow_impl] impl MyWorkflow { ... }` expands as `workflow!` does,
/// from the `impl` block it is put on.
#[proc_macro_attribute]
pub fn workflow_impl(args: TokenStream, input: TokenStream) -> TokenStream {
    let item = parse_macro_input!(input as ItemImpl);
    workflow::expand(item, args.into()).into()
}

/// The workflow's macro reads and removes `#[step]`, so this attribute only
/// expands where it is misplaced: into a compile error that says where it
/// belongs.
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

/// `#[event]` expands to a `#[derive(...)]` of the traits among `Debug`,
/// `Clone`, `Serialize`, `Deserialize` and `Event` that the item does not
/// derive yet, with serde named through `typed_workflows`, and passes its
/// role on to the `Event` derive.
#[proc_macro_attribute]
pub fn event(args: TokenStream, input: TokenStream) -> TokenStream {
    derives::event(args.into(), input.into()).into()
}

/// `#[data]` expands to a `#[derive(...)]` of serde's `Serialize` and
/// `Deserialize`, with serde named through `typed_workflows`.
#[proc_macro_attribute]
pub fn data(args: TokenStream, input: TokenStream) -> TokenStream {
    derives::data(args.into(), input.into()).into()
}

/// The derive implements `typed_workflows::Event`, with the role and the
/// name given in `#[event(...)]`.
#[proc_macro_derive(Event, attributes(event))]
pub fn derive_event(input: TokenStream) -> TokenStream {
    event::derive(parse_macro_input!(input as DeriveInput)).into()
}

/// The derive implements what a step's return type and parameter need, and a
/// `From` impl per variant; `#[one_of(crate = path)]` names the runtime
/// through `path`.
#[proc_macro_derive(OneOf, attributes(one_of))]
pub fn derive_one_of(input: TokenStream) -> TokenStream {
    one_of::derive(parse_macro_input!(input as DeriveInput)).into()
}
