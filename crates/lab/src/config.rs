//! The lab's knobs ([`LabConfig`]) and their checks ([`LabError`] names the knob).

use farewell_engine::{Duration, Platform, SynInTimeWait};
use farewell_num::Shortest;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Most connections per second the lab accepts.
pub const MAX_RATE: u32 = 100_000;
/// Longest run, in seconds.
pub const MAX_DURATION_S: u32 = 600;
/// Most source IPs × destinations: each pair has its own port table (one 8-byte
/// slot per port), so 64 pairs of a full range is 32 MiB.
pub const MAX_PAIRS: u32 = 64;
/// Longest connection lifetime and TIME_WAIT override accepted (one hour).
pub const MAX_MS: f64 = 3_600_000.0;
/// Most connections in a fixed pool ([`LabConfig::pool`]).
pub const MAX_POOL: u32 = 100_000;
/// Most requests per connection ([`LabConfig::requests_per_connection`]).
pub const MAX_REQUESTS_PER_CONNECTION: u32 = 10_000;

/// Which side calls close() first, and so which side holds TIME_WAIT.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Closer {
    Client,
    Server,
}

/// An inclusive port range, `lo..=hi` (`ip_local_port_range`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PortRange {
    pub lo: u16,
    pub hi: u16,
}

impl PortRange {
    /// Ports in the range.
    pub const fn len(self) -> u32 {
        self.hi as u32 - self.lo as u32 + 1
    }

    pub const fn is_empty(self) -> bool {
        self.hi < self.lo
    }

    /// The platform's default ephemeral range (the engine profile's
    /// `ephemeral_ports`, with its sources).
    pub fn default_for(p: Platform) -> PortRange {
        let (lo, hi) = p.profile().ephemeral_ports;
        PortRange { lo, hi }
    }
}

/// A burst: `rate` requests per second during `[at_s, at_s + for_s)`, the
/// config's `rate` outside it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Burst {
    pub at_s: u32,
    pub for_s: u32,
    pub rate: u32,
}

/// One lab run: a client host opening connections to servers at a constant rate.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LabConfig {
    #[serde(default = "linux")]
    pub platform: Platform,
    /// Requests per second (connections per second when each carries one).
    #[serde(default = "thousand")]
    pub rate: u32,
    /// A burst profile on top of the constant `rate`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub burst: Option<Burst>,
    #[serde(default = "sixty")]
    pub duration_s: u32,
    #[serde(default = "client")]
    pub closer: Closer,
    /// The client's ephemeral range; default per platform ([`PortRange::default_for`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ports: Option<PortRange>,
    #[serde(default = "one")]
    pub source_ips: u32,
    #[serde(default = "one")]
    pub destinations: u32,
    /// Linux `net.ipv4.tcp_tw_reuse`: 0 off, 1 on, 2 loopback only (the default).
    #[serde(default = "two")]
    pub tw_reuse: u8,
    /// The destinations are loopback addresses (so `tw_reuse = 2` applies).
    #[serde(default)]
    pub loopback: bool,
    /// TCP timestamps (RFC 7323) on both hosts; default per platform
    /// (the engine profile's `timestamps`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamps: Option<bool>,
    /// Linux `net.ipv4.tcp_max_tw_buckets` per host; default 131072 on Linux
    /// (the reference VM's value), no limit elsewhere.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_tw_buckets: Option<u32>,
    /// Keep-alive: requests carried by one connection, so connections per second
    /// are `rate / requests_per_connection`. With a [`pool`](Self::pool), 0
    /// means no limit: a pooled connection is never closed.
    #[serde(default = "one")]
    pub requests_per_connection: u32,
    /// A fixed pool of this many connections, kept open and reused for every
    /// request (request `k` goes to the pool's connection `k mod pool`). A
    /// connection is opened on the first request that needs it, closed
    /// `conn_ms` after its last request (after `requests_per_connection`
    /// requests; never if that is 0), and replaced by a new one on that
    /// slot's next request; a slot whose connect() failed tries again on its
    /// next request. Requests are not queued: a slot's request goes out on
    /// time, on a new connection if the old one is still closing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pool: Option<u32>,
    /// How long a connection lives from connect() to the closer's close().
    #[serde(default = "hundred")]
    pub conn_ms: f64,
    /// One-way delay between client and servers.
    #[serde(default = "half")]
    pub delay_ms: f64,
    /// Segment loss probability (lifecycles are then sampled, see `lifecycle`).
    #[serde(default)]
    pub loss: f64,
    /// Overrides the platform's TIME_WAIT length.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_wait_ms: Option<f64>,
    #[serde(default)]
    pub seed: u64,
    /// The server process exits and binds its listener again at this time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restart_at_s: Option<f64>,
    /// The server sets SO_REUSEADDR on every listener it creates.
    #[serde(default)]
    pub reuseaddr: bool,
}

