//! JSON text to and from serde types: how the engine, the share codec and the
//! playground read and write JSON (scenario files, the built-ins, the `c` link
//! parameter). The strict scenario reader with field paths,
//! `Scenario::from_json`, and the trace's JSON Lines stay on serde_json; they
//! serve the CLI and tests.
//!
//! Natively this is serde_json. In the playground's wasm, text is read by the
//! browser's own `JSON.parse` and this crate's small strict reader over the
//! parsed JavaScript values (see `backend::strict` for why not
//! serde-wasm-bindgen's), and written by this crate's small writer
//! (`write`), which prints what `JSON.stringify` printed of
//! serde-wasm-bindgen's values before, without either. serde_json's parser,
//! number printing and error machinery were 18 KB of the gzipped download
//! (9 %), and the browser already has a JSON parser. The tests run natively
//! and in Chromium, so the two backends are held to the same behaviour; the
//! writer is also tested natively against serde_json and in Chromium against
//! serde-wasm-bindgen + `JSON.stringify`, byte for byte.
//!
//! What differs between the two (both are valid JSON for the same values):
//! the browser prints `20` where serde_json prints `20.0`; it cannot
//! represent integers above 2^53 − 1 (a seed such as 18446744073709551615):
//! writing one is an error that says so, and reading one is refused rather
//! than silently rounded; a key given twice in one object is an error
//! natively but the last one wins in the browser (`JSON.parse`); and JSON has
//! one number type in the browser, so a whole number written `5.0` or `5e0`
//! is read where an integer is expected, which serde_json refuses; and
//! serde_json also reads a struct from an array of its fields in order
//! (`"link": [20, 0.1]`), which the browser's reader refuses.

use serde::de::DeserializeOwned;
use serde::Serialize;
use std::fmt;

/// Why a JSON text could not be read or a value written. Values quoted in the
/// message are shortened by [`shorten_quoted`], so a hostile file cannot flood
/// a terminal or a notice.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error(String);

impl Error {
    fn new(message: &str) -> Error {
        Error(shorten_quoted(message))
    }
}

/// Most characters of one value an error message quotes.
pub const QUOTE_CHARS: usize = 60;
/// Most bytes of one value an error message quotes (60 four-byte emoji would
/// be 240).
pub const QUOTE_BYTES: usize = 120;

/// A value as an error message quotes it: at most [`QUOTE_CHARS`] characters
/// and [`QUOTE_BYTES`] bytes, then `… (N bytes)`; control characters replaced,
/// so the message stays one readable line.
pub fn shown(value: &str) -> String {
    cut(value, QUOTE_CHARS, QUOTE_BYTES, value.len())
}

/// The first `chars` characters of `text` within `bytes` bytes (control
/// characters shown as U+FFFD, which counts as its 3 bytes), then `… (size
/// bytes)` if anything was left out.
fn cut(text: &str, chars: usize, bytes: usize, size: usize) -> String {
    let mut out = String::new();
    for (i, c) in text.chars().enumerate() {
        let c = if c.is_control() { '\u{FFFD}' } else { c };
        if i == chars || out.len() + c.len_utf8() > bytes {
            out.push_str(&format!("… ({size} bytes)"));
            return out;
        }
        out.push(c);
    }
    out
}

/// Most bytes of a whole error message (a value with a quote character inside
/// it ends its quoted span early, so the rest of it would escape [`shown`]):
/// room for serde's longest, an unknown field of [`QUOTE_BYTES`] and the list
/// of the scenario's 13 fields, so that with its field path in front a
/// scenario error stays under 500 bytes.
pub const MESSAGE_BYTES: usize = 320;

/// The message with every value quoted in it (between `` ` `` or `"`, as serde's
/// and serde_json's messages quote them) passed through [`shown`]; an unclosed
/// quote runs to the end of the message. Then, for what a quote inside a value
/// let through, control characters are replaced everywhere and whatever is
/// still longer than [`MESSAGE_BYTES`] is cut there, with the message's size.
pub fn shorten_quoted(message: &str) -> String {
    let out = shorten_each_quoted(message);
    if out.len() <= MESSAGE_BYTES && !out.contains(char::is_control) {
        return out;
    }
    cut(&out, usize::MAX, MESSAGE_BYTES, message.len())
}

