//! Scenario files: the public JSON contract course authors write.
//!
//! Parsing never panics: unknown fields, wrong types, bad values and impossible
//! requests are [`ScenarioError`]s that name the field at fault.

use crate::profile::{Platform, Profile, Tunables};
use crate::segment::{Host, SegmentKind};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Default simulated time limit: one hour, long enough for FreeBSD's 600 s orphan
/// FIN_WAIT_2 and Windows' 240 s TIME_WAIT with retransmissions around them.
pub const DEFAULT_TIME_LIMIT_MS: f64 = 3_600_000.0;
/// Largest accepted one-way delay and MSL-like values (one day), to keep traces sane.
pub const MAX_MS: f64 = 86_400_000.0;
/// Largest scenario file the CLI and the playground's import read (256 KiB: a
/// thousand actions written out take about 80 KB).
pub const MAX_FILE_BYTES: usize = 256 * 1024;
pub use crate::budget::{MAX_RULES, MAX_SEND_BYTES};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default = "default_platform")]
    pub platform: Platform,
    /// Overrides the platform's MSL; TIME_WAIT becomes 2×MSL unless
    /// `tunables.time_wait_ms` says otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub msl_ms: Option<f64>,
    #[serde(default)]
    pub seed: u64,
    /// Start with a three-way handshake (A connects to a listening B) instead of
    /// starting ESTABLISHED.
    #[serde(default)]
    pub handshake: bool,
    #[serde(default)]
    pub link: LinkConfig,
    #[serde(default)]
    pub hosts: Hosts,
    #[serde(default, skip_serializing_if = "is_default")]
    pub tunables: Tunables,
    pub actions: Vec<Action>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub drops: Vec<DropRule>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub duplicates: Vec<DuplicateRule>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_limit_ms: Option<f64>,
}

fn is_default<T: Default + PartialEq>(v: &T) -> bool {
    *v == T::default()
}

fn default_platform() -> Platform {
    Platform::Linux
}

/// The simulated link between A and B (both directions alike).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinkConfig {
    /// One-way delay.
    #[serde(default = "default_delay")]
    pub delay_ms: f64,
    /// Probability that any one segment is lost (seeded by `seed`).
    #[serde(default)]
    pub loss: f64,
}

fn default_delay() -> f64 {
    20.0
}

