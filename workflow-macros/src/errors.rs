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
/// have: "unknown {kind} option `name`", then "did you mean `option`?" if
/// one of `options` is a likely typo of it, then `known`.
pub(crate) fn unknown_option(
    meta: &syn::meta::ParseNestedMeta<'_>,
    kind: &str,
    options: &[&str],
    known: &str,
) -> syn::Error {
    let Some(ident) = meta.path.get_ident() else {
        return meta.error(format!("unknown {kind} option: {known}"));
    };
    let written = ident.to_string();
    match closest(&written, options) {
        Some(option) => {
            let mut known = known.chars();
            let capital = known.next().map(|first| first.to_ascii_uppercase());
            let known: String = capital.into_iter().chain(known).collect();
            meta.error(format!(
                "unknown {kind} option `{written}`: did you mean `{option}`? {known}"
            ))
        }
        None => meta.error(format!("unknown {kind} option `{written}`: {known}")),
    }
}

/// The one of `options` that `written` is likely a typo of, if any.
pub(crate) fn closest<'a>(written: &str, options: &[&'a str]) -> Option<&'a str> {
    options
        .iter()
        .map(|option| (edit_distance(written, option), *option))
        .filter(|(distance, option)| {
            *distance <= 1 + option.len().min(written.len()) / 3
                || common_prefix(written, option) >= 4
        })
        .min()
        .map(|(_, option)| option)
}

/// How many characters `a` and `b` begin with alike.
fn common_prefix(a: &str, b: &str) -> usize {
    a.chars().zip(b.chars()).take_while(|(a, b)| a == b).count()
}

/// How many one-character insertions, deletions and substitutions turn `a`
/// into `b` (Levenshtein's distance).
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1)
                .min(row[j] + 1)
                .min(diagonal + usize::from(ca != *cb));
            diagonal = above;
        }
    }
    row[b.len()]
}
