//! The options of `#[step(...)]`.

use proc_macro2::Span;
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{Attribute, LitInt, Token, Type};

use crate::errors::Errors;

/// LlamaIndex's default for `num_workers`.
pub(crate) const DEFAULT_NUM_WORKERS: usize = 4;

pub(crate) struct StepOptions {
    pub(crate) num_workers: usize,
    /// The event types of `sends(...)`, as written.
    pub(crate) sends: Vec<Type>,
    /// Where `sends` is written, for errors about the list as a whole.
    pub(crate) sends_span: Option<Span>,
}

impl StepOptions {
    /// Reads the options of a `#[step]` or `#[step(...)]` attribute.
    pub(crate) fn parse(attr: &Attribute, errors: &mut Errors) -> Self {
        let mut options = Self {
            num_workers: DEFAULT_NUM_WORKERS,
            sends: Vec::new(),
            sends_span: None,
        };
        if matches!(attr.meta, syn::Meta::Path(_)) {
            return options;
        }
        let mut seen_workers = false;
        let parsed = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("num_workers") {
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
            } else if meta.path.is_ident("sends") {
                if options.sends_span.is_some() {
                    errors.spanned(&meta.path, "`sends(...)` is given twice: list every event in one");
                }
                let content;
                syn::parenthesized!(content in meta.input);
                let types = Punctuated::<Type, Token![,]>::parse_terminated(&content)?;
                if types.is_empty() {
                    errors.spanned(&meta.path, "`sends()` lists no event: name the events the step sends, like `sends(QueryEvent)`, or remove it");
                }
                options.sends_span = Some(meta.path.span());
                options.sends.extend(types);
                Ok(())
            } else {
                let name = meta
                    .path
                    .get_ident()
                    .map_or_else(|| "this".to_owned(), |ident| format!("`{ident}`"));
                Err(meta.error(format!(
                    "unknown step option {name}: the options are `num_workers = N` and `sends(Event, ...)`"
                )))
            }
        });
        if let Err(error) = parsed {
            errors.push(error);
        }
        options
    }
}
