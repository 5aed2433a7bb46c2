//! What the lab page says about a run: the findings in plain words, the
//! numbers at a glance, and the remedies to try, each with the config it
//! changes to.
//!
//! The kernel rules behind the words are the lab's (`farewell-lab`); the
//! sources are named there and in PROTOCOL_NOTES ("TIME_WAIT at scale").

use crate::format::{bytes, seconds, thousands};
use farewell_engine::Platform;
use farewell_lab::config::MAX_POOL;
use farewell_lab::replay::{FULL_SOCK_BYTES, TIME_WAIT_SOCK_BYTES};
use farewell_lab::{Closer, LabConfig, LabRun, PortChoice, PortRange, Summary};

/// How a finding reads: a fact, a problem, or good news.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tone {
    Info,
    Problem,
    Good,
}

impl Tone {
    /// The mark shown before the finding (not colour alone).
    pub fn mark(self) -> &'static str {
        match self {
            Tone::Info => "i",
            Tone::Problem => "!",
            Tone::Good => "✓",
        }
    }

    /// The word a screen reader hears for the mark.
    pub fn word(self) -> &'static str {
        match self {
            Tone::Info => "Note",
            Tone::Problem => "Problem",
            Tone::Good => "Good",
        }
    }

    /// The CSS class suffix.
    pub fn id(self) -> &'static str {
        match self {
            Tone::Info => "info",
            Tone::Problem => "problem",
            Tone::Good => "good",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub tone: Tone,
    pub text: String,
}

fn finding(tone: Tone, text: String) -> Finding {
    Finding { tone, text }
}

fn side(c: Closer) -> &'static str {
    match c {
        Closer::Client => "client",
        Closer::Server => "server",
    }
}

fn rate_words(r: f64) -> String {
    if r >= 10.0 || r.fract() == 0.0 {
        thousands(r.round() as u64)
    } else {
        farewell_num::Fixed(r, 1).to_string()
    }
}

