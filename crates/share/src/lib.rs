//! Share links: what the playground puts after the `#` of its URL.
//!
//! A share link names a scenario, a playback position and how the page is shown.
//! Course authors write these by hand (`#s=lost-final-ack&p=windows`), so the
//! format below is a **public contract**: keys keep their meaning, new keys may be
//! added, and old links keep working.
//!
//! # Format
//!
//! The fragment is `key=value` parameters joined by `&`, like a query string
//! (an optional leading `#` is ignored). Values may be percent-encoded
//! (RFC 3986 §2.1); `+` is a plain plus, not a space.
//!
//! | key        | value                                   | meaning |
//! |------------|-----------------------------------------|---------|
//! | `s`        | built-in id, e.g. `lost-final-ack`      | start from this built-in scenario (see `farewell scenarios`) |
//! | `c`        | `z` or `j`, then base64url              | a custom scenario, see [below](#custom-scenarios-c) |
//! | `p`        | `linux` `freebsd` `macos` `windows` `solaris` `rfc793` | platform |
//! | `msl`      | milliseconds > 0, or `platform`         | MSL override (TIME_WAIT = 2×MSL); `platform`: the platform's own MSL |
//! | `d`        | milliseconds ≥ 0                         | one-way link delay (`link.delay_ms`) |
//! | `loss`     | probability 0…1                          | random loss (`link.loss`) |
//! | `seed`     | 0 … 2⁶⁴−1                                | seed of the loss and ISN randomness |
//! | `hs`       | `1` or `0`                               | start with a three-way handshake |
//! | `drop`     | rules joined by `,` (may be empty)       | replaces the drop rules, see [below](#drop-rules-drop) |
//! | `t`        | milliseconds ≥ 0                         | playback position in simulated time |
//! | `v`        | `1` `10` `100` `skip`                    | playback speed (`skip`: skip waits) |
//! | `fit`      | `1` or `0`                               | fit the whole diagram in view instead of scrolling it |
//! | `embed`    | `1` or `0`                               | embedded in a course page (iframe): diagram, narration, no page chrome |
//! | `controls` | `full` `minimal` `none`                  | with `embed=1`: which controls to show (`none`: the diagram alone) |
//! | `autoplay` | `1` or `0`                               | start playing at once |
//!
//! Booleans also accept `true`/`false`, and a bare key (`#s=lost-fin&embed`)
//! means `1`. Keys are lower case; values are read in either case
//! (`p=Windows`), and written as in the table. Numbers are decimals: an
//! optional sign, digits with at most one `.` (`20`, `0.05`, `1234.5`, `.5`,
//! `5.`), and optionally an exponent, `e` or `E` then an optionally signed
//! whole number (`1e-7`, `2.5E+3`); any number of digits is read, correctly
//! rounded to the nearest `f64` (as Rust's `str::parse` does; see
//! [`number`]). NaN, infinity and values out of range are errors, and
//! milliseconds are capped at one day ([`MAX_MS`]), as in scenario files.
//! [`encode`] writes the shortest digits that read back to the same `f64`,
//! plain, or below 1e-4 with an exponent (`loss=0.05`, `t=1234.5`,
//! `d=1e-7`), so every value round-trips exactly.
//!
//! The scenario is built in this order: the base is the built-in named by `s`
//! (or the default built-in, `normal-close`, when neither `s` nor `c` is given);
//! `c` then replaces whole top-level scenario fields; then `p`, `msl`, `d`,
//! `loss`, `seed`, `hs` and `drop` override their fields. The result must pass
//! [`Scenario::validate`], or the link is an error. So `#p=windows` is the
//! ordinary close on Windows, and the empty fragment is the default built-in.
//!
//! ## Drop rules (`drop`)
//!
//! Each rule is `FROM:KIND[:AFTER_MS[:NTH[:COUNT]]]` — the fields of a scenario
//! file's `drops` entry ([`DropRule`]) in order, trailing defaults left out
//! (`AFTER_MS` 0, `NTH` 1, `COUNT` 1). `FROM` is `A` or `B`; `KIND` is `FIN`,
//! `ACK`, `DATA`, `RST`, `SYN` or `ANY` (either case). Examples: `A:FIN` drops
//! A's first FIN; `B:FIN:0:1:2` drops B's first two FINs; `A:ANY:220` drops the
//! first segment A sends at or after 220 ms. The separator is `:`, not `.`,
//! because times may have decimals (`A:ANY:220.5`). `drop=` (empty) removes
//! the built-in's drop rules.
//!
//! ## Custom scenarios (`c`)
//!
//! Edits the short parameters cannot express (actions, hosts, tunables,
//! duplicates, name, description, time limit) travel in `c`: a scenario file
//! (the JSON that `farewell` reads, compact) whose top-level fields replace
//! those of the base; fields left out keep the base's value, and `null` resets
//! `msl_ms` / `time_limit_ms` to "not set". The base is the built-in named by
//! `s` (the link then also says which built-in the scenario was edited from),
//! or without `s` the scenario-file defaults (Linux, 20 ms delay, no actions).
//! Numbers in `c` read back exactly when they have at most 15 significant
//! digits and are 0 or at least 10⁻⁷ (every value a person types; the
//! parameters above are exact for any `f64`), as in scenario files; the
//! playground, which reads JSON with the browser's parser, reads every
//! number exactly.
//! The first character says how the JSON is packed, the rest is base64url
//! without padding (RFC 4648 §5; padding is accepted):
//!
//! * `z`: raw DEFLATE (RFC 1951, no zlib or gzip header) of the UTF-8 JSON;
//!   any DEFLATE stream is read (e.g. Python's `zlib.compressobj(9, 8, -15)`),
//!   [`encode`] writes one fixed-Huffman block;
//! * `j`: the UTF-8 JSON itself (written when shorter than `z`).
//!
//! ## Unknown keys, duplicates, limits
//!
//! * Unknown keys are **ignored** (their values are not even decoded), so links
//!   from a newer version, or with tracking junk (`utm_source=…`), still open.
//!   [`ignored_keys`] lists them, for the app to point out typos.
//! * A part without `=` is a bare key: `1` for the boolean keys (`hs`, `embed`,
//!   `autoplay`), an error for the other known keys, and ignored otherwise, so
//!   an in-page anchor (`#about`) opens the default scenario. Empty parts
//!   (`&&`) are skipped.
//! * Inside `c`, unknown JSON fields are **errors** (as in scenario files): a
//!   misspelt field silently ignored would show a different scenario than the
//!   author meant.
//! * A known key given twice is an error (which one was meant is unclear).
//! * A fragment longer than [`MAX_FRAGMENT_LEN`] bytes, or a `c` that inflates
//!   to more than [`MAX_JSON_LEN`] bytes, is an error; JSON nesting is bounded
//!   by that length and the typed reader stops at the first value of the wrong
//!   shape (natively serde_json's recursion limit is a further backstop; in
//!   the browser `JSON.parse` reads the text). Decoding never panics.
//!
//! [`encode`] writes keys in the order of the table, only those that differ
//! from the base, so an unedited built-in at `t=0` is just `s=<id>`, and
//! `decode(&encode(f)) == Ok(f)` for every fragment `f` whose scenario passes
//! [`Scenario::validate`] (and whose numbers inside `c` meet the rule above).

