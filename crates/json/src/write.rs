//! JSON text written straight from serde values, exactly as the browser's
//! `JSON.stringify` wrote what serde-wasm-bindgen's `json_compatible`
//! serializer made of them (the playground's writer before this one), but
//! with no JavaScript values in between, so serde-wasm-bindgen is not in the
//! wasm.
//!
//! That is: numbers as JavaScript prints them (`20`, `0.1`, `1e+21`, `1e-7`;
//! NaN and infinities as `null`); integers beyond 2^53 − 1 refused, as the
//! browser cannot hold them; `None` and `()` as `null`; strings escaped as
//! `JSON.stringify` escapes them (`\"`, `\\`, `\b`, `\f`, `\n`, `\r`, `\t`,
//! other control characters as `\u00XX`); enum variants with data as
//! `{"Variant": …}`; bytes as an array of numbers; maps only with string
//! keys. Pretty output is indented by two spaces, with `"key": value`, as
//! `JSON.stringify(value, null, 2)` writes it. One difference, for a case none
//! of our types has: JavaScript objects list integer-like keys (`"7"`) first;
//! this writer keeps the order it is given.
//!
//! Compiled natively too, for its tests against serde_json; the browser tests
//! hold it to serde-wasm-bindgen + `JSON.stringify` byte for byte.

use crate::Error;
use serde::ser::{self, Serialize};
use std::fmt::Write as _;

/// `value` as JSON text, compact or indented by two spaces.
pub fn to_string<T: Serialize + ?Sized>(value: &T, pretty: bool) -> Result<String, Error> {
    let mut w = Writer {
        out: String::new(),
        pretty,
        depth: 0,
    };
    value.serialize(&mut w)?;
    Ok(w.out)
}

/// Largest integer a JavaScript number holds exactly (2^53 − 1).
const MAX_SAFE: u64 = (1 << 53) - 1;

pub struct Writer {
    out: String,
    pretty: bool,
    /// Arrays and objects open around the next value.
    depth: usize,
}

// The structural steps are not generic: one copy for every type written.
impl Writer {
    fn open(&mut self, bracket: char) {
        self.out.push(bracket);
        self.depth += 1;
    }

    /// Nothing written since the last `[` or `{`.
    fn at_start(&self) -> bool {
        self.out.ends_with(['[', '{'])
    }

    /// Before an element or a key: a comma unless it is the first, then the
    /// line break and indentation when pretty.
    fn next(&mut self) {
        if !self.at_start() {
            self.out.push(',');
        }
        self.line();
    }

    fn line(&mut self) {
        if self.pretty {
            self.out.push('\n');
            for _ in 0..self.depth {
                self.out.push_str("  ");
            }
        }
    }

    /// Closes an array or object; an empty one stays `[]` or `{}`.
    fn close(&mut self, bracket: char) {
        self.depth -= 1;
        if !self.at_start() {
            self.line();
        }
        self.out.push(bracket);
    }

    fn key(&mut self, key: &str) {
        self.next();
        self.string(key);
        self.colon();
    }

    fn colon(&mut self) {
        self.out.push_str(if self.pretty { ": " } else { ":" });
    }

    fn string(&mut self, s: &str) {
        let out = &mut self.out;
        out.push('"');
        for c in s.chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\u{8}' => out.push_str("\\b"),
                '\u{c}' => out.push_str("\\f"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                c if c < ' ' => {
                    let _ = write!(out, "\\u{:04x}", c as u32);
                }
                c => out.push(c),
            }
        }
        out.push('"');
    }

    /// `n` as `JSON.stringify` prints it: NaN and infinities as `null`,
    /// the rest as `Number.prototype.toString` does.
    fn number(&mut self, n: f64) {
        if n.is_finite() {
            js_number(&mut self.out, n);
        } else {
            self.out.push_str("null");
        }
    }

    fn unsigned(&mut self, v: u64) -> Result<(), Error> {
        if v > MAX_SAFE {
            return Err(too_big(&v));
        }
        let _ = write!(self.out, "{v}");
        Ok(())
    }

    fn signed(&mut self, v: i64) -> Result<(), Error> {
        if v.unsigned_abs() > MAX_SAFE {
            return Err(too_big(&v));
        }
        let _ = write!(self.out, "{v}");
        Ok(())
    }
}