/// The run's findings, most important first.
pub fn findings(cfg: &LabConfig, run: &LabRun) -> Vec<Finding> {
    let s = &run.summary;
    let mut out = Vec::new();
    let closer = side(cfg.closer);
    let tw_s = seconds(s.time_wait_s);
    let profile = cfg.platform.profile();
    let mut label = profile.label.to_string();
    if let Some(g) = profile.time_wait_granularity {
        // illumos: its 60 s, then the reaper's next run (`Summary::time_wait_s`).
        label += &format!(
            ": {}, then its reaper's next run, every {}",
            seconds(cfg.time_wait().as_ms() / 1000.0),
            seconds(g.as_ms() / 1000.0)
        );
    }
    let expected = s.expected_time_wait.round() as u64;
    let in_tw = f64::from(cfg.duration_s) >= s.time_wait_s;
    let no_port = s.connect_failures - s.connect_refused;
    // Why the count stayed under the prediction, when a limit held it down.
    let held = if s.tw_overflow > 0 {
        ", held down by tcp_max_tw_buckets"
    } else if no_port > 0 && cfg.closer == Closer::Client {
        ", held down by the client's ports running out"
    } else if cfg.closer == Closer::Server
        && cfg.syn_ends_server_time_wait()
        && (s.steady_time_wait as f64) < 0.99 * s.expected_time_wait
    {
        ", held down because a new connection from a client port the server still holds in TIME_WAIT takes that socket over"
    } else {
        ""
    };
    out.push(finding(
        Tone::Info,
        if in_tw {
            format!(
                "The {closer} closes first, so the {closer} holds TIME_WAIT. At {} new connections a second and a {tw_s} TIME_WAIT ({}), about {} sockets wait at any moment: rate × TIME_WAIT. The run ends with {} (peak {}{held}).",
                rate_words(s.connection_rate),
                label,
                thousands(expected),
                thousands(s.steady_time_wait),
                thousands(s.peak_time_wait)
            )
        } else {
            format!(
                "The {closer} closes first, so the {closer} holds TIME_WAIT. The run ({}) is shorter than TIME_WAIT ({tw_s}), so no socket leaves it and the count only rises: {} at the end; it would level off near rate × TIME_WAIT = {}.",
                seconds(f64::from(cfg.duration_s)),
                thousands(s.steady_time_wait),
                thousands(expected)
            )
        },
    ));

    if let Some(n) = cfg.pool {
        let requests: u64 = (0..cfg.duration_s).map(|t| u64::from(cfg.rate_at(t))).sum();
        let failed = if s.connect_failures > 0 {
            format!(" ({} failed)", thousands(s.connect_failures))
        } else {
            String::new()
        };
        out.push(if cfg.requests_per_connection == 0 {
            finding(
                Tone::Good,
                format!(
                    "A pool of {} connections carries all {} requests: the client called connect() {} times, only to fill the pool{failed}, and never closes a connection, so none of them enters TIME_WAIT. {}",
                    thousands(u64::from(n)),
                    thousands(requests),
                    thousands(s.connects),
                    if s.connect_failures == 0 {
                        format!(
                            "Whatever the request rate, the pool holds {} ports.",
                            thousands(u64::from(n))
                        )
                    } else {
                        "The pool is larger than the ports it may use: a slot without one tries again on its next request.".into()
                    }
                ),
            )
        } else {
            let rpc = cfg.requests_per_connection;
            finding(
                Tone::Info,
                format!(
                    "A pool of {} connections carries the requests, each connection closed after {} requests and replaced: {} new connections a second (each slot every {}), so TIME_WAIT follows rate ÷ {} instead of the request rate. The client called connect() {} times{failed}.",
                    thousands(u64::from(n)),
                    thousands(u64::from(rpc)),
                    rate_words(s.connection_rate),
                    seconds(f64::from(n) * f64::from(rpc) / f64::from(cfg.rate)),
                    thousands(u64::from(rpc)),
                    thousands(s.connects)
                ),
            )
        });
    }

    let supply = cfg.port_supply();
    let range = cfg.port_range();
    let pairs = cfg.port_tables();
    let xnu = cfg.port_choice() == PortChoice::Xnu;
    let supply_words = if xnu && cfg.destinations > 1 {
        format!(
            "{} ports ({}–{}){} for all {} destinations together",
            thousands(u64::from(range.len())),
            range.lo,
            range.hi,
            if pairs > 1 {
                format!(" × {pairs} source IPs")
            } else {
                String::new()
            },
            cfg.destinations
        )
    } else if xnu && pairs > 1 {
        format!(
            "{} ports ({}–{}) × {pairs} source IPs = {}",
            thousands(u64::from(range.len())),
            range.lo,
            range.hi,
            thousands(supply)
        )
    } else if pairs > 1 {
        format!(
            "{} ports ({}–{}) × {pairs} (source IP, destination) pairs = {}",
            thousands(u64::from(range.len())),
            range.lo,
            range.hi,
            thousands(supply)
        )
    } else {
        format!(
            "{} ports ({}–{}) towards one destination",
            thousands(supply),
            range.lo,
            range.hi
        )
    };
    if no_port > 0 {
        out.push(finding(
            Tone::Problem,
            format!(
                "The client ran out of ports: {} connect() calls failed with EADDRNOTAVAIL, the first at {}. A client socket keeps its port through TIME_WAIT, and the client has {supply_words}.{}",
                thousands(no_port),
                seconds(s.first_failure_s.unwrap_or(0.0)),
                s.max_failure_free_rate
                    .map(|r| format!(
                        " At most {} requests a second fit.",
                        rate_words(r.floor())
                    ))
                    .unwrap_or_default()
            ),
        ));
    } else if cfg.closer == Closer::Client {
        out.push(finding(
            Tone::Good,
            format!(
                "No connect() failed for want of a port: the client's {} ports in use stayed within its {supply_words}.{}",
                thousands(run.rows.iter().map(|r| r.ports_in_use).max().unwrap_or(0)),
                s.max_failure_free_rate
                    .map(|r| format!(
                        " Up to {} requests a second would fit.",
                        rate_words(r.floor())
                    ))
                    .unwrap_or_default()
            ),
        ));
    } else {
        out.push(finding(
            Tone::Good,
            "The server's TIME_WAIT sockets cost it memory, not ports: they share the listener's port, and each 4-tuple is still unique, so the client never runs out of ports because of them.".into(),
        ));
    }

    if xnu && cfg.destinations > 1 && cfg.closer == Closer::Client {
        out.push(finding(
            Tone::Info,
            format!(
                "On macOS more destinations do not add ports: connect() binds the socket to a port before it looks at the destination (xnu's in_pcbbind), and takes only a port no other socket on the address holds, so the {} destinations share one range. Linux and FreeBSD choose the port per destination (the 4-tuple must be unique), which would give each destination its own {} ports.",
                cfg.destinations,
                thousands(u64::from(range.len()))
            ),
        ));
    }

    if s.tw_reused > 0 {
        out.push(finding(
            Tone::Good,
            format!(
                "tcp_tw_reuse = {} let {} connect() calls take over a port in TIME_WAIT: allowed because both sides send timestamps (PAWS then keeps old segments out) and the TIME_WAIT is at least 1 s old (tcp_tw_reuse_delay).",
                cfg.tw_reuse,
                thousands(s.tw_reused)
            ),
        ));
    } else if no_port > 0 && cfg.closer == Closer::Client {
        let why = if cfg.platform != Platform::Linux {
            format!(
                "tcp_tw_reuse is a Linux setting; {} has no such knob.",
                cfg.platform.profile().label
            )
        } else if cfg.tw_reuse == 0 {
            "tcp_tw_reuse is 0 (off).".into()
        } else if cfg.tw_reuse == 2 && !cfg.loopback {
            "tcp_tw_reuse is 2, Linux's default, which reuses only towards loopback addresses."
                .into()
        } else if !cfg.timestamps_on() {
            "tcp_tw_reuse needs TCP timestamps on both sides, and they are off.".into()
        } else {
            "tcp_tw_reuse found no TIME_WAIT port old enough (1 s, tcp_tw_reuse_delay).".into()
        };
        out.push(finding(
            Tone::Info,
            format!("No port was reused from TIME_WAIT: {why}"),
        ));
    }

    if s.tw_overflow > 0 {
        out.push(finding(
            Tone::Problem,
            format!(
                "tcp_max_tw_buckets ({}) was reached: {} closing sockets skipped TIME_WAIT and were destroyed at once (TcpExtTCPTimeWaitOverflow; the kernel logs \"TCP: time wait bucket table overflow\"). Those connections lose TIME_WAIT's protection against old duplicates.",
                thousands(u64::from(cfg.tw_limit())),
                thousands(s.tw_overflow)
            ),
        ));
    }

    if let Some(at) = cfg.restart_at_s {
        let up = s.listener_up_s;
        let text = match (cfg.reuseaddr, up) {
            (true, _) => format!(
                "The server restarted at {} and bound its port at once: with SO_REUSEADDR, its own TIME_WAIT sockets on the port do not block bind().",
                seconds(at)
            ),
            (false, Some(up)) if up > at => format!(
                "The server restarted at {} without SO_REUSEADDR: bind() failed with EADDRINUSE while its TIME_WAIT sockets held the port, until {} ({} later). {} connect() calls were refused meanwhile.",
                seconds(at),
                seconds(up),
                seconds(up - at),
                thousands(s.connect_refused)
            ),
            (false, Some(_)) => format!(
                "The server restarted at {} and bound its port at once: none of its sockets were in TIME_WAIT.",
                seconds(at)
            ),
            (false, None) => format!(
                "The server restarted at {} without SO_REUSEADDR and could not bind again before the run ended (EADDRINUSE): its TIME_WAIT sockets hold the port. {} connect() calls were refused.",
                seconds(at),
                thousands(s.connect_refused)
            ),
        };
        let tone = if cfg.reuseaddr || up.is_some_and(|u| u <= at) {
            Tone::Good
        } else {
            Tone::Problem
        };
        out.push(finding(tone, text));
    }

    let peak = run
        .rows
        .iter()
        .max_by_key(|r| r.memory_bytes)
        .cloned()
        .unwrap_or_default();
    let tw_peak = peak.time_wait_client + peak.time_wait_server;
    out.push(finding(
        Tone::Info,
        format!(
            "Memory at the peak: {} TIME_WAIT sockets × {TIME_WAIT_SOCK_BYTES} B + {} open connections × {} = {}. A TIME_WAIT socket is a small tw_sock_TCP object, about a ninth of a full socket, which is why a large TIME_WAIT count is usually harmless in itself.",
            thousands(tw_peak),
            thousands(peak.established),
            bytes(FULL_SOCK_BYTES),
            bytes(s.peak_memory_bytes)
        ),
    ));
    out
}

