//! The model of a workflow: its `impl` block, and each step's signature with
//! the syntax the user wrote, so that errors point at their tokens.

use std::collections::HashSet;

use proc_macro2::Span;
use quote::format_ident;
use syn::spanned::Spanned;
use syn::{FnArg, Ident, ImplItem, ImplItemFn, ItemImpl, Type};

use super::options::StepOptions;
use super::settings::WorkflowOptions;
use crate::errors::Errors;

pub(crate) struct WorkflowModel {
    /// The `impl` block to emit: step attributes removed, context parameters
    /// rewritten, duplicate steps dropped.
    pub(crate) item: ItemImpl,
    pub(crate) name: String,
    pub(crate) steps: Vec<Step>,
    pub(crate) options: WorkflowOptions,
}

pub(crate) struct Step {
    pub(crate) index: usize,
    pub(crate) name: Ident,
    pub(crate) takes_context: bool,
    /// The type of the event parameter, as written: an event, or `Vec<E>`
    /// for a step that gathers the results of a fan-out.
    pub(crate) event: Type,
    /// `E` of a `Vec<E>` parameter: the step gathers the `E`s of a fan-out.
    pub(crate) gathers: Option<Type>,
    pub(crate) returns: Type,
    pub(crate) options: StepOptions,
}

impl WorkflowModel {
    /// Reads the workflow from its `impl` block. Steps with a malformed
    /// signature are reported to `errors` and left out of the model, but kept
    /// in the emitted `impl` so that their bodies cause no further errors.
    pub(crate) fn parse(mut item: ItemImpl, options: WorkflowOptions, errors: &mut Errors) -> Self {
        if let Some((_, path, _)) = &item.trait_ {
            errors.spanned(path, "a workflow is an inherent `impl` block, like `impl MyWorkflow { ... }`, not a trait impl");
        }
        if !item.generics.params.is_empty() {
            errors.spanned(
                &item.generics,
                "a workflow cannot be generic: write the `impl` block for one concrete type",
            );
        }
        let name = type_name(&item.self_ty);
        let mut steps = Vec::new();
        let mut names = HashSet::new();
        item.items.retain_mut(|member| {
            let ImplItem::Fn(function) = member else {
                return true;
            };
            let Some(options) = take_step_attribute(function, errors) else {
                return true;
            };
            let ident = function.sig.ident.clone();
            if !names.insert(ident.to_string()) {
                errors.spanned(
                    &ident,
                    format!("duplicate step `{ident}`: a workflow's steps need distinct names, so rename or remove this one"),
                );
                return false;
            }
            if let Some(step) = Step::parse(function, steps.len(), options, errors) {
                steps.push(step);
            }
            true
        });
        if steps.is_empty() && errors.is_empty() {
            errors.spanned(
                &item.self_ty,
                format!("`{name}` has no steps: mark the async methods that react to events with `#[step]`"),
            );
        }
        Self {
            item,
            name,
            steps,
            options,
        }
    }
}

