//! JSON Schemas of a workflow's events, made from what `#[derive(Event)]`
//! records of each type's fields: their names and the Rust types as
//! written. A field of a type the schema cannot see into (a type of the
//! program's own) is described by its name alone.

use serde_json::{Map, Value, json};
use workflow_model::__private::EventInfo;
use workflow_model::{Event, StartEvent};

/// The JSON Schema of the event `info` describes.
pub(crate) fn event_schema(info: &EventInfo) -> Value {
    if info.key == <StartEvent as Event>::KEY {
        return json!({
            "title": info.name,
            "description": "The values a run starts with, each under its name.",
            "type": "object",
            "properties": {},
            "additionalProperties": true,
        });
    }
    let enum_like = info.fields.iter().any(|(_, ty)| ty.starts_with("variant"));
    if enum_like {
        let variants: Vec<&str> = info.fields.iter().map(|(name, _)| *name).collect();
        return json!({
            "title": info.name,
            "description": format!("One of the variants: {}.", variants.join(", ")),
        });
    }
    let mut properties = Map::new();
    let mut required = Vec::new();
    for (name, ty) in info.fields {
        let (schema, optional) = type_schema(ty);
        if !optional {
            required.push(Value::from(*name));
        }
        properties.insert((*name).to_owned(), schema);
    }
    let mut schema = json!({
        "title": info.name,
        "type": "object",
        "properties": properties,
    });
    if !required.is_empty() {
        schema["required"] = Value::Array(required);
    }
    schema
}

/// The schema of a field of Rust type `ty`, and whether the field may be
/// left out (an `Option`).
fn type_schema(ty: &str) -> (Value, bool) {
    let ty = ty.trim().trim_start_matches('&').trim();
    let (outer, args) = split_generic(ty);
    let name = outer.rsplit("::").next().unwrap_or(outer);
    let schema = match (name, args.as_slice()) {
        ("Option", [inner]) => {
            let (inner, _) = type_schema(inner);
            return (json!({ "anyOf": [inner, { "type": "null" }] }), true);
        }
        ("String" | "str" | "char" | "PathBuf" | "RunId", []) => json!({ "type": "string" }),
        ("Cow" | "Box" | "Arc" | "Rc", [inner]) => type_schema(inner).0,
        ("bool", []) => json!({ "type": "boolean" }),
        ("u8" | "u16" | "u32" | "u64" | "u128" | "usize", []) => {
            json!({ "type": "integer", "minimum": 0 })
        }
        ("i8" | "i16" | "i32" | "i64" | "i128" | "isize", []) => json!({ "type": "integer" }),
        ("f32" | "f64", []) => json!({ "type": "number" }),
        ("Vec" | "VecDeque" | "HashSet" | "BTreeSet", [item]) => {
            json!({ "type": "array", "items": type_schema(item).0 })
        }
        ("HashMap" | "BTreeMap" | "Map", [_, value]) => {
            json!({ "type": "object", "additionalProperties": type_schema(value).0 })
        }
        ("Value", []) => json!({}),
        _ if ty.starts_with('[') => match ty[1..].split_once(';') {
            Some((item, _)) => json!({ "type": "array", "items": type_schema(item).0 }),
            None => {
                json!({ "type": "array", "items": type_schema(ty[1..].trim_end_matches(']')).0 })
            }
        },
        _ => json!({ "description": format!("a `{ty}`") }),
    };
    (schema, false)
}

/// `Outer<A, B>` as `Outer` and its top-level arguments; a type without
/// arguments as itself.
fn split_generic(ty: &str) -> (&str, Vec<&str>) {
    let Some(open) = ty.find('<') else {
        return (ty, Vec::new());
    };
    let inner = ty[open + 1..].strip_suffix('>').unwrap_or(&ty[open + 1..]);
    let mut args = Vec::new();
    let (mut depth, mut from) = (0usize, 0usize);
    for (at, c) in inner.char_indices() {
        match c {
            '<' | '(' | '[' => depth += 1,
            '>' | ')' | ']' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                args.push(inner[from..at].trim());
                from = at + 1;
            }
            _ => {}
        }
    }
    if !inner[from..].trim().is_empty() {
        args.push(inner[from..].trim());
    }
    // A lifetime is no argument of the data.
    args.retain(|arg| !arg.starts_with('\''));
    (&ty[..open], args)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rust_types_map_to_json_types() {
        assert_eq!(type_schema("String").0, json!({"type": "string"}));
        assert_eq!(
            type_schema("u32").0,
            json!({"type": "integer", "minimum": 0})
        );
        assert_eq!(
            type_schema("Vec<Option<f64>>").0,
            json!({"type": "array", "items": {"anyOf": [{"type": "number"}, {"type": "null"}]}})
        );
        assert_eq!(
            type_schema("std::collections::HashMap<String, Vec<bool>>").0,
            json!({"type": "object", "additionalProperties": {"type": "array", "items": {"type": "boolean"}}})
        );
        assert!(type_schema("Option<String>").1);
        assert_eq!(type_schema("[u8; 4]").0["type"], "array");
        assert_eq!(type_schema("Cow<'a, str>").0, json!({"type": "string"}));
        assert_eq!(
            type_schema("my::Thing").0,
            json!({"description": "a `my::Thing`"})
        );
    }

    #[test]
    fn an_events_schema_lists_its_fields_and_requires_those_not_optional() {
        #[derive(Debug, Clone, serde::Serialize, serde::Deserialize, typed_workflows::Event)]
        struct Asked {
            text: String,
            retries: Option<u8>,
        }
        let schema = event_schema(&<Asked as Event>::INFO);
        assert_eq!(schema["title"], "Asked");
        assert_eq!(schema["properties"]["text"], json!({"type": "string"}));
        assert_eq!(schema["required"], json!(["text"]));
        let start = event_schema(&<StartEvent as Event>::INFO);
        assert_eq!(start["additionalProperties"], true);
    }
}