mod base64url;

/// base64url without padding, as share links carry `c` (RFC 4648 §5).
pub use base64url::encode as base64url_encode;
mod custom;
mod deflate;
mod inflate;
mod number;
mod params;

pub use number::number;

use farewell_engine::scenario::MAX_MS;
use farewell_engine::{builtin, DropRule, Host, Platform, Scenario, SegmentKind};
use std::fmt::{self, Write as _};

/// Longest fragment [`decode`] reads, in bytes: far above any real link (a
/// heavily edited scenario is a few hundred bytes) and well within what
/// browsers keep in a URL.
pub const MAX_FRAGMENT_LEN: usize = 16 * 1024;

/// Most bytes the JSON in `c` may inflate to: bounds the work a hostile link
/// (a "deflate bomb") can cause.
pub const MAX_JSON_LEN: usize = 64 * 1024;

/// Everything a share link holds.
#[derive(Clone, Debug, PartialEq)]
pub struct Fragment {
    /// The built-in the scenario was started from (`None`: a custom scenario).
    pub builtin: Option<String>,
    pub scenario: Scenario,
    /// Playback position, ms of simulated time.
    pub time_ms: f64,
    /// Playback speed; `None`: the app's default.
    pub speed: Option<Speed>,
    /// `fit=1`: the whole diagram scaled to the height available, instead of
    /// the full-width diagram scrolling with the playhead.
    pub fit: bool,
    pub embed: Embed,
}

