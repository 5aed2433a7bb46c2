//! Links a hostile or careless page could hand the playground: every one is an
//! error with a message naming what is wrong, or a documented default; none
//! panics.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use farewell_engine::builtin;
use farewell_share::{decode, Fragment, MAX_FRAGMENT_LEN, MAX_JSON_LEN};
use proptest::prelude::*;

#[track_caller]
fn err(full_link: &str, key: &str, says: &str) {
    let link = &full_link.chars().take(80).collect::<String>();
    match decode(full_link) {
        Ok(f) => panic!("{link:?} decoded to {f:?}"),
        Err(e) => {
            assert_eq!(e.key, key, "{link:?}: {e}");
            assert!(e.to_string().contains(says), "{link:?}: {e}");
        }
    }
}

fn default() -> Fragment {
    Fragment::from_builtin(builtin::DEFAULT).unwrap()
}

#[test]
fn bad_platform_lists_the_platforms() {
    err(
        "s=lost-final-ack&p=xyz",
        "p",
        "`p=xyz` is not a platform (linux, freebsd, macos, windows, solaris, rfc793)",
    );
}

#[test]
fn bad_builtin_lists_the_builtins() {
    err(
        "s=nope",
        "s",
        "`s=nope` is not a built-in scenario (normal-close, ",
    );
    err("s=", "s", "`s=` is not a built-in scenario");
}

#[test]
fn markup_and_script_urls() {
    // Unknown keys: ignored, the documented default.
    assert_eq!(decode("<script>alert(1)</script>").unwrap(), default());
    assert_eq!(decode("javascript:alert(1)").unwrap(), default());
    // As values of known keys: errors that quote the value (the app shows
    // messages as text, never as markup).
    err(
        "s=<script>alert(1)</script>",
        "s",
        "`s=<script>alert(1)</script>`",
    );
    err("s=javascript:alert(1)", "s", "not a built-in");
    err("p=%3Cscript%3E", "p", "`p=<script>` is not a platform");
}

#[test]
fn huge_and_non_finite_numbers() {
    err("d=1e999", "d", "`d=1e999` is not a delay");
    err("d=NaN", "d", "`d=NaN` is not a delay");
    err("d=inf", "d", "`d=inf` is not a delay");
    err("d=-20", "d", "`d=-20` is not a delay");
    err("t=-1", "t", "`t=-1` is not a time");
    err("t=99999999999999999999", "t", "is not a time");
    err("msl=0", "msl", "`msl=0` is not an MSL");
    err("loss=2", "loss", "`loss=2` is not a probability");
    err(
        "seed=18446744073709551616",
        "seed",
        &format!("is not a seed: give a whole number from 0 to {}", u64::MAX),
    );
    err("seed=-1", "seed", "is not a seed");
    err("drop=A:FIN:0:99999999999", "drop", "NTH must be");
}

#[test]
fn bad_percent_escapes() {
    err("s=%ZZ", "s", "`%ZZ` is not a percent-escape");
    err("p=linux%", "p", "`%` is not a percent-escape");
    err("s=%FF%FE", "s", "UTF-8");
}

#[test]
fn duplicate_keys() {
    err("s=lost-fin&s=half-close", "s", "`s` is given twice");
    err("p=linux&p=linux", "p", "given twice");
    // Unknown ones may repeat.
    assert_eq!(decode("x=1&x=2").unwrap(), default());
}

#[test]
fn bad_enumerations_and_booleans() {
    err("v=2", "v", "`v=2` is not a speed (1, 10, 100, skip)");
    err("controls=some", "controls", "(full, minimal, none)");
    err("embed=yes", "embed", "`embed=yes` is not a yes/no value");
    err("t", "t", "`t` needs a value");
}

#[test]
fn too_long() {
    let link = format!("s=lost-fin&x={}", "a".repeat(MAX_FRAGMENT_LEN));
    err(&link, "", "too long");
}

fn c_json(json: &str) -> String {
    format!("c=j{}", URL_SAFE_NO_PAD.encode(json))
}

