//! Splitting a fragment into known parameters, percent-decoding, and reading
//! the values, each with an error message naming the parameter.

use crate::ShareError;
use farewell_engine::scenario::MAX_MS;

/// The keys the format defines, in the order [`crate::encode`] writes them.
pub(crate) const KEYS: [&str; 15] = [
    "s", "c", "p", "msl", "d", "loss", "seed", "hs", "drop", "t", "v", "fit", "embed", "controls",
    "autoplay",
];

/// Boolean keys: a bare key (no `=`) means `1`.
const FLAGS: [&str; 4] = ["hs", "fit", "embed", "autoplay"];

/// The known parameters of one fragment, percent-decoded.
pub(crate) struct Params {
    values: [Option<String>; KEYS.len()],
}

impl Params {
    pub(crate) fn parse(text: &str) -> Result<Params, ShareError> {
        let mut values: [Option<String>; KEYS.len()] = Default::default();
        for part in text.split('&').filter(|p| !p.is_empty()) {
            let (raw_key, raw_value) = match part.split_once('=') {
                Some((k, v)) => (k, Some(v)),
                None => (part, None),
            };
            // A key that does not decode is no key of ours: ignore it like any
            // unknown key.
            let Ok(key) = percent_decode(raw_key) else {
                continue;
            };
            let Some(slot) = KEYS.iter().position(|k| *k == key) else {
                continue;
            };
            let value = match raw_value {
                Some(v) => percent_decode(v)
                    .map_err(|why| ShareError::new(key.as_ref(), format!("`{key}=`: {why}")))?,
                None if FLAGS.contains(&key.as_ref()) => "1".to_string(),
                None => {
                    return Err(ShareError::new(
                        key.as_ref(),
                        format!("`{key}` needs a value (`{key}=…`)"),
                    ))
                }
            };
            if values[slot].is_some() {
                return Err(ShareError::new(
                    key.as_ref(),
                    format!("`{key}` is given twice; give it once"),
                ));
            }
            values[slot] = Some(value);
        }
        Ok(Params { values })
    }

    /// The value of a known key, if given.
    pub(crate) fn get(&self, key: &str) -> Option<&str> {
        let slot = KEYS.iter().position(|k| *k == key)?;
        self.values[slot].as_deref()
    }
}

/// The keys of `text` that are not the format's, each once, in order of first
/// appearance, as [`shown`] quotes them.
pub(crate) fn unknown_keys(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for part in text.split('&').filter(|p| !p.is_empty()) {
        let raw = part.split_once('=').map_or(part, |(k, _)| k);
        let key = percent_decode(raw).unwrap_or_else(|_| raw.to_string());
        if !KEYS.contains(&key.as_str()) {
            let key = shown(&key);
            if !out.contains(&key) {
                out.push(key);
            }
        }
    }
    out
}