/// serde-wasm-bindgen's message for the same case.
#[inline(never)]
fn too_big(v: &dyn std::fmt::Display) -> Error {
    Error(format!("{v} can't be represented as a JavaScript number"))
}

/// In the browser: the browser's own `Number.prototype.toString`, so the
/// digits are JSON.stringify's (its shortest digits can differ from Rust's in
/// the last of 17), and the writer adds no float printing code to the wasm.
#[cfg(target_family = "wasm")]
fn js_number(out: &mut String, n: f64) {
    let text = js_sys::Number::from(n)
        .to_string_with_radix(10)
        .unwrap_or_default();
    out.push_str(&String::from(text));
}

/// Natively (only the tests use the writer there): ECMA-262's
/// Number::toString layout of Rust's shortest digits, without an exponent
/// from 1e-6 up to below 1e21.
#[cfg(not(target_family = "wasm"))]
fn js_number(out: &mut String, n: f64) {
    if n == 0.0 {
        // -0 too, as JavaScript prints it.
        out.push('0');
        return;
    }
    if n < 0.0 {
        out.push('-');
    }
    // Rust prints the shortest digits, but never with an exponent: take the
    // digits, and where the decimal point falls, from that.
    let text = n.abs().to_string();
    let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
    let all = [int, frac].concat();
    let lead = all.len() - all.trim_start_matches('0').len();
    let digits = all[lead..].trim_end_matches('0');
    let k = digits.len() as i32;
    // |n| = 0.digits × 10^e
    let e = int.len() as i32 - lead as i32;
    if k <= e && e <= 21 {
        out.push_str(digits);
        for _ in k..e {
            out.push('0');
        }
    } else if 0 < e && e <= 21 {
        let (before, after) = digits.split_at(e as usize);
        out.push_str(before);
        out.push('.');
        out.push_str(after);
    } else if -6 < e && e <= 0 {
        out.push_str("0.");
        for _ in e..0 {
            out.push('0');
        }
        out.push_str(digits);
    } else {
        let (first, rest) = digits.split_at(1);
        out.push_str(first);
        if !rest.is_empty() {
            out.push('.');
            out.push_str(rest);
        }
        let _ = write!(out, "e{}{}", if e > 0 { "+" } else { "" }, e - 1);
    }
}

impl serde::ser::Error for Error {
    fn custom<T: std::fmt::Display>(msg: T) -> Self {
        Error::new(&msg.to_string())
    }
}

impl ser::Serializer for &mut Writer {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Self;
    type SerializeTuple = Self;
    type SerializeTupleStruct = Self;
    type SerializeTupleVariant = Self;
    type SerializeMap = Self;
    type SerializeStruct = Self;
    type SerializeStructVariant = Self;

    fn serialize_bool(self, v: bool) -> Result<(), Error> {
        self.out.push_str(if v { "true" } else { "false" });
        Ok(())
    }

    fn serialize_i8(self, v: i8) -> Result<(), Error> {
        self.signed(v.into())
    }

    fn serialize_i16(self, v: i16) -> Result<(), Error> {
        self.signed(v.into())
    }

    fn serialize_i32(self, v: i32) -> Result<(), Error> {
        self.signed(v.into())
    }

    fn serialize_i64(self, v: i64) -> Result<(), Error> {
        self.signed(v)
    }

    fn serialize_u8(self, v: u8) -> Result<(), Error> {
        self.unsigned(v.into())
    }

    fn serialize_u16(self, v: u16) -> Result<(), Error> {
        self.unsigned(v.into())
    }

    fn serialize_u32(self, v: u32) -> Result<(), Error> {
        self.unsigned(v.into())
    }

