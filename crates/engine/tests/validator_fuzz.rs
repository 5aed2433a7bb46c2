//! Long property tests (issue 9, item 5) for the scenario-file readers and the
//! validator: [`Scenario::from_json`] (strict, serde_json with field paths)
//! and `farewell_json::from_str::<Scenario>` + [`Scenario::validate`] (what
//! the built-ins, links and the playground use), on built-in files broken byte
//! by byte, on built-in files with random structural edits, on random JSON
//! values, and on values, keys and numbers of 1 MB (10 MB for the audit's
//! inputs).
//!
//! [`check`] holds what every input must satisfy: no panic, an answer within
//! [`MAX_READ_TIME`], error messages of at most [`MAX_MESSAGE`] bytes whatever
//! the input's size, the two readers agreeing (natively both are serde_json;
//! the generators below also avoid the documented browser differences of
//! `farewell_json`: duplicate keys, `5.0` as an integer, structs written as
//! arrays, integers above 2^53), and anything accepted simulating to its end
//! event within the work budget.
//!
//! Case counts come from [`cases`]: modest by default, 50 times more with
//! `FAREWELL_EXHAUSTIVE=1` (`cargo xtask test --exhaustive`).

use farewell_engine::budget::MAX_TOTAL_SEND_BYTES;
use farewell_engine::{builtin, simulate, Scenario};
use proptest::prelude::*;
use proptest::sample::{select, Index};
use serde_json::{json, Map, Value};
use std::time::{Duration, Instant};

/// `default` cases, or 50 times as many with `FAREWELL_EXHAUSTIVE=1`.
fn cases(default: u32) -> u32 {
    if std::env::var("FAREWELL_EXHAUSTIVE").is_ok_and(|v| v == "1") {
        default * 50
    } else {
        default
    }
}

fn config(default: u32) -> ProptestConfig {
    ProptestConfig {
        cases: cases(default),
        ..ProptestConfig::default()
    }
}

/// Longest error message a scenario file may cause, in bytes, whatever its size.
const MAX_MESSAGE: usize = 500;
/// Longest a debug-build read of a 10 MB file may take (it takes well under a
/// second; this catches hangs and runaway work).
const MAX_READ_TIME: Duration = Duration::from_secs(10);

/// The start of a long text, for failure messages.
fn short(text: &str) -> String {
    let head: String = text.chars().take(160).collect();
    if head.len() < text.len() {
        format!("{head:?}… ({} bytes)", text.len())
    } else {
        format!("{head:?}")
    }
}

fn check_message(reader: &str, message: &str, text: &str) -> Result<(), TestCaseError> {
    prop_assert!(
        !message.is_empty(),
        "{}: empty message for {}",
        reader,
        short(text)
    );
    let (size, unit) = (message.len(), "byte");
    prop_assert!(
        size <= MAX_MESSAGE,
        "{}: a {}-{} message: {}\nfor {}",
        reader,
        size,
        unit,
        short(message),
        short(text)
    );
    prop_assert!(
        !message.chars().any(char::is_control),
        "{}: control characters in {:?}\nfor {}",
        reader,
        message,
        short(text)
    );
    Ok(())
}

/// Reads `text` with both readers and checks what every outcome must satisfy;
/// returns the scenario if accepted.
fn check(text: &str) -> Result<Option<Scenario>, TestCaseError> {
    let start = Instant::now();
    let strict = Scenario::from_json(text);
    let generic = farewell_json::from_str::<Scenario>(text)
        .map_err(|e| e.to_string())
        .and_then(|s| s.validate().map(|()| s).map_err(|e| e.to_string()));
    let took = start.elapsed();
    prop_assert!(
        took <= MAX_READ_TIME,
        "reading took {:?}: {}",
        took,
        short(text)
    );
    if let Err(e) = &strict {
        check_message("from_json", &e.to_string(), text)?;
    }
    if let Err(e) = &generic {
        check_message("farewell_json", e, text)?;
    }
    match (strict, generic) {
        (Ok(a), Ok(b)) => {
            prop_assert_eq!(&a, &b, "the readers read {} differently", short(text));
            check_simulates(&a, text)?;
            Ok(Some(a))
        }
        (Err(_), Err(_)) => Ok(None),
        (a, b) => Err(TestCaseError::fail(format!(
            "the readers disagree on {}:\nfrom_json {:?}\nfarewell_json {:?}",
            short(text),
            a.map(|_| ()),
            b.map(|_| ())
        ))),
    }
}

