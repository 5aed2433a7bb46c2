//! What the playback layer and the countdown ring draw at an instant: numbers
//! only, so the Yew components just place them.

use farewell_diagram::{Countdown, Diagram};
use farewell_engine::{Host, Trace};

/// A segment on its way at the playhead: where its dot is.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct InFlight {
    pub id: u32,
    pub from: Host,
    pub x: f64,
    pub y: f64,
    /// It is lost: the dot travels to the ✕ half way and stops there.
    pub dropped: bool,
}

/// The segments in flight at `t_ms`, each at its place along its arrow (a
/// straight line from send to arrival, or to the ✕ for a lost one). A segment
/// is in flight from its send time up to, not including, its arrival.
pub fn in_flight(diagram: &Diagram, t_ms: f64) -> impl Iterator<Item = InFlight> + '_ {
    diagram.arrows.iter().filter_map(move |a| {
        if t_ms < a.t_ms || t_ms >= a.end_ms || a.end_ms <= a.t_ms {
            return None;
        }
        let f = (t_ms - a.t_ms) / (a.end_ms - a.t_ms);
        Some(InFlight {
            id: a.id,
            from: a.from,
            x: a.x1 + (a.x2 - a.x1) * f,
            y: a.y1 + (a.y2 - a.y1) * f,
            dropped: a.dropped,
        })
    })
}

/// Width of the playhead's clock label, for 11 px monospace: the label hides
/// the time tick it passes over.
pub fn clock_label_width(clock: &str) -> f64 {
    8.0 + 7.0 * clock.chars().count() as f64
}

/// The countdown ring's numbers.
#[derive(Clone, Debug, PartialEq)]
pub struct Ring {
    /// How full the ring is: remaining / total, 0 when no TIME_WAIT length is
    /// known.
    pub fraction: f64,
    /// The seconds in the middle of the ring (`59.8`).
    pub seconds: String,
    /// The section's accessible name: the seconds and the text in one sentence.
    pub label: String,
}

pub fn ring(c: &Countdown) -> Ring {
    let fraction = if c.total_ms > 0.0 {
        farewell_num::clamp(c.remaining_ms / c.total_ms, 0.0, 1.0)
    } else {
        0.0
    };
    let seconds = crate::format::seconds(c.remaining_ms);
    Ring {
        fraction,
        label: format!("TIME_WAIT countdown: {seconds} seconds left. {}", c.text),
        seconds,
    }
}

/// Index of the last event at or before `t` (the log line playback is on).
pub fn current_line(trace: &Trace, t: f64) -> Option<usize> {
    trace.events.iter().rposition(|e| e.t_ms <= t)
}
