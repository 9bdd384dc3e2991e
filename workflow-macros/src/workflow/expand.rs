//! The code `workflow!` generates: the `Workflow` impl with its dispatch, and
//! the `SentBy` and `WrittenBy` impls behind `ctx.send_event` and
//! `ctx.write_event_to_stream`.

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::Type;

use super::graph;
use super::model::{Step, WorkflowModel};
use super::options::EventList;

pub(crate) fn expand(model: &WorkflowModel, check_graph: bool) -> TokenStream {
    let item = &model.item;
    let self_ty = &item.self_ty;
    let name = &model.name;
    let steps = &model.steps;
    let count = steps.len();

    let variants: Vec<_> = steps.iter().map(Step::variant).collect();
    let events: Vec<&Type> = steps.iter().map(|step| &step.event).collect();
    let outputs: Vec<TokenStream> = steps.iter().map(output_type).collect();
    let infos = steps.iter().map(step_info);
    let workflow_span = syn::spanned::Spanned::span(self_ty);
    let start = fold_start(steps, workflow_span);
    let stop = fold_stop(steps, workflow_span);
    let state = match &model.options.state {
        Some(state) => quote!(#state),
        None => quote!(()),
    };
    let caught: std::collections::HashSet<String> = steps
        .iter()
        .flat_map(|step| step.options.catches.iter().map(ToString::to_string))
        .collect();
    let invocations = steps
        .iter()
        .map(|step| invocation(step, caught.contains(&step.name.to_string())));
    let declared = steps.iter().map(|step| declared_impls(step, self_ty));
    let checks = if check_graph {
        graph::checks(model)
    } else {
        TokenStream::new()
    };
    let gathering = steps.iter().filter(|step| step.gathers.is_some());
    let (gather_indices, gather_variants): (Vec<usize>, Vec<_>) =
        gathering.map(|step| (step.index, step.variant())).unzip();
    quote! {
        #item

        const _: () = {
            #[allow(non_camel_case_types)]
            #[doc(hidden)]
            pub enum __Pending {
                #( #variants(#events), )*
            }

            #[allow(non_camel_case_types)]
            #[doc(hidden)]
            pub enum __Produced {
                #( #variants(#outputs), )*
            }

            const __STEPS: [::workflows::StepInfo; #count] = [ #( #infos, )* ];

            impl ::workflows::Workflow for #self_ty {
                const NAME: &'static str = #name;
                const STEPS: &'static [::workflows::StepInfo] = &__STEPS;
                type State = #state;
                type Start = #start;
                type Stop = #stop;
                type Pending = __Pending;
                type Branch = <::workflows::__private::Select<
                    { false #( || <#outputs as ::workflows::__private::Emit>::FANS_OUT )* }
                > as ::workflows::__private::SelectBranch>::Branch;
                type Produced = __Produced;

                const WRAP: &'static [fn(&mut dyn ::core::any::Any) -> __Pending] = &[
                    #( |slot| __Pending::#variants(::workflows::__private::take(slot)), )*
                ];

                fn invoke<'__a>(
                    &'__a self,
                    ctx: &'__a ::workflows::Context<Self>,
                    pending: __Pending,
                ) -> ::workflows::__private::StepFuture<'__a, Self> {
                    match pending {
                        #( #invocations )*
                    }
                }

                fn gather(
                    step: usize,
                    items: ::std::vec::Vec<::workflows::AnyEvent>,
                ) -> __Pending {
                    match step {
                        #( #gather_indices => __Pending::#gather_variants(
                            items.into_iter().map(::workflows::__private::gathered).collect(),
                        ), )*
                        _ => ::core::unreachable!("step {} gathers no fan-out", step),
                    }
                }

                #[inline]
                fn route<__S: ::workflows::__private::Sink<Self>>(produced: __Produced, sink: &mut __S) {
                    match produced {
                        #( __Produced::#variants(output) => {
                            ::workflows::__private::Emit::emit::<Self, __S>(output, sink)
                        } )*
                    }
                }
            }

            #( #declared )*

            #checks
        };
    }
}

/// The events-carrying type a step's return value unwraps to.
fn output_type(step: &Step) -> TokenStream {
    let returns = &step.returns;
    quote_spanned! {step.returns_span()=>
        <#returns as ::workflows::StepReturn>::Output
    }
}

