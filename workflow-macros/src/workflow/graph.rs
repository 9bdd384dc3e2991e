//! The graph checks `workflow!` asks the compiler to evaluate: the graph's
//! analysis once, in `__GRAPH`, then one `const` item per check that reads
//! it, spanned on the token the error is about. The analysis and the checks
//! themselves live in the runtime's `check` module, as `const fn`s.

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

use super::model::WorkflowModel;

pub(crate) fn checks(model: &WorkflowModel) -> TokenStream {
    let name = &model.name;
    let count = model.steps.len();
    let workflow_span = model.item.self_ty.span();
    let mut checks = vec![
        quote! {
            const __OUTPUTS: usize = ::workflows::__private::check::output_count(&__STEPS);
            const __CATCHES: usize = ::workflows::__private::check::catch_count(&__STEPS);
            // A reference, so that each check copies a pointer, not the graph.
            const __GRAPH: &::workflows::__private::check::Graph<#count, __OUTPUTS, __CATCHES> =
                &::workflows::__private::check::Graph::of(&__STEPS);
        },
        check(workflow_span, quote!(no_start(#name, __GRAPH))),
        check(workflow_span, quote!(no_path_to_stop(#name, __GRAPH))),
    ];
    for step in &model.steps {
        let index = step.index;
        checks.push(check(
            step.event_span(),
            quote!(accepts_stop(__GRAPH, #index)),
        ));
        checks.push(check(
            step.event_span(),
            quote!(input_never_produced(__GRAPH, #index)),
        ));
        checks.push(check(
            step.returns_span(),
            quote!(returns_unaccepted(__GRAPH, #index)),
        ));
        if let Some(span) = step.options.sends.span {
            checks.push(check(span, quote!(sends_unaccepted(__GRAPH, #index))));
        }
        if let Some(span) = step.options.writes.span {
            checks.push(check(span, quote!(writes_stop(__GRAPH, #index))));
        }
        if step.gathers.is_some() {
            checks.push(check(
                step.event_span(),
                quote!(gathers_without_fan_out(__GRAPH, #index)),
            ));
        }
        if let Some(span) = step.options.catches_span {
            checks.push(check(span, quote!(catches_unknown_step(__GRAPH, #index))));
            checks.push(check(
                step.event_span(),
                quote!(catcher_without_failure_event(__GRAPH, #index)),
            ));
        }
        if let Some(span) = step.options.waits_for.span {
            checks.push(check(
                span,
                quote!(waits_for_other_than_input(__GRAPH, #index)),
            ));
        }
        checks.push(check(
            step.name.span(),
            quote!(unreachable(__GRAPH, #index)),
        ));
        checks.push(check(step.name.span(), quote!(dead_end(__GRAPH, #index))));
    }
    quote! { #( #checks )* }
}

fn check(span: Span, call: TokenStream) -> TokenStream {
    quote_spanned! {span=>
        const _: () = {
            let verdict = ::workflows::__private::check::#call;
            if verdict.failed() {
                ::core::panic!("{}", verdict.message());
            }
        };
    }
}
