//! JSON in the browser (`farewell_json`: JSON.parse and its own writer) reads
//! and writes scenarios exactly as serde_json does natively, and refuses what
//! serde_json refuses; it writes them byte for byte as serde-wasm-bindgen +
//! JSON.stringify (the writer before it) did.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use farewell_engine::{builtin, Scenario};
use wasm_bindgen_test::wasm_bindgen_test;

wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn every_builtin_reads_as_serde_json_reads_it() {
    for b in builtin::ALL {
        let reference: Scenario = serde_json::from_str(b.json).unwrap();
        assert_eq!(b.scenario(), reference, "{}", b.id);
    }
}

#[wasm_bindgen_test]
fn exported_files_read_back_the_same_in_the_browser_and_in_serde_json() {
    for b in builtin::ALL {
        let s = b.scenario();
        let text = s.to_json_pretty().unwrap();
        assert_eq!(
            farewell_json::from_str::<Scenario>(&text).unwrap(),
            s,
            "{}",
            b.id
        );
        let native: Scenario = serde_json::from_str(&text).unwrap();
        assert_eq!(native, s, "{}", b.id);
        // And serde_json's own file reads the same in the browser.
        let theirs = serde_json::to_string_pretty(&s).unwrap();
        assert_eq!(
            farewell_json::from_str::<Scenario>(&theirs).unwrap(),
            s,
            "{}",
            b.id
        );
    }
}

/// serde-wasm-bindgen's `json_compatible` value, printed by `JSON.stringify`.
fn stringified(s: &Scenario, pretty: bool) -> String {
    let value =
        serde::Serialize::serialize(s, &serde_wasm_bindgen::Serializer::json_compatible()).unwrap();
    let text = if pretty {
        js_sys::JSON::stringify_with_replacer_and_space(
            &value,
            &wasm_bindgen::JsValue::NULL,
            &wasm_bindgen::JsValue::from(2),
        )
    } else {
        js_sys::JSON::stringify(&value)
    };
    text.unwrap().as_string().unwrap()
}

/// Every built-in, and each with its numbers changed to awkward values, is
/// written exactly as the browser wrote it before (file exports and `c`
/// links keep their bytes).
#[wasm_bindgen_test]
fn scenarios_are_written_as_serde_wasm_bindgen_and_json_stringify_wrote_them() {
    for b in builtin::ALL {
        let mut s = b.scenario();
        for pretty in [false, true] {
            let ours = if pretty {
                s.to_json_pretty().unwrap()
            } else {
                farewell_json::to_string(&s).unwrap()
            };
            assert_eq!(ours, stringified(&s, pretty), "{}", b.id);
        }
        s.link.delay_ms = 0.1 + 0.2;
        s.link.loss = 1e-7;
        s.msl_ms = Some(1e21);
        s.time_limit_ms = Some(1622585055214444.2);
        s.name = "\"quoted\"\n\t\u{1}✕".to_string();
        assert_eq!(
            s.to_json_pretty().unwrap(),
            stringified(&s, true),
            "{}",
            b.id
        );
    }
}

