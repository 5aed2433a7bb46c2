//! The diagram as text, for readers who cannot see it: a table of the
//! segments and state changes in time order ([`diagram_table`]), where the
//! playhead is in it ([`row_when`]), and what a screen reader is told at each
//! step of playback (the narration at [`step_start`]). The page renders
//! these as they are.

use crate::layout::format_clock;
use crate::svg::escape;
use farewell_engine::trace::{EventKind, Fate};
use farewell_engine::{Host, Trace};

/// One row of the diagram's table: a segment sent, or a state entered.
#[derive(Clone, Debug, PartialEq)]
pub struct TableRow {
    pub t_ms: f64,
    /// `0.120 s`, as on the diagram's axis.
    pub time: String,
    pub host: Host,
    /// `sends FIN, ACK seq 101 ack 201 len 0 to B, arrives 0.120 s`, or
    /// `enters FIN_WAIT_2 (was FIN_WAIT_1)`.
    pub what: String,
}

/// Every segment (at the time it is sent) and every state change of the
/// trace, in time order, each hosts' states at the start first.
pub fn diagram_table(trace: &Trace) -> Vec<TableRow> {
    let mut rows = Vec::new();
    let mut row = |t_ms: f64, host: Host, what: String| {
        rows.push(TableRow {
            t_ms,
            time: format_clock(t_ms),
            host,
            what,
        })
    };
    for e in &trace.events {
        match &e.kind {
            EventKind::Start { a, b, .. } => {
                for (h, s) in [(Host::A, a), (Host::B, b)] {
                    row(e.t_ms, h, format!("starts in {}", s.rfc_name()));
                }
            }
            EventKind::State { host, from, to } => row(
                e.t_ms,
                *host,
                format!("enters {} (was {})", to.rfc_name(), from.rfc_name()),
            ),
            EventKind::Segment(s) => {
                let verb = if s.duplicate {
                    "an old duplicate:"
                } else if s.retransmission {
                    "retransmits"
                } else {
                    "sends"
                };
                let mut flags = String::new();
                for f in s.flags.names() {
                    if !flags.is_empty() {
                        flags += ", ";
                    }
                    flags += f;
                }
                let mut ack = s.ack.map(|a| format!(" ack {a}")).unwrap_or_default();
                if let (Some(val), Some(ecr)) = (s.tsval, s.tsecr) {
                    ack += &format!(" TS val {val} ecr {ecr}");
                }
                let fate = match (s.fate, s.arrive_ms) {
                    (Fate::Delivered, Some(at)) => "arrives ".to_string() + &format_clock(at),
                    _ => "lost".to_string(),
                };
                let (seq, len, to) = (s.seq, s.len, s.to);
                row(
                    e.t_ms,
                    s.from,
                    format!("{verb} {flags} seq {seq}{ack} len {len} to {to}, {fate}"),
                );
            }
            EventKind::Discard {
                host,
                seg_id,
                reason,
            } => row(
                e.t_ms,
                *host,
                format!("discards segment #{seg_id} unread ({})", reason.label()),
            ),
            _ => {}
        }
    }
    rows
}

/// Where a row stands against the playhead.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum When {
    Past,
    /// The last row at or before the playhead.
    Current,
    /// Not yet happened.
    Future,
}

/// Index of the last row at or before `t`, if any.
pub fn current_row(rows: &[TableRow], t: f64) -> Option<usize> {
    rows.partition_point(|r| r.t_ms <= t).checked_sub(1)
}

/// Whether row `i` has happened by `t`, is the one playback is on, or lies ahead.
pub fn row_when(rows: &[TableRow], i: usize, t: f64) -> When {
    match current_row(rows, t) {
        Some(c) if i == c => When::Current,
        Some(c) if i < c => When::Past,
        _ => When::Future,
    }
}

/// Rows `shown` of the table as HTML markup, following the playhead at `t`:
/// the row playback is on is `aria-current="step"`, the rows after it are
/// `class="future"` and say "(not yet)" to a screen reader. The page inserts
/// it as it is (one node instead of a virtual node per cell keeps the wasm
/// small); the text is escaped.
pub fn table_html(rows: &[TableRow], shown: std::ops::Range<usize>, t: f64) -> String {
    let mut m = String::from(
        r#"<table class="diagram-table" data-testid="diagram-table"><thead><tr><th scope="col">Time</th><th scope="col">Host</th><th scope="col">What</th></tr></thead><tbody>"#,
    );
    for i in shown {
        let (r, when) = (&rows[i], row_when(rows, i, t));
        m += match when {
            When::Past => "<tr><td>",
            When::Current => r#"<tr aria-current="step"><td>"#,
            When::Future => r#"<tr class="future"><td>"#,
        };
        m += &r.time;
        if when == When::Future {
            m += r#"<span class="visually-hidden"> (not yet)</span>"#;
        }
        m += "</td><td>";
        m += r.host.name();
        m += "</td><td>";
        m += &escape(&r.what);
        m += "</td></tr>";
    }
    m + "</tbody></table>"
}

