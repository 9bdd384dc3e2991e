//! `workflow!` and `#[workflow_impl]`: one implementation for both spellings.

mod expand;
mod graph;
mod model;
mod options;

use proc_macro2::TokenStream;
use quote::quote;
use syn::ItemImpl;

use crate::errors::Errors;
use model::WorkflowModel;

/// Expands a workflow's `impl` block. Errors in step signatures leave those
/// steps out and skip the graph checks, whose verdicts would be wrong
/// without them; the `impl` block is emitted all the same, so that one
/// mistake yields one message.
pub(crate) fn expand(item: ItemImpl) -> TokenStream {
    let mut errors = Errors::default();
    let model = WorkflowModel::parse(item, &mut errors);
    let expanded = expand::expand(&model, errors.is_empty());
    let errors = errors.to_compile_errors();
    quote! {
        #expanded
        #errors
    }
}
