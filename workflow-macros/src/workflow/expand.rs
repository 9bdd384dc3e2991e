//! The code `workflow!` generates: the `Workflow` impl with its dispatch, and
//! the `SentBy` and `WrittenBy` impls behind `ctx.send_event` and
//! `ctx.write_event_to_stream`.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::ext::IdentExt;
use syn::{Ident, Type};

use super::graph;
use super::model::{Step, WorkflowModel};
use super::options::EventList;
use crate::repeat::repeat_of;

pub(crate) fn expand(model: &WorkflowModel, check_graph: bool) -> TokenStream {
    let item = &model.item;
    let self_ty = &item.self_ty;
    let name = &model.name;
    let steps = &model.steps;
    let count = &model.count;

    let cfgs: Vec<TokenStream> = steps.iter().map(Step::cfg_attribute).collect();
    let variants: Vec<&Ident> = steps.iter().map(Step::variant).collect();
    let indices: Vec<&TokenStream> = steps.iter().map(|step| &step.index).collect();
    let events: Vec<&Type> = steps.iter().map(|step| &step.event).collect();
    let outputs: Vec<TokenStream> = steps.iter().map(output_type).collect();
    let infos = steps.iter().map(step_info);
    let workflow_span = syn::spanned::Spanned::span(self_ty);
    let start = fold_start(steps, workflow_span);
    let stop = fold_stop(steps, workflow_span);
    let (start_items, stop_items) = (&start.items, &stop.items);
    let (start, stop) = (&start.lenient, &stop.lenient);
    // Spanned on a step's event and return type, so that a private event
    // there, which `Start` or `Stop` would expose (E0446), is shown there.
    let start_span = steps.first().map_or(workflow_span, Step::event_span);
    let stop_span = steps.last().map_or(workflow_span, Step::returns_span);
    let start_item = quote_spanned! {start_span=>
        type Start = <#start as ::typed_workflows::__private::OrStartEvent>::Out;
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
        .map(|(step, caught)| invocation(step, *caught));
    let declared = steps.iter().map(|step| declared_impls(step, self_ty));
    // Spanned on the step's event type, where an error about a type that is
    // no event is shown once.
    let routed = steps.iter().map(|step| {
        let routed = step.param_item("routed");
        quote_spanned! {step.event_span()=> #routed(slot) }
    });
    let accepted = steps.iter().map(|step| {
        let accepted = step.param_item("accepted");
        quote_spanned! {step.event_span()=> #accepted(event) }
    });
    let invoke_spawned = if steps.iter().any(|step| step.options.spawn) {
        quote!(::typed_workflows::__private::invoke_spawned(
            workflow, ctx, pending
        ))
    } else {
        quote! {
            let _ = (workflow, ctx, pending);
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

            const __STEPS: [::typed_workflows::StepInfo; #count] = [ #( #cfgs #infos, )* ];

            #start_items
            #stop_items

            impl ::typed_workflows::Workflow for #self_ty {
                const NAME: &'static str = #name;
                const STEPS: &'static [::typed_workflows::StepInfo] = &__STEPS;
                type State = #state;
                #start_item
                #stop_item
                type Pending = __Pending;
                type Branch = <::typed_workflows::__private::Select<
                    { ::typed_workflows::__private::any_fans_out(&[
                        #( #cfgs <#outputs as ::typed_workflows::__private::Emit>::FANS_OUT, )*
                    ]) }
                > as ::typed_workflows::__private::SelectBranch>::Branch;
                type Produced = __Produced;

                const WRAP: &'static [fn(&mut dyn ::core::any::Any) -> __Pending] = &[
                    #( #cfgs |slot| __Pending::#variants(#routed), )*
                ];

                fn duplicate(pending: &__Pending) -> __Pending {
                    match pending {
                        #( #cfgs __Pending::#variants(event) => __Pending::#variants(
                            ::typed_workflows::__private::StepParam::duplicate(event),
                        ), )*
                    }
                }

                fn pending_events(pending: &__Pending) -> (usize, ::std::vec::Vec<::typed_workflows::AnyEvent>) {
                    match pending {
                        #( #cfgs __Pending::#variants(event) => (
                            #indices,
                            ::typed_workflows::__private::StepParam::events(event),
                        ), )*
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
                    ctx: &'__a ::std::sync::Arc<::typed_workflows::Context<Self>>,
                    pending: __Pending,
                ) -> ::typed_workflows::__private::StepFuture<'__a, Self> {
                    #invoke_spawned
                }

                fn invoke<'__a>(
                    &'__a self,
                    ctx: &'__a ::typed_workflows::Context<Self>,
                    pending: __Pending,
                ) -> ::typed_workflows::__private::StepFuture<'__a, Self> {
                    match pending {
                        #( #cfgs #invocations )*
                    }
                }

                fn gather(
                    step: usize,
                    items: ::std::vec::Vec<::typed_workflows::AnyEvent>,
                ) -> __Pending {
                    #(
                        #cfgs
                        if step == #indices {
                            return __Pending::#variants(
                                <#events as ::typed_workflows::__private::StepParam>::gather(items),
                            );
                        }
                    )*
                    ::core::unreachable!("step {} gathers no fan-out", step)
                }

                #[inline]
                fn route<__S: ::typed_workflows::__private::Sink<Self>>(produced: __Produced, sink: &mut __S) {
                    match produced {
                        #( #cfgs __Produced::#variants(output) => {
                            ::typed_workflows::__private::Emit::emit::<Self, __S>(output, sink)
                        } )*
                    }
                }
            }

            #( #declared )*

            #checks
        };
    }
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
fn output_type(step: &Step) -> TokenStream {
    let returns = &step.returns;
    quote_spanned! {step.returns_span()=>
        <#returns as ::typed_workflows::StepReturn>::Output
    }
}

