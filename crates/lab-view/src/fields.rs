//! The lab page's form: every knob's label, hint and kind of input, in groups,
//! and what an empty field stands for.

use crate::format::seconds;
use farewell_engine::Platform;
use farewell_lab::{LabConfig, PortRange};

/// How a knob is entered.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Input {
    /// A number typed in (`step` for the spin buttons).
    Number { step: f64 },
    /// Free text in the knob's link syntax (`LO-HI`, `RATE@AT+FOR`).
    Text,
    /// One of these `(value, label)`; a value of `""` leaves the knob to its
    /// default.
    Choice(&'static [(&'static str, &'static str)]),
    /// On or off.
    Switch,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Field {
    pub knob: &'static str,
    pub label: &'static str,
    pub hint: &'static str,
    pub input: Input,
}

const fn field(knob: &'static str, label: &'static str, hint: &'static str, input: Input) -> Field {
    Field {
        knob,
        label,
        hint,
        input,
    }
}

const PLATFORMS: &[(&str, &str)] = &[
    ("linux", "Linux"),
    ("freebsd", "FreeBSD"),
    ("macos", "macOS"),
    ("windows", "Windows"),
    ("solaris", "Solaris / illumos"),
    ("rfc793", "RFC 793"),
];

/// `(group title, fields)` in the order the form shows them.
pub const GROUPS: [(&str, &[Field]); 5] = [
    (
        "Traffic",
        &[
            field(
                "platform",
                "Platform",
                "TIME_WAIT length, port range and timestamps follow it.",
                Input::Choice(PLATFORMS),
            ),
            field(
                "rate",
                "Requests a second",
                "1 to 100,000.",
                Input::Number { step: 100.0 },
            ),
            field(
                "duration",
                "Duration (s)",
                "Up to 600 s.",
                Input::Number { step: 10.0 },
            ),
            field(
                "closer",
                "Closes first",
                "That side holds TIME_WAIT.",
                Input::Choice(&[("client", "the client"), ("server", "the server")]),
            ),
            field(
                "conn-ms",
                "Connection lasts (ms)",
                "From connect() to the first close().",
                Input::Number { step: 10.0 },
            ),
            field(
                "requests-per-connection",
                "Requests per connection",
                "Keep-alive: more requests, fewer connections. With a pool, 0: never closed.",
                Input::Number { step: 1.0 },
            ),
            field(
                "pool",
                "Connection pool",
                "Connections kept open and reused for every request; empty: no pool.",
                Input::Number { step: 1.0 },
            ),
            field(
                "burst",
                "Burst",
                "RATE@AT+FOR, e.g. 5000@10+20.",
                Input::Text,
            ),
        ],
    ),
    (
        "Ports and addresses",
        &[
            field(
                "ports",
                "Ephemeral ports",
                "ip_local_port_range as LO-HI.",
                Input::Text,
            ),
            field(
                "source-ips",
                "Source IPs",
                "Each (source IP, destination) pair has its own ports.",
                Input::Number { step: 1.0 },
            ),
            field(
                "destinations",
                "Destinations",
                "Servers (IP and port) connected to in turn.",
                Input::Number { step: 1.0 },
            ),
            field(
                "loopback",
                "Destinations are loopback",
                "tcp_tw_reuse = 2 reuses only towards loopback.",
                Input::Switch,
            ),
        ],
    ),
    (
        "Kernel",
        &[
            field(
                "tw-reuse",
                "tcp_tw_reuse",
                "Linux: take over a client port in TIME_WAIT.",
                Input::Choice(&[("0", "0: off"), ("1", "1: on"), ("2", "2: loopback only")]),
            ),
            field(
                "timestamps",
                "TCP timestamps",
                "tcp_tw_reuse needs them on both sides.",
                Input::Choice(&[("", "the platform's default"), ("on", "on"), ("off", "off")]),
            ),
            field(
                "max-tw-buckets",
                "tcp_max_tw_buckets",
                "Past it, closing sockets skip TIME_WAIT.",
                Input::Number { step: 1000.0 },
            ),
            field(
                "time-wait-ms",
                "TIME_WAIT (ms)",
                "Instead of the platform's.",
                Input::Number { step: 1000.0 },
            ),
        ],
    ),
    (
        "Network",
        &[
            field(
                "delay-ms",
                "One-way delay (ms)",
                "Between client and servers.",
                Input::Number { step: 0.5 },
            ),
            field(
                "loss",
                "Loss",
                "Probability per segment, up to 0.5; connections are then sampled.",
                Input::Number { step: 0.01 },
            ),
            field(
                "seed",
                "Seed",
                "The same seed gives the same run.",
                Input::Number { step: 1.0 },
            ),
        ],
    ),
    (
        "Server restart",
        &[
            field(
                "restart-at",
                "Restart at (s)",
                "The server exits and binds again; empty: no restart.",
                Input::Number { step: 1.0 },
            ),
            field(
                "reuseaddr",
                "SO_REUSEADDR",
                "bind() then ignores TIME_WAIT on the port.",
                Input::Switch,
            ),
        ],
    ),
];

/// What an empty field means for `cfg` (shown as its placeholder), or `""`
/// for knobs that always have a value.
pub fn placeholder(cfg: &LabConfig, knob: &str) -> String {
    let PortRange { lo, hi } = PortRange::default_for(cfg.platform);
    match knob {
        "ports" => format!("{lo}-{hi}"),
        "burst" => "none".into(),
        "max-tw-buckets" => match cfg.platform {
            Platform::Linux => "131072".into(),
            _ => "no limit".into(),
        },
        "time-wait-ms" => {
            let ms = cfg.platform.profile().time_wait.as_ms();
            format!("{} ({})", farewell_num::Shortest(ms), seconds(ms / 1000.0))
        }
        "restart-at" => "no restart".into(),
        "pool" => "no pool".into(),
        _ => String::new(),
    }
}

/// Whether the field applies to `cfg` at all (SO_REUSEADDR only with a
/// restart; tcp_tw_reuse only on Linux).
pub fn applies(cfg: &LabConfig, knob: &str) -> bool {
    match knob {
        "reuseaddr" => cfg.restart_at_s.is_some(),
        "tw-reuse" => cfg.platform == Platform::Linux,
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::knobs::{set_text, KNOBS};

    #[test]
    fn every_knob_has_one_field_and_every_field_a_knob() {
        let fields: Vec<&str> = GROUPS
            .iter()
            .flat_map(|g| g.1.iter().map(|f| f.knob))
            .collect();
        let mut sorted = fields.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), fields.len(), "no knob twice");
        let mut knobs: Vec<&str> = KNOBS.iter().map(|k| k.0).collect();
        knobs.sort();
        assert_eq!(sorted, knobs);
    }

    #[test]
    fn every_choice_is_a_value_the_knob_reads() {
        for f in GROUPS.iter().flat_map(|g| g.1) {
            if let Input::Choice(options) = f.input {
                for (value, _) in options {
                    let mut cfg = LabConfig::default();
                    assert!(
                        set_text(&mut cfg, f.knob, value).is_ok(),
                        "{}={value}",
                        f.knob
                    );
                }
            }
        }
        assert_eq!(PLATFORMS.len(), Platform::ALL.len());
        for (id, _) in PLATFORMS {
            assert!(Platform::from_id(id).is_some());
        }
    }

    #[test]
    fn an_empty_field_says_what_it_stands_for() {
        let cfg = LabConfig::default();
        assert_eq!(placeholder(&cfg, "ports"), "32768-60999");
        assert_eq!(placeholder(&cfg, "time-wait-ms"), "60000 (60 s)");
        let win = LabConfig {
            platform: Platform::Windows,
            ..cfg
        };
        assert_eq!(placeholder(&win, "ports"), "49152-65535");
        assert_eq!(placeholder(&win, "max-tw-buckets"), "no limit");
        assert_eq!(placeholder(&win, "time-wait-ms"), "240000 (240 s)");
        assert!(!applies(&win, "tw-reuse"));
    }
}
