//! JSON in the browser (`farewell_json`: JSON.parse / JSON.stringify and
//! serde-wasm-bindgen) reads and writes scenarios exactly as serde_json does
//! natively, and refuses what serde_json refuses.

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
