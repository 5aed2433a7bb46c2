//! Helpers that print a trace the way the tests below read: one line per segment,
//! tcpdump-like, and one line per state change.
#![allow(dead_code)]

use farewell_engine::trace::{EventKind, Fate};
use farewell_engine::{builtin, simulate, Host, Scenario, TcpState, Trace};

pub fn run(id: &str) -> Trace {
    simulate(&builtin::get(id).unwrap_or_else(|| panic!("no built-in {id}")))
}

pub fn run_json(json: &str) -> Trace {
    simulate(&Scenario::from_json(json).unwrap_or_else(|e| panic!("bad scenario: {e}")))
}

/// `"200 A>B F. 6 ack 1"`, with `len N` for data, ` rtx` for retransmissions,
/// ` dup` for old duplicates and ` LOST` for dropped segments.
pub fn segments(t: &Trace) -> Vec<String> {
    t.segments()
        .map(|(t_ms, s)| {
            let mut line = format!(
                "{} {}>{} {} {}",
                fmt_ms(t_ms),
                s.from,
                s.to,
                s.flags.tcpdump(),
                s.seq
            );
            if let Some(a) = s.ack {
                line.push_str(&format!(" ack {a}"));
            }
            if s.len > 0 {
                line.push_str(&format!(" len {}", s.len));
            }
            if s.retransmission {
                line.push_str(" rtx");
            }
            if s.duplicate {
                line.push_str(" dup");
            }
            if s.fate == Fate::Dropped {
                line.push_str(" LOST");
            }
            line
        })
        .collect()
}

/// `"200 A FIN_WAIT_1"`: when each host entered each state.
pub fn states(t: &Trace) -> Vec<String> {
    t.events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::State { host, to, .. } => Some(format!("{} {host} {to}", fmt_ms(e.t_ms))),
            _ => None,
        })
        .collect()
}

pub fn states_of(t: &Trace, h: Host) -> Vec<TcpState> {
    t.events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::State { host, to, .. } if *host == h => Some(*to),
            _ => None,
        })
        .collect()
}

pub fn end(t: &Trace) -> (TcpState, TcpState) {
    match t.events.last().map(|e| &e.kind) {
        Some(EventKind::End { a, b, .. }) => (*a, *b),
        other => panic!("trace does not end with an end event: {other:?}"),
    }
}

pub fn fmt_ms(t: f64) -> String {
    if t.fract() == 0.0 {
        format!("{t:.0}")
    } else {
        format!("{t}")
    }
}

#[track_caller]
pub fn assert_lines(actual: Vec<String>, expected: &[&str]) {
    let expected: Vec<String> = expected.iter().map(|s| s.to_string()).collect();
    assert_eq!(
        actual,
        expected,
        "\nactual:\n  {}\nexpected:\n  {}\n",
        actual.join("\n  "),
        expected.join("\n  ")
    );
}
