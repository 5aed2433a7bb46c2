//! JSON in the browser (`farewell_json`: JSON.parse / JSON.stringify and
//! serde-wasm-bindgen) reads and writes scenarios exactly as serde_json does
//! natively, and refuses what serde_json refuses.

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
