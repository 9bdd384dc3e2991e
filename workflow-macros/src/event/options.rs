//! What the `#[event(...)]` attributes of a derived event say: its role, its
//! stable name, and the path to the runtime.

use syn::meta::ParseNestedMeta;
use syn::{DeriveInput, Expr, ExprLit, Lit, LitStr, Path};

use crate::errors::{Errors, closest, unknown_option};
use crate::private::read_crate;

/// The role `#[event(...)]` gives an event.
#[derive(Clone, Copy, PartialEq)]
pub(super) enum Role {
    Regular,
    Start,
    Stop,
    Outbound,
    Input,
}

/// The options of one derived event.
pub(super) struct EventOptions {
    pub(super) role: Role,
    /// `name = "..."`: the event's `Event::NAME`, in place of the type's
    /// name.
    pub(super) name: Option<LitStr>,
    /// `crate = path`: the path by which the user's crate reaches
    /// `typed_workflows`.
    pub(super) krate: Option<Path>,
}

/// The roles by the name `#[event(...)]` gives them.
const ROLES: [(&str, Role); 4] = [
    ("start", Role::Start),
    ("stop", Role::Stop),
    ("outbound", Role::Outbound),
    ("input", Role::Input),
];

/// Every option `#[event(...)]` takes, for the suggestion of a typo.
const OPTIONS: [&str; 6] = ["start", "stop", "outbound", "input", "name", "crate"];

/// The list of options, as the error about an unknown one ends.
const KNOWN: &str =
    "the options are `start`, `stop`, `outbound`, `input`, `name = \"...\"` and `crate = path`";

/// Reads every `#[event(...)]` of `input`. A wrong option is reported in
/// `errors`, and the rest read on, so that the impl made with what was read
/// raises no second error at the uses of the event.
pub(super) fn parse(input: &DeriveInput, errors: &mut Errors) -> EventOptions {
    let mut options = EventOptions {
        role: Role::Regular,
        name: None,
        krate: None,
    };
    for attr in input
        .attrs
        .iter()
        .filter(|attr| attr.path().is_ident("event"))
    {
        let parsed = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("name") {
                return options.read_name(&meta, errors);
            }
            if meta.path.is_ident("crate") {
                return read_crate(&meta, &mut options.krate, errors);
            }
            options.read_role(&meta)
        });
        if let Err(error) = parsed {
            errors.push(error);
        }
    }
    options
}

impl EventOptions {
    /// `name = "..."`: a non-empty string literal, given once.
    fn read_name(&mut self, meta: &ParseNestedMeta<'_>, errors: &mut Errors) -> syn::Result<()> {
        let value: Expr = meta.value()?.parse()?;
        if self.name.is_some() {
            errors.spanned(
                &meta.path,
                "`name` is given twice: an event has one name; keep one `name = \"...\"`",
            );
            return Ok(());
        }
        match value {
            Expr::Lit(ExprLit {
                lit: Lit::Str(name),
                ..
            }) if name.value().is_empty() => errors.spanned(
                &name,
                "the name of an event cannot be empty: write the name it keeps across renames of its type, like `name = \"Ask\"`",
            ),
            Expr::Lit(ExprLit {
                lit: Lit::Str(name),
                ..
            }) => self.name = Some(name),
            other => errors.spanned(
                &other,
                "the name of an event is a string literal, like `name = \"Ask\"`",
            ),
        }
        Ok(())
    }

    /// A role, or a typo of an option, read as the role it is closest to.
    fn read_role(&mut self, meta: &ParseNestedMeta<'_>) -> syn::Result<()> {
        let written = meta.path.get_ident().map(ToString::to_string);
        let known = ROLES
            .iter()
            .find(|(name, _)| written.as_deref() == Some(*name));
        let (found, typo) = match known {
            Some(&(_, found)) => (found, None),
            None => {
                let error = unknown_option(meta, "event", &OPTIONS, KNOWN);
                let closest = written
                    .as_deref()
                    .and_then(|written| closest(written, &OPTIONS));
                match ROLES.iter().find(|(name, _)| Some(*name) == closest) {
                    Some(&(_, found)) => (found, Some(error)),
                    // A typo of `name`, or no likely option: its value, if
                    // any, is left unread, so the attribute's parse ends.
                    None => return Err(error),
                }
            }
        };
        if self.role != Role::Regular {
            return Err(meta.error(
                "an event has one role: choose one of `start`, `stop`, `outbound` and `input`",
            ));
        }
        self.role = found;
        typo.map_or(Ok(()), Err)
    }
}
