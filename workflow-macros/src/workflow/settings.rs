//! The options of a whole workflow: `#[workflow_impl(state = S, crate = path)]`,
//! or `#[workflow(...)]` on the `impl` block inside `workflow! { ... }`.

use proc_macro2::TokenStream;
use syn::meta::ParseNestedMeta;
use syn::parse::Parser;
use syn::{Attribute, ItemImpl, Path, Type};

use crate::errors::{Errors, unknown_option};
use crate::private::read_crate;

#[derive(Default)]
pub(crate) struct WorkflowOptions {
    /// `state = S`: the type of each run's state.
    pub(crate) state: Option<Type>,
    /// `crate = path`: the path by which the user's crate reaches
    /// `typed_workflows`.
    pub(crate) krate: Option<Path>,
}

impl WorkflowOptions {
    /// Reads the arguments of `#[workflow_impl(...)]`, then the
    /// `#[workflow(...)]` attributes of `item`, which it removes.
    pub(crate) fn parse(args: TokenStream, item: &mut ItemImpl, errors: &mut Errors) -> Self {
        let mut options = Self::default();
        if !args.is_empty() {
            let parser = syn::meta::parser(|meta| options.option(&meta, errors));
            if let Err(error) = parser.parse2(args) {
                errors.push(error);
            }
        }
        let (ours, theirs): (Vec<Attribute>, _) = std::mem::take(&mut item.attrs)
            .into_iter()
            .partition(|attr| attr.path().is_ident("workflow"));
        item.attrs = theirs;
        for attr in ours {
            if let Err(error) = attr.parse_nested_meta(|meta| options.option(&meta, errors)) {
                errors.push(error);
            }
        }
        options
    }

    fn option(&mut self, meta: &ParseNestedMeta<'_>, errors: &mut Errors) -> syn::Result<()> {
        if meta.path.is_ident("state") {
            let state: Type = meta.value()?.parse()?;
            if self.state.is_some() {
                errors.spanned(&meta.path, "`state` is given twice: keep one");
            }
            self.state = Some(state);
            Ok(())
        } else if meta.path.is_ident("crate") {
            read_crate(meta, &mut self.krate, errors)
        } else {
            Err(unknown_option(
                meta,
                "workflow",
                &["state", "crate"],
                "the workflow takes `state = Type` and `crate = path`; the options of a step go on its `#[step(...)]`",
            ))
        }
    }
}