fn linux() -> Platform {
    Platform::Linux
}
fn thousand() -> u32 {
    1000
}
fn sixty() -> u32 {
    60
}
fn client() -> Closer {
    Closer::Client
}
fn one() -> u32 {
    1
}
fn two() -> u8 {
    2
}
fn hundred() -> f64 {
    100.0
}
fn half() -> f64 {
    0.5
}

impl Default for LabConfig {
    fn default() -> Self {
        LabConfig {
            platform: Platform::Linux,
            rate: 1000,
            burst: None,
            duration_s: 60,
            closer: Closer::Client,
            ports: None,
            source_ips: 1,
            destinations: 1,
            tw_reuse: 2,
            loopback: false,
            timestamps: None,
            max_tw_buckets: None,
            requests_per_connection: 1,
            pool: None,
            conn_ms: 100.0,
            delay_ms: 0.5,
            loss: 0.0,
            time_wait_ms: None,
            seed: 0,
            restart_at_s: None,
            reuseaddr: false,
        }
    }
}

/// How a platform's kernel picks the ephemeral port for a connect() on a
/// socket not bound to a port, as far as the lab's counts depend on it:
/// whether a port in use towards one destination may serve another, how many
/// ports of the range are searched, and in what order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PortChoice {
    /// Linux `__inet_hash_connect` (net/ipv4/inet_hashtables.c): a hashed,
    /// perturbed start, one parity in steps of 2 and then the other, over an
    /// even count of ports; a port is usable when the 4-tuple is unique, so a
    /// port in use towards one destination serves others.
    Linux,
    /// FreeBSD `in_pcb_lport_dest` (sys/netinet/in_pcb.c, as of FreeBSD 14;
    /// older releases searched with `in_pcb_lport` per local port), called by
    /// `in_pcbconnect_setup` with the foreign address: with
    /// `net.inet.ip.portrange.randomized` (1 by default, `ipport_randomized`)
    /// the search starts at `first + arc4random() % (last - first)` and walks
    /// up one port at a time, wrapping to `first`, over every port of the
    /// range; a port is usable when `in_pcblookup_hash_locked` finds no
    /// connection with the same 4-tuple (TIME_WAIT ones included), so, as on
    /// Linux, the limit is per (source IP, destination).
    Freebsd,
    /// macOS (xnu bsd/netinet/tcp_usrreq.c `tcp_connect`): a socket without a
    /// port is bound by `in_pcbbind` (bsd/netinet/in_pcb.c) before the
    /// destination is looked at. It walks up from the host's last port
    /// (`ipi_lastport`, shared by all sockets; `net.inet.tcp.randomize_ports`
    /// is 0 by default, `tcp_use_randomport`), wrapping to `first`, over every
    /// port of the range, and takes the first one `in_pcblookup_local` finds
    /// unused by any socket on that local address, TIME_WAIT ones included.
    /// So a port serves one connection at a time whatever its destination:
    /// the limit is per source IP (the lab's source IPs are sockets bound to
    /// an address; an unbound connect() looks the port up on INADDR_ANY,
    /// which makes it per host). The few ports xnu keeps off the ephemeral
    /// search (`IS_RESTRICTED_IN_PORT`) are not modelled.
    Xnu,
}

impl PortChoice {
    /// The rule each platform runs. Windows, illumos and RFC 793 keep Linux's:
    /// Windows's source is not public and no documented rule for whether its
    /// connect() shares a port across destinations has been established for
    /// the lab; illumos's (`tcp_bindi`, `tcp_update_next_port`) has not been
    /// read for the lab yet; RFC 793 names no rule.
    pub const fn for_platform(p: Platform) -> PortChoice {
        match p {
            Platform::Freebsd => PortChoice::Freebsd,
            Platform::Macos => PortChoice::Xnu,
            Platform::Linux | Platform::Windows | Platform::Solaris | Platform::Rfc793 => {
                PortChoice::Linux
            }
        }
    }
}

/// A knob value the lab cannot use, with the knob's name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LabError {
    pub field: &'static str,
    pub message: String,
}

impl fmt::Display for LabError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

impl std::error::Error for LabError {}

fn err(field: &'static str, message: String) -> LabError {
    LabError { field, message }
}

fn ms_in(field: &'static str, v: f64, max: f64) -> Result<(), LabError> {
    if !v.is_finite() || !(0.0..=max).contains(&v) {
        return Err(err(
            field,
            format!(
                "must be from 0 to {} ms, got {}",
                Shortest(max),
                Shortest(v)
            ),
        ));
    }
    Ok(())
}

impl LabConfig {
    /// The client's port range, the knob or the platform's default.
    pub fn port_range(&self) -> PortRange {
        self.ports
            .unwrap_or_else(|| PortRange::default_for(self.platform))
    }