    fn serialize_u64(self, v: u64) -> Result<(), Error> {
        self.unsigned(v)
    }

    /// A BigInt in serde-wasm-bindgen, which `JSON.stringify` refuses.
    fn serialize_i128(self, v: i128) -> Result<(), Error> {
        Err(Error(format!("{v} is a BigInt, which JSON cannot hold")))
    }

    fn serialize_u128(self, v: u128) -> Result<(), Error> {
        Err(Error(format!("{v} is a BigInt, which JSON cannot hold")))
    }

    /// Widened, as a JavaScript number holds it (0.1f32 is 0.10000000149011612).
    fn serialize_f32(self, v: f32) -> Result<(), Error> {
        self.number(v.into());
        Ok(())
    }

    fn serialize_f64(self, v: f64) -> Result<(), Error> {
        self.number(v);
        Ok(())
    }

    fn serialize_char(self, v: char) -> Result<(), Error> {
        self.string(v.encode_utf8(&mut [0; 4]));
        Ok(())
    }

    fn serialize_str(self, v: &str) -> Result<(), Error> {
        self.string(v);
        Ok(())
    }

    /// As an array of numbers (serde-wasm-bindgen's `json_compatible`).
    fn serialize_bytes(self, v: &[u8]) -> Result<(), Error> {
        use ser::SerializeSeq;
        let mut seq = self.serialize_seq(None)?;
        for b in v {
            seq.serialize_element(b)?;
        }
        seq.end()
    }

    fn serialize_none(self) -> Result<(), Error> {
        self.serialize_unit()
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Error> {
        value.serialize(self)
    }

    fn serialize_unit(self) -> Result<(), Error> {
        self.out.push_str("null");
        Ok(())
    }

    fn serialize_unit_struct(self, _name: &'static str) -> Result<(), Error> {
        self.serialize_unit()
    }

    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<(), Error> {
        self.string(variant);
        Ok(())
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.open('{');
        self.key(variant);
        value.serialize(&mut *self)?;
        self.close('}');
        Ok(())
    }

    fn serialize_seq(self, _len: Option<usize>) -> Result<Self, Error> {
        self.open('[');
        Ok(self)
    }

    fn serialize_tuple(self, _len: usize) -> Result<Self, Error> {
        self.serialize_seq(None)
    }

    fn serialize_tuple_struct(self, _name: &'static str, _len: usize) -> Result<Self, Error> {
        self.serialize_seq(None)
    }

    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Self, Error> {
        self.open('{');
        self.key(variant);
        self.serialize_seq(None)
    }

    fn serialize_map(self, _len: Option<usize>) -> Result<Self, Error> {
        self.open('{');
        Ok(self)
    }

    fn serialize_struct(self, _name: &'static str, _len: usize) -> Result<Self, Error> {
        self.serialize_map(None)
    }

    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Self, Error> {
        self.open('{');
        self.key(variant);
        self.serialize_map(None)
    }
}

impl ser::SerializeSeq for &mut Writer {
    type Ok = ();
    type Error = Error;

    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.next();
        value.serialize(&mut **self)
    }

    fn end(self) -> Result<(), Error> {
        self.close(']');
        Ok(())
    }
}

impl ser::SerializeTuple for &mut Writer {
    type Ok = ();
    type Error = Error;

    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        ser::SerializeSeq::serialize_element(self, value)
    }

    fn end(self) -> Result<(), Error> {
        ser::SerializeSeq::end(self)
    }
}

impl ser::SerializeTupleStruct for &mut Writer {
    type Ok = ();
    type Error = Error;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        ser::SerializeSeq::serialize_element(self, value)
    }

    fn end(self) -> Result<(), Error> {
        ser::SerializeSeq::end(self)
    }
}

impl ser::SerializeTupleVariant for &mut Writer {
    type Ok = ();
    type Error = Error;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        ser::SerializeSeq::serialize_element(self, value)
    }

    /// Closes the array, then the `{"Variant": …}` around it.
    fn end(self) -> Result<(), Error> {
        self.close(']');
        self.close('}');
        Ok(())
    }
}

