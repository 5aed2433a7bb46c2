//! Scenario edits made by clicking on the diagram: drop a segment, or restore one.
//!
//! A click names a segment of the *current* trace. Everything sent before that
//! segment is unchanged by dropping or restoring it (the simulator is
//! deterministic and the link decides each segment's fate only from rules and
//! earlier segments, see `farewell_engine::link::Link::transmit`), so a rule
//! addressed by "the k-th segment from this host at or after its send time" picks
//! exactly the clicked segment.

use farewell_engine::trace::{DropCause, Fate};
use farewell_engine::{DropRule, Scenario, SegmentEvent, SegmentKind, Trace};

/// Why a click could not change the scenario, worded for the user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EditError {
    NoSuchSegment(u32),
    /// An extra copy made by a duplicate rule never passes the drop rules.
    Duplicate,
    /// Lost to the seeded random loss: no rule to remove.
    RandomLoss,
}

impl std::fmt::Display for EditError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EditError::NoSuchSegment(id) => write!(f, "there is no segment #{id} in this trace"),
            EditError::Duplicate => f.write_str(
                "this is an old duplicate injected by the scenario; it cannot be dropped",
            ),
            EditError::RandomLoss => f.write_str(
                "this segment was lost to random loss; lower the loss or change the seed to bring it back",
            ),
        }
    }
}

/// The segments that went through the link's rules, in trace order, with send times.
/// Duplicate copies are left out: the link never counts them against drop rules.
fn transmitted(trace: &Trace) -> impl Iterator<Item = (f64, &SegmentEvent)> {
    trace.segments().filter(|(_, s)| !s.duplicate)
}

/// Drops the segment `id` if it was delivered, restores it if a drop rule dropped
/// it. Returns the edited scenario.
pub fn toggle_drop(scenario: &Scenario, trace: &Trace, id: u32) -> Result<Scenario, EditError> {
    let (t, seg) = trace
        .segments()
        .find(|(_, s)| s.id == id)
        .ok_or(EditError::NoSuchSegment(id))?;
    if seg.duplicate {
        return Err(EditError::Duplicate);
    }
    let mut out = scenario.clone();
    match (seg.fate, seg.drop_cause) {
        (Fate::Delivered, _) => out.drops.push(drop_rule_for(trace, t, seg)),
        (Fate::Dropped, Some(DropCause::Loss)) => return Err(EditError::RandomLoss),
        (Fate::Dropped, _) => out.drops = restore(&scenario.drops, trace, id),
    }
    Ok(out)
}

/// The rule that drops exactly this segment: `nth` counts segments from the same
/// host sent at the same instant before it (CONTEXT: "k = 1 + earlier segments from
/// the same host at exactly the same t_ms").
pub fn drop_rule_for(trace: &Trace, t_ms: f64, seg: &SegmentEvent) -> DropRule {
    let earlier_same_instant = transmitted(trace)
        .take_while(|(_, s)| s.id != seg.id)
        .filter(|(st, s)| *st == t_ms && s.from == seg.from)
        .count() as u32;
    DropRule {
        from: seg.from,
        kind: SegmentKind::Any,
        after_ms: t_ms,
        nth: 1 + earlier_same_instant,
        count: 1,
    }
}

/// Which match of `rule` the segment `id` is (1-based), if the rule matches it.
/// Mirrors the link's counting: every segment from `rule.from` of the rule's kind
/// sent at or after `after_ms` counts, dropped or not.
fn match_index(rule: &DropRule, trace: &Trace, id: u32) -> Option<u32> {
    let mut n = 0u32;
    for (t, s) in transmitted(trace) {
        let counts = s.from == rule.from && t >= rule.after_ms && rule.kind.matches(s.flags, s.len);
        if counts {
            n += 1;
        }
        if s.id == id {
            return counts.then_some(n);
        }
    }
    None
}

/// The drop rules with segment `id` no longer dropped by any of them. A rule that
/// drops a run of segments is shortened or split around it, so the other segments
/// it drops stay dropped (they keep their match numbers: the restored segment still
/// counts as a match, it is just not dropped).
pub fn restore(drops: &[DropRule], trace: &Trace, id: u32) -> Vec<DropRule> {
    let mut out = Vec::with_capacity(drops.len() + 1);
    for rule in drops {
        let m = match match_index(rule, trace, id) {
            Some(m) if m >= rule.nth && m - rule.nth < rule.count => m,
            _ => {
                out.push(rule.clone());
                continue;
            }
        };
        let before = m - rule.nth;
        let after = rule.count - before - 1;
        if before > 0 {
            out.push(DropRule {
                count: before,
                ..rule.clone()
            });
        }
        if after > 0 {
            out.push(DropRule {
                nth: m + 1,
                count: after,
                ..rule.clone()
            });
        }
    }
    out
}
