//! The `c` parameter: scenario fields the short parameters cannot carry, as a
//! scenario-file JSON object packed into base64url, raw DEFLATE'd when that is
//! shorter (by [`crate::deflate`]; read back by [`crate::inflate`]).

use crate::base64url;
use crate::inflate::{inflate, InflateError};
use crate::params::shown;
use crate::{ShareError, MAX_JSON_LEN};
use farewell_engine::scenario::Hosts;
use farewell_engine::{Action, DropRule, DuplicateRule, LinkConfig, Platform, Scenario, Tunables};
use serde::{Deserialize, Deserializer, Serialize};

/// The scenario-file defaults: the base of a `c` given without `s`.
pub(crate) fn blank() -> Scenario {
    // `panic!` with Display, not `expect` (which would pull Debug formatting
    // of strings into the wasm for a message never shown).
    farewell_json::from_str(r#"{"actions":[]}"#)
        .unwrap_or_else(|e| panic!("a scenario with no actions parses: {e}"))
}

/// Top-level scenario fields, each `None` when the base's value is kept. Field
/// names and types are exactly the scenario file's, so a whole scenario file is
/// also a valid `c`.
#[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Patch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    platform: Option<Platform>,
    /// `Some(None)` (JSON `null`): back to "not set".
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "set_or_null"
    )]
    msl_ms: Option<Option<f64>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    seed: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    handshake: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    link: Option<LinkConfig>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    hosts: Option<Hosts>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    tunables: Option<Tunables>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    actions: Option<Vec<Action>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    drops: Option<Vec<DropRule>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    duplicates: Option<Vec<DuplicateRule>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "set_or_null"
    )]
    time_limit_ms: Option<Option<f64>>,
}

/// A present field, `null` included, is `Some`: plain `Option<Option<_>>`
/// would read `null` as "absent".
fn set_or_null<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<f64>>, D::Error> {
    Option::<f64>::deserialize(d).map(Some)
}

/// `Some(new)` if it differs from `base`.
fn changed<T: PartialEq + Clone>(base: &T, new: &T) -> Option<T> {
    (base != new).then(|| new.clone())
}

/// The `c` value for the fields of `s` that differ from `base`, leaving out
/// those the short parameters carry.
pub(crate) fn encode(base: &Scenario, s: &Scenario) -> String {
    let patch = Patch {
        name: changed(&base.name, &s.name),
        description: changed(&base.description, &s.description),
        hosts: changed(&base.hosts, &s.hosts),
        tunables: changed(&base.tunables, &s.tunables),
        actions: changed(&base.actions, &s.actions),
        duplicates: changed(&base.duplicates, &s.duplicates),
        time_limit_ms: changed(&base.time_limit_ms, &s.time_limit_ms),
        ..Patch::default()
    };
    // Short keys carry the seed, so a patch holds no integer above 2^53 and
    // serializes on every backend.
    let json =
        farewell_json::to_string(&patch).unwrap_or_else(|e| panic!("a patch serializes: {e}"));
    let deflated = crate::deflate::deflate(json.as_bytes());
    if deflated.len() < json.len() {
        format!("z{}", base64url::encode(deflated))
    } else {
        format!("j{}", base64url::encode(json))
    }
}

