//! What the playback layer draws at an instant, checked against the diagram's
//! own arrows on every built-in.

use farewell_engine::{builtin, simulate};
use farewell_page::playback::{clock_label_width, current_line, in_flight, ring};

#[test]
fn a_segment_is_in_flight_from_its_send_to_its_arrival_and_moves_along_its_arrow() {
    for id in builtin::ids() {
        let trace = simulate(&builtin::get(id).unwrap());
        let d = farewell_diagram::layout(&trace);
        for a in d.arrows.iter().filter(|a| a.end_ms > a.t_ms) {
            let at = |t: f64| in_flight(&d, t).find(|p| p.id == a.id);
            let start = at(a.t_ms).unwrap_or_else(|| panic!("{id}: #{} at its send", a.id));
            assert_eq!((start.x, start.y), (a.x1, a.y1), "{id}");
            let mid = at((a.t_ms + a.end_ms) / 2.0).unwrap();
            assert!((mid.x - (a.x1 + a.x2) / 2.0).abs() < 1e-6, "{id}: half way");
            assert!((mid.y - (a.y1 + a.y2) / 2.0).abs() < 1e-6, "{id}: half way");
            assert_eq!(mid.dropped, a.dropped);
            assert_eq!(mid.from, a.from);
            assert!(at(a.end_ms).is_none(), "{id}: #{} arrived", a.id);
            assert!(at(a.t_ms - 0.001).is_none(), "{id}: #{} not sent yet", a.id);
        }
    }
}

#[test]
fn nothing_is_in_flight_before_the_first_segment_or_after_the_last_arrival() {
    let trace = simulate(&builtin::get("normal-close").unwrap());
    let d = farewell_diagram::layout(&trace);
    let first = d
        .arrows
        .iter()
        .map(|a| a.t_ms)
        .fold(f64::INFINITY, f64::min);
    let last = d.arrows.iter().map(|a| a.end_ms).fold(0.0, f64::max);
    assert_eq!(in_flight(&d, first - 1.0).count(), 0);
    assert_eq!(in_flight(&d, last).count(), 0);
    assert!(in_flight(&d, first).count() >= 1);
}

#[test]
fn the_clock_label_grows_with_the_clock() {
    assert!(clock_label_width("1:00.000") > clock_label_width("0.000"));
    assert_eq!(clock_label_width(""), 8.0);
}

#[test]
fn the_ring_says_the_seconds_it_shows() {
    let trace = simulate(&builtin::get("normal-close").unwrap());
    for t in [0.0, 100.0, 30_000.0, trace.end_ms()] {
        let c = farewell_diagram::countdown_at(&trace, t, 60_000.0);
        let r = ring(&c);
        assert!((0.0..=1.0).contains(&r.fraction), "{t}");
        assert!(
            r.label.contains(&format!("{} seconds left", r.seconds)),
            "{}",
            r.label
        );
        assert!(r.label.ends_with(&c.text));
    }
}

#[test]
fn the_current_line_is_the_last_event_at_or_before_the_playhead() {
    let trace = simulate(&builtin::get("lost-fin").unwrap());
    for (i, e) in trace.events.iter().enumerate() {
        let line = current_line(&trace, e.t_ms).unwrap();
        assert!(line >= i && trace.events[line].t_ms == e.t_ms);
        assert!(trace.events.get(line + 1).is_none_or(|n| n.t_ms > e.t_ms));
    }
}
