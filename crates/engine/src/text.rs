//! The trace as text: tcpdump-style segment lines with the state changes,
//! timers and application calls between them (`farewell run --format text`,
//! the playground's log). The trace's data lives in [`crate::trace`]; this
//! module only renders it, and nothing parses what it writes.

use crate::trace::{EndReason, EventKind, Fate, SegmentEvent, TimerAction, Trace};
use std::fmt::Write as _;

impl Trace {
    /// tcpdump-style text with the state changes, timers and application calls
    /// between the segment lines.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        for e in &self.events {
            let _ = writeln!(
                out,
                "{:>11}  {}",
                farewell_num::Fixed(e.t_ms, 3),
                describe(&e.kind)
            );
        }
        out
    }
}

/// A segment as tcpdump prints it: `Flags [F.], seq 6, ack 1, length 0`, with
/// `options [nop,nop,TS val X ecr Y]` before the length when it carries timestamps.
pub fn tcpdump_summary(s: &SegmentEvent) -> String {
    let mut line = format!("Flags [{}], seq {}", s.flags.tcpdump(), s.seq);
    if s.len > 0 {
        let _ = write!(line, ":{}", s.seq.wrapping_add(s.len));
    }
    if let Some(ack) = s.ack {
        let _ = write!(line, ", ack {ack}");
    }
    let ts = s
        .tsval
        .zip(s.tsecr)
        .map(|(val, ecr)| format!("nop,nop,TS val {val} ecr {ecr}"));
    let sack = s.dsack.map(|[l, r]| format!("nop,nop,sack 1 {{{l}:{r}}}"));
    let options: Vec<String> = ts.into_iter().chain(sack).collect();
    if !options.is_empty() {
        let _ = write!(line, ", options [{}]", options.join(","));
    }
    let _ = write!(line, ", length {}", s.len);
    line
}

/// One line of plain text for any event (used by `--format text` and the UI log).
pub fn describe(kind: &EventKind) -> String {
    match kind {
        EventKind::Segment(s) => {
            let mut line = format!("{} > {}: {}", s.from, s.to, tcpdump_summary(s));
            if s.retransmission {
                line.push_str("  (retransmission)");
            }
            if s.duplicate {
                line.push_str("  (old duplicate)");
            }
            if s.conn != 1 {
                let _ = write!(line, "  [conn {}]", s.conn);
            }
            if s.fate == Fate::Dropped {
                line.push_str("  ✕ DROPPED");
            }
            line
        }
        EventKind::State { host, from, to } => format!("{host}: {from} → {to}"),
        EventKind::Discard {
            host,
            seg_id,
            reason,
        } => format!("{host}: discards segment #{seg_id} ({})", reason.label()),
        EventKind::Timer {
            host,
            timer,
            action,
            deadline_ms,
        } => {
            let verb = match action {
                TimerAction::Armed => "armed",
                TimerAction::Restarted => "restarted",
                TimerAction::Stopped => "stopped",
                TimerAction::Expired => "expired",
            };
            match deadline_ms {
                Some(d) => format!(
                    "{host}: {} timer {verb}, fires at {d_3} ms",
                    timer.label(),
                    d_3 = farewell_num::Fixed(*d, 3)
                ),
                None => format!("{host}: {} timer {verb}", timer.label()),
            }
        }
        EventKind::App {
            host,
            call,
            bytes,
            error,
            stale_from_conn,
        } => {
            let mut line = format!("{host}: app {}", call.label());
            if let Some(b) = bytes {
                let _ = write!(line, " {b} bytes");
            }
            if let Some(c) = stale_from_conn {
                let _ = write!(line, " (stale data from conn {c}!)");
            }
            if let Some(e) = error {
                let _ = write!(line, " → {e}");
            }
            line
        }
        EventKind::Start {
            a,
            b,
            platform,
            delay_ms,
            msl_ms,
            time_wait_ms,
        } => format!(
            "start: A {a}, B {b}; {platform}, one-way delay {} ms, MSL {} s, TIME_WAIT {} s",
            farewell_num::Shortest(*delay_ms),
            farewell_num::Shortest(msl_ms / 1000.0),
            farewell_num::Shortest(time_wait_ms / 1000.0)
        ),
        EventKind::End {
            reason,
            a,
            b,
            budget,
        } => {
            let why = match reason {
                EndReason::AllClosed => "both hosts closed",
                EndReason::TimeLimit => "time limit reached",
                EndReason::Quiescent => "nothing left to happen",
                EndReason::EventLimit => "event limit reached",
                EndReason::SegmentLimit => "segment limit reached",
            };
            match budget {
                Some(b_) => format!("end: {why} (A {a}, B {b}); {b_}"),
                None => format!("end: {why} (A {a}, B {b})"),
            }
        }
    }
}
