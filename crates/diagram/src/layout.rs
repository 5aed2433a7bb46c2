//! Where everything goes: a [`Diagram`] is pure geometry and text computed from a
//! trace, so the page, the standalone SVG export and the tests all draw the same
//! picture.

use crate::timemap::{TimeMap, HOP_PX};
use farewell_engine::trace::{EventKind, Fate, TimerKind};
use farewell_engine::{DiscardReason, Flags, Host, SegmentEvent, SegmentKind, TcpState, Trace};

/// Width of the drawing (viewBox units).
pub const WIDTH: f64 = 740.0;
/// x of host A's lifeline.
pub const X_A: f64 = 225.0;
/// x of host B's lifeline.
pub const X_B: f64 = 515.0;
/// Where lifelines start (below the host heads).
pub const TOP: f64 = 64.0;
/// y of t = 0.
const T0_Y: f64 = TOP + 26.0;
/// Distance from a lifeline to the first timer bracket, and between lanes.
const TIMER_OFFSET: f64 = 90.0;
const TIMER_LANE: f64 = 12.0;
/// Vertical offset between segments one host sends at the same instant: more
/// than a label's height, so the labels of a burst stack without overlapping.
const STAGGER: f64 = 20.0;
/// Where along its full path an arrow's label sits (from the sender): crossing
/// arrows sent at the same moment then keep their labels apart.
const LABEL_AT: f64 = 0.3;

/// The laid-out diagram of one trace.
#[derive(Clone, Debug, PartialEq)]
pub struct Diagram {
    pub width: f64,
    pub height: f64,
    pub x_a: f64,
    pub x_b: f64,
    /// Top of the lifelines.
    pub top: f64,
    pub time_map: TimeMap,
    /// `address:port` of A and B.
    pub labels: [String; 2],
    pub arrows: Vec<Arrow>,
    pub bands: Vec<StateBand>,
    pub timers: Vec<TimerBracket>,
    pub breaks: Vec<AxisBreak>,
    pub ticks: Vec<Tick>,
    /// One-way link delay of the trace.
    pub delay_ms: f64,
    pub end_ms: f64,
}

/// One segment: a slanted arrow from the sender's lifeline to the receiver's,
/// or to a ✕ half way if the link dropped it.
#[derive(Clone, Debug, PartialEq)]
pub struct Arrow {
    /// The segment's id in the trace.
    pub id: u32,
    pub from: Host,
    /// Send time.
    pub t_ms: f64,
    /// Arrival time, or for a dropped segment the moment it is lost (half way).
    pub end_ms: f64,
    pub x1: f64,
    pub y1: f64,
    pub x2: f64,
    pub y2: f64,
    /// CSS class: `syn`, `fin`, `rst`, `data` or `ack`.
    pub kind: &'static str,
    pub dropped: bool,
    pub retransmission: bool,
    pub duplicate: bool,
    /// The receiver threw it away unread (PAWS): a `discard` event names it.
    pub discarded: Option<DiscardReason>,
    /// `FIN seq=6 ack=1`, tcpdump's numbers in the RFC's words.
    pub label: String,
    pub label_x: f64,
    pub label_y: f64,
    /// Degrees, so the label runs along the arrow.
    pub label_angle: f64,
}

/// A stretch of one host's lifeline spent in one state.
#[derive(Clone, Debug, PartialEq)]
pub struct StateBand {
    pub host: Host,
    pub state: TcpState,
    /// The lifeline's x.
    pub x: f64,
    pub t0: f64,
    pub t1: f64,
    pub y0: f64,
    pub y1: f64,
    /// Baseline of the state's name, pushed down when states change in quick
    /// succession so names never overlap.
    pub label_y: f64,
}

/// How a timer's bracket ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimerEnd {
    Expired,
    Stopped,
    /// Armed again while running (TIME_WAIT restarted by a retransmitted FIN).
    Restarted,
    /// Still running when the trace ends.
    Running,
}

/// A timer drawn as a bracket beside its host's lifeline, from when it was armed
/// to when it fired, was stopped or restarted.
#[derive(Clone, Debug, PartialEq)]
pub struct TimerBracket {
    pub host: Host,
    pub timer: TimerKind,
    /// x of the bracket's spine.
    pub x: f64,
    pub t0: f64,
    pub t1: f64,
    pub y0: f64,
    pub y1: f64,
    pub end: TimerEnd,
    /// `TIME_WAIT 60 s`, `RTO 204 ms`: the length it was armed with.
    pub label: String,
}

/// A compressed idle stretch, marked on the axis.
#[derive(Clone, Debug, PartialEq)]
pub struct AxisBreak {
    pub y: f64,
    pub t0: f64,
    pub t1: f64,
    /// `59.8 s pass`.
    pub label: String,
}

/// A time label in the left margin where a segment leaves.
#[derive(Clone, Debug, PartialEq)]
pub struct Tick {
    pub y: f64,
    pub label: String,
}

