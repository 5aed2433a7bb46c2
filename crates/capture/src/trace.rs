//! An inferred connection as a Farewell trace, so the existing renderer draws
//! a capture like a simulation (`farewell explain --format svg`).
//!
//! Each segment leaves its sender at the capture time less the delay from the
//! sender to the capture point, and reaches the receiver at the capture time
//! plus the delay onwards; a segment presumed lost is drawn dropped. Times
//! start at the first event; frames seen twice within a moment are drawn
//! once. What was inferred rather than seen is not marked here: the text and
//! jsonl formats say it, and the playground's capture view
//! (`crates/capture-view`) hatches the inferred state bands.

use crate::infer::Inference;
use farewell_engine::trace::{DropCause, EndReason, EventKind, Fate, SegmentEvent, TraceEvent};
use farewell_engine::{Host, TcpState, Trace};

/// The capture-clock time (µs) that the trace's 0 ms stands for: the first
/// segment's departure from its sender, or an earlier inferred state change.
pub fn origin_us(inf: &Inference) -> i64 {
    inf.segments
        .iter()
        .map(|s| s.t_us - inf.position.to(s.from))
        .chain(inf.changes.iter().map(|c| c.t_us))
        .min()
        .unwrap_or(inf.first_us)
}

/// The trace the diagram draws for `inf`.
pub fn to_trace(inf: &Inference) -> Trace {
    let to = |h: Host| match h {
        Host::A => inf.position.to_a_us,
        Host::B => inf.position.to_b_us,
    };
    let sent_at = |t_us: i64, from: Host| t_us - to(from);
    let t0 = origin_us(inf);
    let ms = |t_us: i64| (t_us - t0) as f64 / 1000.0;
    let profile = inf.platform.profile();
    let mut events = vec![TraceEvent {
        t_ms: 0.0,
        kind: EventKind::Start {
            a: inf.start[0],
            b: inf.start[1],
            platform: inf.platform,
            delay_ms: (inf.position.to_a_us + inf.position.to_b_us) as f64 / 1000.0,
            msl_ms: profile.msl.as_ms(),
            time_wait_ms: profile.time_wait.as_ms(),
        },
    }];
    let mut timed: Vec<TraceEvent> = Vec::new();
    for (id, s) in (0u32..).zip(inf.segments.iter().filter(|s| !s.duplicate)) {
        let peer = s.from.peer();
        timed.push(TraceEvent {
            t_ms: ms(sent_at(s.t_us, s.from)),
            kind: EventKind::Segment(SegmentEvent {
                from: s.from,
                to: peer,
                flags: s.flags,
                seq: s.seq,
                ack: s.ack,
                len: s.len,
                tsval: None,
                tsecr: None,
                dsack: None,
                fate: if s.presumed_lost {
                    Fate::Dropped
                } else {
                    Fate::Delivered
                },
                retransmission: s.retransmission,
                id,
                arrive_ms: (!s.presumed_lost).then(|| ms(s.t_us + to(peer))),
                drop_cause: s.presumed_lost.then_some(DropCause::Loss),
                conn: 1,
                peer_conn: None,
                duplicate: false,
            }),
        });
    }
    for c in &inf.changes {
        timed.push(TraceEvent {
            t_ms: ms(c.t_us),
            kind: EventKind::State {
                host: c.host,
                from: c.from,
                to: c.to,
            },
        });
    }
    // Stable: a segment and the state change it causes keep their order.
    timed.sort_by(|x, y| x.t_ms.total_cmp(&y.t_ms));
    let end_ms = timed.last().map_or(0.0, |e| e.t_ms);
    events.extend(timed);
    let closed = |s: TcpState| matches!(s, TcpState::Closed | TcpState::Listen);
    events.push(TraceEvent {
        t_ms: end_ms,
        kind: EventKind::End {
            reason: if closed(inf.at_end[0]) && closed(inf.at_end[1]) {
                EndReason::AllClosed
            } else {
                EndReason::Quiescent
            },
            a: inf.at_end[0],
            b: inf.at_end[1],
            budget: None,
        },
    });
    Trace { events }
}
