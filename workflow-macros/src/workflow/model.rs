//! The model of a workflow: its `impl` block, and each step's signature with
//! the syntax the user wrote, so that errors point at their tokens.

use std::collections::HashSet;

use proc_macro2::{Span, TokenStream};
use syn::ext::IdentExt;
use syn::spanned::Spanned;
use syn::visit_mut::{self, VisitMut};
use syn::{FnArg, Ident, ImplItem, ImplItemFn, ItemImpl, PathArguments, ReceiverKind, Type};

use super::options::StepOptions;
use super::settings::WorkflowOptions;
use crate::errors::Errors;
use crate::private::Private;

pub(crate) struct WorkflowModel {
    /// The `impl` block to emit: step attributes removed, context parameters
    /// rewritten, duplicate steps dropped.
    pub(crate) item: ItemImpl,
    pub(crate) name: String,
    pub(crate) steps: Vec<Step>,
    /// How many steps the table has, as a constant expression (see
    /// [`Step::index`]).
    pub(crate) count: TokenStream,
    pub(crate) options: WorkflowOptions,
    /// The path generated code names the runtime by.
    pub(crate) private: Private,
}

pub(crate) struct Step {
    /// The step's index in the step table, as a constant expression: a
    /// literal, or a sum over the `#[cfg]`s of the steps before it.
    pub(crate) index: TokenStream,
    pub(crate) name: Ident,
    /// The condition of the step's `#[cfg(...)]` attributes, if it has any.
    pub(crate) cfg: Option<TokenStream>,
    /// Whether the step's signature has an error: the step stays in the
    /// table, so that the workflow's types come out as intended, but it is
    /// never invoked.
    pub(crate) broken: bool,
    pub(crate) takes_context: bool,
    /// The type of the event parameter, with `Self` resolved: an event, or
    /// a `Vec` of one for a step that gathers the results of a fan-out.
    pub(crate) event: Type,
    /// The return type, with `Self` resolved.
    pub(crate) returns: Type,
    pub(crate) options: StepOptions,
    /// The path generated code names the runtime by.
    pub(crate) private: Private,
}

impl WorkflowModel {
    /// Reads the workflow from its `impl` block. Steps with a malformed
    /// signature are reported to `errors`, and stay in the model as broken
    /// ones if their event is known, so that the workflow's start and stop
    /// types, and the code that runs it, cause no further errors.
    pub(crate) fn parse(mut item: ItemImpl, options: WorkflowOptions, errors: &mut Errors) -> Self {
        if let Some((path, _)) = &item.trait_ {
            errors.spanned(path, "a workflow is an inherent `impl` block, like `impl MyWorkflow { ... }`, not a trait impl");
        }
        if !item.generics.params.is_empty() {
            errors.spanned(
                &item.generics,
                "a workflow cannot be generic: write the `impl` block for one concrete type",
            );
        }
        let name = type_name(&item.self_ty);
        let private = Private::new(options.krate.as_ref());
        let item_self_ty = (*item.self_ty).clone();
        let mut steps = Vec::new();
        let mut numbering = Numbering::default();
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
            let index = numbering.index();
            if let Some(step) = Step::parse(function, &item_self_ty, index, options, &private, errors) {
                numbering.count(step.cfg.as_ref());
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
            count: numbering.index(),
            options,
            private,
        }
    }
}

