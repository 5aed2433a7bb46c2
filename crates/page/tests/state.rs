//! The reducer: every user intent as an `Action`, checked on real simulations.

use farewell_engine::trace::{EventKind, TimerKind};
use farewell_engine::{builtin, Do, Host, Platform};
use farewell_page::state::{Action, ActionField, AppState, NoticeKind, SimRef, Speed};
use std::rc::Rc;

fn start(id: &str) -> Rc<AppState> {
    Rc::new(AppState::default()).reduce(Action::SelectBuiltin(id.to_string()))
}

fn time_wait_armed_deadline(state: &AppState) -> Option<f64> {
    state.sim.trace.events.iter().find_map(|e| match &e.kind {
        EventKind::Timer {
            timer: TimerKind::TimeWait,
            deadline_ms,
            ..
        } => deadline_ms.map(|d| d - e.t_ms),
        _ => None,
    })
}

#[test]
fn the_default_state_is_the_default_builtin_at_time_zero() {
    let s = AppState::default();
    assert_eq!(s.share.builtin.as_deref(), Some(builtin::DEFAULT));
    assert_eq!(s.share.scenario, builtin::get(builtin::DEFAULT).unwrap());
    assert_eq!(s.share.time_ms, 0.0);
    assert!(!s.playing);
    assert!(s.sim.trace.segments().count() >= 4);
}

#[test]
fn choosing_windows_makes_time_wait_240_seconds() {
    let s = start("normal-close");
    assert_eq!(time_wait_armed_deadline(&s), Some(60_000.0));
    let s = s.reduce(Action::SetPlatform(Platform::Windows));
    assert_eq!(s.share.scenario.platform, Platform::Windows);
    assert_eq!(time_wait_armed_deadline(&s), Some(240_000.0));
    // An MSL override of 5 s gives 2×MSL = 10 s; clearing it restores 240 s.
    let s = s.reduce(Action::SetMsl(Some(5_000.0)));
    assert_eq!(time_wait_armed_deadline(&s), Some(10_000.0));
    let s = s.reduce(Action::SetMsl(None));
    assert_eq!(time_wait_armed_deadline(&s), Some(240_000.0));
}

#[test]
fn an_invalid_edit_is_refused_with_a_notice_and_changes_nothing() {
    let s = start("normal-close");
    let before = s.share.scenario.clone();
    let s = s.reduce(Action::SetDelay(-5.0));
    assert_eq!(s.share.scenario, before);
    assert_eq!(s.notice.as_ref().unwrap().kind, NoticeKind::Error);
    let notice = s.notice.clone().expect("a notice").text;
    assert!(notice.contains("link.delay_ms"), "{notice}");
    let s = s.reduce(Action::DismissNotice);
    assert_eq!(s.notice, None);
}

#[test]
fn steps_visit_every_event_time_in_order_and_back() {
    let mut s = start("normal-close");
    let mut seen = vec![s.share.time_ms];
    for _ in 0..200 {
        let next = s.clone().reduce(Action::StepForward);
        if next.share.time_ms == s.share.time_ms {
            break;
        }
        s = next;
        seen.push(s.share.time_ms);
    }
    assert_eq!(*seen.last().unwrap(), s.sim.end_ms());
    assert!(seen.windows(2).all(|w| w[0] < w[1]));
    // Every segment's departure and arrival is a stop.
    for (t, seg) in s.sim.trace.segments() {
        assert!(seen.contains(&t));
        if let Some(a) = seg.arrive_ms {
            assert!(seen.contains(&a));
        }
    }
    let back = s.clone().reduce(Action::StepBack);
    assert_eq!(back.share.time_ms, seen[seen.len() - 2]);
}

#[test]
fn playback_advances_by_speed_times_real_time_and_stops_at_the_end() {
    let s = start("normal-close")
        .reduce(Action::SetSpeed(Speed::X10))
        .reduce(Action::Play);
    assert!(s.playing);
    let s = s.reduce(Action::Tick(16.0));
    assert_eq!(s.share.time_ms, 160.0);
    let s = s
        .reduce(Action::SetSpeed(Speed::X100))
        .reduce(Action::Tick(20.0));
    assert_eq!(s.share.time_ms, 2_160.0);
    // Ticks while paused do nothing.
    let paused = s.clone().reduce(Action::Pause).reduce(Action::Tick(16.0));
    assert_eq!(paused.share.time_ms, 2_160.0);
    // Playing on reaches the end and stops there.
    let mut s = s;
    for _ in 0..10_000 {
        if !s.playing {
            break;
        }
        s = s.reduce(Action::Tick(100.0));
    }
    assert!(!s.playing);
    assert_eq!(s.share.time_ms, s.sim.end_ms());
    // Play at the end starts over.
    let s = s.reduce(Action::Play);
    assert_eq!(s.share.time_ms, 0.0);
}

