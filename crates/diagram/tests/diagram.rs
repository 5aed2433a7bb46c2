//! The diagram of every built-in scenario: geometry invariants, what playback
//! shows at chosen instants, and SVG snapshots.

use farewell_diagram::{
    active_timers_at, layout, narration_at, render_svg, ss_table_at, state_at, TimerEnd,
};
use farewell_engine::trace::{EventKind, TimerKind};
use farewell_engine::{builtin, simulate, Host, Scenario, TcpState, Trace};

/// When `host` first entered `state`.
fn entered(trace: &Trace, host: Host, state: TcpState) -> f64 {
    trace
        .events
        .iter()
        .find(
            |e| matches!(e.kind, EventKind::State { host: h, to, .. } if h == host && to == state),
        )
        .unwrap_or_else(|| panic!("{host} never enters {}", state.rfc_name()))
        .t_ms
}

fn trace_of(id: &str) -> Trace {
    simulate(&builtin::get(id).unwrap_or_else(|| panic!("built-in {id}")))
}

#[test]
fn every_segment_is_one_arrow_from_its_sender_going_down() {
    for b in builtin::ALL {
        let trace = trace_of(b.id);
        let d = layout(&trace);
        assert_eq!(d.arrows.len(), trace.segments().count(), "{}", b.id);
        for (a, (t, s)) in d.arrows.iter().zip(trace.segments()) {
            assert_eq!((a.id, a.from, a.t_ms), (s.id, s.from, t), "{}", b.id);
            let from_x = if s.from == Host::A { d.x_a } else { d.x_b };
            assert_eq!(a.x1, from_x);
            assert!(a.y2 >= a.y1, "{}: arrow {} goes up", b.id, a.id);
            assert!(a.y1.is_finite() && a.y2.is_finite() && a.y2 <= d.height);
            if a.dropped {
                assert_eq!(a.x2, (d.x_a + d.x_b) / 2.0, "a lost segment ends half way");
            } else {
                let to_x = if s.to == Host::A { d.x_a } else { d.x_b };
                assert_eq!(a.x2, to_x);
            }
        }
    }
}

#[test]
fn state_bands_tile_each_lifeline_without_gaps() {
    for b in builtin::ALL {
        let trace = trace_of(b.id);
        let d = layout(&trace);
        for h in Host::BOTH {
            let bands: Vec<_> = d.bands.iter().filter(|x| x.host == h).collect();
            assert_eq!(bands[0].t0, 0.0, "{}", b.id);
            assert_eq!(bands.last().unwrap().t1, trace.end_ms(), "{}", b.id);
            for w in bands.windows(2) {
                assert_eq!(w[0].t1, w[1].t0, "{}: gap between bands", b.id);
                assert!(
                    w[1].label_y >= w[0].label_y + 12.0,
                    "{}: state names overlap",
                    b.id
                );
            }
        }
    }
}

#[test]
fn lost_final_ack_story_on_the_diagram() {
    let trace = trace_of("lost-final-ack");
    let d = layout(&trace);
    // A's final ACK is lost: one ✕, labelled with its numbers.
    let lost: Vec<_> = d.arrows.iter().filter(|a| a.dropped).collect();
    assert_eq!(lost.len(), 1);
    assert_eq!(lost[0].from, Host::A);
    assert_eq!(lost[0].label, "ACK seq=7 ack=2");
    // B retransmits its FIN, marked as such.
    assert!(d.arrows.iter().any(|a| a.from == Host::B
        && a.retransmission
        && a.kind == "fin"
        && a.label.starts_with('↻')));
    // A's TIME_WAIT bracket is restarted once by the retransmitted FIN, then runs out.
    let tw: Vec<_> = d
        .timers
        .iter()
        .filter(|t| t.host == Host::A && t.timer == TimerKind::TimeWait)
        .collect();
    assert_eq!(
        tw.iter().map(|t| t.end).collect::<Vec<_>>(),
        [TimerEnd::Restarted, TimerEnd::Expired]
    );
    assert_eq!(tw[0].label, "TIME_WAIT 60 s");
    // The 60 s wait is compressed behind an axis break but stays the longest stretch.
    let long = d
        .breaks
        .iter()
        .max_by(|a, b| (a.t1 - a.t0).total_cmp(&(b.t1 - b.t0)))
        .unwrap();
    assert!(long.t1 - long.t0 > 59_000.0, "{long:?}");
    assert!(d.height < 2000.0, "the whole story fits: {} px", d.height);
}