fn shorten_each_quoted(message: &str) -> String {
    let mut out = String::with_capacity(message.len().min(512));
    let mut rest = message;
    while let Some(open) = rest.find(['`', '"']) {
        let quote = rest.as_bytes()[open] as char;
        out.push_str(&rest[..=open]);
        let inner = &rest[open + 1..];
        let (value, after) = match inner.find(quote) {
            Some(close) => (&inner[..close], &inner[close..]),
            None => (inner, ""),
        };
        out.push_str(&shown(value));
        match after.chars().next() {
            Some(c) => {
                out.push(c);
                rest = &after[c.len_utf8()..];
            }
            None => rest = "",
        }
    }
    out.push_str(rest);
    out
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

/// The browser backend's reader reports through serde's error constructors
/// (unknown field, invalid type, …), as serde_json's messages do.
impl serde::de::Error for Error {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Error::new(&msg.to_string())
    }

    /// serde's own wording, with a float printed by `farewell_num`: serde's
    /// `Unexpected` prints it with core's float formatting, which would add
    /// ~6 KB gzipped to the playground's wasm for this one message.
    fn invalid_type(unexp: serde::de::Unexpected, exp: &dyn serde::de::Expected) -> Self {
        Error::new(&format!(
            "invalid type: {}, expected {exp}",
            Unexpected(unexp)
        ))
    }

    fn invalid_value(unexp: serde::de::Unexpected, exp: &dyn serde::de::Expected) -> Self {
        Error::new(&format!(
            "invalid value: {}, expected {exp}",
            Unexpected(unexp)
        ))
    }
}

/// serde's `Unexpected` as serde words it (`floating point `1.0``, `string
/// "x"`), with floats printed by `farewell_num` (and `.0` added to a whole
/// number, as serde's `WithDecimalPoint` does).
struct Unexpected<'a>(serde::de::Unexpected<'a>);

impl fmt::Display for Unexpected<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use serde::de::Unexpected as U;
        match self.0 {
            U::Bool(b) => write!(f, "boolean `{b}`"),
            U::Unsigned(i) => write!(f, "integer `{i}`"),
            U::Signed(i) => write!(f, "integer `{i}`"),
            U::Float(v) => {
                let text = farewell_num::Shortest(v).to_string();
                let point = if v.is_finite() && !text.contains('.') {
                    ".0"
                } else {
                    ""
                };
                write!(f, "floating point `{text}{point}`")
            }
            U::Char(c) => write!(f, "character `{c}`"),
            U::Str(s) => write!(f, "string {s:?}"),
            U::Bytes(_) => f.write_str("byte array"),
            U::Unit => f.write_str("unit value"),
            U::Option => f.write_str("Option value"),
            U::NewtypeStruct => f.write_str("newtype struct"),
            U::Seq => f.write_str("sequence"),
            U::Map => f.write_str("map"),
            U::Enum => f.write_str("enum"),
            U::UnitVariant => f.write_str("unit variant"),
            U::NewtypeVariant => f.write_str("newtype variant"),
            U::TupleVariant => f.write_str("tuple variant"),
            U::StructVariant => f.write_str("struct variant"),
            U::Other(other) => f.write_str(other),
        }
    }
}

#[cfg(any(target_family = "wasm", test))]
mod write;

#[cfg(not(target_family = "wasm"))]
mod backend {
    use super::*;

    pub fn from_str<T: DeserializeOwned>(text: &str) -> Result<T, Error> {
        serde_json::from_str(text).map_err(|e| Error::new(&e.to_string()))
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
        Error::new(&match e.dyn_ref::<js_sys::Error>() {
            Some(e) => String::from(e.message()),
            None => "the browser refused the JSON".to_string(),
        })
    }

    pub fn from_str<T: DeserializeOwned>(text: &str) -> Result<T, Error> {
        let value = js_sys::JSON::parse(text).map_err(message)?;
        T::deserialize(strict::Strict(value))
    }

