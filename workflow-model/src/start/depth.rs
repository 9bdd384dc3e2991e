//! JSON values nested at most [`MAX_DEPTH`] arrays and objects deep, made
//! without recursing past that: a value nested 20,000 deep would overflow
//! the stack of a tokio worker in any recursive walk of it (reading it,
//! cloning it, dropping it), so a start event refuses it where it is built,
//! while serializing or deserializing it, and never holds it.

use std::cell::Cell;
use std::fmt;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde::ser::{self, Serialize, Serializer};
use serde_json::{Map, Value};

use super::StartValueError;

/// How deeply a start event's value may nest arrays and objects: as deeply
/// as `serde_json` parses text by default.
pub(crate) const MAX_DEPTH: usize = 128;

/// Why [`to_value`] made no value.
pub(crate) enum Refused {
    /// Nested deeper than [`MAX_DEPTH`].
    TooDeep,
    /// Not representable as JSON.
    NotJson(serde_json::Error),
}

/// `value` as JSON, serialized no deeper than [`MAX_DEPTH`].
pub(crate) fn to_value<T: Serialize + ?Sized>(value: &T) -> Result<Value, Refused> {
    let tripped = Cell::new(false);
    let bounded = Bounded {
        value,
        depth: 0,
        tripped: &tripped,
    };
    serde_json::to_value(bounded).map_err(|error| match tripped.get() {
        true => Refused::TooDeep,
        false => Refused::NotJson(error),
    })
}

/// A value to serialize at `depth` arrays and objects deep; sets `tripped`
/// and fails once that passes [`MAX_DEPTH`].
struct Bounded<'a, T: ?Sized> {
    value: &'a T,
    depth: usize,
    tripped: &'a Cell<bool>,
}

impl<T: Serialize + ?Sized> Serialize for Bounded<'_, T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.value.serialize(Limited {
            inner: serializer,
            depth: self.depth,
            tripped: self.tripped,
        })
    }
}

/// A serializer that hands everything to `inner`, and refuses to open an
/// array or object past [`MAX_DEPTH`].
struct Limited<'a, S> {
    inner: S,
    depth: usize,
    tripped: &'a Cell<bool>,
}

impl<'a, S: Serializer> Limited<'a, S> {
    /// The depth inside `levels` more arrays or objects, if allowed.
    fn deeper(&self, levels: usize) -> Result<usize, S::Error> {
        let depth = self.depth + levels;
        if depth > MAX_DEPTH {
            self.tripped.set(true);
            return Err(ser::Error::custom("nested too deep"));
        }
        Ok(depth)
    }
}

/// The serializer of an array or object, whose items are at `depth`.
struct Compound<'a, C> {
    inner: C,
    depth: usize,
    tripped: &'a Cell<bool>,
}

macro_rules! forward_scalars {
    ($($method:ident($ty:ty)),* $(,)?) => {
        $(fn $method(self, value: $ty) -> Result<S::Ok, S::Error> {
            self.inner.$method(value)
        })*
    };
}

/// Opens an array or object `levels` deep with `open`, or refuses to.
macro_rules! open {
    ($limited:expr, $levels:expr, |$inner:ident| $open:expr) => {{
        let depth = $limited.deeper($levels)?;
        let Limited {
            inner: $inner,
            tripped,
            ..
        } = $limited;
        Ok(Compound {
            inner: $open?,
            depth,
            tripped,
        })
    }};
}

impl<'a, S: Serializer> Serializer for Limited<'a, S> {
    type Ok = S::Ok;
    type Error = S::Error;
    type SerializeSeq = Compound<'a, S::SerializeSeq>;
    type SerializeTuple = Compound<'a, S::SerializeTuple>;
    type SerializeTupleStruct = Compound<'a, S::SerializeTupleStruct>;
    type SerializeTupleVariant = Compound<'a, S::SerializeTupleVariant>;
    type SerializeMap = Compound<'a, S::SerializeMap>;
    type SerializeStruct = Compound<'a, S::SerializeStruct>;
    type SerializeStructVariant = Compound<'a, S::SerializeStructVariant>;

