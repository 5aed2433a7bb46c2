//! JSON text to and from serde types: how the engine, the share codec and the
//! playground read and write JSON (scenario files, the built-ins, the `c` link
//! parameter). The strict scenario reader with field paths,
//! `Scenario::from_json`, and the trace's JSON Lines stay on serde_json; they
//! serve the CLI and tests.
//!
//! Natively this is serde_json. In the playground's wasm it is the browser's
//! own `JSON.parse` and `JSON.stringify` with serde-wasm-bindgen between the
//! JavaScript values and the Rust types: serde_json's parser, number
//! printing and error machinery were 18 KB of the gzipped download (9 %),
//! and the browser already has a JSON implementation.
//!
//! What differs between the two (both are valid JSON for the same values):
//! the browser prints `20` where serde_json prints `20.0`, and it cannot
//! represent integers above 2^53 − 1 (a seed such as 18446744073709551615):
//! writing one is an error that says so, and reading one is refused rather
//! than silently rounded.

use serde::de::DeserializeOwned;
use serde::Serialize;
use std::fmt;

/// Why a JSON text could not be read or a value written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error(String);

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

#[cfg(not(target_family = "wasm"))]
mod backend {
    use super::*;

    pub fn from_str<T: DeserializeOwned>(text: &str) -> Result<T, Error> {
        serde_json::from_str(text).map_err(|e| Error(e.to_string()))
    }

    pub fn to_string<T: Serialize>(value: &T, pretty: bool) -> Result<String, Error> {
        let text = if pretty {
            serde_json::to_string_pretty(value)
        } else {
            serde_json::to_string(value)
        };
        text.map_err(|e| Error(e.to_string()))
    }
}

#[cfg(target_family = "wasm")]
mod backend {
    use super::*;
    use wasm_bindgen::{JsCast, JsValue};

    /// The message of a JavaScript exception (`JSON.parse`'s SyntaxError).
    fn message(e: JsValue) -> Error {
        Error(match e.dyn_ref::<js_sys::Error>() {
            Some(e) => String::from(e.message()),
            None => "the browser refused the JSON".to_string(),
        })
    }

    pub fn from_str<T: DeserializeOwned>(text: &str) -> Result<T, Error> {
        let value = js_sys::JSON::parse(text).map_err(message)?;
        T::deserialize(strict::Strict(value)).map_err(|e| Error(e.to_string()))
    }

    pub fn to_string<T: Serialize>(value: &T, pretty: bool) -> Result<String, Error> {
        // `json_compatible`: maps as plain objects and `None` as `null`, so
        // `JSON.stringify` writes what serde_json would.
        let value = value
            .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
            .map_err(|e| Error(e.to_string()))?;
        let text = if pretty {
            js_sys::JSON::stringify_with_replacer_and_space(
                &value,
                &JsValue::NULL,
                &JsValue::from(2),
            )
        } else {
            js_sys::JSON::stringify(&value)
        };
        text.map_err(message)?
            .as_string()
            .ok_or_else(|| Error("the value has no JSON form".to_string()))
    }

    /// serde-wasm-bindgen's deserializer reads a struct by looking up the
    /// fields it knows, so it never sees the others and serde's
    /// `deny_unknown_fields` has no effect. Scenario files and links must
    /// refuse a misspelt field (serde_json does), so structs and the sequences
    /// and options that hold them are read here; everything else is
    /// serde-wasm-bindgen's. Every struct is strict (all of ours deny unknown
    /// fields). Enums with data are not supported: ours are all unit variants.
    mod strict {
        use js_sys::{Array, Object};
        use serde::de::{self, DeserializeSeed, IntoDeserializer, MapAccess, SeqAccess, Visitor};
        use serde_wasm_bindgen::{Deserializer as Loose, Error};
        use wasm_bindgen::{JsCast, JsValue};

        pub struct Strict(pub JsValue);

        macro_rules! loose {
            ($($method:ident)*) => {$(
                fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
                    Loose::from(self.0).$method(visitor)
                }
            )*};
        }

        impl<'de> de::Deserializer<'de> for Strict {
            type Error = Error;

            loose! {
                deserialize_any deserialize_bool deserialize_i8 deserialize_i16
                deserialize_i32 deserialize_i64 deserialize_u8 deserialize_u16
                deserialize_u32 deserialize_u64 deserialize_f32 deserialize_f64
                deserialize_char deserialize_str deserialize_string deserialize_bytes
                deserialize_byte_buf deserialize_unit deserialize_map
                deserialize_identifier deserialize_ignored_any
            }

            fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
                if self.0.is_null() || self.0.is_undefined() {
                    visitor.visit_none()
                } else {
                    visitor.visit_some(self)
                }
            }

