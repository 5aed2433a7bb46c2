//! The work budget: scenarios that ask too much are refused before simulating,
//! or stopped cleanly at a limit, with a message naming the field.

use farewell_engine::budget::{self, MAX_SEGMENTS, MAX_TOTAL_SEND_BYTES};
use farewell_engine::{simulate, Action, Do, EndReason, EventKind, Host, Scenario};

fn send(at_ms: f64, host: Host, bytes: u32) -> Action {
    Action {
        at_ms: Some(at_ms),
        after_eof_ms: None,
        host,
        what: Do::Send,
        bytes: Some(bytes),
    }
}

fn scenario(actions: Vec<Action>) -> Scenario {
    let mut s = Scenario::from_json(r#"{"actions":[]}"#).unwrap();
    s.actions = actions;
    s
}

/// The hostile share link of issue 9: 1,000 sends of 1 MB at time 0, which used
/// to freeze the tab for good. It is refused before any simulation, at the send
/// that takes the total over the budget.
#[test]
fn a_thousand_one_megabyte_sends_are_refused_before_simulating() {
    let s = scenario((0..1000).map(|_| send(0.0, Host::A, 1_000_000)).collect());
    let e = s.validate().unwrap_err();
    assert_eq!(e.field, "actions[2].bytes");
    assert!(e.message.contains("3000000 bytes"), "{e}");
    assert!(e.message.contains(&MAX_TOTAL_SEND_BYTES.to_string()), "{e}");
}

/// Two 1 MB sends are within the budget and run to their end.
#[test]
fn two_one_megabyte_sends_run_to_the_end() {
    let mut s = scenario((0..2).map(|_| send(0.0, Host::A, 1_000_000)).collect());
    s.actions.push(Action {
        what: Do::Close,
        bytes: None,
        ..send(1.0, Host::A, 0)
    });
    s.validate().unwrap();
    let t = simulate(&s);
    let (reason, stop) = t.end().unwrap();
    assert_eq!(reason, EndReason::Quiescent, "B never closes");
    assert!(stop.is_none());
    let read: u32 = t
        .events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::App {
                host: Host::B,
                bytes: Some(b),
                ..
            } => Some(*b),
            _ => None,
        })
        .sum();
    assert_eq!(read, 2_000_000);
}

/// The same sends over a link losing 30 % of segments: go-back-N recovery
/// resends them again and again, and the run stops at the segment limit,
/// blaming the loss. Nothing beyond the limit is recorded.
#[test]
fn heavy_loss_on_big_sends_stops_at_the_segment_limit_blaming_the_loss() {
    let mut s = scenario((0..2).map(|_| send(0.0, Host::A, 1_000_000)).collect());
    s.link.loss = 0.3;
    s.validate().unwrap();
    let t = simulate(&s);
    let (reason, stop) = t.end().unwrap();
    assert_eq!(reason, EndReason::SegmentLimit);
    let stop = stop.unwrap();
    assert_eq!(stop.field, "link.loss");
    assert_eq!(stop.limit, "segments");
    assert_eq!(stop.max, MAX_SEGMENTS);
    assert_eq!(t.segments().count() as u32, MAX_SEGMENTS);
    assert_eq!(simulate(&s), t, "the cut is deterministic");
    assert!(
        t.to_text()
            .contains("link.loss: the run reached the work budget's limit of 2500 segments"),
        "the text trace says why it ends"
    );
}

/// Retry counts beyond what Linux can hold are refused: they would only make a
/// run longer.
#[test]
fn absurd_retry_counts_are_refused() {
    let mut s = scenario(vec![]);
    s.tunables.max_retries = Some(4_000_000_000);
    let e = s.validate().unwrap_err();
    assert_eq!(e.field, "tunables.max_retries");
    s.tunables.max_retries = Some(budget::MAX_RETRIES);
    s.validate().unwrap();
}

/// A drop rule that drops all of A's data, with the most retries Linux allows
/// and a 10 µs RTO: A gives up after 255 retries, well within the budget.
#[test]
fn retries_are_bounded_even_when_every_retransmission_is_lost() {
    let s = Scenario::from_json(
        r#"{
            "tunables": { "max_retries": 255, "rto_min_ms": 0.01, "rto_max_ms": 0.01, "rto_initial_ms": 0.01 },
            "actions": [ { "at_ms": 0, "host": "A", "do": "send", "bytes": 1000000 } ],
            "drops": [ { "from": "A", "kind": "DATA", "count": 4000000000 } ]
        }"#,
    )
    .unwrap();
    let t = simulate(&s);
    let (reason, stop) = t.end().unwrap();
    assert_eq!(
        reason,
        EndReason::Quiescent,
        "A gave up; B stays ESTABLISHED"
    );
    assert!(stop.is_none());
    assert!(t.segments().count() < 1000);
}