/// `1.5 s`, `60 s`, `40 ms`, `0.5 ms`.
pub fn format_duration(ms: f64) -> String {
    if ms >= 1000.0 {
        let s = ms / 1000.0;
        if (s - s.round()).abs() < 0.05 {
            format!("{} s", farewell_num::Shortest(s.round()))
        } else {
            format!("{s_1} s", s_1 = farewell_num::Fixed(s, 1))
        }
    } else if (ms - ms.round()).abs() < 0.05 {
        format!("{} ms", farewell_num::Shortest(ms.round()))
    } else {
        format!("{ms_1} ms", ms_1 = farewell_num::Fixed(ms, 1))
    }
}

/// `0.200 s`: the clock used on the axis and by playback.
pub fn format_clock(ms: f64) -> String {
    format!("{} s", farewell_num::Fixed(ms / 1000.0, 3))
}

/// The label of a segment: `FIN seq=6 ack=1`, `SYN-ACK seq=0 ack=1`,
/// `DATA seq=1:6 ack=1`, `ACK seq=1 ack=7`, `RST seq=7`.
pub fn segment_label(s: &SegmentEvent) -> String {
    let f = s.flags;
    let name = if f.contains(Flags::SYN) && f.contains(Flags::ACK) {
        "SYN-ACK".to_string()
    } else {
        let names: Vec<&str> = f.names().filter(|n| *n != "ACK" && *n != "PSH").collect();
        if !names.is_empty() {
            names.join("+")
        } else if s.len > 0 {
            "DATA".to_string()
        } else if f.contains(Flags::ACK) {
            "ACK".to_string()
        } else {
            "(no flags)".to_string()
        }
    };
    let mut label = if s.len > 0 {
        format!("{name} seq={}:{}", s.seq, s.seq.wrapping_add(s.len))
    } else {
        format!("{name} seq={}", s.seq)
    };
    if let Some(ack) = s.ack {
        label.push_str(&format!(" ack={ack}"));
    }
    if s.duplicate {
        label = format!("old dup {label}");
    } else if s.retransmission {
        label = format!("↻ {label}");
    }
    label
}

/// The CSS class of a segment's arrow: its [`SegmentKind`].
pub fn segment_class(s: &SegmentEvent) -> &'static str {
    match SegmentKind::of(s.flags, s.len) {
        SegmentKind::Rst => "rst",
        SegmentKind::Syn => "syn",
        SegmentKind::Fin => "fin",
        SegmentKind::Data => "data",
        SegmentKind::Ack | SegmentKind::Any => "ack",
    }
}

fn x_of(d_x: [f64; 2], h: Host) -> f64 {
    d_x[h.index()]
}