#[test]
fn playback_panels_follow_the_normal_close() {
    let trace = trace_of("normal-close");
    let fin_a = trace
        .segments()
        .find(|(_, s)| s.from == Host::A && s.flags.contains(farewell_engine::Flags::FIN))
        .map(|(t, _)| t)
        .unwrap();
    assert_eq!(
        state_at(&trace, Host::A, fin_a - 1.0),
        TcpState::Established
    );
    assert_eq!(state_at(&trace, Host::A, fin_a), TcpState::FinWait1);
    let mid_flight = fin_a + 10.0;
    let n = narration_at(&trace, mid_flight);
    assert!(n.contains("A's FIN is on its way to B"), "{n}");
    // Once A is in TIME_WAIT, its 2MSL timer runs for the profile's 60 s.
    let tw_start = entered(&trace, Host::A, TcpState::TimeWait);
    let timers = active_timers_at(&trace, tw_start + 1000.0);
    let tw = timers
        .iter()
        .find(|a| a.timer == TimerKind::TimeWait)
        .expect("2MSL running");
    assert_eq!(tw.deadline_ms - tw.started_ms, 60_000.0);
    let rows = ss_table_at(&trace, tw_start + 1000.0);
    assert_eq!(rows.len(), 1, "B is gone, A lingers: {rows:?}");
    assert_eq!((rows[0].host, rows[0].state), (Host::A, "TIME-WAIT"));
    assert_eq!(rows[0].local, "10.0.0.1:40000");
    assert!(narration_at(&trace, tw_start).contains("TIME_WAIT for 2×MSL (60 s)"));
    assert!(ss_table_at(&trace, trace.end_ms()).is_empty());
}

#[test]
fn ss_table_counts_unread_and_unacknowledged_bytes() {
    let s = Scenario::from_json(
        r#"{"hosts":{"B":{"app_reads":false}},
            "actions":[{"at_ms":0,"host":"A","do":"send","bytes":100}]}"#,
    )
    .unwrap();
    let trace = simulate(&s);
    let rows = ss_table_at(&trace, 10.0);
    let a = rows.iter().find(|r| r.host == Host::A).unwrap();
    assert_eq!((a.send_q, a.recv_q), (100, 0), "in flight, not yet ACKed");
    let rows = ss_table_at(&trace, 30.0);
    let b = rows.iter().find(|r| r.host == Host::B).unwrap();
    assert_eq!(b.recv_q, 100, "B's application never reads");
}

#[test]
fn rst_narration_says_no_time_wait() {
    let trace = trace_of("abort-rst");
    let rst = trace
        .segments()
        .find(|(_, s)| s.flags.contains(farewell_engine::Flags::RST))
        .map(|(_, s)| s.arrive_ms.unwrap())
        .unwrap();
    let n = narration_at(&trace, rst);
    assert!(n.contains("received a RST"), "{n}");
}

#[test]
fn svg_escapes_and_is_well_formed_for_every_builtin() {
    for b in builtin::ALL {
        let svg = render_svg(&layout(&trace_of(b.id)));
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(svg.ends_with("</svg>"));
        assert_eq!(
            svg.matches("<g").count(),
            svg.matches("</g>").count(),
            "{}",
            b.id
        );
        assert!(!svg.contains("NaN") && !svg.contains("inf"), "{}", b.id);
    }
}

#[test]
fn standalone_svg_needs_no_css_variables_and_follows_the_theme() {
    let d = layout(&trace_of("lost-fin"));
    let light = render_svg(&d);
    assert!(
        !light.contains("var(") && !light.contains("light-dark"),
        "resolved colours only"
    );
    assert!(
        light.contains(".diagram .background { fill: #ffffff; }"),
        "light surface"
    );
    let dark = farewell_diagram::render_svg_with(
        &d,
        &farewell_diagram::SvgOptions {
            standalone: true,
            theme: farewell_diagram::Theme::Dark,
            title: Some("Lost <FIN>".into()),
        },
    );
    assert!(
        dark.contains(".diagram .background { fill: #161b24; }"),
        "dark surface"
    );
    assert!(
        dark.contains("<title>Lost &lt;FIN&gt;</title>"),
        "title escaped"
    );
    // Every colour the diagram's stylesheet uses is in the palette, in both themes.
    for theme in [
        farewell_diagram::Theme::Light,
        farewell_diagram::Theme::Dark,
    ] {
        let p = farewell_diagram::palette(theme);
        for name in farewell_diagram::DIAGRAM_CSS
            .split("var(")
            .skip(1)
            .map(|rest| rest.split([')', ',']).next().unwrap().trim())
        {
            let value = p.iter().find(|(n, _)| *n == name);
            assert!(value.is_some(), "{name} is not in the palette");
        }
        assert!(p.iter().all(|(_, v)| !v.contains("light-dark")), "{p:?}");
    }
}