/// Applies a `c` value to `scenario`.
pub(crate) fn apply(scenario: &mut Scenario, c: &str) -> Result<(), ShareError> {
    let bad = |why: &str| ShareError::new("c", format!("`c=` {why}"));
    let mut chars = c.chars();
    let mode = chars.next();
    let packed = base64url::decode(chars.as_str())
        .ok_or_else(|| bad("is not base64url: the link may have been cut short or mistyped"))?;
    let bytes = match mode {
        Some('z') => inflate(&packed, MAX_JSON_LEN).map_err(|e| match e {
            InflateError::TooLong => bad(&format!(
                "unpacks to more than {MAX_JSON_LEN} bytes; a scenario is far smaller"
            )),
            InflateError::Invalid => {
                bad("is not valid DEFLATE data: the link may have been cut short")
            }
        })?,
        Some('j') => packed,
        _ => {
            return Err(bad(&format!(
                "must start with `z` (deflated) or `j` (plain JSON), not `{}`",
                shown(&mode.map(String::from).unwrap_or_default())
            )))
        }
    };
    if bytes.len() > MAX_JSON_LEN {
        return Err(bad(&format!("holds more than {MAX_JSON_LEN} bytes")));
    }
    let json = std::str::from_utf8(&bytes).map_err(|_| bad("does not hold UTF-8 text"))?;
    let patch: Patch = farewell_json::from_str(json)
        .map_err(|e| bad(&format!("does not hold a readable scenario: {e}")))?;
    let s = scenario;
    let Patch {
        name,
        description,
        platform,
        msl_ms,
        seed,
        handshake,
        link,
        hosts,
        tunables,
        actions,
        drops,
        duplicates,
        time_limit_ms,
    } = patch;
    // Destructured so that a field added to `Patch` cannot be forgotten here.
    set(&mut s.name, name);
    set(&mut s.description, description);
    set(&mut s.platform, platform);
    set(&mut s.msl_ms, msl_ms);
    set(&mut s.seed, seed);
    set(&mut s.handshake, handshake);
    set(&mut s.link, link);
    set(&mut s.hosts, hosts);
    set(&mut s.tunables, tunables);
    set(&mut s.actions, actions);
    set(&mut s.drops, drops);
    set(&mut s.duplicates, duplicates);
    set(&mut s.time_limit_ms, time_limit_ms);
    Ok(())
}

fn set<T>(field: &mut T, value: Option<T>) {
    if let Some(v) = value {
        *field = v;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(json: &str) -> String {
        format!("j{}", base64url::encode(json))
    }

    #[test]
    fn a_whole_scenario_file_is_a_patch_over_the_blank() {
        for b in farewell_engine::builtin::ALL {
            let mut s = blank();
            apply(&mut s, &raw(b.json)).unwrap();
            assert_eq!(s, b.scenario(), "{}", b.id);
        }
    }

    #[test]
    fn null_resets_optional_fields_and_absent_keeps_them() {
        let mut s = blank();
        s.msl_ms = Some(1000.0);
        s.time_limit_ms = Some(5000.0);
        apply(&mut s, &raw(r#"{"msl_ms":null}"#)).unwrap();
        assert_eq!(s.msl_ms, None);
        assert_eq!(s.time_limit_ms, Some(5000.0));
    }

    #[test]
    fn encode_keeps_only_changed_fields_and_picks_the_shorter_packing() {
        let base = blank();
        let mut s = blank();
        s.name = "x".into();
        // Short JSON does not deflate smaller: sent as plain JSON.
        assert_eq!(encode(&base, &s), raw(r#"{"name":"x"}"#));
        s.description = "the same words again and again and again and again".repeat(4);
        let c = encode(&base, &s);
        assert!(c.starts_with('z'), "{c}");
        let mut back = blank();
        apply(&mut back, &c).unwrap();
        assert_eq!(back, s);
    }

    #[test]
    fn numbers_with_15_significant_digits_read_back_exactly() {
        // Natively serde_json without `float_roundtrip` multiplies or divides
        // the digits by one power of ten: a single rounding, so exact when the
        // digits fit in 53 bits (15 significant digits do) and the power is at
        // most 10^22. In the browser `JSON.parse` is exact for every number.
        let mut s = blank();
        for v in [
            955.199743023807,
            0.0000001,
            86_399_999.999_999_9,
            0.000123456789012345,
            123456789012345.0,
        ] {
            s.tunables.fin_timeout_ms = Some(v);
            let mut back = blank();
            apply(&mut back, &encode(&blank(), &s)).unwrap();
            assert_eq!(back.tunables.fin_timeout_ms, Some(v));
        }
    }

    #[test]
    fn unknown_fields_are_errors() {
        let e = apply(&mut blank(), &raw(r#"{"nmae":"x"}"#)).unwrap_err();
        assert!(e.message.contains("unknown field `nmae`"), "{}", e.message);
    }
}
