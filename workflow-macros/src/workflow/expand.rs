//! The code `workflow!` generates: the `Blueprint` and `Workflow` impls,
//! with the dispatch, and the `SentBy` and `WrittenBy` impls behind
//! `ctx.send_event` and `ctx.write_event_to_stream`.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::ext::IdentExt;
use syn::{Ident, Type};

use super::graph;
use super::model::{Step, WorkflowModel};
use super::options::EventList;
use crate::private::Private;
use crate::repeat::repeat_of;

pub(crate) fn expand(model: &WorkflowModel, check_graph: bool) -> TokenStream {
    let item = &model.item;
    let self_ty = &item.self_ty;
    let name = &model.name;
    let steps = &model.steps;
    let count = &model.count;
    let p = &model.private;

    let cfgs: Vec<TokenStream> = steps.iter().map(Step::cfg_attribute).collect();
    let variants: Vec<&Ident> = steps.iter().map(Step::variant).collect();
    let indices: Vec<&TokenStream> = steps.iter().map(|step| &step.index).collect();
    let events: Vec<&Type> = steps.iter().map(|step| &step.event).collect();
    let outputs: Vec<TokenStream> = steps.iter().map(|step| output_type(step, p)).collect();
    let infos = steps.iter().map(|step| step_info(step, p));
    let workflow_span = syn::spanned::Spanned::span(self_ty);
    let start = fold_start(steps, workflow_span, p);
    let stop = fold_stop(steps, workflow_span, p);
    let (start_items, stop_items) = (&start.items, &stop.items);
    let (start, stop) = (&start.lenient, &stop.lenient);
    // Spanned on a step's event and return type, so that a private event
    // there, which `Start` or `Stop` would expose (E0446), is shown there.
    let start_span = steps.first().map_or(workflow_span, Step::event_span);
    let stop_span = steps.last().map_or(workflow_span, Step::returns_span);
    let at_start = p.at(start_span);
    let start_item = quote_spanned! {start_span=>
        type Start = <#start as #at_start::OrStartEvent>::Out;
    };
    let stop_item = quote_spanned! {stop_span=> type Stop = #stop; };
    let state = match &model.options.state {
        Some(state) => quote!(#state),
        None => quote!(()),
    };
    let caught = caught_steps(steps);
    let invocations = steps
        .iter()
        .zip(&caught)
        .map(|(step, caught)| invocation(step, *caught, p));
    let declared = steps.iter().map(|step| declared_impls(step, self_ty, p));
    // Spanned on the step's event type, where an error about a type that is
    // no event is shown once. `duplicate` and `pending_events` match
    // through `*pending`, as `accepted` does, so that a workflow with no
    // steps, whose `__Pending` is empty, needs no arm.
    let routed = param_calls(steps, "routed", "slot");
    let accepted = param_calls(steps, "accepted", "event");
    let duplicated = param_calls(steps, "duplicate", "event");
    let pending_events = param_calls(steps, "events", "event");
    let invoke_spawned = if steps.iter().any(|step| step.options.spawn) {
        quote!(#p::invoke_spawned(
            workflow, ctx, pending, answers
        ))
    } else {
        quote! {
            let _ = (workflow, ctx, pending, answers);
            ::core::unreachable!("no step of this workflow is spawned")
        }
    };
    let checks = if check_graph {
        graph::checks(model)
    } else {
        TokenStream::new()
    };
    quote! {
        #item

        const _: () = {
            // Never reachable by name: a private event in it exposes nothing.
            #[allow(non_camel_case_types, private_interfaces)]
            #[doc(hidden)]
            pub enum __Pending {
                #( #cfgs #variants(#events), )*
            }

            #[allow(non_camel_case_types, private_interfaces)]
            #[doc(hidden)]
            pub enum __Produced {
                #( #cfgs #variants(#outputs), )*
            }

            const __STEPS: [#p::StepInfo; #count] = [ #( #cfgs #infos, )* ];

            #start_items
            #stop_items

            impl #p::Blueprint for #self_ty {
                const NAME: &'static str = #name;
                const STEPS: &'static [#p::StepInfo] = &__STEPS;
                type State = #state;
                #start_item
                #stop_item
            }

            impl #p::Workflow for #self_ty {
                type Pending = __Pending;
                type Branch = <#p::Select<
                    { #p::any_fans_out(&[
                        #( #cfgs <#outputs as #p::Emit>::FANS_OUT, )*
                    ]) }
                > as #p::SelectBranch>::Branch;
                type Produced = __Produced;

                const WRAP: &'static [fn(&mut dyn ::core::any::Any) -> __Pending] = &[
                    #( #cfgs |slot| __Pending::#variants(#routed), )*
                ];

                fn duplicate(pending: &__Pending) -> __Pending {
                    match *pending {
                        #( #cfgs __Pending::#variants(ref event) => __Pending::#variants(#duplicated), )*
                    }
                }

                fn pending_events(pending: &__Pending) -> (usize, ::std::vec::Vec<#p::AnyEvent>) {
                    match *pending {
                        #( #cfgs __Pending::#variants(ref event) => (#indices, #pending_events), )*
                    }
                }

                #[inline]
                fn accepted(pending: &__Pending) -> usize {
                    match *pending {
                        #( #cfgs __Pending::#variants(ref event) => #accepted, )*
                    }
                }

                fn invoke_spawned<'__a>(
                    workflow: &::std::sync::Arc<Self>,
                    ctx: &'__a ::std::sync::Arc<#p::Context<Self>>,
                    pending: __Pending,
                    answers: ::core::option::Option<::std::sync::Arc<#p::Answers>>,
                ) -> #p::StepFuture<'__a, Self> {
                    #invoke_spawned
                }

                fn invoke<'__a>(
                    &'__a self,
                    ctx: &'__a #p::Context<Self>,
                    pending: __Pending,
                    answers: ::core::option::Option<::std::sync::Arc<#p::Answers>>,
                ) -> #p::StepFuture<'__a, Self> {
                    let _ = &answers;
                    match pending {
                        #( #cfgs #invocations )*
                    }
                }

                fn gather(
                    step: usize,
                    items: ::std::vec::Vec<#p::AnyEvent>,
                ) -> __Pending {
                    #(
                        #cfgs
                        if step == #indices {
                            return __Pending::#variants(
                                <#events as #p::StepParam>::gather(items),
                            );
                        }
                    )*
                    ::core::unreachable!("step {} gathers no fan-out", step)
                }

                #[inline]
                fn route<__S: #p::Sink<Self>>(produced: __Produced, sink: &mut __S) {
                    match produced {
                        #( #cfgs __Produced::#variants(output) => {
                            #p::Emit::emit::<Self, __S>(output, sink)
                        } )*
                    }
                }
            }

            #( #declared )*

            #checks
        };
    }
}