fn c_deflated(json: &str) -> String {
    let packed = miniz_oxide::deflate::compress_to_vec(json.as_bytes(), 10);
    format!("c=z{}", URL_SAFE_NO_PAD.encode(packed))
}

#[test]
fn truncated_or_garbled_c() {
    // A whole scenario file is a valid `c`; deflated here (not by `encode`) so
    // the test holds with or without the `deflate` feature.
    let scenario = builtin::get("half-close").unwrap();
    let link = c_deflated(&scenario.to_json_pretty().unwrap());
    assert_eq!(decode(&link).unwrap().scenario, scenario);
    // Cut at every length: base64, DEFLATE or JSON errors, never a panic or a
    // silently different scenario.
    for cut in 2..link.len() {
        let e = decode(&link[..cut]).expect_err(&link[..cut]);
        assert_eq!(e.key, "c", "{cut}: {e}");
    }
    err("c=z!!!!", "c", "is not base64url");
    err(
        "c=x",
        "c",
        "must start with `z` (deflated) or `j` (plain JSON)",
    );
    err("c=", "c", "must start with");
    err("c=zAAAA", "c", "is not valid DEFLATE data");
}

#[test]
fn deflate_bomb() {
    let bomb = miniz_oxide::deflate::compress_to_vec(&vec![b' '; 10 * MAX_JSON_LEN], 10);
    let link = format!("c=z{}", URL_SAFE_NO_PAD.encode(bomb));
    assert!(link.len() < MAX_FRAGMENT_LEN);
    err(&link, "c", "unpacks to more than 65536 bytes");
}

#[test]
fn bad_json_in_c() {
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let link = c_deflated(&format!(r#"{{"actions":{deep}}}"#));
    assert!(link.len() < 200, "{link}");
    // The typed reader stops at the first value of the wrong shape, long
    // before serde_json's recursion limit (128), which is the backstop.
    err(&link, "c", "does not hold a readable scenario");
    err(
        &c_json(r#"{"actions":[], "evil": 1}"#),
        "c",
        "unknown field `evil`",
    );
    err(
        &c_json(r#"{"seed": 1e400}"#),
        "c",
        "does not hold a readable scenario",
    );
    err(
        &c_json("{\"name\":\"\u{0}"),
        "c",
        "does not hold a readable scenario",
    );
    err(
        &format!("c=j{}", URL_SAFE_NO_PAD.encode([b'{', 0xff, b'}'])),
        "c",
        "does not hold UTF-8 text",
    );
}

#[test]
fn scenarios_that_cannot_run() {
    err(
        &c_json(r#"{"actions":[{"host":"A","do":"send"}]}"#),
        "",
        "the linked scenario cannot run: actions[0]",
    );
    err(
        &c_json(r#"{"link":{"delay_ms":-5}}"#),
        "",
        "the linked scenario cannot run: link.delay_ms",
    );
    // handshake-and-close needs a listening B for its connect? No: it starts with
    // the handshake. A drop rule hidden in JSON with nth 0 is caught too.
    err(
        &c_json(r#"{"drops":[{"from":"A","kind":"FIN","nth":0}]}"#),
        "",
        "drops[0].nth",
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn never_panics_on_arbitrary_text(s in any::<String>()) {
        let _ = decode(&s);
    }

    #[test]
    fn never_panics_on_link_like_text(
        s in "#?((s|c|p|msl|d|loss|seed|hs|drop|t|v|embed|controls|autoplay|x)(=[-a-zA-Z0-9_.:,%+]{0,12})?&?){0,6}"
    ) {
        let _ = decode(&s);
    }

    #[test]
    fn never_panics_on_arbitrary_c(bytes in proptest::collection::vec(any::<u8>(), 0..200), z in any::<bool>()) {
        let mode = if z { 'z' } else { 'j' };
        let _ = decode(&format!("c={mode}{}", URL_SAFE_NO_PAD.encode(bytes)));
    }
}