fn step_info(step: &Step) -> TokenStream {
    let name = step.display_name();
    let accepts = step.param_item("ACCEPTS");
    let param = &step.event;
    let output = output_type(step);
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
        ::typed_workflows::StepInfo {
            name: #name,
            accepts: #accepts,
            returns: <#output as ::typed_workflows::__private::Emit>::MEMBERS,
            fans_out: <#output as ::typed_workflows::__private::Emit>::FANS_OUT,
            gathers: <#param as ::typed_workflows::__private::StepParam>::GATHERS,
            sends: &[ #( <#sends as ::typed_workflows::Event>::INFO ),* ],
            writes: &[ #( <#writes as ::typed_workflows::Event>::INFO ),* ],
            waits_for: &[ #( <#waits_for as ::typed_workflows::Event>::INFO ),* ],
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
fn fold_start(steps: &[Step], span: Span) -> Folded {
    let mut aliases = Vec::new();
    let roles = steps.iter().enumerate().map(|(position, step)| {
        let role = step.param_item("AsStart");
        let alias = format_ident!("__StartRole{position}");
        conditional_role(step, alias, role, &mut aliases)
    });
    Folded::new(
        roles.collect(),
        aliases,
        span,
        quote!(JoinStart),
        format_ident!("__OneStart"),
    )
}

/// The one stop event type of the workflow, folded from every step's
/// returned and sent events; as [`fold_start`].
fn fold_stop(steps: &[Step], span: Span) -> Folded {
    let mut aliases = Vec::new();
    let mut roles = Vec::new();
    for (position, step) in steps.iter().enumerate() {
        let output = output_type(step);
        let returned = quote_spanned! {step.returns_span()=>
            <#output as ::typed_workflows::__private::Emit>::AsStop
        };
        let alias = format_ident!("__StopRole{position}");
        roles.push(conditional_role(step, alias, returned, &mut aliases));
        for (nth, sent) in step.options.sends.types.iter().enumerate() {
            let role = quote_spanned! {syn::spanned::Spanned::span(sent)=>
                <#sent as ::typed_workflows::Event>::AsStop
            };
            let alias = format_ident!("__StopRole{position}_{nth}");
            roles.push(conditional_role(step, alias, role, &mut aliases));
        }
    }
    Folded::new(
        roles,
        aliases,
        span,
        quote!(JoinStop),
        format_ident!("__OneStop"),
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
    ) -> Self {
        let lenient = fold(roles.clone(), &|left, right| {
            quote_spanned! {span=> <#left as ::typed_workflows::__private::Pick<#right>>::Out }
        });
        let strict = roles.iter().fold(
            quote!(::typed_workflows::__private::Absent),
            |acc, role| {
                quote_spanned! {span=> <#acc as ::typed_workflows::__private::#join<#role>>::Out }
            },
        );
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
) -> TokenStream {
    let Some(condition) = &step.cfg else {
        return role;
    };
    aliases.push(quote! {
        #[cfg(#condition)]
        type #alias = #role;
        #[cfg(not(#condition))]
        type #alias = ::typed_workflows::__private::Absent;
    });
    quote!(#alias)
}

/// Joins `roles` pairwise into a balanced tree, `Absent` if there are none:
/// the joins are associative, and a tree `log n` deep keeps the compiler's
/// work on a 100-step workflow small, where a chain 100 deep does not.
fn fold(
    mut roles: Vec<TokenStream>,
    join: &dyn Fn(TokenStream, TokenStream) -> TokenStream,
) -> TokenStream {
    match roles.len() {
        0 => quote!(::typed_workflows::__private::Absent),
        1 => roles.remove(0),
        len => {
            let right = roles.split_off(len / 2);
            join(fold(roles, join), fold(right, join))
        }
    }
}

/// The arm of `invoke` for `step`: its call, through the attempts of its
/// retry policy and timeout if it has either, keeping its event and timing
/// it if another step may catch its failures (`caught`).
fn invocation(step: &Step, caught: bool) -> TokenStream {
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
        if waits {
            quote! {
                let ctx = ::typed_workflows::StepContext::<'_, Self, #index>::of_invocation(ctx, #attempt, answers);
                Self::#method(self, &ctx, event).await
            }
        } else if step.takes_context {
            quote! {
                let ctx = ::typed_workflows::StepContext::<'_, Self, #index>::of(ctx, #attempt);
                Self::#method(self, &ctx, event).await
            }
        } else {
            quote! { Self::#method(self, event).await }
        }
    };
    // Spanned on the error type: one that does not convert into
    // `anyhow::Error` is told there, and only there.
    let split = quote_spanned! {step.error_span()=> ::typed_workflows::__private::split(returned) };
    let outcome = if options.retry.is_none() && options.timeout.is_none() {
        let call = call(quote!(::typed_workflows::__private::Attempt::FIRST));
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
            let attempt = |event, #attempt: ::typed_workflows::__private::Attempt| async move {
                let returned = { #call };
                #split
            };
            ::typed_workflows::__private::attempts(ctx, #index, event, attempt).await
        }}
    };
    let answers = if waits {
        let keeps = options.retry.is_some();
        quote! { let answers = &::typed_workflows::__private::Answers::new(#keeps); }
    } else {
        TokenStream::new()
    };
    let outcome = if caught {
        quote! {
            ::typed_workflows::__private::caught(event, |event| async move #outcome).await
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
fn declared_impls(step: &Step, self_ty: &Type) -> TokenStream {
    let sends = marker_impls(step, self_ty, &step.options.sends, quote!(SentBy));
    let writes = marker_impls(step, self_ty, &step.options.writes, quote!(WrittenBy));
    let waits = marker_impls(step, self_ty, &step.options.waits_for, quote!(WaitedBy));
    let taken = taken_impls(step, self_ty);
    quote! { #sends #writes #waits #taken }
}

/// `TakenBy<W, REPEAT>` for the step's event parameter (slot 0) and for
/// each of its `waits_for(...)` (slots 1 on): the types the run's caller
/// may send. The compiler works out `REPEAT` from the step table, 0 for the
/// first slot of a type among all steps, so that the impls of one type
/// taken by several steps do not conflict.
fn taken_impls(step: &Step, self_ty: &Type) -> TokenStream {
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
                impl ::typed_workflows::__private::TakenBy<
                    #self_ty,
                    { ::typed_workflows::__private::taken_repeat(&__STEPS, #index, #slot) },
                > for #event {}
            }
        });
    quote! { #( #impls )* }
}

/// One impl of `marker` per event of `list`. A repeated event, perhaps
/// under another spelling, gets its own `REPEAT`, so that its impl does not
/// conflict with the first one's.
fn marker_impls(step: &Step, self_ty: &Type, list: &EventList, marker: TokenStream) -> TokenStream {
    let index = &step.index;
    let cfg = step.cfg_attribute();
    let types = &list.types;
    let impls = types.iter().enumerate().map(|(nth, event)| {
        let repeat = repeat_of(
            types,
            nth,
            |ty| quote!(&[<#ty as ::typed_workflows::Event>::INFO]),
        );
        // Spanned on the event in the attribute, which the compiler shows
        // when another event is written or sent undeclared.
        quote_spanned! {syn::spanned::Spanned::span(event)=>
            #cfg
            impl ::typed_workflows::__private::#marker<#self_ty, #index, #repeat> for #event {}
        }
    });
    quote! { #( #impls )* }
}