    forward_scalars!(
        serialize_bool(bool),
        serialize_i8(i8),
        serialize_i16(i16),
        serialize_i32(i32),
        serialize_i64(i64),
        serialize_i128(i128),
        serialize_u8(u8),
        serialize_u16(u16),
        serialize_u32(u32),
        serialize_u64(u64),
        serialize_u128(u128),
        serialize_f32(f32),
        serialize_f64(f64),
        serialize_char(char),
        serialize_str(&str),
        serialize_bytes(&[u8]),
        serialize_unit_struct(&'static str),
    );

    fn serialize_none(self) -> Result<S::Ok, S::Error> {
        self.inner.serialize_none()
    }

    fn serialize_unit(self) -> Result<S::Ok, S::Error> {
        self.inner.serialize_unit()
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<S::Ok, S::Error> {
        let Limited {
            inner,
            depth,
            tripped,
        } = self;
        inner.serialize_some(&Bounded {
            value,
            depth,
            tripped,
        })
    }

    fn serialize_unit_variant(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
    ) -> Result<S::Ok, S::Error> {
        self.inner.serialize_unit_variant(name, index, variant)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        value: &T,
    ) -> Result<S::Ok, S::Error> {
        let Limited {
            inner,
            depth,
            tripped,
        } = self;
        inner.serialize_newtype_struct(
            name,
            &Bounded {
                value,
                depth,
                tripped,
            },
        )
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<S::Ok, S::Error> {
        // `{"variant": value}`.
        let depth = self.deeper(1)?;
        let Limited { inner, tripped, .. } = self;
        inner.serialize_newtype_variant(
            name,
            index,
            variant,
            &Bounded {
                value,
                depth,
                tripped,
            },
        )
    }

    fn serialize_seq(self, len: Option<usize>) -> Result<Self::SerializeSeq, S::Error> {
        open!(self, 1, |inner| inner.serialize_seq(len))
    }

    fn serialize_tuple(self, len: usize) -> Result<Self::SerializeTuple, S::Error> {
        open!(self, 1, |inner| inner.serialize_tuple(len))
    }

    fn serialize_tuple_struct(
        self,
        name: &'static str,
        len: usize,
    ) -> Result<Self::SerializeTupleStruct, S::Error> {
        open!(self, 1, |inner| inner.serialize_tuple_struct(name, len))
    }

    fn serialize_tuple_variant(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Self::SerializeTupleVariant, S::Error> {
        // `{"variant": [...]}`.
        open!(self, 2, |inner| inner
            .serialize_tuple_variant(name, index, variant, len))
    }

    fn serialize_map(self, len: Option<usize>) -> Result<Self::SerializeMap, S::Error> {
        open!(self, 1, |inner| inner.serialize_map(len))
    }

    fn serialize_struct(
        self,
        name: &'static str,
        len: usize,
    ) -> Result<Self::SerializeStruct, S::Error> {
        open!(self, 1, |inner| inner.serialize_struct(name, len))
    }

    fn serialize_struct_variant(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Self::SerializeStructVariant, S::Error> {
        // `{"variant": {...}}`.
        open!(self, 2, |inner| inner
            .serialize_struct_variant(name, index, variant, len))
    }

    fn is_human_readable(&self) -> bool {
        self.inner.is_human_readable()
    }
}

/// The impl of one of serde's compound serializers for [`Compound`]: each
/// item is serialized one level deeper.
macro_rules! compound {
    ($trait:ident { $($method:ident($($key:ident: $key_ty:ty)?)),+ }) => {
        impl<C: ser::$trait> ser::$trait for Compound<'_, C> {
            type Ok = C::Ok;
            type Error = C::Error;

            $(fn $method<T: Serialize + ?Sized>(
                &mut self,
                $($key: $key_ty,)?
                value: &T,
            ) -> Result<(), C::Error> {
                let item = Bounded {
                    value,
                    depth: self.depth,
                    tripped: self.tripped,
                };
                self.inner.$method($($key,)? &item)
            })+

            fn end(self) -> Result<C::Ok, C::Error> {
                self.inner.end()
            }
        }
    };
}

compound!(SerializeSeq { serialize_element() });
compound!(SerializeTuple { serialize_element() });
compound!(SerializeTupleStruct { serialize_field() });
compound!(SerializeTupleVariant { serialize_field() });
compound!(SerializeMap { serialize_key(), serialize_value() });
compound!(SerializeStruct { serialize_field(key: &'static str) });
compound!(SerializeStructVariant { serialize_field(key: &'static str) });

/// Deserializes a start event's values, each nested no deeper than
/// [`MAX_DEPTH`]: for `#[serde(deserialize_with = ...)]`.
pub(crate) fn deserialize_values<'de, D: de::Deserializer<'de>>(
    deserializer: D,
) -> Result<Map<String, Value>, D::Error> {
    deserializer.deserialize_map(Values)
}

/// Visits a start event's map of values.
struct Values;

impl<'de> Visitor<'de> for Values {
    type Value = Map<String, Value>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a map of named JSON values")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut values = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let value = map.next_value_seed(BoundedValue {
                key: &key,
                depth: 0,
            })?;
            values.insert(key, value);
        }
        Ok(values)
    }
}

/// The value named `key`, at `depth` arrays and objects deep in it.
#[derive(Clone, Copy)]
struct BoundedValue<'k> {
    key: &'k str,
    depth: usize,
}

impl BoundedValue<'_> {
    /// The seed of what an array or object at this depth holds.
    fn inner<E: de::Error>(self) -> Result<Self, E> {
        if self.depth >= MAX_DEPTH {
            return Err(E::custom(StartValueError::TooDeep {
                key: self.key.to_owned(),
                limit: MAX_DEPTH,
            }));
        }
        Ok(Self {
            depth: self.depth + 1,
            ..self
        })
    }
}

impl<'de> DeserializeSeed<'de> for BoundedValue<'_> {
    type Value = Value;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for BoundedValue<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, value: bool) -> Result<Value, E> {
        Ok(Value::Bool(value))
    }

    fn visit_i64<E>(self, value: i64) -> Result<Value, E> {
        Ok(Value::Number(value.into()))
    }

    fn visit_u64<E>(self, value: u64) -> Result<Value, E> {
        Ok(Value::Number(value.into()))
    }

    fn visit_f64<E>(self, value: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(value).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, value: &str) -> Result<Value, E> {
        Ok(Value::String(value.to_owned()))
    }

    fn visit_string<E>(self, value: String) -> Result<Value, E> {
        Ok(Value::String(value))
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let inner = self.inner()?;
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4_096));
        while let Some(item) = seq.next_element_seed(inner)? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let inner = self.inner()?;
        let mut object = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            object.insert(key, map.next_value_seed(inner)?);
        }
        Ok(Value::Object(object))
    }
}