impl Step {
    fn parse(
        function: &mut ImplItemFn,
        self_ty: &Type,
        index: TokenStream,
        mut options: StepOptions,
        private: &Private,
        errors: &mut Errors,
    ) -> Option<Self> {
        let cfg = cfg_condition(&function.attrs);
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
        let type_parameter = sig
            .generics
            .params
            .iter()
            .find(|param| !matches!(param, syn::GenericParam::Lifetime(_)));
        let generic = type_parameter.is_some();
        if let Some(param) = type_parameter {
            fail(
                param,
                format!(
                    "step `{name}` cannot be generic over types or constants: the compiler checks the workflow's graph with concrete event types"
                ),
            );
        }
        match sig.inputs.first() {
            Some(FnArg::Receiver(receiver)) if is_shared_receiver(&receiver.kind) => {}
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
            2 if !is_context_reference(&typed[0].ty) && is_context_reference(&typed[1].ty) => {
                fail(
                    &typed[1],
                    format!(
                        "the context comes before the event in step `{name}`: write `async fn {name}(&self, ctx: &Context<Self>, {}: {})`",
                        quote::ToTokens::to_token_stream(&*typed[0].pat),
                        quote::ToTokens::to_token_stream(&*typed[0].ty),
                    ),
                );
                (None, typed.into_iter().next())
            }
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
                (
                    None,
                    typed
                        .into_iter()
                        .find(|typed| !is_context_reference(&typed.ty)),
                )
            }
        };
        let takes_context = context.is_some();
        if let Some(context) = context {
            let is_context = is_context_reference(&context.ty);
            match &mut *context.ty {
                Type::Reference(reference) if is_context => {
                    let span = reference.elem.span();
                    let p = private.at(span);
                    *reference.elem = syn::parse_quote_spanned! {span=>
                        #p::StepContext<'_, Self, #index>
                    };
                }
                _ => fail(
                    &context.ty,
                    format!(
                        "the context parameter of step `{name}` must be written `&Context<Self>`"
                    ),
                ),
            }
        }
        let mut event = event.map(|event| (*event.ty).clone());
        // A step whose event is written wrong keeps the event it names, so
        // that the rest of the workflow, and its caller, see no other error.
        match &event {
            Some(Type::Reference(reference)) => {
                fail(
                    reference,
                    format!("step `{name}` must take its event by value: drop the `&`"),
                );
                event = Some((*reference.elem).clone());
            }
            Some(ty) => {
                if let Some((pointer, inner)) = smart_pointer(ty) {
                    fail(
                        ty,
                        format!(
                            "step `{name}` takes its event in a `{pointer}`, but a step takes the event itself, which the run moves to it: write `{}`",
                            quote::ToTokens::to_token_stream(inner)
                        ),
                    );
                    event = Some(inner.clone());
                }
            }
            None => {}
        }
        let mut returns = match &sig.output {
            syn::ReturnType::Default => syn::parse_quote_spanned!(sig.ident.span()=> ()),
            syn::ReturnType::Type(_, ty) => (**ty).clone(),
        };
        if let Some(inner) = fan_out_of_fan_outs(&returns) {
            fail(
                inner,
                format!(
                    "step `{name}` returns a `Vec` of `Vec`s, a fan-out of fan-outs: return one `Vec` of events, and fan out again from the steps of the branches"
                ),
            );
            // Broken, the step is never run: what it returns is nothing.
            returns = syn::parse_quote!(());
        }
        // A type parameter means nothing outside the step: leave it out.
        let mut event = event.filter(|_| !generic)?;
        resolve_self(&mut event, self_ty);
        resolve_self(&mut returns, self_ty);
        options.resolve_self(self_ty);
        Some(Self {
            index,
            name,
            cfg,
            broken: !valid,
            takes_context,
            event,
            returns,
            options,
            private: private.clone(),
        })
    }

    /// The identifier of the step's variant in the generated enums: its
    /// name, raw if it is written raw.
    pub(crate) fn variant(&self) -> &Ident {
        &self.name
    }

    /// The step's name as its table, messages and graphs show it: without
    /// the `r#` of a raw identifier.
    pub(crate) fn display_name(&self) -> String {
        self.name.unraw().to_string()
    }

    /// The item `item` of the step's event parameter as a `StepParam`
    /// (the events it accepts, its start event), spanned on the parameter's
    /// type, where an error about a type that is no event points.
    pub(crate) fn param_item(&self, item: &str) -> TokenStream {
        let event = &self.event;
        let item = Ident::new(item, self.event_span());
        let p = self.private.at(self.event_span());
        quote::quote_spanned! {self.event_span()=>
            <#event as #p::StepParam>::#item
        }
    }

    /// The attribute that leaves the step's generated items out where the
    /// step is configured out; nothing if it has no `#[cfg]`.
    pub(crate) fn cfg_attribute(&self) -> TokenStream {
        match &self.cfg {
            Some(condition) => quote::quote!(#[cfg(#condition)]),
            None => TokenStream::new(),
        }
    }

    /// Where errors about the step's event type point.
    pub(crate) fn event_span(&self) -> Span {
        self.event.span()
    }

    /// Where errors about the step's return type point.
    pub(crate) fn returns_span(&self) -> Span {
        self.returns.span()
    }

    /// Where errors about the step's error type point: the second argument
    /// of a return type written like `Result<T, E>`, else the return type.
    pub(crate) fn error_span(&self) -> Span {
        let Type::Path(path) = &self.returns else {
            return self.returns_span();
        };
        let arguments = path.path.segments.last().map(|last| &last.arguments);
        match arguments {
            Some(PathArguments::AngleBracketed(generic)) if generic.args.len() == 2 => {
                generic.args[1].span()
            }
            _ => self.returns_span(),
        }
    }
}

