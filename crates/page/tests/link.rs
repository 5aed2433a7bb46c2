//! Share links, embed mode and imports, through the app state (as the page
//! uses them), in a real browser.

use farewell_engine::{Platform, Scenario};
use farewell_page::state::{Action, AppState, Controls, SimRef, Speed};
use std::rc::Rc;

fn start(id: &str) -> Rc<AppState> {
    Rc::new(AppState::default()).reduce(Action::SelectBuiltin(id.to_string()))
}

#[test]
fn an_unedited_builtin_has_a_short_link() {
    assert_eq!(start("lost-final-ack").link(), "s=lost-final-ack");
}

#[test]
fn a_link_round_trips_the_exact_state() {
    let s = start("lost-final-ack");
    let fin = s
        .sim
        .trace
        .segments()
        .find(|(_, seg)| {
            seg.from == farewell_engine::Host::A && seg.flags.contains(farewell_engine::Flags::FIN)
        })
        .map(|(_, seg)| seg.id)
        .unwrap();
    let s = s
        .reduce(Action::SetPlatform(Platform::Windows))
        .reduce(Action::ToggleDrop(fin))
        .reduce(Action::SetSeed(42))
        .reduce(Action::SetSpeed(Speed::X10))
        .reduce(Action::Seek(1234.5));
    let link = s.link();
    assert!(link.len() < 120, "short enough to paste: {link}");
    let back = AppState::from_link(&link);
    assert_eq!(back.notice, None);
    assert_eq!(back.share, s.share);
    assert_eq!(
        back.sim.trace, s.sim.trace,
        "the same link shows the same trace"
    );
}

#[test]
fn an_edited_action_travels_as_a_custom_scenario() {
    let s = start("normal-close").reduce(Action::AddAction);
    let link = s.link();
    assert!(link.contains("c="), "{link}");
    let back = AppState::from_link(&link);
    assert_eq!(back.share.scenario, s.share.scenario);
}

#[test]
fn hostile_fragments_fall_back_to_the_default_with_a_message() {
    for bad in [
        "s=<script>alert(1)</script>",
        "p=<img src=x onerror=alert(1)>",
        "c=zAAAA",
        "d=1e400",
        "s=lost-fin&s=normal-close",
        "drop=A:FIN:NaN",
    ] {
        let s = AppState::from_link(bad);
        let notice = s
            .notice
            .clone()
            .unwrap_or_else(|| panic!("{bad}: no message"));
        assert_eq!(
            notice.kind,
            farewell_page::notice::NoticeKind::Error,
            "{bad}"
        );
        let notice = notice.text;
        assert!(notice.contains("could not be opened"), "{bad}: {notice}");
        assert_eq!(s.share, AppState::default().share, "{bad}");
    }
}

#[test]
fn embed_parameters_choose_the_embedded_view_and_autoplay() {
    let s = AppState::from_link("s=lost-fin&embed=1&controls=none&autoplay=1");
    assert!(s.share.embed.enabled);
    assert_eq!(s.share.embed.controls, Controls::None);
    assert!(s.playing, "autoplay starts playback");
    assert!(s.link().contains("embed=1"));
}

#[test]
fn importing_an_invalid_scenario_changes_nothing() {
    let s = start("half-close");
    let mut bad: Scenario = farewell_json::from_str(r#"{"actions":[]}"#).unwrap();
    bad.link.delay_ms = -5.0;
    let after = s.clone().reduce(Action::Import(Box::new(bad)));
    assert_eq!(after.share, s.share);
    assert!(SimRef::ptr_eq(&after.sim, &s.sim));
    let notice = after.notice.clone().unwrap().text;
    assert!(
        notice.contains("link.delay_ms") && notice.contains("unchanged"),
        "{notice}"
    );
}

#[test]
fn importing_a_valid_scenario_replaces_it() {
    let s = start("half-close");
    let good = farewell_engine::builtin::get("abort-rst").unwrap();
    let after = s.reduce(Action::Import(Box::new(good.clone())));
    assert_eq!(after.share.scenario, good);
    assert_eq!(after.share.builtin, None);
    assert_eq!(after.share.time_ms, 0.0);
}

#[test]
fn a_misspelt_key_is_named_and_the_rest_of_the_link_applies() {
    let s = AppState::from_link("s=lost-fin&platform=windows");
    assert_eq!(s.share.builtin.as_deref(), Some("lost-fin"));
    let notice = s.notice.unwrap();
    assert_eq!(notice.kind, farewell_page::notice::NoticeKind::Warning);
    let notice = notice.text;
    assert!(
        notice.contains("`platform` is not part of the link format"),
        "{notice}"
    );
    assert!(AppState::from_link("s=lost-fin&p=windows").notice.is_none());
}

#[test]
fn a_paused_playback_position_is_written_to_a_tenth_of_a_millisecond() {
    let s = start("lost-fin").reduce(Action::Seek(1_234.567_891_234));
    assert!(s.link().ends_with("t=1234.6"), "{}", s.link());
}

#[test]
fn fit_mode_is_in_the_link_and_stays_on_through_back_and_forward() {
    let s = start("lost-fin");
    assert!(!s.share.fit);
    let fitted = s.clone().reduce(Action::ToggleFit);
    assert!(fitted.share.fit);
    assert!(fitted.link().contains("fit=1"), "{}", fitted.link());
    assert!(AppState::from_link(&fitted.link()).share.fit);
    // Back to a link without it: the chosen view stays.
    let older = AppState::from_link("s=normal-close").share;
    let back = fitted.clone().reduce(Action::Restore(Box::new(older)));
    assert!(back.share.fit);
    assert_eq!(back.share.builtin.as_deref(), Some("normal-close"));
    // The toggle turns it off, and nothing else changed.
    let off = fitted.reduce(Action::ToggleFit);
    assert!(!off.share.fit);
    assert_eq!(off.share.scenario, s.share.scenario);
    assert!(
        SimRef::ptr_eq(&off.sim, &s.sim),
        "a view change does not re-simulate"
    );
}