#[test]
fn skip_waits_crosses_long_idle_stretches_quickly_but_not_busy_ones() {
    let s = start("normal-close")
        .reduce(Action::SetSpeed(Speed::SkipWaits))
        .reduce(Action::Play);
    // One second of real time at the start (busy: segments every 20 ms) covers
    // less than the whole exchange...
    let mut busy = s.clone();
    for _ in 0..10 {
        busy = busy.reduce(Action::Tick(100.0));
    }
    assert!(busy.share.time_ms < 1_000.0, "{}", busy.share.time_ms);
    // ...while 60 s of TIME_WAIT pass in well under a minute of real time.
    let mut t = s;
    let mut frames = 0;
    while t.playing && frames < 600 {
        t = t.reduce(Action::Tick(100.0));
        frames += 1;
    }
    assert!(!t.playing, "reached the end in {frames} frames of 100 ms");
    assert!(t.sim.end_ms() > 60_000.0);
}

#[test]
fn seek_clamps_to_the_trace() {
    let s = start("normal-close");
    let end = s.sim.end_ms();
    assert_eq!(s.clone().reduce(Action::Seek(-10.0)).share.time_ms, 0.0);
    assert_eq!(s.clone().reduce(Action::Seek(1e12)).share.time_ms, end);
    assert_eq!(s.clone().reduce(Action::Seek(f64::NAN)).share.time_ms, 0.0);
    assert_eq!(s.reduce(Action::Seek(250.0)).share.time_ms, 250.0);
}

#[test]
fn editing_actions_changes_who_closes_first() {
    let s = start("normal-close");
    let close_idx = s
        .share
        .scenario
        .actions
        .iter()
        .position(|a| a.host == Host::A && a.what == Do::Close)
        .unwrap();
    // B closes first instead: B's FIN is the first FIN on the wire.
    let s = s.reduce(Action::EditAction(close_idx, ActionField::Host(Host::B)));
    let first_fin = s
        .sim
        .trace
        .segments()
        .find(|(_, seg)| seg.flags.contains(farewell_engine::Flags::FIN))
        .unwrap()
        .1
        .from;
    assert_eq!(first_fin, Host::B);
    // Turning it into an abort sends RST and nobody enters TIME_WAIT.
    let s = s.reduce(Action::EditAction(close_idx, ActionField::Do(Do::Abort)));
    assert!(s
        .sim
        .trace
        .segments()
        .any(|(_, seg)| seg.flags.contains(farewell_engine::Flags::RST)));
    assert_eq!(time_wait_armed_deadline(&s), None);
    let n = s.share.scenario.actions.len();
    let s = s.reduce(Action::AddAction);
    assert_eq!(s.share.scenario.actions.len(), n + 1);
    let s = s.reduce(Action::RemoveAction(n));
    assert_eq!(s.share.scenario.actions.len(), n);
    // Out-of-range edits are ignored.
    let same = s.clone().reduce(Action::RemoveAction(99));
    assert_eq!(same.share.scenario, s.share.scenario);
}

#[test]
fn toggling_a_drop_resimulates_and_toggling_again_restores() {
    let s = start("normal-close");
    let fin = s
        .sim
        .trace
        .segments()
        .find(|(_, seg)| seg.flags.contains(farewell_engine::Flags::FIN))
        .unwrap()
        .1
        .id;
    let dropped = s.clone().reduce(Action::ToggleDrop(fin));
    assert_eq!(dropped.share.scenario.drops.len(), 1);
    assert!(dropped
        .sim
        .trace
        .segments()
        .any(|(_, seg)| seg.retransmission));
    let restored = dropped.reduce(Action::ToggleDrop(fin));
    assert!(restored.share.scenario.drops.is_empty());
    assert_eq!(restored.sim.trace, s.sim.trace);
}

fn megabyte_sends(n: usize, loss: f64) -> farewell_engine::Scenario {
    let mut s = builtin::get("normal-close").unwrap();
    s.actions = (0..n)
        .map(|_| farewell_engine::Action {
            at_ms: Some(0.0),
            after_eof_ms: None,
            host: Host::A,
            what: Do::Send,
            bytes: Some(1_000_000),
        })
        .collect();
    s.link.loss = loss;
    s
}

/// An import over the work budget is refused and changes nothing.
#[test]
fn an_import_over_the_work_budget_is_refused_and_keeps_the_scenario() {
    let s = start("lost-fin");
    let next = s
        .clone()
        .reduce(Action::Import(Box::new(megabyte_sends(3, 0.0))));
    let notice = next.notice.clone().unwrap().text;
    assert!(notice.contains("actions[2].bytes"), "{notice}");
    assert_eq!(next.share.scenario, s.share.scenario);
    assert!(SimRef::ptr_eq(&next.sim, &s.sim), "nothing re-simulated");
}

