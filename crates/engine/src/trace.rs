//! The trace: what happened, in order, as data. One JSON object per line
//! (JSON Lines), times in milliseconds from the scenario start.
//!
//! The trace is the only thing the layout, the view, the CLI and the exporters
//! read; it is a public contract (see `docs` in the README). Its text
//! rendering (`Trace::to_text`, [`describe`]) is in [`crate::text`].

use crate::profile::Platform;
use crate::segment::{Flags, Host};
use crate::state::TcpState;
use serde::{Deserialize, Serialize};
use std::fmt;

// The endpoint's vocabulary, which the trace records as it is.
pub use crate::endpoint::{AppCall, TimerAction, TimerKind};
// The trace as text lives in `crate::text`.
pub use crate::text::{describe, tcpdump_summary};

/// One line of the trace.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TraceEvent {
    pub t_ms: f64,
    #[serde(flatten)]
    pub kind: EventKind,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum EventKind {
    /// The first event: initial states and the figures the view needs.
    Start {
        a: TcpState,
        b: TcpState,
        platform: Platform,
        /// One-way link delay.
        delay_ms: f64,
        msl_ms: f64,
        time_wait_ms: f64,
    },
    /// A segment leaving `from`, with its fate on the link.
    Segment(SegmentEvent),
    /// A state transition (RFC 9293 Figure 5).
    State {
        host: Host,
        from: TcpState,
        to: TcpState,
    },
    /// A timer armed, restarted, stopped or expired.
    Timer {
        host: Host,
        timer: TimerKind,
        action: TimerAction,
        /// When an armed or restarted timer will fire.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        deadline_ms: Option<f64>,
    },
    /// An application call, or something the application learns (EOF, a reset).
    App {
        host: Host,
        call: AppCall,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        bytes: Option<u32>,
        /// The error the call returned (e.g. `EPIPE`), if it failed.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        error: Option<String>,
        /// Which connection incarnation the bytes read came from, when that is not
        /// the reader's own (an old duplicate accepted as new data).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        stale_from_conn: Option<u32>,
    },
    /// A host threw away a segment that reached it, without processing it
    /// (only PAWS so far). Any reply it sent (PAWS: a duplicate ACK) is the
    /// next `segment` event from that host at the same time.
    Discard {
        host: Host,
        /// The `id` of the segment discarded.
        seg_id: u32,
        reason: DiscardReason,
    },
    /// The simulation stopped.
    End {
        reason: EndReason,
        a: TcpState,
        b: TcpState,
        /// When a work limit stopped the run: which limit, and the scenario field
        /// that most likely drove the run there.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        budget: Option<BudgetStop>,
    },
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SegmentEvent {
    pub from: Host,
    pub to: Host,
    pub flags: Flags,
    /// Relative to the sender's ISN (the SYN is 0, the first data byte 1).
    pub seq: u32,
    /// Relative to the receiver's ISN; present only when ACK is set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ack: Option<u32>,
    pub len: u32,
    /// The timestamp option (RFC 7323), when the connection uses it: the
    /// sender's TSval and the TSecr it echoes, absolute as tcpdump prints them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tsval: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tsecr: Option<u32>,
    /// A D-SACK block (RFC 2883), `[left, right)` relative to the receiver's
    /// ISN like `ack`: the duplicate's bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dsack: Option<[u32; 2]>,
    pub fate: Fate,
    pub retransmission: bool,
    /// Index of this segment among all segments of the trace (0-based).
    pub id: u32,
    /// When it reaches `to` (absent if dropped).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arrive_ms: Option<f64>,
    /// Why it was dropped: `rule` (a drop rule) or `loss` (random loss).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drop_cause: Option<DropCause>,
    /// Connection incarnation (1 for the first connection on this 4-tuple).
    #[serde(default = "one", skip_serializing_if = "is_one")]
    pub conn: u32,
    /// The receiver's incarnation that `ack` is relative to, when it is not
    /// `conn`: the two sides count connections apart once one abandons an
    /// attempt (close in SYN_SENT, then connect again).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peer_conn: Option<u32>,
    /// An extra copy made by a duplicate rule (an "old duplicate").
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub duplicate: bool,
}

fn one() -> u32 {
    1
}
fn is_one(v: &u32) -> bool {
    *v == 1
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Fate {
    Delivered,
    Dropped,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DropCause {
    Rule,
    Loss,
}

/// Why a receiver discarded a segment (the `discard` event).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DiscardReason {
    /// PAWS (RFC 7323 §5.3): its TSval is older than the TS.Recent the
    /// receiver holds, so it is an old duplicate from an earlier time.
    Paws,
}

impl DiscardReason {
    pub const fn label(self) -> &'static str {
        match self {
            DiscardReason::Paws => "PAWS: its TSval is older than TS.Recent",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EndReason {
    /// Both hosts are CLOSED (a listening host counts as closed).
    AllClosed,
    /// The scenario's `time_limit_ms` was reached first.
    TimeLimit,
    /// Nothing is left to happen but a host is not CLOSED (e.g. FIN_WAIT_2 with no
    /// timer, or CLOSE_WAIT whose application never closes).
    Quiescent,
    /// The work budget's cap on trace events (or on simulation steps) was
    /// reached: a runaway scenario (see [`crate::budget`]).
    EventLimit,
    /// The work budget's cap on segments was reached (see [`crate::budget`]).
    SegmentLimit,
}

impl EndReason {
    /// A work limit cut the run short.
    pub const fn is_budget(self) -> bool {
        matches!(self, EndReason::EventLimit | EndReason::SegmentLimit)
    }
}

/// Which work limit stopped a run, and the scenario field that most likely drove
/// it there (see [`crate::budget::Usage::culprit`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BudgetStop {
    /// `segments`, `events` or `steps`.
    pub limit: String,
    /// The limit's value.
    pub max: u32,
    /// The scenario field, e.g. `link.loss` or `actions[3].bytes`.
    pub field: String,
}

impl fmt::Display for BudgetStop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: the run reached the work budget's limit of {} {}, so the trace stops there",
            self.field, self.max, self.limit
        )
    }
}

/// A whole trace.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Trace {
    pub events: Vec<TraceEvent>,
}

impl Trace {
    /// JSON Lines: one event per line, each line ending in `\n`.
    pub fn to_json_lines(&self) -> String {
        let mut out = String::with_capacity(self.events.len() * 120);
        for e in &self.events {
            out.push_str(&serde_json::to_string(e).expect("trace events serialize"));
            out.push('\n');
        }
        out
    }

    /// Parses JSON Lines; blank lines are ignored. Errors name the line.
    pub fn from_json_lines(text: &str) -> Result<Trace, String> {
        let mut events = Vec::new();
        for (i, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            events.push(
                serde_json::from_str(line).map_err(|e| format!("trace line {}: {e}", i + 1))?,
            );
        }
        Ok(Trace { events })
    }

    pub fn segments(&self) -> impl Iterator<Item = (f64, &SegmentEvent)> {
        self.events.iter().filter_map(|e| match &e.kind {
            EventKind::Segment(s) => Some((e.t_ms, s)),
            _ => None,
        })
    }

    /// Why the run ended, and the work limit that stopped it if one did.
    pub fn end(&self) -> Option<(EndReason, Option<&BudgetStop>)> {
        self.events.iter().rev().find_map(|e| match &e.kind {
            EventKind::End { reason, budget, .. } => Some((*reason, budget.as_ref())),
            _ => None,
        })
    }

    /// Duration of the trace (time of its last event).
    pub fn end_ms(&self) -> f64 {
        self.events.last().map_or(0.0, |e| e.t_ms)
    }
}