impl Fragment {
    /// An unedited built-in at time 0, or `None` for an unknown id.
    pub fn from_builtin(id: &str) -> Option<Fragment> {
        builtin::get(id).map(|scenario| Fragment {
            builtin: Some(id.to_string()),
            scenario,
            time_ms: 0.0,
            speed: None,
            fit: false,
            embed: Embed::default(),
        })
    }
}

impl Default for Fragment {
    /// The default built-in: what the empty fragment means.
    fn default() -> Self {
        Fragment::from_builtin(builtin::DEFAULT).expect("the default built-in exists")
    }
}

/// Playback speed (`v`): simulated time per real time, or skip waits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Speed {
    X1,
    X10,
    X100,
    SkipWaits,
}

impl Speed {
    pub const ALL: [Speed; 4] = [Speed::X1, Speed::X10, Speed::X100, Speed::SkipWaits];

    /// The link's spelling: `1`, `10`, `100`, `skip`.
    pub const fn id(self) -> &'static str {
        match self {
            Speed::X1 => "1",
            Speed::X10 => "10",
            Speed::X100 => "100",
            Speed::SkipWaits => "skip",
        }
    }

    /// Reads [`Speed::id`], in either case (`skip`, `SKIP`).
    pub fn from_id(id: &str) -> Option<Speed> {
        Speed::ALL
            .into_iter()
            .find(|s| s.id().eq_ignore_ascii_case(id))
    }
}

/// How the page is shown when embedded in a course page.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Embed {
    /// `embed=1`: no page chrome (header, menus), just the playground.
    pub enabled: bool,
    pub controls: Controls,
    /// `autoplay=1`: start playing when loaded.
    pub autoplay: bool,
}

/// Which controls an embedded playground shows (`controls`, with `embed=1`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Controls {
    /// Every control the embedded view offers.
    #[default]
    Full,
    /// Playback only (play, step, scrubber).
    Minimal,
    /// None: the diagram alone (pair with `autoplay=1`).
    None,
}

impl Controls {
    pub const ALL: [Controls; 3] = [Controls::Full, Controls::Minimal, Controls::None];

    pub const fn id(self) -> &'static str {
        match self {
            Controls::Full => "full",
            Controls::Minimal => "minimal",
            Controls::None => "none",
        }
    }

    /// Reads [`Controls::id`], in either case.
    pub fn from_id(id: &str) -> Option<Controls> {
        Controls::ALL
            .into_iter()
            .find(|c| c.id().eq_ignore_ascii_case(id))
    }
}

/// A link that could not be read, with a message for the user that names the
/// parameter at fault (``"`p=xyz` is not a platform (…)"``).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShareError {
    /// The key at fault (`p`, `c`, …); empty when it is the whole fragment.
    pub key: String,
    pub message: String,
}

impl ShareError {
    fn new(key: &str, message: impl Into<String>) -> ShareError {
        ShareError {
            key: key.to_string(),
            message: message.into(),
        }
    }

    /// ``"`key=value` is not <what>"``: the one shape of most messages, in one
    /// place so every check does not carry its own formatting code in the wasm.
    fn not_a(key: &str, value: &str, what: &str) -> ShareError {
        ShareError::new(
            key,
            format!("`{key}={}` is not {what}", params::shown(value)),
        )
    }
}

impl fmt::Display for ShareError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ShareError {}

