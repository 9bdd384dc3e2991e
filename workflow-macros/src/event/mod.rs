//! `#[derive(Event)]`.

use proc_macro2::TokenStream;
use quote::{ToTokens, quote, quote_spanned};
use syn::{Data, DeriveInput, Fields};

use crate::errors::Errors;
use crate::private::Private;

mod options;

use options::Role;

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
    // A wrong `#[event(...)]` is reported, and the impl made with the
    // options read, so that the uses of the event raise no second error.
    let options = options::parse(&input, &mut errors);
    let role = options.role;
    let p = Private::new(options.krate.as_ref());
    let errors = errors.to_compile_errors();
    let ident = &input.ident;
    // The key names the type as written: it tells types apart, and changes
    // with them. The name, which runs store, may be set to outlast a rename.
    let name = ident.to_string();
    let stable_name = options
        .name
        .map_or_else(|| name.clone(), |name| name.value());
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
        Role::Regular => (quote!(Regular), quote!(#p::Absent), quote!(#p::Absent)),
        Role::Start => (quote!(Start), quote!(Self), quote!(#p::Absent)),
        Role::Stop => (quote!(Stop), quote!(#p::Absent), quote!(Self)),
        Role::Outbound => (quote!(Outbound), quote!(#p::Absent), quote!(#p::Absent)),
        Role::Input => (quote!(Input), quote!(#p::Absent), quote!(#p::Absent)),
    };
    let fields = fields(&input.data)
        .into_iter()
        .map(|(name, ty)| quote!((#name, #ty)));
    let input_impl = (role == Role::Input).then(|| {
        quote! {
            impl #p::InputEvent for #ident {
                type Itself = Self;
            }
        }
    });
    let stop_impl = (role == Role::Stop).then(|| {
        quote! {
            impl #p::StopEventType for #ident {
                type Output = Self;

                fn into_output(self) -> Self {
                    self
                }

                fn to_any_event(&self) -> #p::AnyEvent {
                    #p::AnyEvent::new(::core::clone::Clone::clone(self))
                }
            }
        }
    });
    quote! {
        impl #p::Event for #ident {
            const NAME: &'static str = #stable_name;
            const KEY: &'static str = #key;
            const KIND: #p::EventKind = #p::EventKind::#kind;
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