    pub fn to_string<T: Serialize>(value: &T, pretty: bool) -> Result<String, Error> {
        crate::write::to_string(value, pretty)
    }

    /// A serde deserializer over the JavaScript values `JSON.parse` returns.
    ///
    /// Not serde-wasm-bindgen's: that one reads a struct by looking up the
    /// fields it knows, so it never sees the others and serde's
    /// `deny_unknown_fields` has no effect, while scenario files and links
    /// must refuse a misspelt field as serde_json does. JSON values are few
    /// (null, booleans, numbers, strings, arrays, objects), so reading them
    /// directly is short, and smaller than the general reader.
    /// Every struct is strict (all of ours deny unknown fields); enums are
    /// read from strings (unit variants, all ours have).
    mod strict {
        use crate::Error;
        use js_sys::{Array, Object};
        use serde::de::{
            self, DeserializeSeed, IntoDeserializer, MapAccess, SeqAccess, Unexpected, Visitor,
        };
        use wasm_bindgen::{JsCast, JsValue};

        pub struct Strict(pub JsValue);

        /// What a value is, for "invalid type: …, expected …" messages.
        /// Not generic: one copy for every type read.
        #[inline(never)]
        fn invalid_type(value: &JsValue, expected: &dyn de::Expected) -> Error {
            let text;
            let unexpected = if value.is_null() || value.is_undefined() {
                Unexpected::Unit
            } else if let Some(b) = value.as_bool() {
                Unexpected::Bool(b)
            } else if let Some(n) = value.as_f64() {
                Unexpected::Float(n)
            } else if let Some(s) = value.as_string() {
                text = s;
                Unexpected::Str(&text)
            } else if Array::is_array(value) {
                Unexpected::Seq
            } else {
                Unexpected::Map
            };
            de::Error::invalid_type(unexpected, expected)
        }

        /// A whole number in `min..=max` (JSON has only one number type).
        #[inline(never)]
        fn whole(
            value: &JsValue,
            min: f64,
            max: f64,
            expected: &dyn de::Expected,
        ) -> Result<f64, Error> {
            match value.as_f64() {
                Some(n) if n.fract() == 0.0 && (min..=max).contains(&n) => Ok(n),
                Some(n) if n.fract() == 0.0 => {
                    Err(de::Error::invalid_value(Unexpected::Float(n), expected))
                }
                _ => Err(invalid_type(value, expected)),
            }
        }

        /// Largest integer a JavaScript number holds exactly (2^53 − 1): a
        /// larger one has already been rounded by `JSON.parse`, so it is refused.
        const MAX_SAFE: f64 = 9_007_199_254_740_991.0;

        macro_rules! whole_number {
            ($method:ident, $visit:ident, $t:ty, $wide:ty, $min:expr, $max:expr) => {
                fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
                    let n = whole(&self.0, $min, $max, &visitor)?;
                    visitor.$visit(n as $t as $wide)
                }
            };
        }

        impl<'de> de::Deserializer<'de> for Strict {
            type Error = Error;

            fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
                let v = self.0;
                if v.is_null() || v.is_undefined() {
                    visitor.visit_unit()
                } else if let Some(b) = v.as_bool() {
                    visitor.visit_bool(b)
                } else if let Some(n) = v.as_f64() {
                    visitor.visit_f64(n)
                } else if let Some(s) = v.as_string() {
                    visitor.visit_string(s)
                } else if Array::is_array(&v) {
                    Strict(v).deserialize_seq(visitor)
                } else {
                    Strict(v).deserialize_map(visitor)
                }
            }

            fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
                match self.0.as_bool() {
                    Some(b) => visitor.visit_bool(b),
                    None => Err(invalid_type(&self.0, &visitor)),
                }
            }

            whole_number!(deserialize_i8, visit_i64, i8, i64, -128.0, 127.0);
            whole_number!(deserialize_i16, visit_i64, i16, i64, -32768.0, 32767.0);
            whole_number!(
                deserialize_i32,
                visit_i64,
                i32,
                i64,
                -2147483648.0,
                2147483647.0
            );
            whole_number!(deserialize_i64, visit_i64, i64, i64, -MAX_SAFE, MAX_SAFE);
            whole_number!(deserialize_u8, visit_u64, u8, u64, 0.0, 255.0);
            whole_number!(deserialize_u16, visit_u64, u16, u64, 0.0, 65535.0);
            whole_number!(deserialize_u32, visit_u64, u32, u64, 0.0, 4294967295.0);
            whole_number!(deserialize_u64, visit_u64, u64, u64, 0.0, MAX_SAFE);

            fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
                match self.0.as_f64() {
                    Some(n) => visitor.visit_f64(n),
                    None => Err(invalid_type(&self.0, &visitor)),
                }
            }

            fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
                self.deserialize_f64(visitor)
            }

            fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
                match self.0.as_string() {
                    Some(s) => visitor.visit_string(s),
                    None => Err(invalid_type(&self.0, &visitor)),
                }
            }

            fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
                self.deserialize_string(visitor)
            }

            fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
                self.deserialize_string(visitor)
            }

            fn deserialize_identifier<V: Visitor<'de>>(
                self,
                visitor: V,
            ) -> Result<V::Value, Error> {
                self.deserialize_string(visitor)
            }

            fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
                self.deserialize_seq(visitor)
            }

            fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
                self.deserialize_seq(visitor)
            }

            fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
                if self.0.is_null() || self.0.is_undefined() {
                    visitor.visit_none()
                } else {
                    visitor.visit_some(self)
                }
            }

            fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
                if self.0.is_null() || self.0.is_undefined() {
                    visitor.visit_unit()
                } else {
                    Err(invalid_type(&self.0, &visitor))
                }
            }

            fn deserialize_unit_struct<V: Visitor<'de>>(
                self,
                _name: &'static str,
                visitor: V,
            ) -> Result<V::Value, Error> {
                self.deserialize_unit(visitor)
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
                    Ok(array) => visit_array(array, visitor),
                    Err(other) => Err(invalid_type(&other, &visitor)),
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

            fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
                match object(self.0) {
                    Ok(object) => visitor.visit_map(Entries::all(object)),
                    Err(other) => Err(invalid_type(&other, &visitor)),
                }
            }

            fn deserialize_struct<V: Visitor<'de>>(
                self,
                _name: &'static str,
                fields: &'static [&'static str],
                visitor: V,
            ) -> Result<V::Value, Error> {
                // Only objects: serde_json would also take an array of the
                // fields in order (`"link": [20, 0.1]`), but reading that form
                // costs every struct a second path (4.7 KB gzipped), for a
                // spelling no scenario file uses.
                let object = object(self.0).map_err(|other| invalid_type(&other, &visitor))?;
                only_known_keys(&object, fields)?;
                visitor.visit_map(Entries::all(object))
            }

            fn deserialize_enum<V: Visitor<'de>>(
                self,
                _name: &'static str,
                _variants: &'static [&'static str],
                visitor: V,
            ) -> Result<V::Value, Error> {
                match self.0.as_string() {
                    Some(variant) => visitor.visit_enum(variant.into_deserializer()),
                    None => Err(invalid_type(&self.0, &visitor)),
                }
            }

            fn deserialize_ignored_any<V: Visitor<'de>>(
                self,
                visitor: V,
            ) -> Result<V::Value, Error> {
                visitor.visit_unit()
            }
        }

        /// `value` as a plain object (not an array, not null).
        fn object(value: JsValue) -> Result<Object, JsValue> {
            if value.is_object() && !Array::is_array(&value) {
                Ok(value.unchecked_into())
            } else {
                Err(value)
            }
        }

        /// Refuses an object with an own key that is not among `fields`.
        /// Not generic: one copy rather than one per struct.
        #[inline(never)]
        fn only_known_keys(object: &Object, fields: &'static [&'static str]) -> Result<(), Error> {
            for key in Object::keys(object).iter() {
                let key = key.as_string().unwrap_or_default();
                if !fields.contains(&key.as_str()) {
                    return Err(de::Error::unknown_field(&key, fields));
                }
            }
            Ok(())
        }

        /// Hands the visitor the array's elements; elements it left unread
        /// are an error, as in serde_json (`[1, 2, 3]` for a pair).
        fn visit_array<'de, V: Visitor<'de>>(array: Array, visitor: V) -> Result<V::Value, Error> {
            let len = array.length();
            let mut items = Items { array, next: 0 };
            let value = visitor.visit_seq(&mut items)?;
            if items.next < len {
                return Err(de::Error::invalid_length(
                    len as usize,
                    &"fewer elements in array",
                ));
            }
            Ok(value)
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

        /// An object's own entries (`Object.keys` order), values read strictly.
        struct Entries {
            object: Object,
            keys: Array,
            next: u32,
            value: Option<JsValue>,
        }

        impl Entries {
            fn all(object: Object) -> Entries {
                let keys = Object::keys(&object);
                Entries {
                    object,
                    keys,
                    next: 0,
                    value: None,
                }
            }
        }

        impl<'de> MapAccess<'de> for Entries {
            type Error = Error;

            fn next_key_seed<K: DeserializeSeed<'de>>(
                &mut self,
                seed: K,
            ) -> Result<Option<K::Value>, Error> {
                if self.next >= self.keys.length() {
                    return Ok(None);
                }
                let key = self.keys.get(self.next);
                self.next += 1;
                self.value = Some(js_sys::Reflect::get(&self.object, &key).unwrap_or_default());
                seed.deserialize(Strict(key)).map(Some)
            }

            fn next_value_seed<V: DeserializeSeed<'de>>(
                &mut self,
                seed: V,
            ) -> Result<V::Value, Error> {
                seed.deserialize(Strict(self.value.take().unwrap_or_default()))
            }

            fn size_hint(&self) -> Option<usize> {
                Some((self.keys.length() - self.next) as usize)
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

    #[test]
    fn quoted_values_are_cut_to_sixty_characters_with_their_size() {
        let long = "é".repeat(100);
        assert_eq!(shown(&long), format!("{}… (200 bytes)", "é".repeat(60)));
        assert_eq!(shown("a\tb"), "a\u{FFFD}b");
        let msg = format!("unknown field `{long}`, expected `name` or \"{long}\"");
        assert_eq!(
            shorten_quoted(&msg),
            format!(
                "unknown field `{0}… (200 bytes)`, expected `name` or \"{0}… (200 bytes)\"",
                "é".repeat(60)
            )
        );
        // An unclosed quote runs to the end; short messages are unchanged.
        assert_eq!(
            shorten_quoted(&format!("bad `{long}")),
            format!("bad `{}… (200 bytes)", "é".repeat(60))
        );
        assert_eq!(shorten_quoted("plain `x` text"), "plain `x` text");
        // Wide characters count by bytes too; control characters never pass.
        assert_eq!(
            shown(&"😀".repeat(60)),
            format!("{}… (240 bytes)", "😀".repeat(30))
        );
        assert_eq!(shorten_quoted("a `b` \u{1b}[2J"), "a `b` \u{FFFD}[2J");
        // A quote inside a value ends its span early; the whole message is
        // still cut.
        let sneaky = format!("unknown field `a`{}`, expected `name`", "`b".repeat(50_000));
        let short = shorten_quoted(&sneaky);
        assert!(short.len() < MESSAGE_BYTES + 30, "{short}");
        assert!(
            short.ends_with(&format!("… ({} bytes)", sneaky.len())),
            "{short}"
        );
    }

    #[test]
    fn errors_about_huge_values_stay_short() {
        #[derive(Debug, Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Strict {
            #[allow(dead_code)]
            a: u32,
        }
        let key = "k".repeat(100_000);
        let e = from_str::<Strict>(&format!("{{\"{key}\":1}}")).unwrap_err();
        assert!(e.to_string().len() < 300, "{e}");
        assert!(e.to_string().contains("… (100000 bytes)"), "{e}");
    }

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
        // A struct written as an array of its fields: serde_json reads it,
        // the browser's reader does not (see the crate docs).
        let as_array = from_str::<Outer>(r#"{"inner":[[4]]}"#);
        assert_eq!(
            as_array.is_ok(),
            cfg!(not(target_family = "wasm")),
            "{as_array:?}"
        );
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

    #[derive(Debug, PartialEq, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Numbers {
        small: u8,
        count: u32,
        offset: i32,
        flag: bool,
        unit: (),
        pair: (u8, String),
    }

    /// The same texts are accepted and refused natively (serde_json) and in
    /// the browser (this crate's reader over JSON.parse).
    #[test]
    fn numbers_booleans_and_tuples_read_as_serde_json_reads_them() {
        let ok: Numbers = from_str(
            r#"{"small":255,"count":4294967295,"offset":-5,"flag":true,"unit":null,"pair":[1,"x"]}"#,
        )
        .unwrap();
        assert_eq!(
            (ok.small, ok.count, ok.offset, ok.flag),
            (255, u32::MAX, -5, true)
        );
        assert_eq!(ok.pair, (1, "x".to_string()));
        for bad in [
            r#"{"small":256,"count":1,"offset":0,"flag":true,"unit":null,"pair":[1,"x"]}"#,
            r#"{"small":1.5,"count":1,"offset":0,"flag":true,"unit":null,"pair":[1,"x"]}"#,
            r#"{"small":1,"count":-1,"offset":0,"flag":true,"unit":null,"pair":[1,"x"]}"#,
            r#"{"small":1,"count":1,"offset":0,"flag":"yes","unit":null,"pair":[1,"x"]}"#,
            r#"{"small":1,"count":1,"offset":0,"flag":true,"unit":3,"pair":[1,"x"]}"#,
            r#"{"small":1,"count":1,"offset":0,"flag":true,"unit":null,"pair":[1]}"#,
            r#"{"small":1,"count":1,"offset":0,"flag":true,"unit":null,"pair":[1,"x",3]}"#,
            r#"{"small":1,"count":1,"offset":0,"flag":true,"unit":null,"pair":{"a":1}}"#,
            r#"[1,2]"#,
            r#"null"#,
        ] {
            assert!(from_str::<Numbers>(bad).is_err(), "{bad}");
        }
        let e = from_str::<Numbers>(
            r#"{"small":1,"count":1,"offset":0,"flag":"yes","unit":null,"pair":[1,"x"]}"#,
        )
        .unwrap_err();
        assert!(
            e.to_string().contains("invalid type") && e.to_string().contains("yes"),
            "{e}"
        );
        let e = from_str::<Sample>(r#"{"name":"x","delay_ms":1,"limit":null,"kinds":"fin"}"#)
            .unwrap_err();
        assert!(e.to_string().contains("invalid type"), "{e}");
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

#[cfg(test)]
mod unexpected_wording {
    use serde::de::{Expected, Unexpected as U};
    use std::fmt;

    struct Exp;
    impl Expected for Exp {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a number")
        }
    }

    #[test]
    fn invalid_type_and_value_read_as_serde_words_them() {
        for u in [
            U::Bool(true),
            U::Unsigned(7),
            U::Signed(-7),
            U::Float(1.0),
            U::Float(1.5),
            U::Float(-0.0),
            U::Float(1e21),
            U::Float(f64::NAN),
            U::Float(f64::INFINITY),
            U::Char('x'),
            U::Str("a\"b"),
            U::Bytes(b"x"),
            U::Unit,
            U::Option,
            U::NewtypeStruct,
            U::Seq,
            U::Map,
            U::Enum,
            U::UnitVariant,
            U::NewtypeVariant,
            U::TupleVariant,
            U::StructVariant,
            U::Other("thing"),
        ] {
            let ours = <super::Error as serde::de::Error>::invalid_type(u, &Exp);
            let serde = <super::Error as serde::de::Error>::custom(format_args!(
                "invalid type: {u}, expected {}",
                &Exp as &dyn Expected
            ));
            assert_eq!(ours.to_string(), serde.to_string());
            let ours = <super::Error as serde::de::Error>::invalid_value(u, &Exp);
            assert!(ours.to_string().starts_with("invalid value: "));
        }
    }
}
