//! The lab's knobs as a URL fragment and as a `farewell lab` command line.
//!
//! Both use the CLI's flag names (without `--` in the fragment), in the same
//! order, and write only what differs from [`LabConfig::default`], so the link
//! `lab.html#rate=5000&tw-reuse=1` and the command `farewell lab --rate 5000
//! --tw-reuse 1` say the same thing. Reading is strict: an unknown knob, a
//! repeated one, a malformed value or one out of bounds is an error naming the
//! knob, and nothing of the link is used.

use farewell_engine::Platform;
use farewell_json::shown;
use farewell_lab::{Burst, Closer, LabConfig, PortRange};
use farewell_num::Shortest;

/// The longest fragment read; a longer one is refused unread.
pub const MAX_FRAGMENT_BYTES: usize = 1024;

/// Every knob: its name in links and on the command line, and the
/// [`LabConfig`] field [`LabConfig::validate`] names.
pub const KNOBS: [(&str, &str); 21] = [
    ("platform", "platform"),
    ("rate", "rate"),
    ("burst", "burst"),
    ("duration", "duration_s"),
    ("closer", "closer"),
    ("ports", "ports"),
    ("source-ips", "source_ips"),
    ("destinations", "destinations"),
    ("tw-reuse", "tw_reuse"),
    ("loopback", "loopback"),
    ("timestamps", "timestamps"),
    ("max-tw-buckets", "max_tw_buckets"),
    ("requests-per-connection", "requests_per_connection"),
    ("pool", "pool"),
    ("conn-ms", "conn_ms"),
    ("delay-ms", "delay_ms"),
    ("loss", "loss"),
    ("time-wait-ms", "time_wait_ms"),
    ("seed", "seed"),
    ("restart-at", "restart_at_s"),
    ("reuseaddr", "reuseaddr"),
];

/// The keys of a lab link that are not knobs but how the page is shown
/// ([`crate::embed`]): [`from_fragment`] checks them (once each, a known
/// value) and leaves the config alone; [`crate::embed::read_link`] reads them.
pub const VIEW_KEYS: [(&str, &str); 2] = [("embed", ""), ("controls", "")];

/// The knob's name for a [`LabConfig`] field (as a [`farewell_lab::LabError`]
/// names it); `burst.rate` and the like are the `burst` knob.
pub fn knob_for_field(field: &str) -> &'static str {
    let field = field.split('.').next().unwrap_or(field);
    KNOBS
        .iter()
        .find(|(_, f)| *f == field)
        .map(|(k, _)| *k)
        .unwrap_or("lab")
}

/// A knob that could not be read, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KnobError {
    /// The knob's name, or `link` for the link as a whole.
    pub knob: String,
    pub message: String,
}

impl std::fmt::Display for KnobError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.knob, self.message)
    }
}

fn bad(knob: &str, message: String) -> KnobError {
    KnobError {
        knob: knob.to_string(),
        message,
    }
}

/// The config a link's fragment (with or without its `#`) describes, checked
/// by [`LabConfig::validate`]. An empty fragment is the default lab.
pub fn from_fragment(fragment: &str) -> Result<LabConfig, KnobError> {
    let fragment = fragment.strip_prefix('#').unwrap_or(fragment);
    if fragment.len() > MAX_FRAGMENT_BYTES {
        return Err(bad(
            "link",
            format!(
                "the lab part of this link is {} bytes; a lab link is at most {MAX_FRAGMENT_BYTES}",
                fragment.len()
            ),
        ));
    }
    let mut cfg = LabConfig::default();
    let mut seen: Vec<&str> = Vec::new();
    for pair in fragment.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let Some(&(knob, _)) = KNOBS.iter().chain(&VIEW_KEYS).find(|(k, _)| *k == key) else {
            return Err(bad(
                "link",
                format!(
                    "no knob `{}`; the knobs are {}",
                    shown(key),
                    KNOBS.map(|k| k.0).join(", ")
                ),
            ));
        };
        if seen.contains(&knob) {
            return Err(bad(knob, "given twice".into()));
        }
        seen.push(knob);
        set(&mut cfg, knob, value)?;
    }
    if cfg.reuseaddr && cfg.restart_at_s.is_none() {
        return Err(bad(
            "reuseaddr",
            "applies to a server restart: give restart-at too".into(),
        ));
    }
    cfg.validate().map_err(|e| KnobError {
        knob: knob_for_field(e.field).to_string(),
        message: e.message,
    })?;
    Ok(cfg)
}