impl ser::SerializeMap for &mut Writer {
    type Ok = ();
    type Error = Error;

    /// Only keys that are strings, as serde-wasm-bindgen's objects take.
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Error> {
        self.next();
        let at = self.out.len();
        key.serialize(&mut **self)?;
        if !self.out[at..].starts_with('"') {
            return Err(Error(
                "Map key is not a string and cannot be an object key".to_string(),
            ));
        }
        self.colon();
        Ok(())
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        value.serialize(&mut **self)
    }

    fn end(self) -> Result<(), Error> {
        self.close('}');
        Ok(())
    }
}

impl ser::SerializeStruct for &mut Writer {
    type Ok = ();
    type Error = Error;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.key(key);
        value.serialize(&mut **self)
    }

    fn end(self) -> Result<(), Error> {
        self.close('}');
        Ok(())
    }
}

impl ser::SerializeStructVariant for &mut Writer {
    type Ok = ();
    type Error = Error;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        ser::SerializeStruct::serialize_field(self, key, value)
    }

    /// Closes the fields' object, then the `{"Variant": …}` around it.
    fn end(self) -> Result<(), Error> {
        self.close('}');
        self.close('}');
        Ok(())
    }
}

/// Every shape serde gives a writer, for the tests of both backends.
#[cfg(test)]
mod shapes {
    use serde::Serialize;

    #[derive(Serialize)]
    pub enum Shape {
        Unit,
        Newtype(u8),
        Tuple(i32, String),
        Struct { a: Option<u8>, b: char },
    }

    #[derive(Serialize)]
    pub struct Unit;

    #[derive(Serialize)]
    pub struct Wrapper(String);

    #[derive(Serialize)]
    pub struct All {
        shapes: Vec<Shape>,
        none: Option<u8>,
        unit: (),
        unit_struct: Unit,
        wrapper: Wrapper,
        pair: (bool, i64),
        empty: Vec<u8>,
        nested_empty: Vec<Vec<u8>>,
        #[serde(skip_serializing_if = "Option::is_none")]
        skipped: Option<u8>,
        map: std::collections::BTreeMap<String, i16>,
    }

    pub fn all() -> All {
        All {
            shapes: vec![
                Shape::Unit,
                Shape::Newtype(7),
                Shape::Tuple(-3, "x\ny".into()),
                Shape::Struct { a: None, b: '"' },
                Shape::Struct {
                    a: Some(1), b: 'é'
                },
            ],
            none: None,
            unit: (),
            unit_struct: Unit,
            wrapper: Wrapper("\u{1}\u{1f}\u{7f}\u{2028}".into()),
            pair: (true, -(1 << 53) + 1),
            empty: vec![],
            nested_empty: vec![vec![], vec![1]],
            skipped: None,
            map: [("b".to_string(), -1), ("a".to_string(), 2)].into(),
        }
    }
}

/// Natively, against serde_json: the same text wherever JavaScript and
/// serde_json print alike (everything but floating-point numbers), and the
/// same values everywhere. The browser tests (crates/json, crates/web) hold
/// the writer to serde-wasm-bindgen + `JSON.stringify` byte for byte.
#[cfg(all(test, not(target_family = "wasm")))]
mod tests {
    use super::{shapes, to_string};
    use proptest::prelude::*;
    use serde_json::Value;

    /// `value` with every number 0: its structure, strings and literals.
    fn zeroed(value: &Value) -> Value {
        match value {
            Value::Number(_) => Value::from(0),
            Value::Array(a) => Value::Array(a.iter().map(zeroed).collect()),
            Value::Object(m) => {
                Value::Object(m.iter().map(|(k, v)| (k.clone(), zeroed(v))).collect())
            }
            other => other.clone(),
        }
    }