    pub fn timestamps_on(&self) -> bool {
        self.timestamps
            .unwrap_or_else(|| self.platform.profile().timestamps)
    }

    /// `tcp_max_tw_buckets`, or `u32::MAX` for no limit.
    pub fn tw_limit(&self) -> u32 {
        self.max_tw_buckets.unwrap_or(match self.platform {
            Platform::Linux => 131_072,
            _ => u32::MAX,
        })
    }

    /// Whether `tcp_tw_reuse` lets connect() take over a TIME_WAIT port towards
    /// these destinations (Linux `tcp_twsk_unique`: 2 means loopback only).
    pub fn tw_reuse_applies(&self) -> bool {
        self.platform == Platform::Linux
            && (self.tw_reuse == 1 || (self.tw_reuse == 2 && self.loopback))
    }

    /// Whether a SYN on a 4-tuple the server holds in TIME_WAIT ends that
    /// TIME_WAIT socket, with a listener or without (during a restart), by the
    /// platform's rule ([`SynInTimeWait`]; both hosts run the platform):
    /// - Linux: always. A SYN with a newer TSval, or without timestamps a sequence
    ///   number above RCV.NXT, is `TCP_TW_SYN`: with a listener it is handed over
    ///   and the socket freed, without one it gets the old connection's ACK. So
    ///   does an older SYN (`TCP_TW_ACK`). The client, in SYN_SENT, answers that
    ///   ACK with a RST (RFC 9293 §3.10.7.3), which kills the TIME_WAIT socket
    ///   (`tcp_rfc1337` = 0), and sends its SYN again within `TCP_TIMEOUT_MIN`
    ///   (`tcp_rcv_synsent_state_process`), to the listener or to a RST
    ///   (net/ipv4/tcp_minisocks.c `tcp_timewait_state_process`, tcp_ipv4.c
    ///   `tcp_v4_rcv`, tcp_input.c). Recorded: `tests/recordings/server-close`,
    ///   `restart-no-reuseaddr`.
    /// - BSD `tcp_twcheck`: a SYN above RCV.NXT closes the TIME_WAIT
    ///   (`tcp_twclose`) and is looked up again. The ISN clock
    ///   ([`Profile::isn_tick_ns`](farewell_engine::Profile::isn_tick_ns)) keeps a later SYN
    ///   above RCV.NXT while TIME_WAIT lasts less than 2³¹ ticks (8,590 s at 4 µs).
    /// - macOS and illumos: only a SYN beyond the receive window, which the lab
    ///   takes as the BSD rule above. A SYN within 65,535 ticks of the 4 µs ISN
    ///   clock (262 ms) of the old one would in fact leave the TIME_WAIT in
    ///   place and the connect waiting (`SynInTimeWait::BeyondWindow`). A
    ///   4-tuple comes back that soon only at high rates from one client:
    ///   above 62,500 a second on macOS (16,384 ports one after another), some
    ///   14,000 with the illumos profile's Linux-like port walk.
    /// - RFC 9293 as written: the SYN gets an ACK, the client's RST ends TIME_WAIT
    ///   (no RFC 1337 protection in that profile) and its next SYN opens the
    ///   connection, an RTO later than the lab counts it.
    pub fn syn_ends_server_time_wait(&self) -> bool {
        let profile = self.platform.profile();
        let tw_ticks = self.time_wait().as_ms() * 1e6 / profile.isn_tick_ns as f64;
        match profile.syn_in_time_wait {
            SynInTimeWait::Linux => true,
            SynInTimeWait::NewerSeq
            | SynInTimeWait::BeyondWindow
            | SynInTimeWait::IllumosBeyondWindow => tw_ticks < 2f64.powi(31),
            SynInTimeWait::Ack => !profile.rfc1337,
        }
    }

    /// TIME_WAIT length: the override, or the platform profile's.
    pub fn time_wait(&self) -> Duration {
        match self.time_wait_ms {
            Some(ms) => Duration::from_ms(ms),
            None => self.platform.profile().time_wait,
        }
    }

    /// Requests per second during second `t_s` (the burst's or the base rate).
    pub fn rate_at(&self, t_s: u32) -> u32 {
        match self.burst {
            Some(b) if t_s >= b.at_s && t_s - b.at_s < b.for_s => b.rate,
            _ => self.rate,
        }
    }

    /// New connections per second at the base rate (`rate / requests_per_connection`;
    /// none, past the pool's first connections, for a pool that never closes).
    pub fn connection_rate(&self) -> f64 {
        if self.requests_per_connection == 0 {
            return 0.0;
        }
        f64::from(self.rate) / f64::from(self.requests_per_connection)
    }

    /// How the client's kernel picks ephemeral ports ([`PortChoice::for_platform`]).
    pub fn port_choice(&self) -> PortChoice {
        PortChoice::for_platform(self.platform)
    }