/// Sets one knob from its text (as a link or the command line writes it).
pub fn set(cfg: &mut LabConfig, knob: &str, value: &str) -> Result<(), KnobError> {
    let quoted = || format!("`{}`", shown(value));
    match knob {
        "platform" => {
            cfg.platform = Platform::from_id(value).ok_or_else(|| {
                bad(
                    knob,
                    format!(
                        "no platform {}; choose one of {}",
                        quoted(),
                        Platform::ALL.map(|p| p.id()).join(", ")
                    ),
                )
            })?
        }
        "rate" => cfg.rate = whole(knob, value)?,
        "duration" => cfg.duration_s = whole(knob, value)?,
        "source-ips" => cfg.source_ips = whole(knob, value)?,
        "destinations" => cfg.destinations = whole(knob, value)?,
        "max-tw-buckets" => cfg.max_tw_buckets = Some(whole(knob, value)?),
        "requests-per-connection" => cfg.requests_per_connection = whole(knob, value)?,
        "pool" => cfg.pool = Some(whole(knob, value)?),
        "seed" => cfg.seed = whole(knob, value)?,
        "tw-reuse" => cfg.tw_reuse = whole(knob, value)?,
        "conn-ms" => cfg.conn_ms = decimal(knob, value)?,
        "delay-ms" => cfg.delay_ms = decimal(knob, value)?,
        "loss" => cfg.loss = decimal(knob, value)?,
        "time-wait-ms" => cfg.time_wait_ms = Some(decimal(knob, value)?),
        "restart-at" => cfg.restart_at_s = Some(decimal(knob, value)?),
        "closer" => {
            cfg.closer = match value {
                "client" => Closer::Client,
                "server" => Closer::Server,
                _ => return Err(bad(knob, format!("client or server, not {}", quoted()))),
            }
        }
        "timestamps" => cfg.timestamps = Some(on_off(knob, value)?),
        "loopback" => cfg.loopback = on_off(knob, value)?,
        "reuseaddr" => cfg.reuseaddr = on_off(knob, value)?,
        // How the page is shown (VIEW_KEYS), as the playground names it.
        "embed" | "controls" => {
            let (known, said) = match knob {
                "embed" => (&["1", "0"][..], "1 or 0"),
                _ => (&["full", "minimal", "none"][..], "full, minimal or none"),
            };
            if !known.contains(&value) {
                return Err(bad(knob, format!("{said}, not {}", quoted())));
            }
        }
        "ports" => {
            let (lo, hi) = value.split_once('-').ok_or_else(|| {
                bad(
                    knob,
                    format!("give LO-HI, e.g. 32768-60999, not {}", quoted()),
                )
            })?;
            cfg.ports = Some(PortRange {
                lo: whole(knob, lo)?,
                hi: whole(knob, hi)?,
            });
        }
        "burst" => {
            let form = || {
                bad(
                    knob,
                    format!(
                        "give RATE@AT+FOR, e.g. 5000@10+20 (5,000 a second from 10 s for 20 s), not {}",
                        quoted()
                    ),
                )
            };
            let (rate, rest) = value.split_once('@').ok_or_else(form)?;
            let (at, for_s) = rest.split_once('+').ok_or_else(form)?;
            cfg.burst = Some(Burst {
                rate: whole(knob, rate)?,
                at_s: whole(knob, at)?,
                for_s: whole(knob, for_s)?,
            });
        }
        _ => return Err(bad("link", format!("no knob `{}`", shown(knob)))),
    }
    Ok(())
}