/// [`check`], for when only the checks matter.
fn check_only(text: &str) -> Result<(), TestCaseError> {
    check(text).map(drop)
}

/// The scenario runs to its end event within the work budget.
fn check_simulates(s: &Scenario, text: &str) -> Result<(), TestCaseError> {
    let result = farewell_engine::budget::check_trace(&simulate(s));
    prop_assert!(result.is_ok(), "{:?} for {}", result, short(text));
    Ok(())
}

fn builtin_json() -> impl Strategy<Value = &'static str> {
    select(builtin::ALL.iter().map(|b| b.json).collect::<Vec<_>>())
}

fn builtin_value() -> impl Strategy<Value = Value> {
    builtin_json().prop_map(|j| serde_json::from_str(j).unwrap())
}

// ---------------------------------------------------------------------------
// Byte mutations of built-in files.

#[derive(Clone, Debug)]
enum Mutation {
    Flip(Index, u8),
    Set(Index, u8),
    Insert(Index, u8),
    Delete(Index),
    Truncate(Index),
    /// A copy of `len` bytes from one place inserted at another.
    CopyRange(Index, usize, Index),
    /// The whole text again after itself (two files concatenated).
    Twice,
}

/// Bytes that mean something in JSON, or nothing.
fn json_byte() -> impl Strategy<Value = u8> {
    prop_oneof![any::<u8>(), select(b"{}[]\",:\\-+.eE0159 \nntfu`".to_vec()),]
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        4 => (any::<Index>(), 0u8..8).prop_map(|(i, bit)| Mutation::Flip(i, 1 << bit)),
        2 => (any::<Index>(), json_byte()).prop_map(|(i, b)| Mutation::Set(i, b)),
        3 => (any::<Index>(), json_byte()).prop_map(|(i, b)| Mutation::Insert(i, b)),
        2 => any::<Index>().prop_map(Mutation::Delete),
        1 => any::<Index>().prop_map(Mutation::Truncate),
        2 => (any::<Index>(), 1usize..40, any::<Index>()).prop_map(|(i, n, j)| Mutation::CopyRange(i, n, j)),
        1 => Just(Mutation::Twice),
    ]
}

fn mutate(text: &str, mutations: &[Mutation]) -> String {
    let mut b = text.as_bytes().to_vec();
    for m in mutations {
        let n = b.len();
        match *m {
            Mutation::Flip(i, mask) if n > 0 => b[i.index(n)] ^= mask,
            Mutation::Set(i, v) if n > 0 => b[i.index(n)] = v,
            Mutation::Insert(i, v) => b.insert(i.index(n + 1), v),
            Mutation::Delete(i) if n > 0 => {
                b.remove(i.index(n));
            }
            Mutation::Truncate(i) => b.truncate(i.index(n + 1)),
            Mutation::CopyRange(i, len, j) if n > 0 => {
                let from = i.index(n);
                let piece = b[from..(from + len).min(n)].to_vec();
                let at = j.index(n + 1);
                b.splice(at..at, piece);
            }
            Mutation::Twice => b.extend_from_within(..),
            _ => {}
        }
    }
    String::from_utf8_lossy(&b).into_owned()
}

// ---------------------------------------------------------------------------
// JSON values, without the documented browser differences.

/// Every field name of a scenario file, at any level.
const FIELDS: &[&str] = &[
    "name",
    "description",
    "platform",
    "msl_ms",
    "seed",
    "handshake",
    "link",
    "hosts",
    "tunables",
    "actions",
    "drops",
    "duplicates",
    "time_limit_ms",
    "delay_ms",
    "loss",
    "A",
    "B",
    "app_reads",
    "listen",
    "isn",
    "time_wait_ms",
    "fin_timeout_ms",
    "rto_initial_ms",
    "rto_min_ms",
    "rto_max_ms",
    "delayed_ack_ms",
    "max_retries",
    "orphan_retries",
    "rfc1337",
    "at_ms",
    "after_eof_ms",
    "host",
    "do",
    "bytes",
    "from",
    "kind",
    "after_ms",
    "nth",
    "count",
    "extra_delay_ms",
];

/// Every enumeration value a scenario file uses, and near misses.
const NAMES: &[&str] = &[
    "linux",
    "freebsd",
    "macos",
    "windows",
    "solaris",
    "rfc793",
    "Linux",
    "A",
    "B",
    "C",
    "a",
    "send",
    "close",
    "shutdown_write",
    "abort",
    "connect",
    "Send",
    "FIN",
    "ACK",
    "DATA",
    "RST",
    "SYN",
    "ANY",
    "fin",
    "",
    "null",
];

