//! The options of `#[step(...)]`.

use proc_macro2::Span;
use syn::meta::ParseNestedMeta;
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{Attribute, Expr, Ident, LitInt, Token, Type};

use super::model::{resolve_self, resolve_self_in_expr};
use crate::errors::{Errors, closest, edit_distance, unknown_option};

/// LlamaIndex's default for `num_workers`.
pub(crate) const DEFAULT_NUM_WORKERS: usize = 4;

/// The names of the options of `#[step(...)]`.
const OPTIONS: [&str; 9] = [
    "num_workers",
    "spawn",
    "sends",
    "writes",
    "waits_for",
    "retry",
    "timeout",
    "catches",
    "max_recoveries",
];

/// What the error about an unknown option lists.
const KNOWN_OPTIONS: &str = "the options are `num_workers = N`, `spawn`, `sends(Event, ...)`, `writes(Event, ...)`, `waits_for(Event, ...)`, `retry = RetryPolicy`, `timeout = Duration`, `catches(step, ...)` or `catches(*)`, and `max_recoveries = N`";

/// LlamaIndex's default for `max_recoveries`.
const DEFAULT_MAX_RECOVERIES: u32 = 1;

pub(crate) struct StepOptions {
    pub(crate) num_workers: usize,
    /// `spawn`: each invocation runs as a task of its own on tokio's worker
    /// pool, rather than in the run's task.
    pub(crate) spawn: bool,
    /// `sends(...)`: the events the step sends through its context.
    pub(crate) sends: EventList,
    /// `writes(...)`: the events the step writes to the event stream.
    pub(crate) writes: EventList,
    /// `waits_for(...)`: the input events the step waits for.
    pub(crate) waits_for: EventList,
    /// `retry = <RetryPolicy>`, a constant expression.
    pub(crate) retry: Option<Expr>,
    /// `timeout = <Duration>`, a constant expression.
    pub(crate) timeout: Option<Expr>,
    /// `catches(step, ...)`: the steps whose failures this one handles.
    pub(crate) catches: Vec<Ident>,
    /// Where the `*` of `catches(*)` is written: the step handles the
    /// failures of every step that no other step names.
    pub(crate) catches_all: Option<Span>,
    /// Where `catches` is written.
    pub(crate) catches_span: Option<Span>,
    /// `max_recoveries = N`.
    pub(crate) max_recoveries: u32,
}

/// The event types of an option like `sends(A, B)`, as written.
#[derive(Default)]
pub(crate) struct EventList {
    pub(crate) types: Vec<Type>,
    /// Where the option is written, for errors about the list as a whole;
    /// `None` if the step does not give it.
    pub(crate) span: Option<Span>,
}

impl StepOptions {
    /// Reads the options of a `#[step]` or `#[step(...)]` attribute.
    pub(crate) fn parse(attr: &Attribute, errors: &mut Errors) -> Self {
        let mut options = Self {
            num_workers: DEFAULT_NUM_WORKERS,
            spawn: false,
            sends: EventList::default(),
            writes: EventList::default(),
            waits_for: EventList::default(),
            retry: None,
            timeout: None,
            catches: Vec::new(),
            catches_all: None,
            catches_span: None,
            max_recoveries: DEFAULT_MAX_RECOVERIES,
        };
        if matches!(attr.meta, syn::Meta::Path(_)) {
            return options;
        }
        let mut seen_workers = false;
        let mut seen_recoveries = None;
        let parsed = attr.parse_nested_meta(|meta| {
            let written = meta.path.get_ident().map(ToString::to_string);
            // An unknown option is reported and skipped, so that the other
            // options are read; a typo of one letter is read as the option
            // it names, so that it causes no second error.
            let option = match written.as_deref() {
                Some(name) if OPTIONS.contains(&name) => name,
                name => {
                    errors.push(unknown_option(&meta, "step", &OPTIONS, KNOWN_OPTIONS));
                    match name.and_then(|name| closest(name, &OPTIONS)) {
                        Some(guess) if edit_distance(name.unwrap_or_default(), guess) <= 1 => guess,
                        _ => return skip_option(&meta),
                    }
                }
            };
            if option == "num_workers" {
                if std::mem::replace(&mut seen_workers, true) {
                    errors.spanned(&meta.path, "`num_workers` is given twice: keep one");
                }
                let value: LitInt = meta.value()?.parse()?;
                match value.base10_parse::<usize>() {
                    Ok(0) | Err(_) => errors.spanned(
                        &value,
                        "`num_workers` must be a whole number of at least 1, like `num_workers = 8`",
                    ),
                    Ok(n) => options.num_workers = n,
                }
                Ok(())
            } else if option == "spawn" {
                if std::mem::replace(&mut options.spawn, true) {
                    errors.spanned(&meta.path, "`spawn` is given twice: keep one");
                }
                if !meta.input.is_empty() && !meta.input.peek(Token![,]) {
                    errors.spanned(&meta.path, "`spawn` takes no value: write `#[step(spawn)]`");
                    return skip_option(&meta);
                }
                Ok(())
            } else if option == "sends" {
                options.sends.parse(&meta, "sends", "QueryEvent", errors)
            } else if option == "writes" {
                options.writes.parse(&meta, "writes", "ProgressEvent", errors)
            } else if option == "waits_for" {
                options
                    .waits_for
                    .parse(&meta, "waits_for", "HumanResponseEvent", errors)
            } else if option == "catches" {
                if options.catches_span.is_some() {
                    errors.spanned(&meta.path, "`catches(...)` is given twice: list every step in one");
                }
                options.parse_catches(&meta, errors)?;
                options.catches_span = Some(meta.path.span());
                Ok(())
            } else if option == "max_recoveries" {
                if seen_recoveries.replace(meta.path.span()).is_some() {
                    errors.spanned(&meta.path, "`max_recoveries` is given twice: keep one");
                }
                let value: LitInt = meta.value()?.parse()?;
                match value.base10_parse::<u32>() {
                    Ok(0) | Err(_) => errors.spanned(&value, "`max_recoveries` must be a whole number of at least 1, like `max_recoveries = 3`"),
                    Ok(n) => options.max_recoveries = n,
                }
                Ok(())
            } else if option == "retry" {
                parse_value(&meta, &mut options.retry, errors)
            } else if option == "timeout" {
                parse_value(&meta, &mut options.timeout, errors)
            } else {
                unreachable!("`{option}` is one of OPTIONS")
            }
        });
        if let Err(error) = parsed {
            errors.push(error);
        }
        if let (Some(span), None) = (seen_recoveries, options.catches_span) {
            errors.push(syn::Error::new(span, "`max_recoveries` bounds the recoveries of a step that catches failures: add `catches(step, ...)` or `catches(*)`, or remove it"));
        }
        options
    }
}

