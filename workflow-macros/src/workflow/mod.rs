//! `workflow!` and `#[workflow_impl]`: one implementation for both spellings.

mod expand;
mod graph;
mod model;
mod options;
mod settings;

use proc_macro2::TokenStream;
use quote::quote;
use syn::ItemImpl;

use crate::errors::Errors;
use model::WorkflowModel;
use settings::WorkflowOptions;

/// Expands a workflow's `impl` block. Errors in step signatures leave those
/// steps out and skip the graph checks, whose verdicts would be wrong
/// without them; the `impl` block is emitted all the same, so that one
/// mistake yields one message.
///
/// `args` are the arguments of `#[workflow_impl(...)]`, empty for
/// `workflow! { ... }`.
pub(crate) fn expand(mut item: ItemImpl, args: TokenStream) -> TokenStream {
    let mut errors = Errors::default();
    let options = WorkflowOptions::parse(args, &mut item, &mut errors);
    let model = WorkflowModel::parse(item, options, &mut errors);
    let expanded = expand::expand(&model, errors.is_empty());
    let errors = errors.to_compile_errors();
    quote! {
        #expanded
        #errors
    }
}
