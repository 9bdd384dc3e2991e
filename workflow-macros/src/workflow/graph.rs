//! The graph checks `workflow!` asks the compiler to evaluate: one `const`
//! item per check, spanned on the token the error is about. The checks
//! themselves live in the runtime's `check` module, as `const fn`s.

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

use super::model::WorkflowModel;

pub(crate) fn checks(model: &WorkflowModel) -> TokenStream {
    let name = &model.name;
    let workflow_span = model.item.self_ty.span();
    let mut checks = vec![
        check(workflow_span, quote!(no_start(#name, &__STEPS))),
        check(workflow_span, quote!(no_path_to_stop(#name, &__STEPS))),
    ];
    for step in &model.steps {
        let index = step.index;
        checks.push(check(
            step.event_span(),
            quote!(accepts_stop(&__STEPS, #index)),
        ));
        checks.push(check(
            step.event_span(),
            quote!(input_never_produced(&__STEPS, #index)),
        ));
        checks.push(check(
            step.returns_span(),
            quote!(returns_unaccepted(&__STEPS, #index)),
        ));
        if let Some(span) = step.options.sends.span {
            checks.push(check(span, quote!(sends_unaccepted(&__STEPS, #index))));
        }
        if let Some(span) = step.options.writes.span {
            checks.push(check(span, quote!(writes_stop(&__STEPS, #index))));
        }
        if step.gathers.is_some() {
            checks.push(check(
                step.event_span(),
                quote!(gathers_without_fan_out(&__STEPS, #index)),
            ));
        }
        if let Some(span) = step.options.catches_span {
            checks.push(check(span, quote!(catches_unknown_step(&__STEPS, #index))));
            checks.push(check(
                step.event_span(),
                quote!(catcher_without_failure_event(&__STEPS, #index)),
            ));
        }
        if let Some(span) = step.options.waits_for.span {
            checks.push(check(
                span,
                quote!(waits_for_other_than_input(&__STEPS, #index)),
            ));
        }
        checks.push(check(
            step.name.span(),
            quote!(unreachable(&__STEPS, #index)),
        ));
        checks.push(check(step.name.span(), quote!(dead_end(&__STEPS, #index))));
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