/// Decodes `%XX` escapes (RFC 3986 §2.1); the result must be UTF-8. `+` stays
/// a plus: fragments are not form data.
pub(crate) fn percent_decode(text: &str) -> Result<String, String> {
    if !text.contains('%') {
        return Ok(text.to_string());
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let escape = bytes.get(i + 1..i + 3);
            let value = escape.and_then(|h| Some(hex(h[0])? << 4 | hex(h[1])?));
            match value {
                Some(v) => out.push(v),
                None => {
                    let seen: String = text[i..].chars().take(3).collect();
                    return Err(format!(
                        "`{}` is not a percent-escape (`%` and two hex digits)",
                        shown(&seen)
                    ));
                }
            }
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| "the percent-escapes do not decode to UTF-8 text".into())
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// A value as quoted in an error message: the first
/// [`QUOTE_CHARS`](farewell_json::QUOTE_CHARS) characters, control characters
/// replaced, so a hostile link cannot flood or garble the notice.
pub(crate) use farewell_json::shown;

/// A finite number (`inf`, `NaN` and overflowing values like `1e999` are not).
pub(crate) fn finite(v: &str) -> Option<f64> {
    crate::number(v)
}

/// Milliseconds, as scenario files take them: finite, not negative, more than
/// zero unless `zero_ok`, at most one day.
pub(crate) fn ms(key: &str, v: &str, zero_ok: bool, what: &str) -> Result<f64, ShareError> {
    let low = if zero_ok { "0 or more" } else { "more than 0" };
    finite(v)
        .filter(|x| *x <= MAX_MS && if zero_ok { *x >= 0.0 } else { *x > 0.0 })
        .ok_or_else(|| {
            let what = format!(
                "{what}: give milliseconds, {low}, up to {} (one day)",
                farewell_num::Shortest(MAX_MS)
            );
            ShareError::not_a(key, v, &what)
        })
}

pub(crate) fn probability(key: &str, v: &str) -> Result<f64, ShareError> {
    finite(v)
        .filter(|x| (0.0..=1.0).contains(x))
        .ok_or_else(|| {
            ShareError::not_a(
                key,
                v,
                "a probability: give a number from 0 to 1, e.g. 0.05",
            )
        })
}

pub(crate) fn boolean(key: &str, v: &str) -> Result<bool, ShareError> {
    match v.to_ascii_lowercase().as_str() {
        "1" | "true" => Ok(true),
        "0" | "false" => Ok(false),
        _ => Err(ShareError::not_a(key, v, "a yes/no value (1 or 0)")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("lost-fin").unwrap(), "lost-fin");
        assert_eq!(percent_decode("A%3AFIN%2cB%3aACK").unwrap(), "A:FIN,B:ACK");
        assert_eq!(percent_decode("a+b%20c").unwrap(), "a+b c");
        assert_eq!(percent_decode("%C3%A9").unwrap(), "é");
        assert!(percent_decode("%ZZ").unwrap_err().contains("`%ZZ`"));
        assert!(percent_decode("ab%4").unwrap_err().contains("`%4`"));
        assert!(percent_decode("%").is_err());
        assert!(percent_decode("%FF%FE").unwrap_err().contains("UTF-8"));
        // A multi-byte character right after `%` must not split a char boundary.
        assert!(percent_decode("%é").is_err());
    }

    #[test]
    fn shown_truncates_and_hides_controls() {
        assert_eq!(shown("a\nb"), "a\u{FFFD}b");
        let long = "x".repeat(100);
        assert_eq!(shown(&long), format!("{}… (100 bytes)", "x".repeat(60)));
        assert_eq!(shown(&"y".repeat(60)), "y".repeat(60));
    }

    #[test]
    fn params_split_skip_unknown_and_reject_duplicates() {
        let p = Params::parse("s=lost-fin&utm_source=x%ZZ&&embed&p=%77indows").unwrap();
        assert_eq!(p.get("s"), Some("lost-fin"));
        assert_eq!(p.get("embed"), Some("1"));
        assert_eq!(p.get("p"), Some("windows"));
        assert_eq!(p.get("utm_source"), None);
        assert_eq!(p.get("t"), None);
        let e = Params::parse("p=linux&%70=macos").err().unwrap();
        assert_eq!(e.key, "p");
        assert!(e.message.contains("twice"));
        let e = Params::parse("s").err().unwrap();
        assert!(e.message.contains("needs a value"), "{}", e.message);
        let e = Params::parse("d=%ZZ").err().unwrap();
        assert_eq!(e.key, "d");
        assert!(e.message.contains("`%ZZ`"), "{}", e.message);
    }

    #[test]
    fn unknown_keys_in_order_once() {
        assert_eq!(
            unknown_keys("s=lost-fin&platform=windows&utm_source=x&&platform=y&%ZZ&embed&t%61=1"),
            ["platform", "utm_source", "%ZZ", "ta"]
        );
        assert!(unknown_keys("s=lost-fin&p=linux&embed").is_empty());
    }

    #[test]
    fn numbers() {
        assert_eq!(ms("d", "20", true, "a delay").unwrap(), 20.0);
        assert_eq!(ms("d", "0", true, "a delay").unwrap(), 0.0);
        for bad in ["-1", "NaN", "inf", "1e999", "", "20ms", "86400001"] {
            let e = ms("d", bad, true, "a delay").unwrap_err();
            assert!(e.message.starts_with(&format!("`d={bad}` is not a delay")));
        }
        assert!(ms("msl", "0", false, "an MSL").is_err());
        assert_eq!(probability("loss", "0.05").unwrap(), 0.05);
        assert!(probability("loss", "1.5").is_err());
        assert!(probability("loss", "-0.1").is_err());
        assert!(boolean("hs", "1").unwrap());
        assert!(!boolean("hs", "false").unwrap());
        assert!(boolean("hs", "yes").is_err());
    }
}