impl Step {
    fn parse(
        function: &mut ImplItemFn,
        index: usize,
        options: StepOptions,
        errors: &mut Errors,
    ) -> Option<Self> {
        let sig = &mut function.sig;
        let name = sig.ident.clone();
        let mut valid = true;
        let mut fail = |tokens: &dyn quote::ToTokens, message: String| {
            errors.push(syn::Error::new_spanned(tokens, message));
            valid = false;
        };
        if sig.asyncness.is_none() {
            fail(
                &sig.fn_token,
                format!("step `{name}` must be an `async fn`: write `async fn {name}`"),
            );
            // Emit it as async anyway, so that `.await` in its body raises no
            // second error.
            sig.asyncness = Some(syn::token::Async(sig.fn_token.span));
        }
        if !sig.generics.params.is_empty() || sig.generics.where_clause.is_some() {
            fail(
                &sig.generics,
                format!(
                    "step `{name}` cannot be generic: the compiler checks the workflow's graph with concrete event types"
                ),
            );
        }
        match sig.inputs.first() {
            Some(FnArg::Receiver(receiver))
                if receiver.reference.is_some() && receiver.mutability.is_none() => {}
            Some(FnArg::Receiver(receiver)) => fail(
                receiver,
                format!(
                    "step `{name}` must take `&self`: concurrent steps and runs share the workflow value"
                ),
            ),
            _ => fail(
                &sig.ident,
                format!(
                    "step `{name}` must take `&self` first, like `async fn {name}(&self, ev: SomeEvent)`"
                ),
            ),
        }
        let typed: Vec<&mut syn::PatType> = sig
            .inputs
            .iter_mut()
            .filter_map(|input| match input {
                FnArg::Typed(typed) => Some(typed),
                FnArg::Receiver(_) => None,
            })
            .collect();
        let (context, event) = match typed.len() {
            0 => {
                fail(
                    &sig.ident,
                    format!(
                        "step `{name}` takes no event: add the event it reacts to, like `ev: StartEvent`"
                    ),
                );
                (None, None)
            }
            1 => (None, typed.into_iter().next()),
            2 => {
                let mut typed = typed.into_iter();
                (typed.next(), typed.next())
            }
            _ => {
                fail(
                    &typed[2],
                    format!(
                        "step `{name}` takes too many parameters: after `&self` come the context (`ctx: &Context<Self>`, optional) and the event, nothing else"
                    ),
                );
                (None, None)
            }
        };
        let takes_context = context.is_some();
        if let Some(context) = context {
            if is_context_reference(&context.ty) {
                let span = context.ty.span();
                *context.ty = syn::parse_quote_spanned! {span=>
                    &::workflows::StepContext<'_, Self, #index>
                };
            } else {
                fail(
                    &context.ty,
                    format!(
                        "the context parameter of step `{name}` must be written `&Context<Self>`"
                    ),
                );
            }
        }
        let event = event.map(|event| (*event.ty).clone());
        if let Some(Type::Reference(reference)) = &event {
            fail(
                reference,
                format!("step `{name}` must take its event by value: drop the `&`"),
            );
        }
        let returns = match &sig.output {
            syn::ReturnType::Default => syn::parse_quote_spanned!(sig.ident.span()=> ()),
            syn::ReturnType::Type(_, ty) => (**ty).clone(),
        };
        let event = event.filter(|_| valid)?;
        Some(Self {
            index,
            name,
            takes_context,
            gathers: vec_element(&event),
            event,
            returns,
            options,
        })
    }

    /// The identifier of the step's variant in the generated enums.
    pub(crate) fn variant(&self) -> Ident {
        format_ident!("{}", self.name)
    }

    /// The event type the step is invoked for: the element type of a
    /// `Vec<E>` parameter, or the parameter's type.
    pub(crate) fn accepted(&self) -> &Type {
        self.gathers.as_ref().unwrap_or(&self.event)
    }

    /// Where errors about the step's event type point.
    pub(crate) fn event_span(&self) -> Span {
        self.event.span()
    }

    /// Where errors about the step's return type point.
    pub(crate) fn returns_span(&self) -> Span {
        self.returns.span()
    }
}

/// Removes the `#[step]` attributes of `function` and reads their options;
/// `None` if it has none.
fn take_step_attribute(function: &mut ImplItemFn, errors: &mut Errors) -> Option<StepOptions> {
    let mut options = None;
    let mut kept = Vec::with_capacity(function.attrs.len());
    for attr in std::mem::take(&mut function.attrs) {
        if !is_step_attribute(&attr) {
            kept.push(attr);
        } else if options.is_some() {
            errors.spanned(
                &attr,
                "`#[step]` is given twice: put all options in one `#[step(...)]`",
            );
        } else {
            options = Some(StepOptions::parse(&attr, errors));
        }
    }
    function.attrs = kept;
    options
}

fn is_step_attribute(attr: &syn::Attribute) -> bool {
    attr.path()
        .segments
        .last()
        .is_some_and(|segment| segment.ident == "step")
}

fn is_context_reference(ty: &Type) -> bool {
    let Type::Reference(reference) = ty else {
        return false;
    };
    let Type::Path(path) = &*reference.elem else {
        return false;
    };
    path.path
        .segments
        .last()
        .is_some_and(|segment| segment.ident == "Context")
}

/// The last path segment of the workflow type, for messages and graphs.
fn type_name(ty: &Type) -> String {
    match ty {
        Type::Path(path) => path
            .path
            .segments
            .last()
            .map_or_else(String::new, |segment| segment.ident.to_string()),
        other => quote::quote!(#other).to_string(),
    }
}

/// `E` if `ty` is written `Vec<E>` (or `std::vec::Vec<E>`).
fn vec_element(ty: &Type) -> Option<Type> {
    let Type::Path(path) = ty else {
        return None;
    };
    let last = path.path.segments.last()?;
    if last.ident != "Vec" {
        return None;
    }
    let syn::PathArguments::AngleBracketed(arguments) = &last.arguments else {
        return None;
    };
    match arguments.args.first()? {
        syn::GenericArgument::Type(element) if arguments.args.len() == 1 => Some(element.clone()),
        _ => None,
    }
}
