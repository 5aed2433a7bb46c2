//! The work budget: how much one scenario may ask of the simulator, the same for a
//! scenario file (CLI, import), a share link and the playground's editor.
//!
//! A scenario is small to write and can be huge to run: a 667-byte share link
//! holding 1,000 sends of 1 MB asks for about 1.9 million events. So every
//! scenario is held to two kinds of limit:
//!
//! * **checked before simulating** ([`check`], called by
//!   [`Scenario::validate`](crate::Scenario::validate)): the number of actions
//!   and rules, the bytes sent in total, and the retry counts. A scenario over
//!   them is refused with a [`ScenarioError`] naming the field.
//! * **enforced while simulating** ([`Usage`]): segments on the wire, trace
//!   events and simulation steps. A run that reaches one stops cleanly: the
//!   trace ends with [`EndReason::SegmentLimit`] or [`EndReason::EventLimit`] and
//!   a [`BudgetStop`] naming the limit and the field that most likely drove the
//!   run there. No segment or event beyond the limit is recorded, so every output
//!   of an accepted scenario (JSON Lines, text, SVG, pcap) has a size bound.
//!
//! The limits sit far above any teaching scenario (the built-ins use at most a
//! few dozen segments and events; a 1 MB send takes about 700 data segments and
//! 350 ACKs), and low enough that the playground draws a run cut short at the
//! segment limit in well under a second (about 0.8 s in headless Chromium here;
//! 10,000 segments took 1.8 s).

use crate::scenario::{Do, Scenario, ScenarioError};
use crate::trace::{BudgetStop, EndReason};

/// Most actions, drop rules, duplicate rules, or ISNs per host, a scenario may hold.
pub const MAX_RULES: usize = 1000;
/// Largest `bytes` in one `send` (the engine does not model flow control, so one
/// send puts all its segments on the wire at once).
pub const MAX_SEND_BYTES: u32 = 1_000_000;
/// Most bytes all `send` actions of a scenario may write together.
pub const MAX_TOTAL_SEND_BYTES: u64 = 2_000_000;
/// Largest `tunables.max_retries` and `tunables.orphan_retries`: Linux keeps the
/// retransmission count in a `u8` (`icsk_retransmits`,
/// include/net/inet_connection_sock.h), so no real stack is configured above it.
pub const MAX_RETRIES: u32 = 255;
/// Most segments one run may put on the wire (retransmissions and duplicate
/// copies included).
pub const MAX_SEGMENTS: u32 = 2_500;
/// Most trace events one run may record (its `end` event comes on top).
pub const MAX_EVENTS: u32 = 12_500;
/// Most simulation steps (queue events: calls, deliveries, timer wake-ups) one
/// run may process; a step that records nothing (a timer with nothing to do)
/// still counts.
pub const MAX_STEPS: u32 = 200_000;

/// Checks the limits that can be checked before simulating.
pub fn check(scenario: &Scenario) -> Result<(), ScenarioError> {
    for (h, cfg) in [("A", &scenario.hosts.a), ("B", &scenario.hosts.b)] {
        if cfg.isn.len() > MAX_RULES {
            return Err(ScenarioError::at(
                format!("hosts.{h}.isn"),
                format!("at most {MAX_RULES} values, got {}", cfg.isn.len()),
            ));
        }
    }
    for (field, len) in [
        ("actions", scenario.actions.len()),
        ("drops", scenario.drops.len()),
        ("duplicates", scenario.duplicates.len()),
    ] {
        if len > MAX_RULES {
            return Err(ScenarioError::at(
                field,
                format!("at most {MAX_RULES} entries, got {len}"),
            ));
        }
    }
    for (field, v) in [
        ("tunables.max_retries", scenario.tunables.max_retries),
        ("tunables.orphan_retries", scenario.tunables.orphan_retries),
    ] {
        if let Some(v) = v.filter(|v| *v > MAX_RETRIES) {
            return Err(ScenarioError::at(
                field,
                format!("at most {MAX_RETRIES} (Linux counts retransmissions in 8 bits), got {v}"),
            ));
        }
    }
    let mut total = 0u64;
    for (i, a) in scenario.actions.iter().enumerate() {
        if a.what != Do::Send {
            continue;
        }
        total += u64::from(a.bytes.unwrap_or(0));
        if total > MAX_TOTAL_SEND_BYTES {
            return Err(ScenarioError::at(
                format!("actions[{i}].bytes"),
                format!(
                    "the sends add up to {total} bytes by this one; the work budget allows \
                     {MAX_TOTAL_SEND_BYTES} bytes in all"
                ),
            ));
        }
    }
    Ok(())
}

