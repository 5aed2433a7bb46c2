//! Dropping and restoring segments by clicking them (crate::edit), checked on
//! real simulations of the built-in scenarios.

use farewell_engine::trace::{DropCause, Fate};
use farewell_engine::{builtin, simulate, Flags, Host, Scenario, SegmentEvent, Trace};
use farewell_page::edit::{toggle_drop, EditError};

fn segments(trace: &Trace) -> Vec<(f64, SegmentEvent)> {
    trace.segments().map(|(t, s)| (t, s.clone())).collect()
}

fn first_fin_from(trace: &Trace, host: Host) -> (f64, SegmentEvent) {
    segments(trace)
        .into_iter()
        .find(|(_, s)| s.from == host && s.flags.contains(Flags::FIN))
        .expect("the scenario has a FIN from this host")
}

#[test]
fn dropping_a_delivered_fin_drops_exactly_it_and_it_is_retransmitted() {
    let scenario = builtin::get("normal-close").unwrap();
    let before = simulate(&scenario);
    let (t, fin) = first_fin_from(&before, Host::A);
    assert_eq!(fin.fate, Fate::Delivered);

    let edited = toggle_drop(&scenario, &before, fin.id).unwrap();
    assert_eq!(edited.drops.len(), scenario.drops.len() + 1);
    let after = simulate(&edited);

    // Everything sent before the FIN is unchanged, the FIN keeps its id and is dropped.
    let (old, new) = (segments(&before), segments(&after));
    let k = old.iter().position(|(_, s)| s.id == fin.id).unwrap();
    assert_eq!(old[..k], new[..k]);
    assert_eq!(new[k].0, t);
    assert_eq!(new[k].1.fate, Fate::Dropped);
    assert_eq!(new[k].1.drop_cause, Some(DropCause::Rule));
    // A retransmits its FIN later.
    assert!(new[k + 1..]
        .iter()
        .any(|(_, s)| s.from == Host::A && s.flags.contains(Flags::FIN) && s.retransmission));
}

#[test]
fn clicking_the_dropped_segment_again_restores_the_original_trace() {
    let scenario = builtin::get("normal-close").unwrap();
    let before = simulate(&scenario);
    let (_, fin) = first_fin_from(&before, Host::A);
    let dropped = toggle_drop(&scenario, &before, fin.id).unwrap();
    let dropped_trace = simulate(&dropped);
    let restored = toggle_drop(&dropped, &dropped_trace, fin.id).unwrap();
    assert_eq!(restored.drops, scenario.drops);
    assert_eq!(simulate(&restored), before);
}

#[test]
fn the_nth_segment_at_one_instant_is_addressed_by_nth() {
    // In the half-close scenario B sends 3000 bytes at once: several segments leave
    // B at the same instant. Dropping the second one must not touch the first.
    let scenario = builtin::get("half-close").unwrap();
    let trace = simulate(&scenario);
    let segs = segments(&trace);
    let (i, (t, second)) = segs
        .iter()
        .enumerate()
        .find(|(i, (t, s))| {
            *i > 0
                && s.from == Host::B
                && segs[..*i]
                    .iter()
                    .any(|(t0, s0)| t0 == t && s0.from == Host::B)
        })
        .map(|(i, x)| (i, x.clone()))
        .expect("two segments from B at the same instant");
    let edited = toggle_drop(&scenario, &trace, second.id).unwrap();
    let rule = edited.drops.last().unwrap();
    assert_eq!(rule.after_ms, t);
    assert!(rule.nth >= 2, "nth counts the earlier segments at {t} ms");
    let after = segments(&simulate(&edited));
    assert_eq!(after[..i], segs[..i]);
    assert_eq!(after[i].1.fate, Fate::Dropped);
}

#[test]
fn restoring_one_segment_of_a_multi_drop_rule_keeps_the_other_dropped() {
    // "fin-lost-twice": one rule drops B's FIN and its first retransmission.
    let scenario = builtin::get("fin-lost-twice").unwrap();
    let trace = simulate(&scenario);
    let dropped: Vec<SegmentEvent> = segments(&trace)
        .into_iter()
        .filter(|(_, s)| s.fate == Fate::Dropped)
        .map(|(_, s)| s)
        .collect();
    assert_eq!(dropped.len(), 2);

    // Restore the first: the rule shrinks to "the 2nd matching FIN" (it would drop
    // a retransmission, but with the first FIN delivered none is needed).
    let edited = toggle_drop(&scenario, &trace, dropped[0].id).unwrap();
    assert_eq!(edited.drops.len(), 1);
    assert_eq!((edited.drops[0].nth, edited.drops[0].count), (2, 1));
    let after = simulate(&edited);
    let fins: Vec<SegmentEvent> = segments(&after)
        .into_iter()
        .filter(|(_, s)| s.from == Host::B && s.flags.contains(Flags::FIN))
        .map(|(_, s)| s)
        .collect();
    assert_eq!(fins.len(), 1);
    assert_eq!(fins[0].fate, Fate::Delivered);

    // Restore the second instead: the first stays dropped, the second is delivered.
    let edited = toggle_drop(&scenario, &trace, dropped[1].id).unwrap();
    assert_eq!((edited.drops[0].nth, edited.drops[0].count), (1, 1));
    let after = segments(&simulate(&edited));
    let fins: Vec<&SegmentEvent> = after
        .iter()
        .map(|(_, s)| s)
        .filter(|s| s.from == Host::B && s.flags.contains(Flags::FIN))
        .collect();
    assert_eq!(fins[0].fate, Fate::Dropped);
    assert_eq!(fins[1].fate, Fate::Delivered);
}

#[test]
fn segments_lost_to_random_loss_and_old_duplicates_are_refused_with_a_reason() {
    let mut scenario: Scenario = builtin::get("normal-close").unwrap();
    scenario.link.loss = 0.5;
    let (trace, seed) = (0..100)
        .map(|seed| {
            scenario.seed = seed;
            (simulate(&scenario), seed)
        })
        .find(|(t, _)| {
            t.segments()
                .any(|(_, s)| s.drop_cause == Some(DropCause::Loss))
        })
        .expect("some seed loses a segment at 50% loss");
    scenario.seed = seed;
    let lost = trace
        .segments()
        .find(|(_, s)| s.drop_cause == Some(DropCause::Loss))
        .unwrap()
        .1
        .id;
    let err = toggle_drop(&scenario, &trace, lost).unwrap_err();
    assert_eq!(err, EditError::RandomLoss);
    assert!(err.to_string().contains("random loss"));

    let dup_scenario = builtin::get("old-duplicate").unwrap();
    let dup_trace = simulate(&dup_scenario);
    let dup = dup_trace
        .segments()
        .find(|(_, s)| s.duplicate)
        .unwrap()
        .1
        .id;
    assert_eq!(
        toggle_drop(&dup_scenario, &dup_trace, dup),
        Err(EditError::Duplicate)
    );
    assert_eq!(
        toggle_drop(&dup_scenario, &dup_trace, 9999),
        Err(EditError::NoSuchSegment(9999))
    );
}
