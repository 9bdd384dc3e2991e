//! `#[derive(Event)]`.

use proc_macro2::TokenStream;
use quote::{ToTokens, quote, quote_spanned};
use syn::{Data, DeriveInput, Fields};

use crate::errors::{Errors, closest, unknown_option};

/// The role `#[event(...)]` gives an event.
#[derive(Clone, Copy, PartialEq)]
enum Role {
    Regular,
    Start,
    Stop,
    Outbound,
    Input,
}

pub(crate) fn derive(input: DeriveInput) -> TokenStream {
    let mut errors = Errors::default();
    if !input.generics.params.is_empty() {
        errors.spanned(
            &input.generics,
            "`#[derive(Event)]` does not support generic types: the graph checks need one concrete type per event",
        );
    }
    if !errors.is_empty() {
        return errors.to_compile_errors();
    }
    // A wrong `#[event(...)]` is reported, and the impl made with the role
    // read so far, so that the uses of the event raise no second error.
    let role = parse_role(&input, &mut errors);
    let errors = errors.to_compile_errors();
    let ident = &input.ident;
    let name = ident.to_string();
    let span = ident.span();
    // Unique per type definition: the module alone is not enough, since
    // types declared inside two functions of one module may share a name.
    // `line!()` and `column!()` place the outermost macro call, so the
    // name's own place tells apart two types that one `macro_rules!` call
    // makes.
    let defined = span.unwrap();
    let defined = format!(
        "#{}:{}:{}",
        defined.file(),
        defined.line(),
        defined.column()
    );
    let key = quote_spanned! {span=>
        ::core::concat!(::core::module_path!(), "::", #name, "@", ::core::file!(), ":", ::core::line!(), ":", ::core::column!(), #defined)
    };
    let (kind, as_start, as_stop) = match role {
        Role::Regular => (
            quote!(Regular),
            quote!(::typed_workflows::__private::Absent),
            quote!(::typed_workflows::__private::Absent),
        ),
        Role::Start => (
            quote!(Start),
            quote!(Self),
            quote!(::typed_workflows::__private::Absent),
        ),
        Role::Stop => (
            quote!(Stop),
            quote!(::typed_workflows::__private::Absent),
            quote!(Self),
        ),
        Role::Outbound => (
            quote!(Outbound),
            quote!(::typed_workflows::__private::Absent),
            quote!(::typed_workflows::__private::Absent),
        ),
        Role::Input => (
            quote!(Input),
            quote!(::typed_workflows::__private::Absent),
            quote!(::typed_workflows::__private::Absent),
        ),
    };
    let fields = fields(&input.data)
        .into_iter()
        .map(|(name, ty)| quote!((#name, #ty)));
    let input_impl = (role == Role::Input).then(|| {
        quote! {
            impl ::typed_workflows::InputEvent for #ident {
                type Itself = Self;
            }
        }
    });
    let stop_impl = (role == Role::Stop).then(|| {
        quote! {
            impl ::typed_workflows::StopEventType for #ident {
                type Output = Self;

                fn into_output(self) -> Self {
                    self
                }

                fn to_any_event(&self) -> ::typed_workflows::AnyEvent {
                    ::typed_workflows::AnyEvent::new(::core::clone::Clone::clone(self))
                }
            }
        }
    });
    quote! {
        impl ::typed_workflows::Event for #ident {
            const NAME: &'static str = #name;
            const KEY: &'static str = #key;
            const KIND: ::typed_workflows::__private::EventKind = ::typed_workflows::__private::EventKind::#kind;
            #[doc(hidden)]
            const FIELDS: &'static [(&'static str, &'static str)] = &[#(#fields),*];
            type AsStart = #as_start;
            type AsStop = #as_stop;
        }

        #stop_impl
        #input_impl
        #errors
    }
}

/// The roles by the name `#[event(...)]` gives them.
const ROLES: [(&str, Role); 4] = [
    ("start", Role::Start),
    ("stop", Role::Stop),
    ("outbound", Role::Outbound),
    ("input", Role::Input),
];

fn parse_role(input: &DeriveInput, errors: &mut Errors) -> Role {
    let mut role = Role::Regular;
    for attr in input
        .attrs
        .iter()
        .filter(|attr| attr.path().is_ident("event"))
    {
        let parsed = attr.parse_nested_meta(|meta| {
            let written = meta.path.get_ident().map(ToString::to_string);
            let known = ROLES
                .iter()
                .find(|(name, _)| written.as_deref() == Some(*name));
            // A typo is reported, and read as the role it is closest to, so
            // that the uses of the event raise no second error.
            let (found, typo) = match known {
                Some(&(_, found)) => (found, None),
                None => {
                    let names = ROLES.map(|(name, _)| name);
                    let error = unknown_option(
                        &meta,
                        "event",
                        &names,
                        "the options are `start`, `stop`, `outbound` and `input`",
                    );
                    let closest = written
                        .as_deref()
                        .and_then(|written| closest(written, &names));
                    match ROLES.iter().find(|(name, _)| Some(*name) == closest) {
                        Some(&(_, found)) => (found, Some(error)),
                        None => return Err(error),
                    }
                }
            };
            if role != Role::Regular {
                return Err(meta.error(
                    "an event has one role: choose one of `start`, `stop`, `outbound` and `input`",
                ));
            }
            role = found;
            typo.map_or(Ok(()), Err)
        });
        if let Err(error) = parsed {
            errors.push(error);
        }
    }
    role
}

/// The type's fields as `(name, type)`, for the drawing of a graph: a
/// struct's named fields, a tuple struct's numbered ones; for an enum, each
/// variant, with `variant` and what it holds.
fn fields(data: &Data) -> Vec<(String, String)> {
    let of = |fields: &Fields| -> Vec<(String, String)> {
        fields
            .iter()
            .enumerate()
            .map(|(index, field)| {
                let name = field
                    .ident
                    .as_ref()
                    .map_or_else(|| index.to_string(), ToString::to_string);
                (name, tidy(&field.ty.to_token_stream().to_string()))
            })
            .collect()
    };
    match data {
        Data::Struct(data) => of(&data.fields),
        Data::Enum(data) => data
            .variants
            .iter()
            .map(|variant| {
                let holds = of(&variant.fields);
                let holds = match &variant.fields {
                    Fields::Unit => String::new(),
                    Fields::Unnamed(_) => {
                        let types: Vec<_> = holds.into_iter().map(|(_, ty)| ty).collect();
                        format!(" ({})", types.join(", "))
                    }
                    Fields::Named(_) => {
                        let named: Vec<_> = holds
                            .iter()
                            .map(|(name, ty)| format!("{name}: {ty}"))
                            .collect();
                        format!(" {{ {} }}", named.join(", "))
                    }
                };
                (variant.ident.to_string(), format!("variant{holds}"))
            })
            .collect(),
        Data::Union(_) => Vec::new(),
    }
}

/// A type as `quote` prints it (`Vec < String >`), spaced as people write it
/// (`Vec<String>`).
fn tidy(printed: &str) -> String {
    let mut out = printed.to_owned();
    for (spaced, tight) in [
        (" <", "<"),
        ("< ", "<"),
        (" >", ">"),
        (" ::", "::"),
        (":: ", "::"),
        (" ,", ","),
        ("& ", "&"),
        ("( ", "("),
        (" )", ")"),
        ("[ ", "["),
        (" ]", "]"),
        (" ;", ";"),
    ] {
        out = out.replace(spaced, tight);
    }
    out
}