/// For each step, `item(argument)` of its event parameter as a
/// `StepParam`, spanned on the parameter's type.
fn param_calls(steps: &[Step], item: &str, argument: &str) -> Vec<TokenStream> {
    let argument = Ident::new(argument, Span::call_site());
    steps
        .iter()
        .map(|step| {
            let item = step.param_item(item);
            quote_spanned! {step.event_span()=> #item(#argument) }
        })
        .collect()
}

/// Whether another step may catch each step's failures: one names it in
/// `catches(...)`, or one catches every step's, `catches(*)`, and it
/// catches none itself. Steps under a `#[cfg]` count as if configured in,
/// so that a step that may be caught always keeps its input.
fn caught_steps(steps: &[Step]) -> Vec<bool> {
    let named: std::collections::HashSet<String> = steps
        .iter()
        .flat_map(|step| {
            step.options
                .catches
                .iter()
                .map(|name| name.unraw().to_string())
        })
        .collect();
    let catch_all = steps.iter().any(|step| step.options.catches_all.is_some());
    steps
        .iter()
        .map(|step| {
            let catches = step.options.catches_all.is_some() || !step.options.catches.is_empty();
            named.contains(&step.display_name()) || (catch_all && !catches)
        })
        .collect()
}

/// The events-carrying type a step's return value unwraps to.
fn output_type(step: &Step, p: &Private) -> TokenStream {
    let returns = &step.returns;
    let p = p.at(step.returns_span());
    quote_spanned! {step.returns_span()=>
        <#returns as #p::StepReturn>::Output
    }
}

fn step_info(step: &Step, p: &Private) -> TokenStream {
    let name = step.display_name();
    let accepts = step.param_item("ACCEPTS");
    let param = &step.event;
    let output = output_type(step, p);
    let sends = &step.options.sends.types;
    let writes = &step.options.writes.types;
    let waits_for = &step.options.waits_for.types;
    let num_workers = step.options.num_workers;
    let spawn = step.options.spawn;
    let catches = step
        .options
        .catches
        .iter()
        .map(|name| name.unraw().to_string());
    let catches_all = step.options.catches_all.is_some();
    let max_recoveries = step.options.max_recoveries;
    let retry = constant_option(step.options.retry.as_ref());
    let timeout = constant_option(step.options.timeout.as_ref());
    quote! {
        #p::StepInfo {
            name: #name,
            accepts: #accepts,
            returns: <#output as #p::Emit>::MEMBERS,
            fans_out: <#output as #p::Emit>::FANS_OUT,
            gathers: <#param as #p::StepParam>::GATHERS,
            sends: &[ #( <#sends as #p::Event>::INFO ),* ],
            writes: &[ #( <#writes as #p::Event>::INFO ),* ],
            waits_for: &[ #( <#waits_for as #p::Event>::INFO ),* ],
            num_workers: #num_workers,
            spawn: #spawn,
            retry: #retry,
            timeout: #timeout,
            catches: &[ #( #catches ),* ],
            catches_all: #catches_all,
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
///
/// The aliases of its items stand for the roles of steps with a `#[cfg]`:
/// `Absent` where the step is configured out.
fn fold_start(steps: &[Step], span: Span, p: &Private) -> Folded {
    let mut aliases = Vec::new();
    let roles = steps.iter().enumerate().map(|(position, step)| {
        let role = step.param_item("AsStart");
        let alias = format_ident!("__StartRole{position}");
        conditional_role(step, alias, role, &mut aliases, p)
    });
    Folded::new(
        roles.collect(),
        aliases,
        span,
        quote!(JoinStart),
        format_ident!("__OneStart"),
        p,
    )
}

/// The one stop event type of the workflow, folded from every step's
/// returned and sent events; as [`fold_start`].
fn fold_stop(steps: &[Step], span: Span, p: &Private) -> Folded {
    let mut aliases = Vec::new();
    let mut roles = Vec::new();
    for (position, step) in steps.iter().enumerate() {
        let output = output_type(step, p);
        let at_returns = p.at(step.returns_span());
        let returned = quote_spanned! {step.returns_span()=>
            <#output as #at_returns::Emit>::AsStop
        };
        let alias = format_ident!("__StopRole{position}");
        roles.push(conditional_role(step, alias, returned, &mut aliases, p));
        for (nth, sent) in step.options.sends.types.iter().enumerate() {
            let sent_span = syn::spanned::Spanned::span(sent);
            let at_sent = p.at(sent_span);
            let role = quote_spanned! {sent_span=>
                <#sent as #at_sent::Event>::AsStop
            };
            let alias = format_ident!("__StopRole{position}_{nth}");
            roles.push(conditional_role(step, alias, role, &mut aliases, p));
        }
    }
    Folded::new(
        roles,
        aliases,
        span,
        quote!(JoinStop),
        format_ident!("__OneStop"),
        p,
    )
}

/// The event of one role (start or stop) in a workflow.
struct Folded {
    /// The first event of the role: the type the workflow declares.
    lenient: TokenStream,
    /// Items: the aliases of the roles of steps with a `#[cfg]`, and the
    /// check that all events of the role are one type.
    items: TokenStream,
}

impl Folded {
    /// Folds `roles`, the event types of the role, spanned on the types
    /// they come from.
    ///
    /// The check joins them in a chain from `Absent`, in the type of a
    /// field, which the compiler checks once: a conflict is one error, on
    /// the workflow's type, naming two of the types.
    fn new(
        roles: Vec<TokenStream>,
        aliases: Vec<TokenStream>,
        span: Span,
        join: TokenStream,
        name: Ident,
        p: &Private,
    ) -> Self {
        let at = p.at(span);
        let lenient = fold(
            roles.clone(),
            &|left, right| quote_spanned! {span=> <#left as #at::Pick<#right>>::Out },
            p,
        );
        let strict = roles.iter().fold(quote!(#p::Absent), |acc, role| {
            quote_spanned! {span=> <#acc as #at::#join<#role>>::Out }
        });
        // A field's type is checked once; the error is shown on the
        // workflow's type.
        let check = quote_spanned! {span=>
            #[allow(dead_code, clippy::type_complexity)]
            struct #name(::core::marker::PhantomData<#strict>);
        };
        Self {
            lenient,
            items: quote! { #( #aliases )* #check },
        }
    }
}

/// `role` itself for a step without a `#[cfg]`; otherwise `alias`, which
/// is defined in `aliases` as `role` where the step is configured in and as
/// `Absent` where it is not.
fn conditional_role(
    step: &Step,
    alias: Ident,
    role: TokenStream,
    aliases: &mut Vec<TokenStream>,
    p: &Private,
) -> TokenStream {
    let Some(condition) = &step.cfg else {
        return role;
    };
    aliases.push(quote! {
        #[cfg(#condition)]
        type #alias = #role;
        #[cfg(not(#condition))]
        type #alias = #p::Absent;
    });
    quote!(#alias)
}

/// Joins `roles` pairwise into a balanced tree, `Absent` if there are none:
/// the joins are associative, and a tree `log n` deep keeps the compiler's
/// work on a 100-step workflow small, where a chain 100 deep does not.
fn fold(
    mut roles: Vec<TokenStream>,
    join: &dyn Fn(TokenStream, TokenStream) -> TokenStream,
    p: &Private,
) -> TokenStream {
    match roles.len() {
        0 => quote!(#p::Absent),
        1 => roles.remove(0),
        len => {
            let right = roles.split_off(len / 2);
            join(fold(roles, join, p), fold(right, join, p))
        }
    }
}

/// The arm of `invoke` for `step`: its call, through the attempts of its
/// retry policy and timeout if it has either, keeping its event and timing
/// it if another step may catch its failures (`caught`).
fn invocation(step: &Step, caught: bool, p: &Private) -> TokenStream {
    let variant = step.variant();
    if step.broken {
        let message = format!("step `{}` has a compile error", step.display_name());
        return quote! {
            __Pending::#variant(_) => ::core::unreachable!(#message),
        };
    }
    let method = &step.name;
    let index = &step.index;
    let options = &step.options;
    // A step that waits for input keeps what each invocation received, for
    // the invocation's retries.
    let waits = step.takes_context && !options.waits_for.types.is_empty();
    let call = |attempt: TokenStream| {
        if step.takes_context {
            quote! {
                let ctx = #p::StepContext::<'_, Self, #index>::of_invocation(ctx, #attempt, answers);
                Self::#method(self, &ctx, event).await
            }
        } else {
            quote! { Self::#method(self, event).await }
        }
    };
    // Spanned on the error type: one that does not convert into
    // `anyhow::Error` is told there, and only there.
    let at_error = p.at(step.error_span());
    let split = quote_spanned! {step.error_span()=> #at_error::split(returned) };
    let outcome = if options.retry.is_none() && options.timeout.is_none() {
        let call = call(quote!(#p::Attempt::FIRST));
        quote! {{
            let returned = { #call };
            #split
        }}
    } else {
        let call = call(quote!(attempt));
        let attempt = if step.takes_context {
            quote!(attempt)
        } else {
            quote!(_)
        };
        quote! {{
            let attempt = |event, #attempt: #p::Attempt| async move {
                let returned = { #call };
                #split
            };
            #p::attempts(ctx, #index, event, answers, attempt).await
        }}
    };
    // The record of what the invocation received, the results of its
    // effects and which attempt it is on, which the run hands over (a fresh
    // one, or one a snapshot held): always one for a step that waits.
    let answers = if waits {
        quote! {
            let answers = answers.unwrap_or_default();
            let answers = ::core::option::Option::Some(&*answers);
        }
    } else if step.takes_context || options.retry.is_some() || options.timeout.is_some() {
        quote! {
            let answers = answers.as_deref();
        }
    } else {
        TokenStream::new()
    };
    let outcome = if caught {
        quote! {
            #p::caught(event, |event| async move #outcome).await
        }
    } else {
        outcome
    };
    quote! {
        __Pending::#variant(event) => ::std::boxed::Box::pin(async move {
            #answers
            #outcome.map(__Produced::#variant)
        }),
    }
}

/// `SentBy<W, STEP>` for each event the step declares in `sends(...)`,
/// `WrittenBy<W, STEP>` for each in `writes(...)` and `WaitedBy<W, STEP>`
/// for each in `waits_for(...)`; `TakenBy<W>` for the event it accepts and
/// each it waits for.
fn declared_impls(step: &Step, self_ty: &Type, p: &Private) -> TokenStream {
    let sends = marker_impls(step, self_ty, &step.options.sends, quote!(SentBy), p);
    let writes = marker_impls(step, self_ty, &step.options.writes, quote!(WrittenBy), p);
    let waits = marker_impls(step, self_ty, &step.options.waits_for, quote!(WaitedBy), p);
    let taken = taken_impls(step, self_ty, p);
    quote! { #sends #writes #waits #taken }
}

/// `TakenBy<W, REPEAT>` for the step's event parameter (slot 0) and for
/// each of its `waits_for(...)` (slots 1 on): the types the run's caller
/// may send. The compiler works out `REPEAT` from the step table, 0 for the
/// first slot of a type among all steps, so that the impls of one type
/// taken by several steps do not conflict.
fn taken_impls(step: &Step, self_ty: &Type, p: &Private) -> TokenStream {
    let index = &step.index;
    let cfg = step.cfg_attribute();
    let impls = std::iter::once(&step.event)
        .chain(&step.options.waits_for.types)
        .enumerate()
        .map(|(slot, event)| {
            // Not recommended: the error on a type no step takes lists no
            // other types, which are the workflow's own.
            quote! {
                #cfg
                #[diagnostic::do_not_recommend]
                impl #p::TakenBy<
                    #self_ty,
                    { #p::taken_repeat(&__STEPS, #index, #slot) },
                > for #event {}
            }
        });
    quote! { #( #impls )* }
}

/// One impl of `marker` per event of `list`. A repeated event, perhaps
/// under another spelling, gets its own `REPEAT`, so that its impl does not
/// conflict with the first one's.
fn marker_impls(
    step: &Step,
    self_ty: &Type,
    list: &EventList,
    marker: TokenStream,
    p: &Private,
) -> TokenStream {
    let index = &step.index;
    let cfg = step.cfg_attribute();
    let types = &list.types;
    let impls = types.iter().enumerate().map(|(nth, event)| {
        let repeat = repeat_of(types, nth, |ty| quote!(&[<#ty as #p::Event>::INFO]), p);
        // Spanned on the event in the attribute, which the compiler shows
        // when another event is written or sent undeclared.
        let span = syn::spanned::Spanned::span(event);
        let at = p.at(span);
        quote_spanned! {span=>
            #cfg
            impl #at::#marker<#self_ty, #index, #repeat> for #event {}
        }
    });
    quote! { #( #impls )* }
}