/// What a run has used so far, counted by the simulator.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Usage {
    pub segments: u32,
    pub events: u32,
    pub steps: u32,
    /// Segments sent again (RTO, loss probe, FIN repeated on an ACK).
    pub retransmissions: u32,
    /// Extra copies made by duplicate rules.
    pub duplicates: u32,
    /// Segments that carried new data.
    pub new_data: u32,
}

impl Usage {
    /// Whether one more trace event may be recorded.
    pub fn room_for_event(&self) -> bool {
        self.events < MAX_EVENTS
    }

    /// Whether one more segment (and its trace event) may be sent.
    pub fn room_for_segment(&self) -> bool {
        self.segments < MAX_SEGMENTS && self.room_for_event()
    }

    /// The limit this usage has reached, if any.
    pub fn reached(&self) -> Option<(EndReason, &'static str, u32)> {
        if self.segments >= MAX_SEGMENTS {
            Some((EndReason::SegmentLimit, "segments", MAX_SEGMENTS))
        } else if self.events >= MAX_EVENTS {
            Some((EndReason::EventLimit, "trace events", MAX_EVENTS))
        } else if self.steps >= MAX_STEPS {
            Some((EndReason::EventLimit, "simulation steps", MAX_STEPS))
        } else {
            None
        }
    }

    /// The scenario field that most likely drove the run to a limit. When the
    /// sends alone (their data segments and about one ACK for every two) would
    /// have fitted, the extra segments did it: retransmissions point at the loss
    /// (random or by rule) or the retry settings that kept them coming,
    /// duplicate copies at the duplicate rules. Otherwise the largest send did;
    /// with no data at all, the actions.
    pub fn culprit(&self, scenario: &Scenario) -> String {
        let data_segments: u64 = scenario
            .actions
            .iter()
            .filter(|a| a.what == Do::Send)
            .map(|a| u64::from(a.bytes.unwrap_or(0)).div_ceil(u64::from(crate::endpoint::MSS)))
            .sum();
        let sends_fit = data_segments * 3 / 2 < u64::from(MAX_SEGMENTS);
        let extra = self.retransmissions.max(self.duplicates);
        if sends_fit && extra > 0 {
            if self.duplicates > self.retransmissions && !scenario.duplicates.is_empty() {
                return "duplicates".into();
            }
            if scenario.link.loss > 0.0 {
                return "link.loss".into();
            }
            if let Some(i) = largest(scenario.drops.iter().map(|d| u64::from(d.count))) {
                return format!("drops[{i}].count");
            }
            if scenario.tunables.rto_max_ms.is_some() {
                return "tunables.rto_max_ms".into();
            }
            return "tunables.max_retries".into();
        }
        let sends = scenario.actions.iter().map(|a| match a.what {
            Do::Send => u64::from(a.bytes.unwrap_or(0)),
            _ => 0,
        });
        match largest(sends) {
            Some(i) => format!("actions[{i}].bytes"),
            None => "actions".into(),
        }
    }

    /// The trace's record of the limit reached, if one was.
    pub fn stop(&self, scenario: &Scenario) -> Option<(EndReason, BudgetStop)> {
        let (reason, limit, max) = self.reached()?;
        Some((
            reason,
            BudgetStop {
                limit: limit.into(),
                max,
                field: self.culprit(scenario),
            },
        ))
    }
}