    /// Port tables on the client: one per (source IP, destination) where a
    /// port need only be unique per 4-tuple, one per source IP where it must
    /// be unique per local address ([`PortChoice::Xnu`]).
    pub fn port_tables(&self) -> u32 {
        match self.port_choice() {
            PortChoice::Xnu => self.source_ips,
            _ => self.source_ips * self.destinations,
        }
    }

    /// The client's ephemeral ports in all: the range × its port tables
    /// ((source IP, destination) pairs, or source IPs alone on macOS).
    pub fn port_supply(&self) -> u64 {
        u64::from(self.port_range().len()) * u64::from(self.port_tables())
    }

    /// Ports connect() can hand out per port table: Linux's search uses an
    /// even count (`remaining &= ~1U`), the BSDs' every port of the range.
    pub fn ports_per_table(&self) -> u32 {
        let len = self.port_range().len();
        match self.port_choice() {
            PortChoice::Linux => len & !1,
            _ => len,
        }
    }

    /// Checks every knob; the error names the first bad one and its bounds.
    pub fn validate(&self) -> Result<(), LabError> {
        if !(1..=MAX_RATE).contains(&self.rate) {
            return Err(err(
                "rate",
                format!("must be 1 to {MAX_RATE} per second, got {}", self.rate),
            ));
        }
        if !(1..=MAX_DURATION_S).contains(&self.duration_s) {
            return Err(err(
                "duration_s",
                format!("must be 1 to {MAX_DURATION_S} s, got {}", self.duration_s),
            ));
        }
        if let Some(b) = self.burst {
            if !(1..=MAX_RATE).contains(&b.rate) {
                return Err(err(
                    "burst.rate",
                    format!("must be 1 to {MAX_RATE} per second, got {}", b.rate),
                ));
            }
            if b.for_s == 0 || u64::from(b.at_s) + u64::from(b.for_s) > u64::from(self.duration_s) {
                return Err(err(
                    "burst.for_s",
                    format!(
                        "the burst ({} s from {} s) must last at least 1 s and end by duration_s ({})",
                        b.for_s, b.at_s, self.duration_s
                    ),
                ));
            }
        }
        if let Some(r) = self.ports {
            if r.lo == 0 || r.hi < r.lo || r.len() < 2 {
                return Err(err(
                    "ports",
                    format!(
                        "must be LO-HI with 1 <= LO < HI <= 65535, got {}-{}",
                        r.lo, r.hi
                    ),
                ));
            }
        }
        for (field, v) in [
            ("source_ips", self.source_ips),
            ("destinations", self.destinations),
        ] {
            if !(1..=MAX_PAIRS).contains(&v) {
                return Err(err(field, format!("must be 1 to {MAX_PAIRS}, got {v}")));
            }
        }
        if self.source_ips * self.destinations > MAX_PAIRS {
            return Err(err(
                "destinations",
                format!(
                    "source_ips × destinations must be at most {MAX_PAIRS}, got {} × {}",
                    self.source_ips, self.destinations
                ),
            ));
        }
        if self.tw_reuse > 2 {
            return Err(err(
                "tw_reuse",
                format!("must be 0, 1 or 2, got {}", self.tw_reuse),
            ));
        }
        if let Some(n) = self.pool {
            if !(1..=MAX_POOL).contains(&n) {
                return Err(err(
                    "pool",
                    format!("must be 1 to {MAX_POOL} connections, got {n}"),
                ));
            }
        }
        let rpc = self.requests_per_connection;
        if rpc > MAX_REQUESTS_PER_CONNECTION || (rpc == 0 && self.pool.is_none()) {
            return Err(err(
                "requests_per_connection",
                format!(
                    "must be 1 to {MAX_REQUESTS_PER_CONNECTION} (or 0, never closed, with a pool), got {rpc}"
                ),
            ));
        }
        ms_in("conn_ms", self.conn_ms, MAX_MS)?;
        ms_in("delay_ms", self.delay_ms, 10_000.0)?;
        if let Some(t) = self.time_wait_ms {
            ms_in("time_wait_ms", t, MAX_MS)?;
        }
        if !self.loss.is_finite() || !(0.0..=0.5).contains(&self.loss) {
            return Err(err(
                "loss",
                format!(
                    "must be a probability from 0 to 0.5, got {}",
                    Shortest(self.loss)
                ),
            ));
        }
        if let Some(t) = self.restart_at_s {
            if !t.is_finite() || !(0.0..=f64::from(self.duration_s)).contains(&t) {
                return Err(err(
                    "restart_at_s",
                    format!(
                        "must be from 0 to duration_s ({}), got {}",
                        self.duration_s,
                        Shortest(t)
                    ),
                ));
            }
        }
        Ok(())
    }
}