#[test]
fn standalone_svgs_are_well_formed_xml() {
    for b in builtin::ALL {
        let d = layout(&trace_of(b.id));
        for theme in [
            farewell_diagram::Theme::Light,
            farewell_diagram::Theme::Dark,
        ] {
            let svg = farewell_diagram::render_svg_with(
                &d,
                &farewell_diagram::SvgOptions {
                    standalone: true,
                    theme,
                    title: Some(format!("{} <&> \"quoted\"", b.id)),
                },
            );
            let doc = roxmltree::Document::parse(&svg)
                .unwrap_or_else(|e| panic!("{}: not well-formed XML: {e}", b.id));
            let style = doc
                .descendants()
                .find(|n| n.has_tag_name("style"))
                .and_then(|n| n.text())
                .unwrap_or_default();
            // The stylesheet reads back as written (comments included).
            assert!(style.contains(".diagram .lifeline"), "{}", b.id);
            assert!(
                style.starts_with("/* Farewell sequence diagram."),
                "{}",
                b.id
            );
        }
    }
}

#[test]
fn svg_snapshots() {
    for id in [
        "normal-close",
        "lost-final-ack",
        "simultaneous-close",
        "abort-rst",
    ] {
        insta::assert_snapshot!(id, render_svg(&layout(&trace_of(id))));
    }
}

#[test]
fn a_burst_of_segments_stacks_its_arrows_and_draws_no_empty_timers() {
    // B answers with 3000 bytes at once: three segments at one instant, and A's
    // three ACKs re-arm B's loss-probe timer three times at one instant.
    let trace = trace_of("half-close");
    let d = layout(&trace);
    let burst: Vec<_> = d
        .arrows
        .iter()
        .filter(|a| a.from == Host::B && a.t_ms == 200.0)
        .collect();
    assert_eq!(burst.len(), 3);
    for w in burst.windows(2) {
        assert!(w[1].y1 - w[0].y1 >= 18.0, "labels of a burst need room");
        assert!(w[1].label_y - w[0].label_y >= 13.0);
    }
    for t in &d.timers {
        assert!(
            t.t1 > t.t0 || t.end == TimerEnd::Running,
            "empty bracket {t:?}"
        );
    }
}

#[test]
fn narration_tells_the_old_duplicate_story_and_the_delayed_ack() {
    let trace = trace_of("old-duplicate");
    let stale = trace
        .events
        .iter()
        .find(|e| {
            matches!(
                e.kind,
                EventKind::App {
                    stale_from_conn: Some(_),
                    ..
                }
            )
        })
        .expect("the old duplicate is read as data")
        .t_ms;
    assert!(
        narration_at(&trace, stale - 1.0).contains("An old copy of A's data is still wandering")
    );
    let n = narration_at(&trace, stale);
    assert!(
        n.contains("belongs to the previous connection (conn 1)"),
        "{n}"
    );

    let trace = trace_of("normal-close");
    let eof = entered(&trace, Host::B, TcpState::CloseWait);
    let n = narration_at(&trace, eof);
    assert!(
        n.contains("B holds its ACK for up to 40 ms (delayed ACK)"),
        "{n}"
    );
    assert!(!n.contains("tail loss probe"), "the ACK is coming: {n}");
}