/// What every run of an accepted scenario promises: its trace ends with its
/// `end` event and stays within the segment and event limits. The fuzz tests
/// hold every accepted input to it.
pub fn check_trace(trace: &crate::Trace) -> Result<(), String> {
    if !matches!(
        trace.events.last().map(|e| &e.kind),
        Some(crate::EventKind::End { .. })
    ) {
        return Err("the trace does not end with its end event".into());
    }
    let segments = trace.segments().count();
    if segments > MAX_SEGMENTS as usize {
        return Err(format!(
            "{segments} segments, over the limit of {MAX_SEGMENTS}"
        ));
    }
    // The end event comes on top of the limit.
    if trace.events.len() > MAX_EVENTS as usize + 1 {
        return Err(format!(
            "{} events, over the limit of {MAX_EVENTS}",
            trace.events.len()
        ));
    }
    Ok(())
}

/// Index of the largest non-zero value (the first of equals).
fn largest(values: impl Iterator<Item = u64>) -> Option<usize> {
    let mut best: Option<(usize, u64)> = None;
    for (i, v) in values.enumerate() {
        if v > 0 && best.is_none_or(|(_, b)| v > b) {
            best = Some((i, v));
        }
    }
    best.map(|(i, _)| i)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scenario(json: &str) -> Scenario {
        Scenario::from_json(json).unwrap()
    }

    fn usage(retransmissions: u32, duplicates: u32, new_data: u32) -> Usage {
        Usage {
            segments: MAX_SEGMENTS,
            retransmissions,
            duplicates,
            new_data,
            ..Usage::default()
        }
    }

    #[test]
    fn the_culprit_is_what_took_the_run_past_what_its_sends_need() {
        let small = r#"{"actions":[
            {"at_ms":0,"host":"A","do":"send","bytes":10},
            {"at_ms":0,"host":"B","do":"send","bytes":100000}],
            "drops":[{"from":"A","kind":"ANY","count":1},{"from":"B","kind":"DATA","count":9}],
            "duplicates":[{"from":"A","kind":"ANY","extra_delay_ms":5}]}"#;
        let s = scenario(small);
        assert_eq!(usage(1500, 0, 70).culprit(&s), "drops[1].count");
        assert_eq!(usage(10, 2000, 70).culprit(&s), "duplicates");
        assert_eq!(usage(0, 0, 70).culprit(&s), "actions[1].bytes");
        let mut lossy = s.clone();
        lossy.link.loss = 0.5;
        assert_eq!(usage(1500, 0, 70).culprit(&lossy), "link.loss");
        let quiet = scenario(r#"{"actions":[]}"#);
        assert_eq!(usage(0, 0, 0).culprit(&quiet), "actions");
        assert_eq!(usage(9, 0, 0).culprit(&quiet), "tunables.max_retries");
    }

    #[test]
    fn a_trace_must_end_with_its_end_event() {
        let mut t = crate::simulate(&crate::builtin::get("normal-close").unwrap());
        assert_eq!(check_trace(&t), Ok(()));
        t.events.pop();
        assert!(check_trace(&t).unwrap_err().contains("end event"));
    }

    #[test]
    fn segments_are_the_first_limit_named_then_events_then_steps() {
        let mut u = Usage::default();
        assert_eq!(u.reached(), None);
        assert!(u.room_for_segment());
        u.steps = MAX_STEPS;
        assert_eq!(u.reached().map(|r| r.1), Some("simulation steps"));
        u.events = MAX_EVENTS;
        assert!(!u.room_for_event() && !u.room_for_segment());
        assert_eq!(u.reached().map(|r| r.0), Some(EndReason::EventLimit));
        u.segments = MAX_SEGMENTS;
        assert_eq!(u.reached().map(|r| r.0), Some(EndReason::SegmentLimit));
    }
}
