//! The one path by which generated code names the runtime: the hidden
//! module `::typed_workflows::__private`, or `path::__private` under a
//! `crate = path` option, for a crate that re-exports `typed_workflows`
//! under another name.

use proc_macro2::{Group, Span, TokenStream, TokenTree};
use quote::{ToTokens, quote, quote_spanned};
use syn::meta::ParseNestedMeta;
use syn::{Attribute, Expr, ExprLit, Lit, Path};

use crate::errors::{Errors, unknown_option};

/// The path of the hidden module that generated code names everything
/// through.
#[derive(Clone)]
pub(crate) struct Private {
    path: TokenStream,
    /// Whether the path is the user's, from a `crate = path` option.
    given: bool,
}

impl Private {
    /// `krate::__private`, or `::typed_workflows::__private` without a
    /// `crate = path` option.
    pub(crate) fn new(krate: Option<&Path>) -> Self {
        let path = match krate {
            Some(krate) => quote!(#krate::__private),
            None => quote!(::typed_workflows::__private),
        };
        Self {
            path,
            given: krate.is_some(),
        }
    }

    /// The path at `span`, for code spanned on a user's token, where the
    /// compiler then points its errors. The default path takes `span`
    /// whole, as the code spanned there always did (the compiler reports
    /// some errors once per place it resolves them from); the user's path
    /// keeps the hygiene of its tokens, and only moves to `span`.
    pub(crate) fn at(&self, span: Span) -> TokenStream {
        if self.given {
            located_at(self.path.clone(), span)
        } else {
            quote_spanned!(span=> ::typed_workflows::__private)
        }
    }

    /// The path of serde's items, as the text `#[serde(crate = "...")]`
    /// takes.
    pub(crate) fn serde(&self) -> String {
        let path = self.path.to_string().replace(' ', "");
        format!("{path}::serde")
    }
}

impl ToTokens for Private {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        self.path.to_tokens(tokens);
    }
}

/// `tokens` with each one's place moved to `span`, its hygiene kept.
fn located_at(tokens: TokenStream, span: Span) -> TokenStream {
    tokens
        .into_iter()
        .map(|mut token| {
            if let TokenTree::Group(group) = &token {
                let mut moved = Group::new(group.delimiter(), located_at(group.stream(), span));
                moved.set_span(group.span().located_at(span));
                return TokenTree::Group(moved);
            }
            token.set_span(token.span().located_at(span));
            token
        })
        .collect()
}

/// Reads the value of a `crate = path` option into `krate`: a path, or a
/// string holding one, as serde's `crate = "..."` is written. A second one
/// is an error on its `crate`.
pub(crate) fn read_crate(
    meta: &ParseNestedMeta<'_>,
    krate: &mut Option<Path>,
    errors: &mut Errors,
) -> syn::Result<()> {
    let value: Expr = meta.value()?.parse()?;
    let path = match value {
        Expr::Path(path) if path.qself.is_none() => path.path,
        Expr::Lit(ExprLit {
            lit: Lit::Str(text),
            ..
        }) => text.parse()?,
        other => {
            errors.spanned(
                &other,
                "`crate` takes the path by which your crate reaches `typed_workflows`, like `crate = my_lib::workflows`",
            );
            return Ok(());
        }
    };
    if krate.is_some() {
        errors.spanned(&meta.path, "`crate` is given twice: keep one");
    } else {
        *krate = Some(path);
    }
    Ok(())
}

/// The `crate = path` of the `#[attribute(...)]` attributes among `attrs`,
/// the only option they take.
pub(crate) fn crate_option(
    attrs: &[Attribute],
    attribute: &str,
    errors: &mut Errors,
) -> Option<Path> {
    let mut krate = None;
    for attr in attrs.iter().filter(|attr| attr.path().is_ident(attribute)) {
        let parsed = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("crate") {
                return read_crate(&meta, &mut krate, errors);
            }
            Err(unknown_option(
                &meta,
                attribute,
                &["crate"],
                &format!("`#[{attribute}(...)]` takes `crate = path`"),
            ))
        });
        if let Err(error) = parsed {
            errors.push(error);
        }
    }
    krate
}