#[wasm_bindgen_test]
fn misspelt_and_mistyped_fields_are_refused_with_their_names() {
    let unknown = r#"{"actions": [], "link": {"delay_ms": 20, "los": 0.1}}"#;
    let e = farewell_json::from_str::<Scenario>(unknown).unwrap_err();
    assert!(e.to_string().contains("unknown field `los`"), "{e}");
    assert!(serde_json::from_str::<Scenario>(unknown).is_err());

    let nested = r#"{"actions": [{"at_ms": 0, "host": "A", "do": "close", "whn": 1}]}"#;
    let e = farewell_json::from_str::<Scenario>(nested).unwrap_err();
    assert!(e.to_string().contains("unknown field `whn`"), "{e}");

    let wrong = r#"{"actions": [{"at_ms": 0, "host": "C", "do": "close"}]}"#;
    let e = farewell_json::from_str::<Scenario>(wrong).unwrap_err();
    assert!(e.to_string().contains('C'), "{e}");

    let e = farewell_json::from_str::<Scenario>(r#"{"actions": [}"#).unwrap_err();
    assert!(!e.to_string().is_empty());
}

#[wasm_bindgen_test]
fn a_link_with_an_unknown_field_in_c_is_refused_in_the_browser_too() {
    // `c=j` + base64url of {"actions":[],"evil":1}
    let e = farewell_share::decode("#c=jeyJhY3Rpb25zIjpbXSwiZXZpbCI6MX0").unwrap_err();
    assert_eq!(e.key, "c");
    assert!(e.to_string().contains("unknown field `evil`"), "{e}");
}

fn c_json(json: &str) -> String {
    format!("c=j{}", URL_SAFE_NO_PAD.encode(json))
}

fn c_deflated(json: &str) -> String {
    let packed = miniz_oxide::deflate::compress_to_vec(json.as_bytes(), 10);
    format!("c=z{}", URL_SAFE_NO_PAD.encode(packed))
}

/// The hostile `c` payloads of the share crate's native tests, through the
/// browser's JSON: each refused with the reason, none panics.
#[wasm_bindgen_test]
fn hostile_c_payloads_are_refused_in_the_browser_as_natively() {
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    for (link, key, says) in [
        (
            c_deflated(&format!(r#"{{"actions":{deep}}}"#)),
            "c",
            "does not hold a readable scenario",
        ),
        (
            c_json(r#"{"seed": 1e400}"#),
            "c",
            "does not hold a readable scenario",
        ),
        (
            c_json(r#"{"seed": 18446744073709551615}"#),
            "c",
            "does not hold a readable scenario",
        ),
        (
            c_json("{\"name\":\"\u{0}"),
            "c",
            "does not hold a readable scenario",
        ),
        (c_json(r#"{"actions": "close"}"#), "c", "invalid type"),
        (
            c_json(r#"{"__proto__": {"actions": []}}"#),
            "c",
            "unknown field `__proto__`",
        ),
        (
            c_json(r#"{"link": {"delay_ms": 20, "constructor": 1}}"#),
            "c",
            "unknown field `constructor`",
        ),
        (
            c_json(r#"{"actions":[{"host":"A","do":"send"}]}"#),
            "",
            "the linked scenario cannot run: actions[0]",
        ),
        (
            c_json(r#"{"link":{"delay_ms":-5}}"#),
            "",
            "the linked scenario cannot run: link.delay_ms",
        ),
        (
            c_json(r#"{"drops":[{"from":"A","kind":"FIN","nth":0}]}"#),
            "",
            "drops[0].nth",
        ),
    ] {
        let e = farewell_share::decode(&link).expect_err(&link);
        assert_eq!(e.key, key, "{link}: {e}");
        assert!(e.to_string().contains(says), "{link}: {e}");
    }
    // A whole scenario file, deflated, still opens.
    let s = builtin::get("half-close").unwrap();
    let link = c_deflated(&serde_json::to_string_pretty(&s).unwrap());
    assert_eq!(farewell_share::decode(&link).unwrap().scenario, s);
}

/// Many small edits of every built-in's file (a value replaced by one of
/// another type, a key added or removed), read by the browser's reader and by
/// serde_json compiled into the same test: both accept the same files and
/// read them alike (apart from the differences crates/json documents).
#[wasm_bindgen_test]
fn the_browser_reader_agrees_with_serde_json_on_edited_files() {
    use serde_json::Value;
    // SplitMix64: a fixed, seeded sequence of edits.
    let mut state = 0x5eed_u64;
    let mut next = move |n: usize| {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        ((z ^ (z >> 31)) % n as u64) as usize
    };
    let replacements = [
        Value::Null,
        Value::Bool(true),
        Value::from("close"),
        Value::from("A"),
        Value::from(1.5),
        Value::from(-1),
        Value::from(7),
        Value::from(0),
        Value::Array(vec![]),
        serde_json::json!({}),
        serde_json::json!([1, 2]),
    ];
    let (mut accepted, mut refused, mut struct_as_array) = (0, 0, 0);
    for b in builtin::ALL {
        let original: Value = serde_json::from_str(b.json).unwrap();
        for _ in 0..150 {
            let mut doc = original.clone();
            // Walk down to a random container.
            let mut node = &mut doc;
            loop {
                let children = match node {
                    Value::Object(m) => m.len(),
                    Value::Array(a) => a.len(),
                    _ => 0,
                };
                if children == 0 || next(3) == 0 {
                    break;
                }
                let i = next(children);
                node = match node {
                    Value::Object(m) => m.values_mut().nth(i).unwrap(),
                    Value::Array(a) => &mut a[i],
                    _ => unreachable!(),
                };
            }
            match (next(4), &mut *node) {
                (0, Value::Object(m)) => {
                    m.insert("zz".into(), Value::from(1));
                }
                (1, Value::Object(m)) if !m.is_empty() => {
                    let k = m.keys().nth(next(m.len())).unwrap().clone();
                    m.remove(&k);
                }
                _ => *node = replacements[next(replacements.len())].clone(),
            }
            let text = doc.to_string();
            let theirs = serde_json::from_str::<Scenario>(&text);
            let ours = farewell_json::from_str::<Scenario>(&text);
            match (&ours, &theirs) {
                (Ok(a), Ok(b)) => {
                    assert_eq!(a, b, "{text}");
                    accepted += 1;
                }
                (Err(_), Err(_)) => refused += 1,
                // The one documented difference these edits can make:
                // serde_json reads a struct from an array of its fields.
                (Err(e), Ok(_)) if e.to_string().contains("sequence, expected struct") => {
                    struct_as_array += 1
                }
                _ => panic!("disagree on {text}: browser {ours:?}, serde_json {theirs:?}"),
            }
        }
    }
    // Both kinds happened, so the comparison means something.
    assert!(
        accepted > 100 && refused > 100,
        "{accepted} accepted, {refused} refused, {struct_as_array} structs as arrays"
    );
}