    /// Every number in a JSON text, in order, read exactly (`str::parse`).
    fn numbers(text: &str) -> Vec<f64> {
        let (mut out, mut token) = (Vec::new(), String::new());
        let (mut in_string, mut escaped) = (false, false);
        for c in text.chars().chain([' ']) {
            if in_string {
                (in_string, escaped) = (escaped || c != '"', !escaped && c == '\\');
            } else if c.is_ascii_digit() || c == '-' || !token.is_empty() && "+.eE".contains(c) {
                token.push(c);
            } else {
                if !token.is_empty() {
                    out.push(token.parse().unwrap());
                    token.clear();
                }
                in_string = c == '"';
            }
        }
        out
    }

    fn has_float(value: &Value) -> bool {
        match value {
            Value::Number(n) => n.is_f64(),
            Value::Array(a) => a.iter().any(has_float),
            Value::Object(m) => m.values().any(has_float),
            _ => false,
        }
    }

    /// Strings with every escape JSON has, and some that need none.
    fn text() -> impl Strategy<Value = String> {
        prop_oneof![
            "[ -~]{0,12}",
            "[\\x00-\\x1f\"\\\\/\\x7f]{0,6}",
            "\\PC{0,8}",
            any::<String>(),
        ]
    }

    fn number() -> impl Strategy<Value = Value> {
        const SAFE: i64 = (1 << 53) - 1;
        prop_oneof![
            (-SAFE..=SAFE).prop_map(Value::from),
            (0..=SAFE as u64).prop_map(Value::from),
            any::<f64>()
                .prop_filter("JSON numbers are finite", |f| f.is_finite())
                .prop_map(Value::from),
            (-1e6..1e6f64).prop_map(Value::from),
            // Near where JavaScript switches to an exponent (1e-7, 1e21).
            (-12i32..30, 1u64..1000).prop_map(|(e, m)| Value::from(m as f64 * 10f64.powi(e))),
        ]
    }