/// The fields the short parameters (`p`, `msl`, `d`, `loss`, `seed`, `hs`,
/// `drop`) carry, copied from `from` into `to`.
fn copy_param_fields(to: &mut Scenario, from: &Scenario) {
    to.platform = from.platform;
    to.msl_ms = from.msl_ms;
    to.link = from.link;
    to.seed = from.seed;
    to.handshake = from.handshake;
    to.drops.clone_from(&from.drops);
}

/// Writes a fragment (without the leading `#`). Deterministic: keys in the
/// order of the format table, and only those that differ from the base.
///
/// ```
/// use farewell_engine::Platform;
/// use farewell_share::{encode, Fragment};
/// let mut f = Fragment::from_builtin("lost-fin").unwrap();
/// assert_eq!(encode(&f), "s=lost-fin");
/// f.scenario.platform = Platform::Macos;
/// f.time_ms = 250.0;
/// assert_eq!(encode(&f), "s=lost-fin&p=macos&t=250");
/// ```
///
/// A `builtin` that is not a known built-in id is left out (the link could not
/// be opened with it); the scenario then travels whole in `c`.
pub fn encode(f: &Fragment) -> String {
    let known = f
        .builtin
        .as_deref()
        .and_then(|id| builtin::get(id).map(|s| (id, s)));
    let mut out = String::new();
    let mut put = |key: &str, value: &str| {
        if !out.is_empty() {
            out.push('&');
        }
        out.push_str(key);
        out.push('=');
        out.push_str(value);
    };
    let base = match known {
        Some((id, base)) => {
            put("s", id);
            // The short parameters carry their fields; `c` only the rest, and
            // only if something there changed.
            let mut with_params = base.clone();
            copy_param_fields(&mut with_params, &f.scenario);
            if with_params != f.scenario {
                put("c", &custom::encode(&base, &f.scenario));
            }
            base
        }
        None => {
            // Always `c`: without it the link would mean the default built-in.
            let base = custom::blank();
            put("c", &custom::encode(&base, &f.scenario));
            base
        }
    };
    let (s, b) = (&f.scenario, &base);
    if s.platform != b.platform {
        put("p", s.platform.id());
    }
    if s.msl_ms != b.msl_ms {
        match s.msl_ms {
            Some(ms) => put("msl", &num(ms)),
            None => put("msl", "platform"),
        }
    }
    if s.link.delay_ms != b.link.delay_ms {
        put("d", &num(s.link.delay_ms));
    }
    if s.link.loss != b.link.loss {
        put("loss", &num(s.link.loss));
    }
    if s.seed != b.seed {
        put("seed", &s.seed.to_string());
    }
    if s.handshake != b.handshake {
        put("hs", if s.handshake { "1" } else { "0" });
    }
    if s.drops != b.drops {
        put("drop", &drops_to_param(&s.drops));
    }
    if f.time_ms != 0.0 {
        put("t", &num(f.time_ms));
    }
    if let Some(v) = f.speed {
        put("v", v.id());
    }
    if f.fit {
        put("fit", "1");
    }
    if f.embed.enabled {
        put("embed", "1");
    }
    if f.embed.controls != Controls::Full {
        put("controls", f.embed.controls.id());
    }
    if f.embed.autoplay {
        put("autoplay", "1");
    }
    out
}

/// A number as the link writes it: the shortest digits that read back to the
/// same `f64` (Rust's `{}`), plain as people type them (`0.005`), or below
/// 1e-4 with an exponent, as Rust's `{:?}` does (`1e-7`, not `0.0000001`;
/// `5e-324`, not 326 characters). [`number`] reads either back exactly.
fn num(v: f64) -> String {
    let plain = farewell_num::Shortest(v).to_string();
    if v >= 1e-4 {
        return plain;
    }
    if let Some(fraction) = plain.strip_prefix("0.") {
        // `0.000ddd` is `d.dde-4`.
        let digits = fraction.trim_start_matches('0');
        let exponent = fraction.len() - digits.len() + 1;
        let (first, rest) = digits.split_at(1);
        let point = if rest.is_empty() { "" } else { "." };
        let short = format!("{first}{point}{rest}e-{exponent}");
        if short.len() < plain.len() {
            return short;
        }
    }
    plain
}

