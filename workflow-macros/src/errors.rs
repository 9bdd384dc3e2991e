//! Collects every error of one macro invocation, so that a build reports
//! them all at once rather than one per build.

use proc_macro2::TokenStream;

#[derive(Default)]
pub(crate) struct Errors {
    first: Option<syn::Error>,
}

impl Errors {
    pub(crate) fn push(&mut self, error: syn::Error) {
        match &mut self.first {
            Some(first) => first.combine(error),
            None => self.first = Some(error),
        }
    }

    pub(crate) fn spanned(
        &mut self,
        tokens: impl quote::ToTokens,
        message: impl std::fmt::Display,
    ) {
        self.push(syn::Error::new_spanned(tokens, message));
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.first.is_none()
    }

    pub(crate) fn to_compile_errors(&self) -> TokenStream {
        self.first
            .as_ref()
            .map(syn::Error::to_compile_error)
            .unwrap_or_default()
    }
}

/// The error for an option that `meta` names and the attribute does not
/// have: "unknown {kind} option `name`: {known}".
pub(crate) fn unknown_option(
    meta: &syn::meta::ParseNestedMeta<'_>,
    kind: &str,
    known: &str,
) -> syn::Error {
    let name = meta
        .path
        .get_ident()
        .map_or_else(|| "this".to_owned(), |ident| format!("`{ident}`"));
    meta.error(format!("unknown {kind} option {name}: {known}"))
}