    fn json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            number(),
            text().prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 48, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                prop::collection::vec((text(), inner), 0..6)
                    .prop_map(|entries| Value::Object(entries.into_iter().collect())),
            ]
        })
    }

    fn config() -> ProptestConfig {
        let exhaustive = std::env::var("FAREWELL_EXHAUSTIVE").is_ok_and(|v| v == "1");
        ProptestConfig::with_cases(if exhaustive { 50 * 1000 } else { 1000 })
    }

    proptest! {
        #![proptest_config(config())]

        #[test]
        fn values_are_written_as_serde_json_writes_them(value in json()) {
            for pretty in [false, true] {
                let ours = to_string(&value, pretty).unwrap();
                let theirs = if pretty {
                    serde_json::to_string_pretty(&value).unwrap()
                } else {
                    serde_json::to_string(&value).unwrap()
                };
                // The same values: the same structure, and the same numbers
                // read exactly (serde_json's own float reading is not exact
                // without its `float_roundtrip` feature).
                let read: Value = serde_json::from_str(&ours).unwrap();
                prop_assert_eq!(zeroed(&read), zeroed(&value), "{}", ours);
                prop_assert_eq!(numbers(&ours), numbers(&theirs), "{}", ours);
                if !has_float(&value) {
                    prop_assert_eq!(&ours, &theirs);
                }
            }
        }

        #[test]
        fn numbers_read_back_exactly(n in any::<f64>()) {
            let text = to_string(&n, false).unwrap();
            if n.is_finite() {
                prop_assert_eq!(text.parse::<f64>().unwrap(), n, "{}", text);
                // JavaScript's forms: no `.0`, no exponent from 1e-6 to below 1e21.
                let plain = n == 0.0 || (1e-6..1e21).contains(&n.abs());
                prop_assert_eq!(!text.contains('e'), plain, "{}", text);
                prop_assert!(!text.ends_with(".0") && !text.contains(".e"), "{}", text);
            } else {
                prop_assert_eq!(text, "null");
            }
        }
    }

    #[test]
    fn every_serde_shape_is_written_as_serde_json_writes_it() {
        let all = shapes::all();
        assert_eq!(
            to_string(&all, false).unwrap(),
            serde_json::to_string(&all).unwrap()
        );
        assert_eq!(
            to_string(&all, true).unwrap(),
            serde_json::to_string_pretty(&all).unwrap()
        );
    }

    #[test]
    fn numbers_are_printed_as_javascript_prints_them() {
        // What `String(x)` gives in every JavaScript engine (ECMA-262
        // Number::toString), one for each of its layouts.
        for (n, js) in [
            (20.0, "20"),
            (-0.0, "0"),
            (0.1 + 0.2, "0.30000000000000004"),
            (123.456, "123.456"),
            (0.000001, "0.000001"),
            (0.0000001, "1e-7"),
            (1.5e-7, "1.5e-7"),
            (1e21, "1e+21"),
            (1.2345e21, "1.2345e+21"),
            (123456789012345680000.0, "123456789012345680000"),
            (-2.5e-8, "-2.5e-8"),
            (5e-324, "5e-324"),
            (f64::MAX, "1.7976931348623157e+308"),
            (f64::NAN, "null"),
            (f64::NEG_INFINITY, "null"),
        ] {
            assert_eq!(to_string(&n, false).unwrap(), js, "{n:e}");
        }
        // f32 widened, as a JavaScript number holds it.
        assert_eq!(to_string(&0.1f32, false).unwrap(), "0.10000000149011612");
    }

    #[test]
    fn what_javascript_cannot_hold_is_refused() {
        let max = (1u64 << 53) - 1;
        assert_eq!(to_string(&max, false).unwrap(), max.to_string());
        assert_eq!(to_string(&-(max as i64), false).unwrap(), format!("-{max}"));
        for e in [
            to_string(&(max + 1), false).unwrap_err(),
            to_string(&(-(max as i64) - 1), false).unwrap_err(),
            to_string(&u64::MAX, false).unwrap_err(),
            to_string(&1u128, false).unwrap_err(),
        ] {
            assert!(
                e.to_string().contains("JavaScript") || e.to_string().contains("BigInt"),
                "{e}"
            );
        }
        let e = to_string(&std::collections::BTreeMap::from([(1, 2)]), false).unwrap_err();
        assert!(e.to_string().contains("not a string"), "{e}");
    }
}

/// In the browser, against what the writer replaced: serde-wasm-bindgen's
/// `json_compatible` values printed by `JSON.stringify`, byte for byte.
#[cfg(all(test, target_family = "wasm"))]
mod browser_tests {
    use super::{shapes, to_string};
    use serde::ser::{SerializeMap, SerializeSeq};
    use serde::{Serialize, Serializer};
    use wasm_bindgen::JsValue;
    use wasm_bindgen_test::wasm_bindgen_test as test;

    /// The old path: serde-wasm-bindgen, then `JSON.stringify`.
    fn stringified<T: Serialize + ?Sized>(value: &T, pretty: bool) -> Result<String, String> {
        let js = value
            .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
            .map_err(|e| e.to_string())?;
        let text = if pretty {
            js_sys::JSON::stringify_with_replacer_and_space(&js, &JsValue::NULL, &JsValue::from(2))
        } else {
            js_sys::JSON::stringify(&js)
        };
        Ok(text.map_err(|e| format!("{e:?}"))?.as_string().unwrap())
    }

    fn same<T: Serialize + ?Sized>(value: &T) {
        for pretty in [false, true] {
            let ours = to_string(value, pretty).map_err(|e| e.to_string());
            let theirs = stringified(value, pretty);
            match (&ours, &theirs) {
                (Ok(a), Ok(b)) => assert_eq!(a, b),
                (Err(_), Err(_)) => {}
                _ => panic!("writer {ours:?}, serde-wasm-bindgen + JSON.stringify {theirs:?}"),
            }
        }
    }

    /// A JSON value as the generator makes it; objects keep their order.
    enum Json {
        Null,
        Bool(bool),
        Float(f64),
        Int(i64),
        Str(String),
        Array(Vec<Json>),
        Object(Vec<(String, Json)>),
    }