/// Integers a JavaScript number holds exactly (|n| ≤ 2^53), with the limits
/// the validator and the types care about.
fn integer() -> impl Strategy<Value = Value> {
    prop_oneof![
        select(vec![
            0i64,
            1,
            -1,
            2,
            5,
            255,
            256,
            999,
            1000,
            1001,
            65535,
            1_000_000,
            1_000_001,
            4_000_000,
            86_400_000,
            86_400_001,
            4_294_967_295,
            4_294_967_296,
            1 << 53,
            -(1 << 53),
        ]),
        -(1i64 << 53)..=(1i64 << 53),
    ]
    .prop_map(Value::from)
}

/// Numbers with a fractional part (never `5.0`, which the browser reads as an
/// integer and serde_json does not), tiny ones included.
fn fraction() -> impl Strategy<Value = Value> {
    prop_oneof![
        select(vec![
            0.5,
            -0.5,
            0.05,
            1e-7,
            1e-300,
            5e-324,
            -5e-324,
            2.2250738585072014e-308,
            1.2345678901234567e-300,
            86_399_999.5,
            86_400_000.5,
            0.1 + 0.2,
        ]),
        (-1_000_000i32..1_000_000, 1u32..1024)
            .prop_map(|(i, d)| f64::from(i) + f64::from(d) / 1024.0),
    ]
    .prop_map(Value::from)
}

fn string() -> impl Strategy<Value = Value> {
    prop_oneof![select(NAMES.to_vec()).prop_map(String::from), "(?s).{0,12}",].prop_map(Value::from)
}

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        1 => Just(Value::Null),
        1 => any::<bool>().prop_map(Value::Bool),
        3 => integer(),
        2 => fraction(),
        3 => string(),
    ]
}

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => select(FIELDS.to_vec()).prop_map(String::from),
        1 => "[a-z_A-Z]{0,8}",
        1 => "(?s).{0,4}",
    ]
}

fn value() -> BoxedStrategy<Value> {
    leaf()
        .prop_recursive(4, 48, 6, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                proptest::collection::vec((key(), inner), 0..6)
                    .prop_map(|entries| Value::Object(entries.into_iter().collect())),
            ]
        })
        .boxed()
}

/// `v` with every struct of the scenario file that is written as an array
/// (serde_json reads that, the browser's reader does not: documented)
/// replaced by an empty object, and a top-level array put in `actions`.
fn without_structs_as_arrays(v: Value) -> Value {
    fn fix(x: &mut Value) {
        if x.is_array() {
            *x = json!({});
        }
    }
    let mut root = match v {
        Value::Object(root) => root,
        Value::Array(_) => return json!({ "actions": v }),
        other => return other,
    };
    for (k, x) in root.iter_mut() {
        match (k.as_str(), x) {
            ("link" | "tunables" | "hosts", x) if x.is_array() => fix(x),
            ("hosts", Value::Object(h)) => h
                .iter_mut()
                .filter(|(k, _)| *k == "A" || *k == "B")
                .for_each(|(_, x)| fix(x)),
            ("actions" | "drops" | "duplicates", Value::Array(items)) => {
                items.iter_mut().for_each(fix)
            }
            _ => {}
        }
    }
    Value::Object(root)
}

/// A place in a JSON value.
#[derive(Clone, Debug)]
enum Step {
    Key(String),
    At(usize),
}

fn places(v: &Value, path: &mut Vec<Step>, out: &mut Vec<Vec<Step>>) {
    out.push(path.clone());
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                path.push(Step::Key(k.clone()));
                places(x, path, out);
                path.pop();
            }
        }
        Value::Array(items) => {
            for (i, x) in items.iter().enumerate() {
                path.push(Step::At(i));
                places(x, path, out);
                path.pop();
            }
        }
        _ => {}
    }
}

fn at<'a>(v: &'a mut Value, path: &[Step]) -> &'a mut Value {
    path.iter().fold(v, |v, step| match step {
        Step::Key(k) => &mut v[k.as_str()],
        Step::At(i) => &mut v[*i],
    })
}