/// An import that runs into the segment limit is drawn up to there, and the
/// notice says it was cut short and why.
#[test]
fn an_import_cut_short_by_the_budget_says_so() {
    let s = start("lost-fin");
    let next = s.reduce(Action::Import(Box::new(megabyte_sends(2, 0.3))));
    assert_eq!(next.notice.as_ref().unwrap().kind, NoticeKind::Warning);
    let notice = next.notice.clone().unwrap().text;
    assert!(notice.contains("Cut short at"), "{notice}");
    assert!(notice.contains("link.loss"), "{notice}");
    assert!(notice.contains("2500 segments"), "{notice}");
    assert_eq!(next.sim.trace.segments().count(), 2500);
}

/// The tcpdump log keeps a window of lines around playback in the page.
#[test]
fn the_log_window_follows_playback_and_covers_short_traces_whole() {
    use farewell_page::state::{log_window, LOG_WINDOW};
    assert_eq!(log_window(30, Some(10)), 0..30);
    assert_eq!(log_window(10_000, None), 0..LOG_WINDOW);
    assert_eq!(
        log_window(10_000, Some(5_000)),
        5_000 - LOG_WINDOW / 2..5_000 + LOG_WINDOW / 2
    );
    assert_eq!(log_window(10_000, Some(9_999)), 10_000 - LOG_WINDOW..10_000);
}

#[test]
fn scrubbing_holds_announcements_until_the_scrubber_is_let_go() {
    let s = start("normal-close");
    assert!(s.announce && !s.scrubbing && !s.table);
    let held = s.clone().reduce(Action::Scrub(250.0));
    assert_eq!((held.share.time_ms, held.scrubbing), (250.0, true));
    // Still held: the position moves, the hold stays.
    let held = held.reduce(Action::Scrub(1e12));
    assert_eq!(held.share.time_ms, held.sim.end_ms());
    assert!(held.scrubbing);
    assert!(!held.clone().reduce(Action::ScrubEnd).scrubbing);
    // A step (a key press while the scrubber is held) ends the hold too.
    assert!(!held.clone().reduce(Action::StepBack).scrubbing);
    assert!(
        !held
            .reduce(Action::Scrub(0.0))
            .reduce(Action::StepForward)
            .scrubbing
    );
    // A plain seek (Home) is not a drag.
    assert!(!s.reduce(Action::Seek(100.0)).scrubbing);
}

#[test]
fn the_announcement_switch_and_the_table_survive_back_and_forward() {
    let s = start("normal-close")
        .reduce(Action::SetAnnounce(false))
        .reduce(Action::ToggleTable);
    assert!(!s.announce && s.table);
    let share = Box::new(start("lost-fin").share.clone());
    let back = s.clone().reduce(Action::Restore(share));
    assert_eq!(back.share.builtin.as_deref(), Some("lost-fin"));
    assert!(!back.announce && back.table);
    let s = s
        .reduce(Action::ToggleTable)
        .reduce(Action::SetAnnounce(true));
    assert!(s.announce && !s.table);
}

#[test]
fn the_table_is_the_diagram_crates_rows_for_this_trace() {
    let s = start("lost-fin");
    assert_eq!(
        s.sim.table(),
        farewell_diagram::diagram_table(&s.sim.trace).as_slice()
    );
    assert_eq!(s.sim.stops, farewell_diagram::stops(&s.sim.trace));
}

#[test]
fn every_shortcut_key_maps_to_its_command_and_only_those() {
    use farewell_page::keys::{command, Command, SHORTCUTS};
    for s in SHORTCUTS {
        for k in s.keys {
            assert_eq!(command(k), Some(s.command), "{k}");
        }
        // What is handled where the focus is has no page-wide key.
        assert_eq!(
            s.command == Command::Focused,
            s.keys.is_empty(),
            "{}",
            s.what
        );
        assert!(!s.shown.is_empty(), "{}", s.what);
    }
    assert_eq!(command("?"), Some(Command::Help));
    assert_eq!(command(" "), Some(Command::TogglePlay));
    assert_eq!(command("Home"), Some(Command::ToStart));
    for k in ["Enter", "Escape", "a", "ArrowUp", ""] {
        assert_eq!(command(k), None, "{k}");
    }
    // No key is listed twice.
    let mut keys: Vec<&str> = SHORTCUTS
        .iter()
        .flat_map(|s| s.keys.iter().copied())
        .collect();
    let n = keys.len();
    keys.sort_unstable();
    keys.dedup();
    assert_eq!(keys.len(), n);
}
