//! The graph checks `workflow!` asks the compiler to evaluate: the graph's
//! analysis once, in `__GRAPH`, then one `const` item per check that reads
//! it, spanned on the token the error is about. The analysis and the checks
//! themselves live in the runtime's `check` module, as `const fn`s.

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

use super::model::WorkflowModel;
use crate::private::Private;

pub(crate) fn checks(model: &WorkflowModel) -> TokenStream {
    let name = &model.name;
    let count = &model.count;
    let workflow_span = model.item.self_ty.span();
    let p = &model.private;
    let none = TokenStream::new();
    let mut checks = vec![
        quote! {
            const __ACCEPTS: usize = #p::check::accept_count(&__STEPS);
            const __OUTPUTS: usize = #p::check::output_count(&__STEPS);
            const __CATCHES: usize = #p::check::catch_count(&__STEPS);
            // A reference, so that each check copies a pointer, not the graph.
            const __GRAPH: &#p::check::Graph<#count, __ACCEPTS, __OUTPUTS, __CATCHES> =
                &#p::check::Graph::of(&__STEPS);
        },
        check(p, &none, workflow_span, quote!(no_start(#name, __GRAPH))),
        check(
            p,
            &none,
            workflow_span,
            quote!(no_path_to_stop(#name, __GRAPH)),
        ),
    ];
    for step in &model.steps {
        let index = &step.index;
        let cfg = step.cfg_attribute();
        let mut spanned = |span: Span, check_fn: &str| {
            let check_fn = syn::Ident::new(check_fn, Span::call_site());
            checks.push(check(p, &cfg, span, quote!(#check_fn(__GRAPH, #index))));
        };
        spanned(step.event_span(), "accepts_stop");
        spanned(step.event_span(), "input_never_produced");
        spanned(step.returns_span(), "returns_unaccepted");
        spanned(step.event_span(), "gathers_without_fan_out");
        if let Some(span) = step.options.sends.span {
            spanned(span, "sends_unaccepted");
        }
        if let Some(span) = step.options.writes.span {
            spanned(span, "writes_stop");
        }
        if let Some(span) = step.options.catches_span {
            spanned(span, "catches_unknown_step");
            spanned(step.event_span(), "catcher_without_failure_event");
        }
        if let Some(span) = step.options.catches_all {
            spanned(span, "second_catch_all");
        }
        if let Some(span) = step.options.waits_for.span {
            spanned(span, "waits_for_other_than_input");
        }
        spanned(step.name.span(), "unreachable");
        spanned(step.name.span(), "dead_end");
        spanned(step.name.span(), "name_shared");
        for (nth, name) in step.options.catches.iter().enumerate() {
            for check_fn in ["caught_twice", "catches_a_catcher"] {
                let check_fn = syn::Ident::new(check_fn, Span::call_site());
                checks.push(check(
                    p,
                    &cfg,
                    name.span(),
                    quote!(#check_fn(__GRAPH, #index, #nth)),
                ));
            }
        }
    }
    quote! { #( #checks )* }
}

/// One check: a `const` item, spanned on `span`, that fails to evaluate
/// with the check's message; `cfg` is the attribute of the step's `#[cfg]`.
fn check(p: &Private, cfg: &TokenStream, span: Span, call: TokenStream) -> TokenStream {
    let p = p.at(span);
    quote_spanned! {span=>
        #cfg
        const _: () = {
            let verdict = #p::check::#call;
            if verdict.failed() {
                ::core::panic!("{}", verdict.message());
            }
        };
    }
}