/// The indices of the steps in the table, as the steps are read: a step
/// that is configured out by its `#[cfg]` takes no index, so the index of
/// each later one counts it only where it is configured in.
#[derive(Default)]
struct Numbering {
    unconditional: usize,
    conditions: Vec<TokenStream>,
}

impl Numbering {
    /// The index of the next step, or the number of steps so far.
    fn index(&self) -> TokenStream {
        let unconditional = self.unconditional;
        if self.conditions.is_empty() {
            return quote::quote!(#unconditional);
        }
        let conditions = &self.conditions;
        quote::quote! {
            { #unconditional #( + (::core::cfg!(#conditions) as usize) )* }
        }
    }

    fn count(&mut self, cfg: Option<&TokenStream>) {
        match cfg {
            Some(condition) => self.conditions.push(condition.clone()),
            None => self.unconditional += 1,
        }
    }
}

/// The condition under which an item with `attrs` is compiled: `all` of
/// its `#[cfg(...)]`s, `None` if it has none.
fn cfg_condition(attrs: &[syn::Attribute]) -> Option<TokenStream> {
    let conditions: Vec<TokenStream> = attrs
        .iter()
        .filter(|attr| attr.path().is_ident("cfg"))
        .filter_map(|attr| attr.meta.require_list().ok())
        .map(|list| list.tokens.clone())
        .collect();
    match conditions.len() {
        0 => None,
        1 => conditions.into_iter().next(),
        _ => Some(quote::quote!(all(#( #conditions ),*))),
    }
}

/// The inner `Vec` of a return type written as a `Vec` of `Vec`s, perhaps
/// in a `Result` or an `Option`; the `Single` bound of the runtime's fan-out
/// refuses the spellings that hide it, like an alias.
fn fan_out_of_fan_outs(ty: &Type) -> Option<&Type> {
    let outer = unwrap_in(unwrap_in(ty, "Result"), "Option");
    let element = generic_argument(outer, "Vec")?;
    let element = unwrap_in(element, "Option");
    generic_argument(element, "Vec").map(|_| element)
}

/// The first type argument of `ty` if it is written `name<...>`, or `ty`.
fn unwrap_in<'a>(ty: &'a Type, name: &str) -> &'a Type {
    generic_argument(ty, name).unwrap_or(ty)
}

/// The first type argument of `ty` if it is written `name<...>`.
fn generic_argument<'a>(ty: &'a Type, name: &str) -> Option<&'a Type> {
    let Type::Path(path) = ty else {
        return None;
    };
    let last = path.path.segments.last()?;
    if last.ident != name {
        return None;
    }
    let syn::PathArguments::AngleBracketed(arguments) = &last.arguments else {
        return None;
    };
    arguments.args.iter().find_map(|argument| match argument {
        syn::GenericArgument::Type(ty) => Some(ty),
        _ => None,
    })
}

/// Whether a step's receiver is `&self`, or `self: &Self` written out.
fn is_shared_receiver(kind: &ReceiverKind) -> bool {
    match kind {
        ReceiverKind::Reference(_, _, mutability) => mutability.is_none(),
        ReceiverKind::Typed(_, ty) => is_shared_self(ty),
        _ => false,
    }
}

/// Whether `ty`, a receiver's type written out, is `&Self` or `&'a Self`.
fn is_shared_self(ty: &Type) -> bool {
    match ty {
        Type::Reference(reference) => {
            reference.mutability.is_none()
                && matches!(&*reference.elem, Type::Path(path) if path.qself.is_none() && path.path.is_ident("Self"))
        }
        _ => false,
    }
}

/// `("Box", T)` if `ty` is written `Box<T>`, and alike for `Arc` and `Rc`:
/// never an event, since no crate but the standard library can implement a
/// trait for them.
fn smart_pointer(ty: &Type) -> Option<(&'static str, &Type)> {
    ["Box", "Arc", "Rc"]
        .into_iter()
        .find_map(|pointer| generic_argument(ty, pointer).map(|inner| (pointer, inner)))
}

/// Replaces `Self` in `ty` by `self_ty`, for the items generated outside
/// the `impl` block, where `Self` means something else or nothing.
pub(crate) fn resolve_self(ty: &mut Type, self_ty: &Type) {
    SelfResolver(self_ty).visit_type_mut(ty);
}

/// Replaces `Self` in the expression `expr` by `self_ty`, as
/// [`resolve_self`] does in a type.
pub(crate) fn resolve_self_in_expr(expr: &mut syn::Expr, self_ty: &Type) {
    SelfResolver(self_ty).visit_expr_mut(expr);
}

struct SelfResolver<'a>(&'a Type);