/// The instants playback steps between: every event and every segment's
/// arrival, sorted and distinct.
pub fn stops(trace: &Trace) -> Vec<f64> {
    let mut stops: Vec<f64> = trace
        .events
        .iter()
        .map(|e| e.t_ms)
        .chain(trace.segments().filter_map(|(_, s)| s.arrive_ms))
        .collect();
    crate::order::sort_by_time(&mut stops, |t| (*t, 0));
    stops.dedup();
    stops
}

/// When the step playback is on at `t` began: the last of `stops` at or
/// before `t` (`t` itself before the first). What a screen reader is told
/// during the step is the narration of that instant, the same all through the
/// step, so that a live region changes only when the step does and not on
/// every animation frame (the visible narration counts timers down).
pub fn step_start(stops: &[f64], t: f64) -> f64 {
    stops
        .partition_point(|s| *s <= t)
        .checked_sub(1)
        .map_or(t, |i| stops[i])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::narration_at;
    use farewell_engine::{builtin, simulate, Platform, TcpState};

    fn step_narration(trace: &Trace, stops: &[f64], t: f64) -> String {
        narration_at(trace, step_start(stops, t))
    }

    fn traces() -> impl Iterator<Item = (String, Trace)> {
        builtin::ALL.iter().flat_map(|b| {
            Platform::ALL.into_iter().map(move |p| {
                let mut s = builtin::get(b.id).unwrap();
                s.platform = p;
                (format!("{} on {p}", b.id), simulate(&s))
            })
        })
    }

    #[test]
    fn the_table_has_every_segment_state_change_and_discard_in_time_order() {
        for (id, trace) in traces() {
            let rows = diagram_table(&trace);
            let segments = trace.segments().count();
            let changes = trace
                .events
                .iter()
                .filter(|e| matches!(e.kind, EventKind::State { .. } | EventKind::Discard { .. }))
                .count();
            // Plus the two starting states.
            assert_eq!(rows.len(), segments + changes + 2, "{id}");
            assert!(rows.windows(2).all(|w| w[0].t_ms <= w[1].t_ms), "{id}");
            for r in &rows {
                assert_eq!(r.time, format_clock(r.t_ms), "{id}");
            }
            // Each segment's row names its flags, numbers, receiver and fate.
            let seg_rows = rows.iter().filter(|r| r.what.contains(" seq "));
            for (r, (t, s)) in seg_rows.zip(trace.segments()) {
                assert_eq!((r.t_ms, r.host), (t, s.from), "{id}");
                for f in s.flags.names() {
                    assert!(r.what.contains(f), "{id}: {} lacks {f}", r.what);
                }
                assert!(
                    r.what.contains(&format!("seq {} ", s.seq)),
                    "{id}: {}",
                    r.what
                );
                assert!(
                    r.what.contains(&format!("len {} to {}", s.len, s.to)),
                    "{id}"
                );
                match s.ack {
                    Some(a) => assert!(r.what.contains(&format!("ack {a} ")), "{id}"),
                    None => assert!(!r.what.contains(" ack "), "{id}: {}", r.what),
                }
                assert_eq!(
                    r.what.ends_with(", lost"),
                    s.fate == Fate::Dropped,
                    "{id}: {}",
                    r.what
                );
                if let Some(at) = s.arrive_ms {
                    assert!(r.what.ends_with(&format!("arrives {}", format_clock(at))));
                }
                assert_eq!(
                    r.what.starts_with("retransmits"),
                    s.retransmission && !s.duplicate
                );
            }
            // Replaying the state rows gives each host's state at the end.
            for h in Host::BOTH {
                let last = rows
                    .iter()
                    .rfind(|r| r.host == h && !r.what.contains(" seq "));
                let end = crate::state_at(&trace, h, trace.end_ms());
                let name = end.rfc_name();
                let last = last.unwrap().what.as_str();
                assert!(
                    last == format!("starts in {name}")
                        || last.starts_with(&format!("enters {name} ")),
                    "{id}: {h} ends in {name} but the table's last state says {last}"
                );
            }
        }
    }

    #[test]
    fn a_normal_close_reads_as_the_textbook_has_it() {
        let trace = simulate(&builtin::get("normal-close").unwrap());
        let rows = diagram_table(&trace);
        let text: Vec<String> = rows
            .iter()
            .map(|r| format!("{} {}", r.host, r.what))
            .collect();
        let find = |s: &str| {
            text.iter()
                .position(|t| t.starts_with(s))
                .unwrap_or_else(|| panic!("no row {s:?} in {text:#?}"))
        };
        // It starts with the connection open (the scenario skips the handshake).
        let open = TcpState::Established.rfc_name();
        assert_eq!(text[0], format!("A starts in {open}"));
        assert_eq!(text[1], format!("B starts in {open}"));
        let fin = find("A sends FIN, ACK seq ");
        let fw1 = find(&format!("A enters {}", TcpState::FinWait1.rfc_name()));
        let tw = find(&format!("A enters {}", TcpState::TimeWait.rfc_name()));
        let closed = find(&format!(
            "A enters CLOSED (was {})",
            TcpState::TimeWait.rfc_name()
        ));
        assert!(fin.min(fw1) < tw && tw < closed, "{text:#?}");
    }

    #[test]
    fn the_playhead_splits_the_rows_into_past_current_and_future() {
        for (id, trace) in traces() {
            let rows = diagram_table(&trace);
            for t in stops(&trace)
                .into_iter()
                .chain([-1.0, trace.end_ms() + 1.0])
            {
                let whens: Vec<When> = (0..rows.len()).map(|i| row_when(&rows, i, t)).collect();
                let current: Vec<usize> = (0..rows.len())
                    .filter(|i| whens[*i] == When::Current)
                    .collect();
                assert!(current.len() <= 1, "{id} at {t}");
                for (i, (r, w)) in rows.iter().zip(&whens).enumerate() {
                    assert_eq!(*w == When::Future, r.t_ms > t, "{id} at {t}, row {i}");
                    if *w == When::Current {
                        assert!(rows.get(i + 1).is_none_or(|n| n.t_ms > t));
                    }
                }
                assert_eq!(current.first().copied(), current_row(&rows, t));
                assert_eq!(current.is_empty(), t < 0.0, "{id} at {t}");
            }
        }
    }

    #[test]
    fn the_markup_marks_the_current_row_and_the_rows_ahead() {
        let trace = simulate(&builtin::get("lost-fin").unwrap());
        let rows = diagram_table(&trace);
        let n = rows.len();
        for t in [-1.0, 0.0, 150.0, 260.0, trace.end_ms()] {
            let m = table_html(&rows, 0..n, t);
            assert!(m.starts_with("<table") && m.ends_with("</tbody></table>"));
            assert_eq!(
                m.matches("<tr").count(),
                n + 1,
                "a header row and one per row"
            );
            let ahead = rows.iter().filter(|r| r.t_ms > t).count();
            assert_eq!(m.matches(r#"<tr class="future">"#).count(), ahead, "at {t}");
            assert_eq!(m.matches("(not yet)").count(), ahead, "at {t}");
            let current = m.matches(r#"aria-current="step""#).count();
            assert_eq!(current, usize::from(t >= 0.0), "at {t}");
            if let Some(c) = current_row(&rows, t) {
                let row = format!(
                    r#"<tr aria-current="step"><td>{}</td><td>{}</td><td>{}</td></tr>"#,
                    rows[c].time, rows[c].host, rows[c].what
                );
                assert!(m.contains(&row), "at {t}: {row} not in {m}");
            }
        }
        // A window shows only its rows.
        let m = table_html(&rows, 2..5, 0.0);
        assert_eq!(m.matches("<tr").count(), 4);
        assert!(m.contains(&rows[2].what) && !m.contains(&rows[5].what));
        // Text is escaped.
        let odd = [TableRow {
            t_ms: 0.0,
            time: format_clock(0.0),
            host: Host::A,
            what: "a <b> & c".into(),
        }];
        assert!(table_html(&odd, 0..1, 0.0).contains("a &lt;b&gt; &amp; c"));
    }

    #[test]
    fn step_narration_holds_through_each_step_and_changes_with_it() {
        for (id, trace) in traces() {
            let stops = stops(&trace);
            assert_eq!(step_start(&stops, -1.0), -1.0);
            assert_eq!(step_start(&stops, 1e12), *stops.last().unwrap());
            assert!(stops.windows(2).all(|w| w[0] < w[1]), "{id}");
            let mut changes = 0;
            for (i, w) in stops.windows(2).enumerate() {
                let at_stop = step_narration(&trace, &stops, w[0]);
                assert_eq!(at_stop, narration_at(&trace, w[0]), "{id}");
                assert_eq!(step_start(&stops, w[0]), w[0]);
                for f in [0.1, 0.5, 0.9] {
                    let mid = w[0] + (w[1] - w[0]) * f;
                    assert_eq!(
                        step_narration(&trace, &stops, mid),
                        at_stop,
                        "{id} step {i}"
                    );
                }
                changes += usize::from(step_narration(&trace, &stops, w[1]) != at_stop);
            }
            // Nearly every step is a new thing to say.
            assert!(
                changes * 2 >= stops.len(),
                "{id}: {changes} of {}",
                stops.len()
            );
        }
    }
}