/// A structural edit at a random place of a scenario file.
#[derive(Clone, Debug)]
enum Edit {
    Replace(Index, Value),
    Remove(Index),
    AddKey(Index, String, Value),
    /// An array's element given again (a 1,000-rule list, say).
    Repeat(Index, usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        4 => (any::<Index>(), prop_oneof![3 => leaf(), 1 => value()]).prop_map(|(i, v)| Edit::Replace(i, v)),
        2 => any::<Index>().prop_map(Edit::Remove),
        2 => (any::<Index>(), key(), leaf()).prop_map(|(i, k, v)| Edit::AddKey(i, k, v)),
        1 => (any::<Index>(), prop_oneof![1usize..4, Just(999), Just(1000), Just(1001)]).prop_map(|(i, n)| Edit::Repeat(i, n)),
    ]
}

fn apply(mut v: Value, edits: &[Edit]) -> Value {
    for e in edits {
        let mut all = Vec::new();
        places(&v, &mut Vec::new(), &mut all);
        let pick = |i: &Index| all[i.index(all.len())].clone();
        match e {
            Edit::Replace(i, x) => *at(&mut v, &pick(i)) = x.clone(),
            Edit::Remove(i) => {
                let path = pick(i);
                if let Some((last, parent)) = path.split_last() {
                    match (at(&mut v, parent), last) {
                        (Value::Object(m), Step::Key(k)) => {
                            m.remove(k);
                        }
                        (Value::Array(items), Step::At(n)) => {
                            items.remove(*n);
                        }
                        _ => {}
                    }
                }
            }
            Edit::AddKey(i, k, x) => {
                if let Value::Object(m) = at(&mut v, &pick(i)) {
                    m.insert(k.clone(), x.clone());
                }
            }
            Edit::Repeat(i, n) => {
                if let Value::Array(items) = at(&mut v, &pick(i)) {
                    if let Some(first) = items.first().cloned() {
                        items.extend(std::iter::repeat_n(first, *n));
                    }
                }
            }
        }
    }
    v
}

fn text_of(v: &Value, pretty: bool) -> String {
    if pretty {
        serde_json::to_string_pretty(v).unwrap()
    } else {
        serde_json::to_string(v).unwrap()
    }
}

// ---------------------------------------------------------------------------
// Huge values.

/// A long string: `chunk` repeated to at least `len` bytes.
fn long(chunk: &str, len: usize) -> String {
    chunk.repeat(len / chunk.len().max(1) + 1)
}