impl SelfResolver<'_> {
    /// `<SelfTy>` for a path that begins with `Self::`, which drops it.
    fn qualify(&self, qself: &mut Option<syn::QSelf>, path: &mut syn::Path) {
        if qself.is_some() || path.segments.len() < 2 || path.segments[0].ident != "Self" {
            return;
        }
        path.segments = path.segments.iter().skip(1).cloned().collect();
        // `<SelfTy>::rest`: syn prints the `::` after the `>` as the path's
        // leading colon.
        path.leading_colon = Some(Default::default());
        *qself = Some(syn::QSelf {
            lt_token: Default::default(),
            ty: Box::new(self.0.clone()),
            position: 0,
            as_token: None,
            gt_token: Default::default(),
        });
    }
}

impl VisitMut for SelfResolver<'_> {
    fn visit_type_mut(&mut self, ty: &mut Type) {
        if let Type::Path(path) = ty {
            if path.qself.is_none() && path.path.is_ident("Self") {
                *ty = self.0.clone();
                return;
            }
            self.qualify(&mut path.qself, &mut path.path);
        }
        visit_mut::visit_type_mut(self, ty);
    }

    fn visit_expr_path_mut(&mut self, expr: &mut syn::ExprPath) {
        self.qualify(&mut expr.qself, &mut expr.path);
        visit_mut::visit_expr_path_mut(self, expr);
    }
}

/// Removes the `#[step]` attributes of `function` and reads their options;
/// `None` if it has none. A step keeps, instead, an `allow` of
/// `clippy::unused_async`: it must be an `async fn`, awaiting or not.
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
    if options.is_some() {
        kept.push(syn::parse_quote!(#[allow(clippy::unused_async)]));
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