/// A number at a glance.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stat {
    pub label: &'static str,
    pub value: String,
    pub detail: String,
}

/// The numbers the page shows above the chart.
pub fn stats(cfg: &LabConfig, run: &LabRun) -> Vec<Stat> {
    let s = &run.summary;
    let last = run.rows.last().cloned().unwrap_or_default();
    vec![
        Stat {
            label: "TIME_WAIT at the end",
            value: thousands(s.steady_time_wait),
            detail: format!(
                "rate × TIME_WAIT = {}",
                thousands(s.expected_time_wait.round() as u64)
            ),
        },
        Stat {
            label: "client ports in use",
            value: thousands(last.ports_in_use),
            detail: format!("of {}", thousands(cfg.port_supply())),
        },
        Stat {
            label: "connect() failures",
            value: thousands(s.connect_failures),
            detail: match s.first_failure_s {
                Some(t) => format!("first at {}", seconds(t)),
                None => format!("of {}", thousands(s.connects)),
            },
        },
        Stat {
            label: "peak memory",
            value: bytes(s.peak_memory_bytes),
            detail: format!("{TIME_WAIT_SOCK_BYTES} B per TIME_WAIT socket"),
        },
    ]
}

/// A change to try, and the config it gives.
#[derive(Clone, Debug, PartialEq)]
pub struct Remedy {
    /// Stable id (for tests and the page's element ids).
    pub id: &'static str,
    pub label: String,
    pub why: &'static str,
    pub config: LabConfig,
}