/// A scenario file with the (JSON-escaped) string `s` at one of several
/// places: a value, a key, or in place of a number.
fn with_long(place: usize, s: &str) -> String {
    let q = serde_json::to_string(s).unwrap();
    let act = r#"{"at_ms":0,"host":"A","do":"close"}"#;
    match place {
        0 => format!(r#"{{"platform":{q},"actions":[]}}"#),
        1 => format!(r#"{{"actions":[],{q}:1}}"#),
        2 => format!(r#"{{"link":{{{q}:1}},"actions":[]}}"#),
        3 => format!(r#"{{"actions":[{{"at_ms":0,"host":{q},"do":"close"}}]}}"#),
        4 => format!(r#"{{"actions":[{{"at_ms":0,"host":"A","do":{q}}}]}}"#),
        5 => format!(r#"{{"actions":[],"drops":[{{"from":"A","kind":{q}}}]}}"#),
        6 => format!(r#"{{"actions":{q}}}"#),
        7 => format!(r#"{{"link":{{"delay_ms":{q}}},"actions":[]}}"#),
        8 => format!(r#"{{"seed":{q},"actions":[]}}"#),
        9 => format!(r#"{{"tunables":{{{q}:true}},"actions":[]}}"#),
        10 => format!(r#"{{"hosts":{{{q}:{{}}}},"actions":[]}}"#),
        11 => format!(r#"{{"actions":[{act},{{{q}:0}}]}}"#),
        12 => format!(r#"{{"description":{q},"actions":[{act}]}}"#),
        _ => format!(r#"{{"name":{q},"actions":[{act}]}}"#),
    }
}

const PLACES: usize = 14;

/// Chunks of long values: letters, the characters error messages quote
/// values with (`` ` `` and `"`), backslashes, control characters,
/// multi-byte characters.
fn long_chunk() -> impl Strategy<Value = String> {
    prop_oneof![
        2 => "[a-z]{1,4}",
        1 => "[\"`\\\\\u{0}\n\u{1b}é✕ x]{1,6}",
        1 => "(?s).{1,6}",
    ]
}

const MB: usize = 1 << 20;

// ---------------------------------------------------------------------------
// The properties.

proptest! {
    #![proptest_config(config(3000))]

    /// Built-in files broken byte by byte: flips, insertions, deletions,
    /// cuts, copied ranges, the file twice.
    #[test]
    fn mutated_builtin_files(text in builtin_json(), mutations in proptest::collection::vec(mutation(), 1..5)) {
        check_only(&mutate(text, &mutations))?;
    }

    /// Built-in files with random structural edits: values replaced (by
    /// leaves or random trees), fields removed or added, array elements
    /// repeated up to past the 1,000-rule limit.
    #[test]
    fn edited_builtin_files(
        v in builtin_value(),
        edits in proptest::collection::vec(edit(), 1..5),
        pretty in any::<bool>(),
    ) {
        let v = without_structs_as_arrays(apply(v, &edits));
        check_only(&text_of(&v, pretty))?;
    }

    /// Random JSON values, mostly objects with scenario-file field names.
    #[test]
    fn random_json_values(
        v in prop_oneof![
            value(),
            proptest::collection::vec((select(FIELDS.to_vec()), value()), 0..8).prop_map(|entries| {
                let mut m: Map<String, Value> = entries.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
                m.entry("actions").or_insert(json!([]));
                Value::Object(m)
            }),
        ],
    ) {
        let v = without_structs_as_arrays(v);
        check_only(&text_of(&v, false))?;
    }

    /// Arbitrary text.
    #[test]
    fn arbitrary_text(text in prop_oneof![any::<String>(), "(?s)[{}\\[\\]\",:0-9a-z ]{0,200}"]) {
        check_only(&text)?;
    }
}

proptest! {
    #![proptest_config(config(20))]

    /// 1 MB strings as values, keys and in place of numbers: the message
    /// quotes them short (at most 60 characters, then the size).
    #[test]
    fn megabyte_strings(place in 0..PLACES, chunk in long_chunk()) {
        check_only(&with_long(place, &long(&chunk, MB)))?;
    }



    /// Finding 4: a quote character then control characters (an ANSI
    /// escape, a newline) in a value or key.
    #[test]
    fn control_characters_after_a_quote(
        place in 0..PLACES,
        quote in select(vec!["`", "\""]),
        controls in "[\u{0}-\u{1f}\u{7f}]{1,8}[a-z]{0,4}",
    ) {
        check(&with_long(place, &format!("{quote}{controls}")))?;
    }

    /// 1 MB numbers and white space: digits where a number, a string or an
    /// object belongs; a fraction or exponent of a million digits; a
    /// megabyte of spaces inside and after the object.
    #[test]
    fn megabyte_numbers_and_space(
        place in 0usize..6,
        digit in select(vec!["0", "1", "9"]),
    ) {
        let digits = digit.repeat(MB);
        let text = match place {
            0 => format!(r#"{{"link":{{"delay_ms":{digits}}},"actions":[]}}"#),
            1 => format!(r#"{{"link":{{"delay_ms":0.{digits}}},"actions":[]}}"#),
            2 => format!(r#"{{"link":{{"delay_ms":1e-{digits}}},"actions":[]}}"#),
            3 => format!(r#"{{"seed":{digits},"actions":[]}}"#),
            4 => format!(r#"{{"platform":{digits},"actions":[]}}"#),
            _ => format!("{{{}\"actions\":[]{}}}{}", " ".repeat(MB), "\n".repeat(MB), "\t".repeat(MB)),
        };
        check_only(&text)?;
    }
}

// ---------------------------------------------------------------------------
// The audit's inputs.

/// (a) 1,000 sends of 1,000,000 bytes: refused before simulating.
#[test]
fn a_thousand_megabyte_sends_are_refused_by_the_budget() {
    let send = json!({"at_ms": 0, "host": "A", "do": "send", "bytes": 1_000_000});
    let text = json!({"actions": vec![send; 1000]}).to_string();
    let start = Instant::now();
    let e = Scenario::from_json(&text).unwrap_err();
    assert!(start.elapsed() < Duration::from_secs(2));
    // The send that takes the total past the budget (index 4 when it was
    // 4,000,000 bytes).
    let over = format!("actions[{}].bytes", MAX_TOTAL_SEND_BYTES / 1_000_000);
    assert_eq!(e.field, over, "{e}");
    assert!(
        e.message
            .contains(&format!("{MAX_TOTAL_SEND_BYTES} bytes in all")),
        "{e}"
    );
    let e = farewell_json::from_str::<Scenario>(&text)
        .unwrap()
        .validate()
        .unwrap_err();
    assert_eq!(e.field, over, "{e}");
}

/// (b) Two files back to back, for every pair of built-ins.
#[test]
fn concatenated_builtin_files_are_refused() {
    for a in builtin::ALL {
        for b in builtin::ALL {
            for between in ["", "\n", " \t\n"] {
                let text = format!("{}{between}{}", a.json, b.json);
                let e = Scenario::from_json(&text).unwrap_err();
                assert_eq!(e.field, "", "{} + {}: {e}", a.id, b.id);
                assert!(
                    e.message
                        .contains("text after the scenario's closing brace"),
                    "{} + {}: {e}",
                    a.id,
                    b.id
                );
                assert!(farewell_json::from_str::<Scenario>(&text).is_err());
            }
        }
    }
}

/// (c) A 10 MB `platform` and a 10 MB unknown key: 60 characters, then the size.
#[test]
fn ten_megabyte_platform_and_key_are_quoted_short() {
    let big = "x".repeat(10_000_000);
    let shown = format!("{}… (10000000 bytes)", &big[..60]);
    for text in [
        format!(r#"{{"platform":"{big}","actions":[]}}"#),
        format!(r#"{{"actions":[],"{big}":1}}"#),
    ] {
        let start = Instant::now();
        let e = Scenario::from_json(&text).unwrap_err();
        assert!(start.elapsed() < MAX_READ_TIME);
        let m = e.to_string();
        assert!(m.len() <= MAX_MESSAGE, "{} bytes: {}", m.len(), short(&m));
        assert!(m.contains(&format!("`{shown}`")), "{m}");
        let e = farewell_json::from_str::<Scenario>(&text).unwrap_err();
        let m = e.to_string();
        assert!(m.len() <= MAX_MESSAGE, "{} bytes: {}", m.len(), short(&m));
        assert!(m.contains(&format!("`{shown}`")), "{m}");
    }
}

/// (d) Tiny numbers: accepted where milliseconds may be tiny, refused where
/// they must be more than 0 and are 0 or negative; every run ends.
#[test]
fn tiny_numbers() {
    for v in [
        5e-324,
        1.2345678901234567e-300,
        2.2250738585072014e-308,
        1e-7,
    ] {
        let text = json!({
            "msl_ms": v,
            "link": {"delay_ms": v, "loss": v},
            "tunables": {"rto_min_ms": v, "rto_initial_ms": v, "delayed_ack_ms": v},
            "actions": [
                {"at_ms": v, "host": "A", "do": "send", "bytes": 10},
                {"at_ms": v, "host": "A", "do": "close"},
                {"after_eof_ms": v, "host": "B", "do": "close"},
            ],
            "drops": [{"from": "A", "kind": "FIN", "after_ms": v}],
        })
        .to_string();
        let s = check(&text).unwrap().unwrap_or_else(|| panic!("{text}"));
        assert!(s.msl_ms.is_some_and(|m| m > 0.0));
    }
    for v in [-5e-324, -1e-300, 0.0] {
        let text = json!({"msl_ms": v, "actions": []}).to_string();
        let e = Scenario::from_json(&text).unwrap_err();
        assert_eq!(e.field, "msl_ms", "{e}");
        assert!(e.to_string().len() <= MAX_MESSAGE, "{e}");
    }
}

/// A quote character inside a 1 MB value: the message is cut all the same
/// (it used to run on with the rest of the value).
#[test]
fn a_quote_inside_a_megabyte_value() {
    let big = "x".repeat(MB);
    for text in [
        format!(r#"{{"platform":"a`{big}","actions":[]}}"#),
        format!(r#"{{"actions":[],"a`{big}":1}}"#),
        format!(r#"{{"actions":"a\"{big}"}}"#),
        format!(r#"{{"actions":"{}"}}"#, "\\\"`".repeat(MB / 4)),
    ] {
        let strict = Scenario::from_json(&text).unwrap_err().to_string();
        let generic = farewell_json::from_str::<Scenario>(&text)
            .unwrap_err()
            .to_string();
        for m in [strict, generic] {
            assert!(m.len() <= MAX_MESSAGE, "{} bytes: {}", m.len(), short(&m));
        }
    }
}

/// Finding 3: 1 MB values of 4-byte characters, or of control characters
/// (each shown as the 3-byte U+FFFD), at every place.
#[test]
fn megabyte_strings_of_wide_characters() {
    let mut failures = Vec::new();
    for chunk in ["😀", "\u{0}", "✕"] {
        for place in 0..PLACES {
            if let Err(e) = check(&with_long(place, &long(chunk, MB))) {
                failures.push(e.to_string());
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