/// Lays out a trace.
pub fn layout(trace: &Trace) -> Diagram {
    let xs = [X_A, X_B];
    let mut delay_ms = 20.0;
    let mut initial = [TcpState::Closed; 2];
    for e in &trace.events {
        if let EventKind::Start {
            a, b, delay_ms: d, ..
        } = &e.kind
        {
            delay_ms = *d;
            initial = [*a, *b];
        }
    }
    let end_ms = trace.end_ms();

    // Every instant something happens, plus where dropped segments are lost.
    let mut instants: Vec<f64> = Vec::with_capacity(trace.events.len() + 8);
    for e in &trace.events {
        instants.push(e.t_ms);
        if let EventKind::Segment(s) = &e.kind {
            match s.arrive_ms {
                Some(a) => instants.push(a),
                None => instants.push(e.t_ms + delay_ms),
            }
        }
    }
    let (time_map, compressed) = TimeMap::build(&instants, delay_ms, T0_Y);

    // Arrows.
    let mut arrows = Vec::new();
    let discarded: Vec<(u32, DiscardReason)> = trace
        .events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Discard { seg_id, reason, .. } => Some((*seg_id, *reason)),
            _ => None,
        })
        .collect();
    let mut ticks: Vec<Tick> = Vec::new();
    let mut last_send: [(f64, u32); 2] = [(f64::NAN, 0); 2];
    for (t, s) in trace.segments() {
        let slot = &mut last_send[s.from.index()];
        let k = if slot.0 == t { slot.1 + 1 } else { 0 };
        *slot = (t, k);
        let stagger = f64::from(k) * STAGGER;
        let (x1, x_to) = (x_of(xs, s.from), x_of(xs, s.to));
        let y1 = time_map.y_of(t) + stagger;
        let dropped = s.fate == Fate::Dropped;
        let full_end_t = s.arrive_ms.unwrap_or(t + delay_ms);
        let y_full = (time_map.y_of(full_end_t) + stagger).max(y1);
        let (x2, y2, end) = if dropped {
            (
                (x1 + x_to) / 2.0,
                (y1 + y_full) / 2.0,
                t + (full_end_t - t) / 2.0,
            )
        } else {
            (x_to, y_full, full_end_t)
        };
        let label_x = x1 + (x_to - x1) * LABEL_AT;
        let label_y = y1 + (y_full - y1) * LABEL_AT;
        let mut angle = (y_full - y1).atan2(x_to - x1).to_degrees();
        if angle.abs() > 90.0 {
            angle -= 180.0 * angle.signum();
        }
        arrows.push(Arrow {
            id: s.id,
            from: s.from,
            t_ms: t,
            end_ms: end,
            x1,
            y1,
            x2,
            y2,
            kind: segment_class(s),
            dropped,
            retransmission: s.retransmission,
            duplicate: s.duplicate,
            discarded: discarded.iter().find(|d| d.0 == s.id).map(|d| d.1),
            label: segment_label(s),
            label_x,
            label_y,
            label_angle: angle,
        });
        let y = time_map.y_of(t);
        if ticks.last().is_none_or(|last| y - last.y >= 14.0) {
            ticks.push(Tick {
                y,
                label: format_clock(t),
            });
        }
    }

    // State bands.
    let mut bands = Vec::new();
    let mut current: [(TcpState, f64); 2] = [(initial[0], 0.0), (initial[1], 0.0)];
    let push_band = |bands: &mut Vec<StateBand>, h: Host, state: TcpState, t0: f64, t1: f64| {
        bands.push(StateBand {
            host: h,
            state,
            x: x_of(xs, h),
            t0,
            t1,
            y0: time_map.y_of(t0),
            y1: time_map.y_of(t1),
            label_y: 0.0,
        });
    };
    for e in &trace.events {
        if let EventKind::State { host, to, .. } = &e.kind {
            let (state, since) = current[host.index()];
            push_band(&mut bands, *host, state, since, e.t_ms);
            current[host.index()] = (*to, e.t_ms);
        }
    }
    for h in Host::BOTH {
        let (state, since) = current[h.index()];
        push_band(&mut bands, h, state, since, end_ms);
    }
    crate::order::sort_by_time(&mut bands, |b| (b.t0, b.host.index()));
    let mut last_label = [f64::NEG_INFINITY; 2];
    for b in &mut bands {
        let prev = &mut last_label[b.host.index()];
        b.label_y = (b.y0 + 12.0).max(*prev + 12.0);
        *prev = b.label_y;
    }

    // Timer brackets, each in the first free lane of its host. A timer re-armed
    // at the instant it was armed (several ACKs processed at once) ran for no
    // time: nothing to draw.
    let mut spans = crate::playback::timer_spans(trace);
    spans.retain(|s| s.t1 > s.t0 || !matches!(s.end, TimerEnd::Restarted | TimerEnd::Stopped));
    // The BSDs' connect deadline runs under every handshake: drawn only when
    // it ends the connect (or is still running), not when the handshake beat it.
    spans.retain(|s| s.timer != TimerKind::KeepInit || s.end != TimerEnd::Stopped);
    let mut lanes: [Vec<f64>; 2] = [Vec::new(), Vec::new()]; // per host: lane busy until y
    let mut timers = Vec::new();
    for crate::playback::TimerSpan {
        host,
        timer,
        t0,
        t1,
        deadline_ms: deadline,
        end,
    } in spans
    {
        let (y0, y1) = (
            time_map.y_of(t0),
            time_map.y_of(t1).max(time_map.y_of(t0) + 2.0),
        );
        let busy = &mut lanes[host.index()];
        let lane = match busy.iter().position(|until| *until <= y0) {
            Some(l) => l,
            None => {
                busy.push(0.0);
                busy.len() - 1
            }
        };
        busy[lane] = y1 + 4.0;
        let side = if host == Host::A { -1.0 } else { 1.0 };
        let name = match timer {
            TimerKind::Retransmission => "RTO",
            TimerKind::DelayedAck => "delayed ACK",
            TimerKind::FinWait2 => "FIN_WAIT_2",
            TimerKind::LossProbe => "TLP",
            TimerKind::TimeWait => "TIME_WAIT",
            TimerKind::KeepInit => "keepinit",
        };
        timers.push(TimerBracket {
            host,
            timer,
            x: x_of(xs, host) + side * (TIMER_OFFSET + lane as f64 * TIMER_LANE),
            t0,
            t1,
            y0,
            y1,
            end,
            label: format!("{name} {}", format_duration(deadline - t0)),
        });
    }

    let breaks = compressed
        .iter()
        .map(|c| AxisBreak {
            y: (c.y0 + c.y1) / 2.0,
            t0: c.t0,
            t1: c.t1,
            label: format!("{} pass", format_duration(c.t1 - c.t0)),
        })
        .collect();

    let height = time_map.y_of(end_ms) + HOP_PX / 2.0 + 12.0;
    Diagram {
        width: crate::layout::WIDTH,
        height,
        x_a: X_A,
        x_b: X_B,
        top: TOP,
        time_map,
        labels: [Host::A.socket_addr(), Host::B.socket_addr()],
        arrows,
        bands,
        timers,
        breaks,
        ticks,
        delay_ms,
        end_ms,
    }
}
