//! `#[event]` and `#[data]`: the derives an event or a piece of serde data
//! needs, added to the item with serde named through the facade, so that a
//! user's crate depends on `typed-workflows` and tokio alone.

use proc_macro2::{TokenStream, TokenTree};
use quote::quote;
use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::{Attribute, DeriveInput, Meta, Path, Token};

use crate::errors::Errors;
use crate::private::{Private, read_crate};

/// A trait a derive implements, as `#[derive(...)]` names it in the user's
/// code (its last path segment) and as the generated code names it.
struct Derived {
    name: &'static str,
    path: TokenStream,
}

/// serde's traits, whose derives need the path of the serde crate that the
/// facade re-exports.
const SERDE: [&str; 2] = ["Serialize", "Deserialize"];

/// `#[event]` and `#[event(options)]`: `Debug`, `Clone`, `Serialize`,
/// `Deserialize` and `Event`, the options passed on to the `Event` derive,
/// which reports any wrong one.
pub(crate) fn event(args: TokenStream, item: TokenStream) -> TokenStream {
    let p = Private::new(crate_of_event(args.clone()).as_ref());
    let options = (!args.is_empty()).then(|| quote!(#[event(#args)]));
    add_derives(
        "event",
        item,
        &p,
        &[
            Derived {
                name: "Debug",
                path: quote!(::core::fmt::Debug),
            },
            Derived {
                name: "Clone",
                path: quote!(::core::clone::Clone),
            },
            serialize(&p),
            deserialize(&p),
            Derived {
                name: "Event",
                path: quote!(#p::Event),
            },
        ],
        options,
    )
}

/// The `crate = path` among the options of `#[event(...)]`, if it is
/// there; the `Event` derive reads them all again, and reports errors.
fn crate_of_event(args: TokenStream) -> Option<Path> {
    let mut krate = None;
    let mut ignored = Errors::default();
    let parser = syn::meta::parser(|meta| {
        if meta.path.is_ident("crate") {
            return read_crate(&meta, &mut krate, &mut ignored);
        }
        if meta.input.peek(Token![=]) {
            meta.value()?.parse::<syn::Expr>()?;
        }
        Ok(())
    });
    // An error is the derive's to report.
    let _ = parser.parse2(args);
    krate
}

/// `#[data]` and `#[data(crate = path)]`: `Serialize` and `Deserialize`.
pub(crate) fn data(args: TokenStream, item: TokenStream) -> TokenStream {
    let mut krate = None;
    let mut errors = Errors::default();
    let parser = syn::meta::parser(|meta| {
        if meta.path.is_ident("crate") {
            return read_crate(&meta, &mut krate, &mut errors);
        }
        Err(meta.error(
            "`#[data]` takes one option, `crate = path`: write `#[data]`, and put serde's own options in `#[serde(...)]`",
        ))
    });
    if let Err(error) = parser.parse2(args) {
        errors.push(error);
    }
    if !errors.is_empty() {
        return errors.to_compile_errors();
    }
    let p = Private::new(krate.as_ref());
    add_derives("data", item, &p, &[serialize(&p), deserialize(&p)], None)
}

fn serialize(p: &Private) -> Derived {
    Derived {
        name: "Serialize",
        path: quote!(#p::serde::Serialize),
    }
}

fn deserialize(p: &Private) -> Derived {
    Derived {
        name: "Deserialize",
        path: quote!(#p::serde::Deserialize),
    }
}

/// The item with a `#[derive(...)]` of each trait in `wanted` that its own
/// derives do not already name, then its own attributes, then serde's
/// `crate` option (after every derive that reads it) and `extra`.
fn add_derives(
    attribute: &str,
    item: TokenStream,
    p: &Private,
    wanted: &[Derived],
    extra: Option<TokenStream>,
) -> TokenStream {
    let mut input: DeriveInput = match syn::parse2(item.clone()) {
        Ok(input) => input,
        Err(_) => {
            let mut output = syn::Error::new_spanned(
                first_token(&item),
                format!("`#[{attribute}]` goes on a struct or an enum"),
            )
            .to_compile_error();
            output.extend(item);
            return output;
        }
    };
    let present = derived_names(&input.attrs);
    let missing: Vec<&Derived> = wanted
        .iter()
        .filter(|derived| !present.iter().any(|name| name == derived.name))
        .collect();
    let paths = missing.iter().map(|derived| &derived.path);
    let names_serde_crate = input.attrs.iter().any(names_serde_crate);
    // Serde's derives, whether added here or written on the type, name
    // serde through the facade: the prelude's `Serialize` is serde's derive,
    // and the user's crate may have no serde of its own.
    let derives_serde = wanted.iter().any(|derived| SERDE.contains(&derived.name));
    let serde_path = p.serde();
    let serde_crate =
        (derives_serde && !names_serde_crate).then(|| quote!(#[serde(crate = #serde_path)]));
    let own = std::mem::take(&mut input.attrs);
    quote! {
        #[derive(#(#paths),*)]
        #(#own)*
        #serde_crate
        #extra
        #input
    }
}

/// The last segment of every path in the item's `#[derive(...)]` lists.
fn derived_names(attrs: &[Attribute]) -> Vec<String> {
    attrs
        .iter()
        .filter(|attr| attr.path().is_ident("derive"))
        .filter_map(|attr| {
            attr.parse_args_with(Punctuated::<Path, Token![,]>::parse_terminated)
                .ok()
        })
        .flatten()
        .filter_map(|path| path.segments.last().map(|last| last.ident.to_string()))
        .collect()
}

/// Whether the attribute is a `#[serde(...)]` that names the serde crate.
fn names_serde_crate(attr: &Attribute) -> bool {
    match &attr.meta {
        Meta::List(list) if list.path.is_ident("serde") => list
            .tokens
            .clone()
            .into_iter()
            .any(|token| matches!(token, TokenTree::Ident(ident) if ident == "crate")),
        _ => false,
    }
}

fn first_token(item: &TokenStream) -> TokenStream {
    item.clone().into_iter().take(1).collect()
}