/// A whole number written with ASCII digits only (no sign, no spaces).
fn whole<T: std::str::FromStr>(knob: &str, value: &str) -> Result<T, KnobError> {
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        if let Ok(v) = value.parse() {
            return Ok(v);
        }
    }
    Err(bad(
        knob,
        format!("a whole number in range, not `{}`", shown(value)),
    ))
}

/// A plain decimal number (`12`, `0.5`, `1e-3`): no `inf`, `NaN` or hex.
/// Read by [`farewell_share::number`], correctly rounded as `str::parse`
/// reads it, without the standard parser's 10 KB table in the lab's wasm.
fn decimal(knob: &str, value: &str) -> Result<f64, KnobError> {
    let plain = !value.is_empty()
        && value.starts_with(|c: char| c.is_ascii_digit() || c == '.')
        && value
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'-' | b'+'));
    match farewell_share::number(value) {
        Some(v) if plain && v.is_finite() => Ok(v),
        _ => Err(bad(knob, format!("a number, not `{}`", shown(value)))),
    }
}

fn on_off(knob: &str, value: &str) -> Result<bool, KnobError> {
    match value {
        "on" => Ok(true),
        "off" => Ok(false),
        _ => Err(bad(knob, format!("on or off, not `{}`", shown(value)))),
    }
}

/// The text a knob's field shows for `cfg`, as a link writes it; `None` for a
/// knob left to its default (`ports`, `burst`, `timestamps`,
/// `max-tw-buckets`, `time-wait-ms`, `restart-at`, `pool`: the platform's or
/// none).
pub fn value_of(cfg: &LabConfig, knob: &str) -> Option<String> {
    let on = |b: bool| if b { "on" } else { "off" }.to_string();
    Some(match knob {
        "platform" => cfg.platform.id().into(),
        "rate" => cfg.rate.to_string(),
        "burst" => cfg
            .burst
            .map(|b| format!("{}@{}+{}", b.rate, b.at_s, b.for_s))?,
        "duration" => cfg.duration_s.to_string(),
        "closer" => match cfg.closer {
            Closer::Client => "client",
            Closer::Server => "server",
        }
        .into(),
        "ports" => cfg.ports.map(|p| format!("{}-{}", p.lo, p.hi))?,
        "source-ips" => cfg.source_ips.to_string(),
        "destinations" => cfg.destinations.to_string(),
        "tw-reuse" => cfg.tw_reuse.to_string(),
        "loopback" => on(cfg.loopback),
        "timestamps" => on(cfg.timestamps?),
        "max-tw-buckets" => cfg.max_tw_buckets?.to_string(),
        "requests-per-connection" => cfg.requests_per_connection.to_string(),
        "pool" => cfg.pool?.to_string(),
        "conn-ms" => Shortest(cfg.conn_ms).to_string(),
        "delay-ms" => Shortest(cfg.delay_ms).to_string(),
        "loss" => Shortest(cfg.loss).to_string(),
        "time-wait-ms" => Shortest(cfg.time_wait_ms?).to_string(),
        "seed" => cfg.seed.to_string(),
        "restart-at" => Shortest(cfg.restart_at_s?).to_string(),
        "reuseaddr" => on(cfg.reuseaddr),
        _ => return None,
    })
}

/// Sets a knob from what a person typed into its field: surrounding spaces
/// ignored, and an empty field puts an optional knob back to its default.
/// The config is changed only if the value reads.
pub fn set_text(cfg: &mut LabConfig, knob: &str, text: &str) -> Result<(), KnobError> {
    let text = text.trim();
    if text.is_empty() {
        let d = LabConfig::default();
        match knob {
            "burst" => cfg.burst = d.burst,
            "ports" => cfg.ports = d.ports,
            "timestamps" => cfg.timestamps = d.timestamps,
            "max-tw-buckets" => cfg.max_tw_buckets = d.max_tw_buckets,
            "pool" => cfg.pool = d.pool,
            "time-wait-ms" => cfg.time_wait_ms = d.time_wait_ms,
            "restart-at" => {
                cfg.restart_at_s = None;
                cfg.reuseaddr = false;
            }
            _ => return Err(bad(knob, "give a value".into())),
        }
        return Ok(());
    }
    let mut next = cfg.clone();
    set(&mut next, knob, text)?;
    *cfg = next;
    Ok(())
}