/// The remedies that apply to `cfg` (each changes one thing, and only what
/// the lab's knobs bound allow).
pub fn remedies(cfg: &LabConfig) -> Vec<Remedy> {
    let mut out = Vec::new();
    let mut add = |id, label: String, why, config: LabConfig| {
        if config != *cfg && config.validate().is_ok() {
            out.push(Remedy {
                id,
                label,
                why,
                config,
            });
        }
    };
    let rpc = (cfg.requests_per_connection * 10).min(10_000);
    add(
        "keep-alive",
        format!("Keep-alive: {rpc} requests per connection"),
        "Fewer connections for the same requests: the real cure (HTTP keep-alive, a connection pool).",
        LabConfig {
            requests_per_connection: rpc,
            ..cfg.clone()
        },
    );
    if cfg.pool.is_none() {
        // As many connections as requests in flight: rate × how long each lasts.
        let n = farewell_num::clamp(
            (f64::from(cfg.rate.max(cfg.burst.map_or(0, |b| b.rate))) * cfg.conn_ms / 1000.0)
                .ceil(),
            1.0,
            f64::from(MAX_POOL),
        ) as u32;
        add(
            "pool",
            format!("A pool of {} connections, kept open", thousands(u64::from(n))),
            "Opened once and reused for every request: no connection closes, so none enters TIME_WAIT. A pool that retires connections after N requests cycles at rate ÷ N.",
            LabConfig {
                pool: Some(n),
                requests_per_connection: 0,
                ..cfg.clone()
            },
        );
    }
    if cfg.platform == Platform::Linux && cfg.closer == Closer::Client {
        add(
            "tw-reuse",
            "tcp_tw_reuse = 1, timestamps on".into(),
            "connect() may take over a client port in TIME_WAIT after 1 s; safe because of timestamps (PAWS).",
            LabConfig {
                tw_reuse: 1,
                timestamps: Some(true),
                ..cfg.clone()
            },
        );
    }
    let ips = (cfg.source_ips * 4).min(farewell_lab::config::MAX_PAIRS / cfg.destinations);
    add(
        "source-ips",
        format!("{ips} source IPs"),
        "Each (source IP, destination) pair has its own port range.",
        LabConfig {
            source_ips: ips,
            ..cfg.clone()
        },
    );
    add(
        "ports",
        "Ports 1024–65535".into(),
        "A wider ip_local_port_range: twice Linux's default.",
        LabConfig {
            ports: Some(PortRange {
                lo: 1024,
                hi: 65535,
            }),
            ..cfg.clone()
        },
    );
    add(
        "closer",
        format!(
            "The {} closes first",
            side(match cfg.closer {
                Closer::Client => Closer::Server,
                Closer::Server => Closer::Client,
            })
        ),
        "TIME_WAIT moves to the other side.",
        LabConfig {
            closer: match cfg.closer {
                Closer::Client => Closer::Server,
                Closer::Server => Closer::Client,
            },
            ..cfg.clone()
        },
    );
    if cfg.restart_at_s.is_some() && !cfg.reuseaddr {
        add(
            "reuseaddr",
            "SO_REUSEADDR on the listener".into(),
            "bind() ignores the port's TIME_WAIT sockets (every server should set it).",
            LabConfig {
                reuseaddr: true,
                ..cfg.clone()
            },
        );
    }
    out
}

/// A remedy's outcome against the current run, in a few words per column:
/// connect() failures, TIME_WAIT at the end, peak memory.
pub fn outcome(base: &Summary, with: &Summary) -> [String; 3] {
    let change = |now: u64, was: u64| {
        if now == was {
            format!("{} (same)", thousands(now))
        } else {
            format!("{} (was {})", thousands(now), thousands(was))
        }
    };
    [
        change(with.connect_failures, base.connect_failures),
        change(with.steady_time_wait, base.steady_time_wait),
        if with.peak_memory_bytes == base.peak_memory_bytes {
            format!("{} (same)", bytes(with.peak_memory_bytes))
        } else {
            format!(
                "{} (was {})",
                bytes(with.peak_memory_bytes),
                bytes(base.peak_memory_bytes)
            )
        },
    ]
}