/// One entry of `catches(...)`: a step's name, or `*` for every step.
enum Caught {
    Step(Ident),
    All(Token![*]),
}

impl syn::parse::Parse for Caught {
    fn parse(input: syn::parse::ParseStream<'_>) -> syn::Result<Self> {
        if input.peek(Token![*]) {
            return input.parse().map(Self::All);
        }
        input.parse().map(Self::Step)
    }
}

impl StepOptions {
    /// Reads the list of `catches(...)`: step names, or `*` alone.
    fn parse_catches(
        &mut self,
        meta: &ParseNestedMeta<'_>,
        errors: &mut Errors,
    ) -> syn::Result<()> {
        let content;
        syn::parenthesized!(content in meta.input);
        let entries = Punctuated::<Caught, Token![,]>::parse_terminated(&content)?;
        if entries.is_empty() {
            errors.spanned(&meta.path, "`catches()` names no step: name the steps whose failures this one handles, like `catches(fetch)`, or catch every step's with `catches(*)`");
        }
        let named = entries.iter().any(|entry| matches!(entry, Caught::Step(_)));
        for entry in entries {
            match entry {
                Caught::Step(step) => self.catches.push(step),
                Caught::All(star) if named => errors.spanned(
                    star,
                    "`*` catches the failures of every step, so it stands alone: write `catches(*)`, or name the steps",
                ),
                Caught::All(star) => {
                    if self.catches_all.replace(star.span()).is_some() {
                        errors.spanned(star, "`*` is given twice: write `catches(*)`");
                    }
                }
            }
        }
        Ok(())
    }

    /// Replaces `Self` by `self_ty` in the event types and values, which the
    /// generated code uses outside the `impl` block.
    pub(crate) fn resolve_self(&mut self, self_ty: &Type) {
        for list in [&mut self.sends, &mut self.writes, &mut self.waits_for] {
            for ty in &mut list.types {
                resolve_self(ty, self_ty);
            }
        }
        for value in [&mut self.retry, &mut self.timeout].into_iter().flatten() {
            resolve_self_in_expr(value, self_ty);
        }
    }
}

impl EventList {
    /// Reads the parenthesised list of the option `name`; `example` is an
    /// event name for the message about an empty list.
    fn parse(
        &mut self,
        meta: &ParseNestedMeta<'_>,
        name: &str,
        example: &str,
        errors: &mut Errors,
    ) -> syn::Result<()> {
        if self.span.is_some() {
            errors.spanned(
                &meta.path,
                format!("`{name}(...)` is given twice: list every event in one"),
            );
        }
        let content;
        syn::parenthesized!(content in meta.input);
        let types = Punctuated::<Type, Token![,]>::parse_terminated(&content)?;
        if types.is_empty() {
            errors.spanned(
                &meta.path,
                format!("`{name}()` lists no event: name the events the step {name}, like `{name}({example})`, or remove it"),
            );
        }
        self.span = Some(meta.path.span());
        self.types.extend(types);
        Ok(())
    }
}

/// Reads past the value of an option that is not read: `= value` or
/// `(...)`, if it has one.
fn skip_option(meta: &ParseNestedMeta<'_>) -> syn::Result<()> {
    if meta.input.peek(Token![=]) {
        meta.value()?.parse::<Expr>()?;
    } else if meta.input.peek(syn::token::Paren) {
        let skipped;
        syn::parenthesized!(skipped in meta.input);
        skipped.parse::<proc_macro2::TokenStream>()?;
    }
    Ok(())
}

/// Reads the value of an option like `timeout = Duration::from_secs(5)` into
/// `slot`.
fn parse_value(
    meta: &ParseNestedMeta<'_>,
    slot: &mut Option<Expr>,
    errors: &mut Errors,
) -> syn::Result<()> {
    let value: Expr = meta.value()?.parse()?;
    if slot.replace(value).is_some() {
        let name = meta
            .path
            .get_ident()
            .map(ToString::to_string)
            .unwrap_or_default();
        errors.spanned(&meta.path, format!("`{name}` is given twice: keep one"));
    }
    Ok(())
}