/// `drop` value: each rule in its shortest form (trailing defaults left out).
fn drops_to_param(drops: &[DropRule]) -> String {
    let mut out = String::new();
    for (i, d) in drops.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let _ = write!(out, "{}:{}", d.from, d.kind.name());
        if d.count != 1 {
            let _ = write!(out, ":{}:{}:{}", num(d.after_ms), d.nth, d.count);
        } else if d.nth != 1 {
            let _ = write!(out, ":{}:{}", num(d.after_ms), d.nth);
        } else if d.after_ms != 0.0 {
            let _ = write!(out, ":{}", num(d.after_ms));
        }
    }
    out
}

/// The keys of a fragment that [`decode`] ignores because they are not part of
/// the format, each once (quoted as in error messages: at most 40 characters).
/// The playground can show them, so that a course author who wrote
/// `#s=lost-fin&platform=windows` learns that the key is `p`.
///
/// ```
/// assert_eq!(farewell_share::ignored_keys("#s=lost-fin&platform=windows"), ["platform"]);
/// ```
pub fn ignored_keys(fragment: &str) -> Vec<String> {
    let text = fragment.strip_prefix('#').unwrap_or(fragment);
    if text.len() > MAX_FRAGMENT_LEN {
        return Vec::new();
    }
    params::unknown_keys(text)
}

/// Reads a fragment, with or without its leading `#`. See the [format](crate).
///
/// ```
/// use farewell_engine::Platform;
/// let f = farewell_share::decode("#s=lost-final-ack&p=windows&t=1500").unwrap();
/// assert_eq!(f.builtin.as_deref(), Some("lost-final-ack"));
/// assert_eq!(f.scenario.platform, Platform::Windows);
/// assert_eq!(f.time_ms, 1500.0);
///
/// let e = farewell_share::decode("#s=lost-final-ack&p=xyz").unwrap_err();
/// assert_eq!(e.key, "p");
/// assert!(e.to_string().starts_with("`p=xyz` is not a platform (linux, freebsd"));
/// ```
pub fn decode(fragment: &str) -> Result<Fragment, ShareError> {
    let text = fragment.strip_prefix('#').unwrap_or(fragment);
    if text.len() > MAX_FRAGMENT_LEN {
        return Err(ShareError::new(
            "",
            format!(
                "the link is too long ({} bytes; at most {MAX_FRAGMENT_LEN})",
                text.len()
            ),
        ));
    }
    let p = params::Params::parse(text)?;

    let (builtin_id, mut scenario) = match p.get("s") {
        Some(id) => match builtin::ids()
            .find(|b| b.eq_ignore_ascii_case(id))
            .and_then(|b| Some((b, builtin::get(b)?)))
        {
            Some((canonical, base)) => (Some(canonical.to_string()), base),
            None => {
                let ids = builtin::ids().collect::<Vec<_>>().join(", ");
                return Err(ShareError::not_a(
                    "s",
                    id,
                    &format!("a built-in scenario ({ids})"),
                ));
            }
        },
        None if p.get("c").is_some() => (None, custom::blank()),
        None => {
            let f = Fragment::default();
            (f.builtin, f.scenario)
        }
    };
    if let Some(c) = p.get("c") {
        custom::apply(&mut scenario, c)?;
    }

    if let Some(v) = p.get("p") {
        scenario.platform = parse_platform(v)?;
    }
    if let Some(v) = p.get("msl") {
        scenario.msl_ms = if v.eq_ignore_ascii_case("platform") {
            None
        } else {
            Some(params::ms("msl", v, false, "an MSL")?)
        };
    }
    if let Some(v) = p.get("d") {
        scenario.link.delay_ms = params::ms("d", v, true, "a delay")?;
    }
    if let Some(v) = p.get("loss") {
        scenario.link.loss = params::probability("loss", v)?;
    }
    if let Some(v) = p.get("seed") {
        scenario.seed = v.parse().map_err(|_| {
            ShareError::not_a(
                "seed",
                v,
                "a seed: give a whole number from 0 to 18446744073709551615",
            )
        })?;
    }
    if let Some(v) = p.get("hs") {
        scenario.handshake = params::boolean("hs", v)?;
    }
    if let Some(v) = p.get("drop") {
        scenario.drops = parse_drops(v)?;
    }
    scenario.validate().map_err(|e| {
        let key = if e.field.starts_with("drops") && p.get("drop").is_some() {
            "drop"
        } else {
            ""
        };
        ShareError::new(key, format!("the linked scenario cannot run: {e}"))
    })?;

    let time_ms = match p.get("t") {
        Some(v) => params::ms("t", v, true, "a time")?,
        None => 0.0,
    };
    let speed = match p.get("v") {
        Some(v) => Some(
            Speed::from_id(v)
                .ok_or_else(|| ShareError::not_a("v", v, "a speed (1, 10, 100, skip)"))?,
        ),
        None => None,
    };
    let fit = match p.get("fit") {
        Some(v) => params::boolean("fit", v)?,
        None => false,
    };
    let mut embed = Embed::default();
    if let Some(v) = p.get("embed") {
        embed.enabled = params::boolean("embed", v)?;
    }
    if let Some(v) = p.get("controls") {
        embed.controls = Controls::from_id(v).ok_or_else(|| {
            ShareError::not_a("controls", v, "a controls setting (full, minimal, none)")
        })?;
    }
    if let Some(v) = p.get("autoplay") {
        embed.autoplay = params::boolean("autoplay", v)?;
    }
    Ok(Fragment {
        builtin: builtin_id,
        scenario,
        time_ms,
        speed,
        fit,
        embed,
    })
}