impl Default for LinkConfig {
    fn default() -> Self {
        LinkConfig {
            delay_ms: default_delay(),
            loss: 0.0,
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Hosts {
    #[serde(rename = "A", default)]
    pub a: HostConfig,
    #[serde(rename = "B", default)]
    pub b: HostConfig,
}

impl Hosts {
    pub fn get(&self, h: Host) -> &HostConfig {
        match h {
            Host::A => &self.a,
            Host::B => &self.b,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HostConfig {
    /// The application reads everything that arrives. `false`: it never reads, so
    /// its close() finds unread data and sends RST.
    #[serde(default = "yes")]
    pub app_reads: bool,
    /// Keep a listening socket, so a SYN to this host opens a new connection.
    /// Default: B listens when `handshake` is true.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub listen: Option<bool>,
    /// Initial sequence numbers for this host's first, second, … connection.
    /// Default: drawn from the seeded RNG, as real stacks randomize them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub isn: Vec<u32>,
    /// The application binds its port before connect(), as the recordings do.
    /// `false`: connect() chooses it, from a range holding only this port
    /// (`ip_local_port_range` = 40000 40000), so it can only get this 4-tuple
    /// back through `tcp_tw_reuse`: a kernel with a wider range would take
    /// another port instead.
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub bind: bool,
}

fn yes() -> bool {
    true
}
fn is_true(v: &bool) -> bool {
    *v
}

impl Default for HostConfig {
    fn default() -> Self {
        HostConfig {
            app_reads: true,
            listen: None,
            isn: Vec::new(),
            bind: true,
        }
    }
}

/// What an application does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Do {
    /// Write `bytes` bytes.
    Send,
    /// close(): FIN, or RST when received data is unread.
    Close,
    /// shutdown(SHUT_WR): FIN, but keep reading (half-close).
    ShutdownWrite,
    /// close() with SO_LINGER {1, 0}: RST, no TIME_WAIT.
    Abort,
    /// connect(): open a (new) connection to the other host, which must listen.
    Connect,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Action {
    /// Absolute time of the call.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_ms: Option<f64>,
    /// Time after this host's application read the peer's FIN (EOF).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after_eof_ms: Option<f64>,
    pub host: Host,
    #[serde(rename = "do")]
    pub what: Do,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bytes: Option<u32>,
}

/// Drops the `nth` segment (1-based) leaving `from` of `kind` at or after
/// `after_ms`, and the `count - 1` matching segments after it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DropRule {
    pub from: Host,
    pub kind: SegmentKind,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub after_ms: f64,
    #[serde(default = "one", skip_serializing_if = "is_one")]
    pub nth: u32,
    #[serde(default = "one", skip_serializing_if = "is_one")]
    pub count: u32,
}

/// Delivers an extra copy of the `nth` matching segment `extra_delay_ms` after the
/// original would arrive: an old duplicate wandering the network.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DuplicateRule {
    pub from: Host,
    pub kind: SegmentKind,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub after_ms: f64,
    #[serde(default = "one", skip_serializing_if = "is_one")]
    pub nth: u32,
    pub extra_delay_ms: f64,
}

fn one() -> u32 {
    1
}
fn is_one(v: &u32) -> bool {
    *v == 1
}
fn is_zero(v: &f64) -> bool {
    *v == 0.0
}

/// A scenario that could not be used, with the field at fault (`link.delay_ms`,
/// `actions[2].bytes`, …) when there is one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScenarioError {
    pub field: String,
    pub message: String,
}

impl ScenarioError {
    pub(crate) fn at(field: impl Into<String>, message: impl Into<String>) -> Self {
        ScenarioError {
            field: field.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.field.is_empty() {
            write!(f, "{}", self.message)
        } else {
            write!(f, "{}: {}", self.field, self.message)
        }
    }
}

impl std::error::Error for ScenarioError {}

impl Scenario {
    /// Parses and validates a scenario file: one JSON object, with nothing but
    /// white space after it. Values quoted in the error (an unknown field, a bad
    /// platform name) are shortened to their first
    /// [`QUOTE_CHARS`](farewell_json::QUOTE_CHARS) characters.
    pub fn from_json(text: &str) -> Result<Scenario, ScenarioError> {
        let de = &mut serde_json::Deserializer::from_str(text);
        let scenario: Scenario = serde_path_to_error::deserialize(&mut *de).map_err(|e| {
            let message = farewell_json::shorten_quoted(&e.inner().to_string());
            ScenarioError::at(field_path(e.path()), message)
        })?;
        de.end().map_err(|e| {
            ScenarioError::at(
                "",
                format!("text after the scenario's closing brace ({e}): give one JSON object"),
            )
        })?;
        scenario.validate()?;
        Ok(scenario)
    }

    /// The scenario as a file, indented. Fails only in the browser, for an
    /// integer above 2^53 − 1 (a huge seed), which JavaScript cannot carry.
    pub fn to_json_pretty(&self) -> Result<String, farewell_json::Error> {
        farewell_json::to_string_pretty(self)
    }

    /// The platform profile with this scenario's MSL override and tunables applied.
    pub fn profile(&self) -> Profile {
        self.platform
            .profile()
            .with_overrides(self.msl_ms, &self.tunables)
    }

    pub fn listens(&self, h: Host) -> bool {
        self.hosts
            .get(h)
            .listen
            .unwrap_or(self.handshake && h == Host::B)
    }

    /// Checks values and requests that parse but cannot be simulated.
    pub fn validate(&self) -> Result<(), ScenarioError> {
        ms("msl_ms", self.msl_ms, false)?;
        ms("time_limit_ms", self.time_limit_ms, false)?;
        ms("link.delay_ms", Some(self.link.delay_ms), true)?;
        if !(0.0..=1.0).contains(&self.link.loss) || !self.link.loss.is_finite() {
            return Err(ScenarioError::at(
                "link.loss",
                format!(
                    "must be a probability from 0 to 1, got {}",
                    farewell_num::Shortest(self.link.loss)
                ),
            ));
        }
        let t = &self.tunables;
        ms("tunables.msl_ms", t.msl_ms, false)?;
        ms("tunables.time_wait_ms", t.time_wait_ms, true)?;
        ms("tunables.fin_timeout_ms", t.fin_timeout_ms, true)?;
        ms("tunables.rto_initial_ms", t.rto_initial_ms, false)?;
        ms("tunables.rto_min_ms", t.rto_min_ms, false)?;
        ms("tunables.rto_max_ms", t.rto_max_ms, false)?;
        ms("tunables.delayed_ack_ms", t.delayed_ack_ms, true)?;
        ms("tunables.tw_reuse_delay_ms", t.tw_reuse_delay_ms, false)?;
        // Other profiles ignore both (`TimeWaitReuse::Refused`).
        if t.tw_reuse.is_some_and(|v| v > 2) {
            return Err(ScenarioError::at("tunables.tw_reuse", "is 0, 1 or 2"));
        }
        let p = self.profile();
        if p.rto_min > p.rto_max {
            return Err(ScenarioError::at(
                "tunables.rto_min_ms",
                format!(
                    "minimum RTO ({}) is above the maximum RTO ({})",
                    p.rto_min, p.rto_max
                ),
            ));
        }
        crate::budget::check(self)?;
        for (i, a) in self.actions.iter().enumerate() {
            let f = |name: &str| format!("actions[{i}].{name}");
            match (a.at_ms, a.after_eof_ms) {
                (Some(_), Some(_)) | (None, None) => {
                    return Err(ScenarioError::at(
                        format!("actions[{i}]"),
                        "give exactly one of `at_ms` or `after_eof_ms`",
                    ))
                }
                (Some(t), None) => ms(&f("at_ms"), Some(t), true)?,
                (None, Some(t)) => {
                    ms(&f("after_eof_ms"), Some(t), true)?;
                    if !self.hosts.get(a.host).app_reads {
                        return Err(ScenarioError::at(
                            f("after_eof_ms"),
                            format!(
                                "host {} never reads (hosts.{}.app_reads is false), so it never sees EOF",
                                a.host, a.host
                            ),
                        ));
                    }
                }
            }
            match (a.what, a.bytes) {
                (Do::Send, None) => {
                    return Err(ScenarioError::at(f("bytes"), "`send` needs `bytes`"))
                }
                (Do::Send, Some(0)) => {
                    return Err(ScenarioError::at(f("bytes"), "must be at least 1"))
                }
                (Do::Send, Some(b)) if b > MAX_SEND_BYTES => {
                    return Err(ScenarioError::at(
                        f("bytes"),
                        format!("at most {MAX_SEND_BYTES} bytes per send, got {b}"),
                    ))
                }
                (Do::Send, Some(_)) => {}
                (other, Some(_)) => {
                    return Err(ScenarioError::at(
                        f("bytes"),
                        format!("only `send` takes `bytes`, not `{}`", do_name(other)),
                    ))
                }
                (_, None) => {}
            }
            if a.what == Do::Connect && !self.listens(a.host.peer()) {
                return Err(ScenarioError::at(
                    f("do"),
                    format!(
                        "`connect` needs host {} to listen (set hosts.{}.listen or handshake)",
                        a.host.peer(),
                        a.host.peer()
                    ),
                ));
            }
        }
        for (i, d) in self.drops.iter().enumerate() {
            ms(&format!("drops[{i}].after_ms"), Some(d.after_ms), true)?;
            if d.nth == 0 {
                return Err(ScenarioError::at(
                    format!("drops[{i}].nth"),
                    "is 1-based: use 1 for the first match",
                ));
            }
            if d.count == 0 {
                return Err(ScenarioError::at(
                    format!("drops[{i}].count"),
                    "must be at least 1",
                ));
            }
        }
        for (i, d) in self.duplicates.iter().enumerate() {
            ms(&format!("duplicates[{i}].after_ms"), Some(d.after_ms), true)?;
            ms(
                &format!("duplicates[{i}].extra_delay_ms"),
                Some(d.extra_delay_ms),
                true,
            )?;
            if d.nth == 0 {
                return Err(ScenarioError::at(
                    format!("duplicates[{i}].nth"),
                    "is 1-based: use 1 for the first match",
                ));
            }
        }
        Ok(())
    }
}

/// A serde path as the error's field (`actions[2].bytes`; an unknown field's
/// own name last), each key shortened by [`farewell_json::shown`].
fn field_path(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut out = String::new();
    for segment in path.iter() {
        match segment {
            Segment::Seq { index } => out.push_str(&format!("[{index}]")),
            Segment::Map { key: name } | Segment::Enum { variant: name } => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(&farewell_json::shown(name));
            }
            Segment::Unknown => out.push('?'),
        }
    }
    out
}

pub(crate) fn do_name(d: Do) -> &'static str {
    match d {
        Do::Send => "send",
        Do::Close => "close",
        Do::ShutdownWrite => "shutdown_write",
        Do::Abort => "abort",
        Do::Connect => "connect",
    }
}

/// A time value in milliseconds: finite, not negative (zero only if allowed),
/// and at most a day.
fn ms(field: &str, v: Option<f64>, zero_ok: bool) -> Result<(), ScenarioError> {
    let Some(v) = v else { return Ok(()) };
    if !v.is_finite() || v < 0.0 || (!zero_ok && v == 0.0) {
        let need = if zero_ok { "0 or more" } else { "more than 0" };
        return Err(ScenarioError::at(
            field,
            format!(
                "must be a number of milliseconds, {need}; got {}",
                farewell_num::Shortest(v)
            ),
        ));
    }
    if v > MAX_MS {
        return Err(ScenarioError::at(
            field,
            format!(
                "at most {} ms (one day), got {}",
                farewell_num::Shortest(MAX_MS),
                farewell_num::Shortest(v)
            ),
        ));
    }
    Ok(())
}