fn step_info(step: &Step) -> TokenStream {
    let name = step.name.to_string();
    let event = step.accepted();
    let gathers = step.gathers.is_some();
    let output = output_type(step);
    let sends = &step.options.sends.types;
    let writes = &step.options.writes.types;
    let waits_for = &step.options.waits_for.types;
    let num_workers = step.options.num_workers;
    let catches = step.options.catches.iter().map(ToString::to_string);
    let max_recoveries = step.options.max_recoveries;
    let retry = constant_option(step.options.retry.as_ref());
    let timeout = constant_option(step.options.timeout.as_ref());
    quote! {
        ::workflows::StepInfo {
            name: #name,
            accepts: <#event as ::workflows::Event>::INFO,
            returns: <#output as ::workflows::__private::Emit>::MEMBERS,
            fans_out: <#output as ::workflows::__private::Emit>::FANS_OUT,
            gathers: #gathers,
            sends: &[ #( <#sends as ::workflows::Event>::INFO ),* ],
            writes: &[ #( <#writes as ::workflows::Event>::INFO ),* ],
            waits_for: &[ #( <#waits_for as ::workflows::Event>::INFO ),* ],
            num_workers: #num_workers,
            retry: #retry,
            timeout: #timeout,
            catches: &[ #( #catches ),* ],
            max_recoveries: #max_recoveries,
        }
    }
}

/// `Some(value)` or `None`, spanned on the value, so that an expression that
/// is not constant or of the wrong type is an error there.
fn constant_option(value: Option<&syn::Expr>) -> TokenStream {
    match value {
        Some(value) => quote_spanned! {syn::spanned::Spanned::span(value)=>
            ::core::option::Option::Some(#value)
        },
        None => quote!(::core::option::Option::None),
    }
}

/// The one start event type of the workflow, folded from every step's input.
///
/// The joins are spanned on the workflow's type, so that a conflict makes one
/// error there, naming both types, rather than one per later step. Each
/// step's own term keeps the span of the step's type: if that type is not an
/// event, this error is then identical to the one the step table raises at
/// the same place, and the compiler reports it once.
fn fold_start(steps: &[Step], span: Span) -> TokenStream {
    let roles = steps.iter().map(|step| {
        let event = step.accepted();
        quote_spanned! {step.event_span()=> <#event as ::workflows::Event>::AsStart }
    });
    fold(roles.collect(), &|left, right| {
        quote_spanned! {span=> <#left as ::workflows::__private::JoinStart<#right>>::Out }
    })
}

/// The one stop event type of the workflow, folded from every step's
/// returned and sent events; spanned as [`fold_start`] is.
fn fold_stop(steps: &[Step], span: Span) -> TokenStream {
    let roles = steps.iter().flat_map(|step| {
        let output = output_type(step);
        let returned = quote_spanned! {step.returns_span()=>
            <#output as ::workflows::__private::Emit>::AsStop
        };
        let sent = step.options.sends.types.iter().map(|sent| {
            quote_spanned! {syn::spanned::Spanned::span(sent)=>
                <#sent as ::workflows::Event>::AsStop
            }
        });
        std::iter::once(returned).chain(sent)
    });
    fold(roles.collect(), &|left, right| {
        quote_spanned! {span=> <#left as ::workflows::__private::JoinStop<#right>>::Out }
    })
}

/// Joins `roles` pairwise into a balanced tree, `Absent` if there are none:
/// the joins are associative, and a tree `log n` deep keeps the compiler's
/// work on a 100-step workflow small, where a chain 100 deep does not.
fn fold(
    mut roles: Vec<TokenStream>,
    join: &dyn Fn(TokenStream, TokenStream) -> TokenStream,
) -> TokenStream {
    match roles.len() {
        0 => quote!(::workflows::__private::Absent),
        1 => roles.remove(0),
        len => {
            let right = roles.split_off(len / 2);
            join(fold(roles, join), fold(right, join))
        }
    }
}

/// The arm of `invoke` for `step`: its call, through the attempts of its
/// retry policy and timeout if it has either, keeping its event as JSON if
/// another step catches its failures (`caught`).
fn invocation(step: &Step, caught: bool) -> TokenStream {
    let variant = step.variant();
    let method = &step.name;
    let index = step.index;
    let call = |attempt: TokenStream| {
        if step.takes_context {
            quote! {
                let ctx = ::workflows::StepContext::<'_, Self, #index>::of_attempt(ctx, #attempt);
                Self::#method(self, &ctx, event).await
            }
        } else {
            quote! { Self::#method(self, event).await }
        }
    };
    let options = &step.options;
    let outcome = if options.retry.is_none() && options.timeout.is_none() {
        let call = call(quote!(1));
        quote! {{
            let returned = { #call };
            ::workflows::StepReturn::into_step_result(returned)
        }}
    } else {
        let call = call(quote!(attempt));
        let attempt = if step.takes_context {
            quote!(attempt)
        } else {
            quote!(_)
        };
        quote! {{
            let attempt = |event, #attempt: u32| async move {
                let returned = { #call };
                ::workflows::StepReturn::into_step_result(returned)
            };
            ::workflows::__private::attempts(ctx, #index, event, attempt).await
        }}
    };
    let (keep_input, outcome) = if caught {
        (
            quote! { let input = ::workflows::__private::input_json(&event); },
            quote! { #outcome.map_err(|error| ::workflows::__private::with_input(error, input)) },
        )
    } else {
        (TokenStream::new(), outcome)
    };
    quote! {
        __Pending::#variant(event) => ::std::boxed::Box::pin(async move {
            #keep_input
            #outcome.map(__Produced::#variant)
        }),
    }
}

/// `SentBy<W, STEP>` for each event the step declares in `sends(...)`,
/// `WrittenBy<W, STEP>` for each in `writes(...)` and `WaitedBy<W, STEP>`
/// for each in `waits_for(...)`, each spelling once.
fn declared_impls(step: &Step, self_ty: &Type) -> TokenStream {
    let sends = marker_impls(step, self_ty, &step.options.sends, quote!(SentBy));
    let writes = marker_impls(step, self_ty, &step.options.writes, quote!(WrittenBy));
    let waits = marker_impls(step, self_ty, &step.options.waits_for, quote!(WaitedBy));
    quote! { #sends #writes #waits }
}

fn marker_impls(step: &Step, self_ty: &Type, list: &EventList, marker: TokenStream) -> TokenStream {
    let index = step.index;
    let mut seen = std::collections::HashSet::new();
    let impls = list
        .types
        .iter()
        .filter(|event| seen.insert(quote!(#event).to_string()))
        .map(|event| {
            // Spanned on the event in the attribute, which the compiler
            // shows when another event is written or sent undeclared.
            quote_spanned! {syn::spanned::Spanned::span(event)=>
                impl ::workflows::__private::#marker<#self_ty, #index> for #event {}
            }
        });
    quote! { #( #impls )* }
}