            fn deserialize_unit_struct<V: Visitor<'de>>(
                self,
                name: &'static str,
                visitor: V,
            ) -> Result<V::Value, Error> {
                Loose::from(self.0).deserialize_unit_struct(name, visitor)
            }

            fn deserialize_newtype_struct<V: Visitor<'de>>(
                self,
                _name: &'static str,
                visitor: V,
            ) -> Result<V::Value, Error> {
                visitor.visit_newtype_struct(self)
            }

            fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
                match self.0.dyn_into::<Array>() {
                    Ok(array) => visitor.visit_seq(Items { array, next: 0 }),
                    // Not an array: the loose reader words the type error.
                    Err(other) => Loose::from(other).deserialize_seq(visitor),
                }
            }

            fn deserialize_tuple<V: Visitor<'de>>(
                self,
                _len: usize,
                visitor: V,
            ) -> Result<V::Value, Error> {
                self.deserialize_seq(visitor)
            }

            fn deserialize_tuple_struct<V: Visitor<'de>>(
                self,
                _name: &'static str,
                _len: usize,
                visitor: V,
            ) -> Result<V::Value, Error> {
                self.deserialize_seq(visitor)
            }

            fn deserialize_struct<V: Visitor<'de>>(
                self,
                name: &'static str,
                fields: &'static [&'static str],
                visitor: V,
            ) -> Result<V::Value, Error> {
                match strict_object(self.0, fields) {
                    Ok(object) => visitor.visit_map(Fields {
                        object,
                        fields: fields.iter(),
                        value: None,
                    }),
                    Err(Refused::NotAnObject(value)) => {
                        Loose::from(value).deserialize_struct(name, fields, visitor)
                    }
                    Err(Refused::UnknownField(e)) => Err(e),
                }
            }

            fn deserialize_enum<V: Visitor<'de>>(
                self,
                name: &'static str,
                variants: &'static [&'static str],
                visitor: V,
            ) -> Result<V::Value, Error> {
                Loose::from(self.0).deserialize_enum(name, variants, visitor)
            }
        }

        enum Refused {
            /// Not an object: the loose reader words the type error.
            NotAnObject(JsValue),
            UnknownField(Error),
        }

        /// `value` as an object all of whose own keys are among `fields`.
        /// Not generic, so there is one copy of it rather than one per struct.
        #[inline(never)]
        fn strict_object(
            value: JsValue,
            fields: &'static [&'static str],
        ) -> Result<Object, Refused> {
            if Array::is_array(&value) {
                return Err(Refused::NotAnObject(value));
            }
            let object = value.dyn_into::<Object>().map_err(Refused::NotAnObject)?;
            for key in Object::keys(&object).iter() {
                let key = key.as_string().unwrap_or_default();
                if !fields.contains(&key.as_str()) {
                    return Err(Refused::UnknownField(de::Error::unknown_field(
                        &key, fields,
                    )));
                }
            }
            Ok(object)
        }

        /// The elements of an array, each read strictly.
        struct Items {
            array: Array,
            next: u32,
        }

        impl<'de> SeqAccess<'de> for Items {
            type Error = Error;

            fn next_element_seed<T: DeserializeSeed<'de>>(
                &mut self,
                seed: T,
            ) -> Result<Option<T::Value>, Error> {
                if self.next >= self.array.length() {
                    return Ok(None);
                }
                let item = self.array.get(self.next);
                self.next += 1;
                seed.deserialize(Strict(item)).map(Some)
            }

            fn size_hint(&self) -> Option<usize> {
                Some((self.array.length() - self.next) as usize)
            }
        }

        /// The struct's own fields that the object has (own properties only,
        /// so `constructor` and the like are never read from the prototype).
        struct Fields {
            object: Object,
            fields: std::slice::Iter<'static, &'static str>,
            value: Option<JsValue>,
        }

        impl<'de> MapAccess<'de> for Fields {
            type Error = Error;

            fn next_key_seed<K: DeserializeSeed<'de>>(
                &mut self,
                seed: K,
            ) -> Result<Option<K::Value>, Error> {
                for field in &mut self.fields {
                    let key = JsValue::from_str(field);
                    if Object::has_own(&self.object, &key) {
                        self.value =
                            Some(js_sys::Reflect::get(&self.object, &key).unwrap_or_default());
                        return seed.deserialize(field.into_deserializer()).map(Some);
                    }
                }
                Ok(None)
            }

            fn next_value_seed<V: DeserializeSeed<'de>>(
                &mut self,
                seed: V,
            ) -> Result<V::Value, Error> {
                seed.deserialize(Strict(self.value.take().unwrap_or_default()))
            }
        }
    }
}

/// Reads a `T` from JSON text.
pub fn from_str<T: DeserializeOwned>(text: &str) -> Result<T, Error> {
    backend::from_str(text)
}

/// Writes `value` as compact JSON.
pub fn to_string<T: Serialize>(value: &T) -> Result<String, Error> {
    backend::to_string(value, false)
}