/// `(knob, value)` for every knob that differs from the default, in [`KNOBS`]
/// order. `reuseaddr` only with a restart, since it applies to none other.
pub fn changed(cfg: &LabConfig) -> Vec<(&'static str, String)> {
    let d = LabConfig::default();
    KNOBS
        .iter()
        .filter(|(k, _)| *k != "reuseaddr" || cfg.restart_at_s.is_some())
        .filter_map(|&(k, _)| {
            let v = value_of(cfg, k)?;
            (Some(&v) != value_of(&d, k).as_ref()).then_some((k, v))
        })
        .collect()
}

/// The link fragment (without `#`) for `cfg`: empty for the default lab.
pub fn to_fragment(cfg: &LabConfig) -> String {
    changed(cfg)
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

/// The `farewell lab` command that runs `cfg` (text format, as a person
/// would type it).
pub fn cli_command(cfg: &LabConfig) -> String {
    let mut out = String::from("farewell lab");
    for (k, v) in changed(cfg) {
        match k {
            "loopback" if v == "on" => out.push_str(" --loopback"),
            "reuseaddr" => out.push_str(" --reuseaddr"),
            "loopback" => {}
            _ => {
                out.push_str(" --");
                out.push_str(k);
                out.push(' ');
                out.push_str(&v);
            }
        }
    }
    out.push_str(" --format text");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_field_emptied_puts_an_optional_knob_back_and_a_bad_value_changes_nothing() {
        let mut cfg = from_fragment("ports=40000-40999&restart-at=5&reuseaddr=on").unwrap();
        set_text(&mut cfg, "ports", "  ").unwrap();
        assert_eq!(cfg.ports, None);
        set_text(&mut cfg, "restart-at", "").unwrap();
        assert_eq!((cfg.restart_at_s, cfg.reuseaddr), (None, false));
        let before = cfg.clone();
        assert_eq!(
            set_text(&mut cfg, "rate", "").unwrap_err().to_string(),
            "rate: give a value"
        );
        assert_eq!(
            set_text(&mut cfg, "ports", "1-x").unwrap_err().to_string(),
            "ports: a whole number in range, not `x`"
        );
        assert_eq!(cfg, before);
        set_text(&mut cfg, "rate", " 2500 ").unwrap();
        assert_eq!(cfg.rate, 2500);
    }

    #[test]
    fn a_pool_is_in_the_link_and_the_command_after_requests_per_connection() {
        let cfg = from_fragment("rate=5000&requests-per-connection=0&pool=32").unwrap();
        assert_eq!((cfg.pool, cfg.requests_per_connection), (Some(32), 0));
        assert_eq!(
            to_fragment(&cfg),
            "rate=5000&requests-per-connection=0&pool=32"
        );
        assert_eq!(
            cli_command(&cfg),
            "farewell lab --rate 5000 --requests-per-connection 0 --pool 32 --format text"
        );
        let mut cfg = cfg;
        set_text(&mut cfg, "pool", "").unwrap();
        assert_eq!(cfg.pool, None);
    }

    #[test]
    fn the_default_lab_is_the_empty_link() {
        assert_eq!(to_fragment(&LabConfig::default()), "");
        assert_eq!(from_fragment("").unwrap(), LabConfig::default());
        assert_eq!(from_fragment("#").unwrap(), LabConfig::default());
    }

    #[test]
    fn a_link_names_only_what_changed_in_the_cli_order() {
        let cfg = LabConfig {
            rate: 5000,
            closer: Closer::Server,
            tw_reuse: 1,
            restart_at_s: Some(20.0),
            reuseaddr: true,
            ..LabConfig::default()
        };
        let f = to_fragment(&cfg);
        assert_eq!(
            f,
            "rate=5000&closer=server&tw-reuse=1&restart-at=20&reuseaddr=on"
        );
        assert_eq!(from_fragment(&f).unwrap(), cfg);
        assert_eq!(
            cli_command(&cfg),
            "farewell lab --rate 5000 --closer server --tw-reuse 1 --restart-at 20 --reuseaddr --format text"
        );
    }

    #[test]
    fn decimals_read_as_str_parse_reads_them() {
        // `decimal` uses farewell_share::number (no core parser in the wasm);
        // it must accept and round exactly what `str::parse` did here.
        let old = |v: &str| {
            let plain = !v.is_empty()
                && v.starts_with(|c: char| c.is_ascii_digit() || c == '.')
                && v.bytes()
                    .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'-' | b'+'));
            v.parse::<f64>().ok().filter(|x| plain && x.is_finite())
        };
        let cases = [
            "0",
            "12",
            "0.5",
            ".5",
            "5.",
            "1e-3",
            "2.5E+3",
            "0.1",
            "0.30000000000000004",
            "1e308",
            "1e309",
            "1e-400",
            "123456789012345678901234567890",
            "-1",
            "+1",
            "1e",
            "e5",
            ".",
            "1..2",
            "1-2",
            "1e+",
            "NaN",
            "inf",
            " 1",
            "1 ",
            "",
            "2.2250738585072014e-308",
            "4.9e-324",
            "9007199254740993",
            "0.05",
        ];
        for v in cases {
            assert_eq!(decimal("loss", v).ok(), old(v), "{v:?}");
        }
        let mut state = 7u64;
        for _ in 0..20_000 {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let x = f64::from_bits(state >> 2);
            if x.is_finite() {
                for text in [format!("{x}"), format!("{x:e}"), format!("{:.3}", x)] {
                    assert_eq!(decimal("loss", &text).ok(), old(&text), "{text}");
                }
            }
        }
    }

    #[test]
    fn bad_links_name_the_knob_and_quote_short() {
        let e = |f: &str| from_fragment(f).unwrap_err().to_string();
        assert_eq!(e("rate=0"), "rate: must be 1 to 100000 per second, got 0");
        assert_eq!(e("rate=-5"), "rate: a whole number in range, not `-5`");
        assert_eq!(
            e("rate=99999999999999999999"),
            "rate: a whole number in range, not `99999999999999999999`"
        );
        assert_eq!(e("duration=601"), "duration: must be 1 to 600 s, got 601");
        assert_eq!(e("loss=NaN"), "loss: a number, not `NaN`");
        assert_eq!(e("loss=inf"), "loss: a number, not `inf`");
        assert_eq!(
            e("loss=0.9"),
            "loss: must be a probability from 0 to 0.5, got 0.9"
        );
        assert_eq!(e("rate=10&rate=20"), "rate: given twice");
        assert_eq!(e("closer=both"), "closer: client or server, not `both`");
        assert_eq!(e("pool=0"), "pool: must be 1 to 100000 connections, got 0");
        assert_eq!(e("pool=-1"), "pool: a whole number in range, not `-1`");
        assert_eq!(
            e("requests-per-connection=0"),
            "requests-per-connection: must be 1 to 10000 (or 0, never closed, with a pool), got 0"
        );
        assert!(from_fragment("pool=8&requests-per-connection=0").is_ok());
        assert_eq!(
            e("reuseaddr=on"),
            "reuseaddr: applies to a server restart: give restart-at too"
        );
        assert!(
            e("colour=red").starts_with("link: no knob `colour`; the knobs are platform, rate,")
        );
        assert!(e("burst=5000").starts_with("burst: give RATE@AT+FOR"));
        assert!(e("burst=5000@50+20").starts_with("burst: the burst (20 s from 50 s)"));
        let long = format!("x{}=1", "y".repeat(900));
        let msg = e(&long);
        assert!(msg.len() < 400 && msg.contains("… ("), "{msg}");
        let huge = "rate=1&".repeat(500);
        assert!(e(&huge).starts_with("link: the lab part of this link is 3500 bytes"));
    }
}