fn parse_platform(v: &str) -> Result<Platform, ShareError> {
    Platform::ALL
        .into_iter()
        .find(|p| p.id().eq_ignore_ascii_case(v))
        .ok_or_else(|| {
            let ids = Platform::ALL.map(Platform::id).join(", ");
            ShareError::not_a("p", v, &format!("a platform ({ids})"))
        })
}

fn parse_drops(v: &str) -> Result<Vec<DropRule>, ShareError> {
    if v.is_empty() {
        return Ok(Vec::new());
    }
    v.split(',').map(parse_drop).collect()
}

/// One `FROM:KIND[:AFTER_MS[:NTH[:COUNT]]]` rule.
fn parse_drop(rule: &str) -> Result<DropRule, ShareError> {
    let bad = |why: &str| {
        ShareError::not_a(
            "drop",
            rule,
            &format!("a drop rule: {why} (write FROM:KIND[:AFTER_MS[:NTH[:COUNT]]], e.g. A:FIN or B:ANY:220:1:2)"),
        )
    };
    let mut parts = rule.split(':');
    let from = match parts.next().unwrap_or_default() {
        "A" | "a" => Host::A,
        "B" | "b" => Host::B,
        _ => return Err(bad("FROM must be A or B")),
    };
    let kind_text = parts.next().ok_or_else(|| bad("KIND is missing"))?;
    let kind = SegmentKind::ALL
        .into_iter()
        .find(|k| k.name().eq_ignore_ascii_case(kind_text))
        .ok_or_else(|| bad("KIND must be FIN, ACK, DATA, RST, SYN or ANY"))?;
    let after_ms = match parts.next() {
        Some(t) => params::finite(t)
            .filter(|t| (0.0..=MAX_MS).contains(t))
            .ok_or_else(|| bad("AFTER_MS must be milliseconds, 0 or more (up to one day)"))?,
        None => 0.0,
    };
    let mut positive = |why: &str| -> Result<u32, ShareError> {
        match parts.next() {
            Some(n) => n
                .parse::<u32>()
                .ok()
                .filter(|n| *n >= 1)
                .ok_or_else(|| bad(why)),
            None => Ok(1),
        }
    };
    let nth = positive("NTH must be a whole number, 1 or more")?;
    let count = positive("COUNT must be a whole number, 1 or more")?;
    if parts.next().is_some() {
        return Err(bad("too many `:` parts"));
    }
    Ok(DropRule {
        from,
        kind,
        after_ms,
        nth,
        count,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drop_rules_use_shortest_form() {
        let rule = |after_ms, nth, count| DropRule {
            from: Host::B,
            kind: SegmentKind::Fin,
            after_ms,
            nth,
            count,
        };
        assert_eq!(drops_to_param(&[rule(0.0, 1, 1)]), "B:FIN");
        assert_eq!(drops_to_param(&[rule(220.5, 1, 1)]), "B:FIN:220.5");
        assert_eq!(drops_to_param(&[rule(0.0, 2, 1)]), "B:FIN:0:2");
        assert_eq!(
            drops_to_param(&[rule(0.0, 1, 3), rule(7.0, 1, 1)]),
            "B:FIN:0:1:3,B:FIN:7"
        );
        for text in ["B:FIN", "B:FIN:220.5", "B:FIN:0:2", "B:FIN:0:1:3"] {
            let parsed = parse_drops(text).unwrap();
            assert_eq!(drops_to_param(&parsed), text);
        }
    }

    #[test]
    fn drop_rules_accept_lower_case() {
        assert_eq!(
            parse_drop("a:ack:200").unwrap(),
            DropRule {
                from: Host::A,
                kind: SegmentKind::Ack,
                after_ms: 200.0,
                nth: 1,
                count: 1
            }
        );
    }

    #[test]
    fn bad_drop_rules_say_what_is_wrong() {
        for (text, why) in [
            ("C:FIN", "FROM must be A or B"),
            ("A", "KIND is missing"),
            ("A:PSH", "KIND must be"),
            ("A:FIN:-1", "AFTER_MS"),
            ("A:FIN:nan", "AFTER_MS"),
            ("A:FIN:0:0", "NTH must be"),
            ("A:FIN:0:1:0", "COUNT must be"),
            ("A:FIN:0:1:1:1", "too many"),
            ("A:FIN:1e300", "AFTER_MS"),
        ] {
            let e = parse_drop(text).unwrap_err();
            assert_eq!(e.key, "drop");
            assert!(e.message.contains(why), "{text}: {}", e.message);
            assert!(e.message.contains(text), "{text}: {}", e.message);
        }
    }

    #[test]
    fn numbers_are_written_shortest() {
        assert_eq!(num(30000.0), "30000");
        assert_eq!(num(MAX_MS), "86400000");
        assert_eq!(num(0.0), "0");
        assert_eq!(num(0.05), "0.05");
        assert_eq!(num(0.005), "0.005");
        assert_eq!(num(0.0001), "0.0001");
        assert_eq!(num(0.00001), "1e-5");
        assert_eq!(num(0.015), "0.015");
        assert_eq!(num(0.0015), "0.0015");
        assert_eq!(num(0.0005), "0.0005");
        assert_eq!(num(1e-7), "1e-7");
        assert_eq!(num(1.2345e-7), "1.2345e-7");
        assert_eq!(num(0.1 + 0.2), "0.30000000000000004");
        assert_eq!(num(5e-324), "5e-324");
        assert_eq!(num(2.225073858507201e-308), "2.225073858507201e-308");
        assert_eq!(num(1234.5), "1234.5");
    }

    /// The writer gives Rust's digits, plain or as `{:e}` writes them, and
    /// [`number`] reads them back with the same bits, for every finite value
    /// the short parameters take (milliseconds up to a day; probabilities).
    #[test]
    fn written_numbers_read_back_exactly() {
        use proptest::prelude::*;
        let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
            cases: 50_000,
            ..ProptestConfig::default()
        });
        let bits = prop_oneof![0..=MAX_MS.to_bits(), 0..=1f64.to_bits()];
        runner
            .run(&bits, |bits| {
                let v = f64::from_bits(bits);
                let text = num(v);
                prop_assert!(
                    text == format!("{v}") || text == format!("{v:e}"),
                    "{}",
                    text
                );
                prop_assert_eq!(number(&text).map(f64::to_bits), Some(bits), "{}", text);
                Ok(())
            })
            .unwrap();
    }
}
