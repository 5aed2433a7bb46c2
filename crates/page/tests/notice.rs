//! Notices have kinds, and each message the page shows has the right one: a
//! refusal of something the user gave is an error, a run applied with a
//! caveat (or a click that could not do what it asked) a warning, a
//! confirmation an info.

use farewell_engine::trace::{DropCause, Fate};
use farewell_engine::{builtin, Scenario};
use farewell_page::notice::{Notice, NoticeKind};
use farewell_page::state::{Action, AppState};
use std::rc::Rc;

fn start(id: &str) -> Rc<AppState> {
    Rc::new(AppState::default()).reduce(Action::SelectBuiltin(id.to_string()))
}

fn kind(s: &AppState) -> NoticeKind {
    s.notice.as_ref().expect("a notice").kind
}

#[test]
fn each_kind_is_announced_and_marked_its_own_way() {
    let kinds = [NoticeKind::Info, NoticeKind::Warning, NoticeKind::Error];
    for (i, a) in kinds.iter().enumerate() {
        for b in &kinds[i + 1..] {
            assert_ne!(a.id(), b.id());
            assert_ne!(a.mark(), b.mark(), "not colour alone: the marks differ");
            assert_ne!(a.word(), b.word());
        }
    }
    // Only an error interrupts the screen reader.
    assert_eq!(NoticeKind::Error.role(), "alert");
    assert_eq!(NoticeKind::Warning.role(), "status");
    assert_eq!(NoticeKind::Info.role(), "status");
}

#[test]
fn a_successful_import_is_an_info_and_names_the_scenario() {
    let good = builtin::get("abort-rst").unwrap();
    let after = start("half-close").reduce(Action::Import(Box::new(good.clone())));
    assert_eq!(kind(&after), NoticeKind::Info);
    let text = &after.notice.as_ref().unwrap().text;
    assert!(text.starts_with("Imported “"), "{text}");
    assert!(text.contains(&good.name), "{text}");
}

#[test]
fn an_unreadable_or_invalid_input_is_an_error() {
    let s = start("lost-fin");
    assert_eq!(
        kind(&s.clone().reduce(Action::SetLoss(2.0))),
        NoticeKind::Error
    );
    assert_eq!(
        kind(&s.clone().reduce(Action::SelectBuiltin("no-such".into()))),
        NoticeKind::Error
    );
    let mut bad: Scenario = builtin::get("lost-fin").unwrap();
    bad.link.delay_ms = f64::NAN;
    let after = s.clone().reduce(Action::Import(Box::new(bad)));
    assert_eq!(kind(&after), NoticeKind::Error);
    assert_eq!(after.share, s.share, "and nothing else changed");
}

#[test]
fn a_click_on_a_segment_lost_to_random_loss_is_a_warning_with_the_reason() {
    let mut scenario = builtin::get("normal-close").unwrap();
    scenario.link.loss = 0.5;
    let (state, id) = (0..50u64)
        .find_map(|seed| {
            scenario.seed = seed;
            let s = Rc::new(AppState::default()).reduce(Action::Import(Box::new(scenario.clone())));
            let id = s.sim.trace.segments().find_map(|(_, seg)| {
                (seg.fate == Fate::Dropped && seg.drop_cause == Some(DropCause::Loss))
                    .then_some(seg.id)
            })?;
            Some((s, id))
        })
        .expect("some seed loses a segment at 50% loss");
    let after = state.clone().reduce(Action::ToggleDrop(id));
    assert_eq!(kind(&after), NoticeKind::Warning);
    assert!(after.notice.as_ref().unwrap().text.contains("random loss"));
    assert_eq!(after.share, state.share);
}

#[test]
fn the_components_messages_have_their_kinds_and_stay_short() {
    let long = "x".repeat(20_000);
    for (n, k) in [
        (Notice::not_imported(&long, "not JSON"), NoticeKind::Error),
        (Notice::not_a_value(&long), NoticeKind::Error),
        (Notice::bad_action_time(3), NoticeKind::Error),
        (Notice::bad_action_bytes(3), NoticeKind::Error),
        (Notice::export_failed("no canvas"), NoticeKind::Error),
        (
            Notice::copy_failed("denied", "https://x/#s=lost-fin"),
            NoticeKind::Error,
        ),
        (Notice::link_copied(), NoticeKind::Info),
        (
            Notice::cut_short(1234.0, "2500 segments"),
            NoticeKind::Warning,
        ),
    ] {
        assert_eq!(n.kind, k, "{}", n.text);
        assert!(n.text.len() < 400, "a hostile name is quoted short");
    }
    assert!(Notice::not_imported("a.pcap", "not JSON")
        .text
        .contains("unchanged"));
    assert!(Notice::bad_action_time(3).text.contains("action 3"));
}