/// Nothing depends on colour alone: every state band carries its name in
/// text at its top, again down a tall band, and a title with the host and
/// the time span (the tooltip, and the group's name for assistive tech).
#[test]
fn every_state_band_is_named_in_words() {
    let mut tall = 0;
    for id in builtin::ids() {
        let d = farewell_diagram::layout(&trace_of(id));
        let svg = farewell_diagram::render_svg_with(&d, &farewell_diagram::SvgOptions::default());
        let doc = roxmltree::Document::parse(&svg).unwrap();
        let groups: Vec<_> = doc
            .descendants()
            .filter(|n| {
                n.attribute("class")
                    .is_some_and(|c| c.split(' ').any(|w| w == "band"))
            })
            .collect();
        assert_eq!(groups.len(), d.bands.len(), "{id}");
        for (g, b) in groups.iter().zip(&d.bands) {
            let name = b.state.rfc_name();
            let title = g
                .children()
                .find(|n| n.has_tag_name("title"))
                .unwrap()
                .text()
                .unwrap();
            assert!(
                title.starts_with(&format!("{} in {name}, ", b.host)),
                "{id}: {title}"
            );
            let names = g
                .children()
                .filter(|n| n.has_tag_name("text"))
                .map(|n| n.text().unwrap())
                .collect::<Vec<_>>();
            assert!(
                !names.is_empty() && names.iter().all(|t| *t == name),
                "{id}: {names:?}"
            );
            // A band that runs on well past a screenful names itself again.
            if b.y1 - b.label_y > 320.0 * 4.0 / 3.0 {
                assert!(
                    names.len() >= 2,
                    "{id}: a {} px band names itself again",
                    b.y1 - b.y0
                );
                tall += 1;
            }
        }
    }
    assert!(
        tall > 0,
        "some built-in has a band tall enough to repeat its name"
    );
}

/// The old duplicate that PAWS stops (the `old-duplicate` built-in with
/// timestamps on) is told in the narration, marked on its arrow and listed
/// in the table, with the timestamps.
#[test]
fn a_segment_discarded_by_paws_is_narrated_marked_and_tabled() {
    let mut s: Scenario = builtin::get("old-duplicate").unwrap();
    s.tunables.timestamps = Some(true);
    let trace = simulate(&s);
    let (at, seg_id) = trace
        .events
        .iter()
        .find_map(|e| match &e.kind {
            EventKind::Discard { seg_id, .. } => Some((e.t_ms, *seg_id)),
            _ => None,
        })
        .expect("PAWS discards the old duplicate");
    let said = narration_at(&trace, at);
    assert!(said.contains("B threw A's data away unread"), "{said}");
    assert!(said.contains("PAWS, RFC 7323"), "{said}");
    // The old bytes lie above B's RCV.NXT here, so its duplicate ACK names
    // none; in `old-duplicate-paws` they lie below, and Linux's duplicate ACK
    // names them in a D-SACK block (`tcp_send_dupack`).
    assert!(!said.contains("D-SACK"), "{said}");
    let below = simulate(&builtin::get("old-duplicate-paws").unwrap());
    let at_below = below
        .events
        .iter()
        .find_map(|e| matches!(e.kind, EventKind::Discard { .. }).then_some(e.t_ms))
        .expect("PAWS discards the old duplicate");
    let said_below = narration_at(&below, at_below);
    assert!(
        said_below.contains("duplicate ACK that names the old bytes in a D-SACK block"),
        "{said_below}"
    );
    assert!(!narration_at(&trace, at - 1.0).contains("PAWS"));

    let d = layout(&trace);
    let arrow = d.arrows.iter().find(|a| a.id == seg_id).unwrap();
    assert!(arrow.discarded.is_some());
    assert_eq!(d.arrows.iter().filter(|a| a.discarded.is_some()).count(), 1);
    let svg = render_svg(&d);
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let g = doc
        .descendants()
        .find(|n| n.attribute("data-seg-id") == Some(&seg_id.to_string()))
        .unwrap();
    assert!(g
        .attribute("class")
        .unwrap()
        .split(' ')
        .any(|c| c == "discarded"));
    assert!(g
        .attribute("aria-label")
        .unwrap()
        .contains("discarded unread by PAWS"));
    let label = g
        .descendants()
        .find(|n| n.attribute("class") == Some("label"))
        .unwrap();
    assert!(label.text().unwrap().ends_with("⊘ PAWS"));

    let rows = farewell_diagram::diagram_table(&trace);
    assert!(rows.iter().any(|r| r.t_ms == at
        && r.what
            .starts_with(&format!("discards segment #{seg_id} unread (PAWS"))));
    assert!(
        rows.iter().any(|r| r.what.contains(" TS val ")),
        "segments show their timestamps"
    );
}