/// Writes `value` as JSON indented by two spaces, for files people read.
pub fn to_string_pretty<T: Serialize>(value: &T) -> Result<String, Error> {
    backend::to_string(value, true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    #[cfg(target_family = "wasm")]
    use wasm_bindgen_test::wasm_bindgen_test as test;
    #[cfg(target_family = "wasm")]
    wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Sample {
        name: String,
        delay_ms: f64,
        #[serde(default)]
        seed: u64,
        limit: Option<f64>,
        kinds: Vec<Kind>,
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    enum Kind {
        Fin,
        DelayedAck,
    }

    #[derive(Debug, PartialEq, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Inner {
        a: u32,
    }

    #[derive(Debug, PartialEq, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Outer {
        inner: Vec<Inner>,
        #[serde(default)]
        maybe: Option<Inner>,
    }

    fn sample() -> Sample {
        Sample {
            name: "Lost FIN ✕".to_string(),
            delay_ms: 20.5,
            seed: (1 << 53) - 1,
            limit: None,
            kinds: vec![Kind::Fin, Kind::DelayedAck],
        }
    }

    #[test]
    fn values_round_trip_compact_and_pretty() {
        for text in [
            to_string(&sample()).unwrap(),
            to_string_pretty(&sample()).unwrap(),
        ] {
            assert_eq!(from_str::<Sample>(&text).unwrap(), sample(), "{text}");
        }
        let compact = to_string(&sample()).unwrap();
        assert!(!compact.contains('\n') && compact.contains(r#""kinds":["fin","delayed_ack"]"#));
        assert!(compact.contains(r#""limit":null"#), "{compact}");
        let pretty = to_string_pretty(&sample()).unwrap();
        assert!(pretty.contains("\n  \"name\": \"Lost FIN ✕\""), "{pretty}");
    }

    #[test]
    fn defaults_and_missing_options_are_filled_in() {
        let s: Sample = from_str(r#"{"name":"x","delay_ms":1,"limit":null,"kinds":[]}"#).unwrap();
        assert_eq!((s.seed, s.limit, s.delay_ms), (0, None, 1.0));
    }

    #[test]
    fn bad_text_and_bad_fields_are_errors_that_say_what() {
        let e = from_str::<Sample>(r#"{"name": "x", "#).unwrap_err();
        assert!(!e.to_string().is_empty());
        let e =
            from_str::<Sample>(r#"{"name":"x","delay_ms":1,"limit":null,"kinds":[],"colour":1}"#)
                .unwrap_err();
        assert!(e.to_string().contains("unknown field `colour`"), "{e}");
        // Nested structs, inside arrays and options, are as strict.
        let e = from_str::<Outer>(r#"{"inner":[{"a":1},{"a":2,"b":3}]}"#).unwrap_err();
        assert!(e.to_string().contains("unknown field `b`"), "{e}");
        let e = from_str::<Outer>(r#"{"inner":[],"maybe":{"a":1,"__proto__":{}}}"#).unwrap_err();
        assert!(e.to_string().contains("unknown field `__proto__`"), "{e}");
        let ok: Outer = from_str(r#"{"inner":[{"a":1}],"maybe":{"a":2}}"#).unwrap();
        assert_eq!(ok.inner[0].a + ok.maybe.unwrap().a, 3);
        let e = from_str::<Outer>(r#"{"inner":{"a":1}}"#).unwrap_err();
        assert!(!e.to_string().is_empty());
        let e = from_str::<Sample>(r#"{"name":"x","delay_ms":"fast","limit":null,"kinds":[]}"#)
            .unwrap_err();
        assert!(e.to_string().contains("fast"), "{e}");
        let e = from_str::<Sample>(r#"{"name":"x","delay_ms":1,"limit":null,"kinds":["syn"]}"#)
            .unwrap_err();
        assert!(e.to_string().contains("syn"), "{e}");
    }

    /// Only the browser cannot carry integers above 2^53 − 1; it says so.
    #[cfg(target_family = "wasm")]
    #[test]
    fn integers_beyond_2_53_are_refused_not_rounded() {
        let mut s = sample();
        s.seed = u64::MAX;
        let e = to_string(&s).unwrap_err();
        assert!(e.to_string().contains("18446744073709551615"), "{e}");
        let text =
            r#"{"name":"x","delay_ms":1,"seed":18446744073709551615,"limit":null,"kinds":[]}"#;
        assert!(from_str::<Sample>(text).is_err());
    }

    #[cfg(not(target_family = "wasm"))]
    #[test]
    fn natively_every_u64_round_trips() {
        let mut s = sample();
        s.seed = u64::MAX;
        assert_eq!(from_str::<Sample>(&to_string(&s).unwrap()).unwrap(), s);
    }
}