    impl Serialize for Json {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            match self {
                Json::Null => s.serialize_unit(),
                Json::Bool(b) => s.serialize_bool(*b),
                Json::Float(f) => s.serialize_f64(*f),
                Json::Int(i) => s.serialize_i64(*i),
                Json::Str(t) => s.serialize_str(t),
                Json::Array(items) => {
                    let mut seq = s.serialize_seq(Some(items.len()))?;
                    for item in items {
                        seq.serialize_element(item)?;
                    }
                    seq.end()
                }
                Json::Object(entries) => {
                    let mut map = s.serialize_map(Some(entries.len()))?;
                    for (k, v) in entries {
                        map.serialize_entry(k, v)?;
                    }
                    map.end()
                }
            }
        }
    }

    /// SplitMix64: a fixed, seeded sequence.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        }

        fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }

        fn float(&mut self) -> f64 {
            match self.below(5) {
                // Any bit pattern: NaN, infinities, subnormals, huge.
                0 | 1 => f64::from_bits(self.next()),
                2 => [0.0, -0.0, 1e21, 1e-7, 1e-6, 5e-324, f64::MAX][self.below(7) as usize],
                // Decimals as people type them, around both exponent limits.
                3 => self.below(100_000) as f64 * 10f64.powi(self.below(45) as i32 - 20),
                _ => (self.next() as i64 >> self.below(64)) as f64 / 1000.0,
            }
        }

        fn text(&mut self) -> String {
            const CHARS: &[char] = &[
                'a', 'Z', '0', ' ', '"', '\\', '/', '\u{0}', '\u{8}', '\t', '\n', '\u{b}', '\u{c}',
                '\r', '\u{1f}', '\u{7f}', 'é', '✕', '\u{2028}', '\u{fffd}', '😀',
            ];
            (0..self.below(10))
                .map(|_| CHARS[self.below(CHARS.len() as u64) as usize])
                .collect()
        }

        fn json(&mut self, depth: u32) -> Json {
            match self.below(if depth == 0 { 5 } else { 7 }) {
                0 => Json::Null,
                1 => Json::Bool(self.below(2) == 1),
                2 => Json::Float(self.float()),
                // Up to 2^54 either way: the safe ones and some beyond.
                3 => Json::Int((self.next() as i64) >> (9 + self.below(55))),
                4 => Json::Str(self.text()),
                5 => Json::Array((0..self.below(5)).map(|_| self.json(depth - 1)).collect()),
                _ => Json::Object(
                    (0..self.below(5))
                        // Keys JavaScript keeps in order: not integer-like,
                        // not repeated, not `__proto__`.
                        .map(|i| (format!("k{i}{}", self.text()), self.json(depth - 1)))
                        .collect(),
                ),
            }
        }
    }

    #[test]
    fn generated_values_are_written_as_json_stringify_wrote_them() {
        let mut rng = Rng(0x5eed);
        for _ in 0..2000 {
            same(&rng.json(4));
        }
    }

    #[test]
    fn numbers_are_written_as_json_stringify_writes_them() {
        let mut rng = Rng(7);
        for _ in 0..20_000 {
            same(&rng.float());
        }
        for n in [u64::MAX, 1 << 53, (1 << 53) - 1, 0] {
            same(&n);
        }
        for n in [i64::MIN, -(1 << 53), -(1 << 53) + 1] {
            same(&n);
        }
        same(&0.1f32);
        same(&f32::MAX);
    }

    /// `serialize_bytes` (as serde_bytes calls it).
    struct Bytes(&'static [u8]);

    impl Serialize for Bytes {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            s.serialize_bytes(self.0)
        }
    }

    #[test]
    fn every_serde_shape_is_written_as_json_stringify_wrote_it() {
        same(&shapes::all());
        same(&Bytes(&[]));
        same(&Bytes(&[0, 7, 255]));
        same(&'\u{1}');
        same(&vec![Some(1u8), None]);
    }
}
