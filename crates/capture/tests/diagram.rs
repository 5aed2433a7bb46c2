//! A capture drawn as a diagram: every built-in, captured on host A as
//! tcpdump there would record it, inferred, turned into a trace and drawn by
//! the playground's renderer.

use farewell_capture::infer::Inference;
use farewell_capture::trace::to_trace;
use farewell_capture::{infer, read, Options};
use farewell_engine::trace::Fate;
use farewell_engine::{builtin, simulate, EventKind, Host, Trace, TraceEvent};

/// What a tcpdump on A records: A's segments when sent, B's when they arrive.
fn on_a(trace: &Trace) -> Trace {
    let mut events: Vec<TraceEvent> = Vec::new();
    for (t_ms, s) in trace.segments() {
        let t = if s.from == Host::A {
            (!s.duplicate).then_some(t_ms)
        } else {
            (s.fate == Fate::Delivered).then(|| s.arrive_ms.unwrap())
        };
        if let Some(t_ms) = t {
            events.push(TraceEvent {
                t_ms,
                kind: EventKind::Segment(s.clone()),
            });
        }
    }
    events.sort_by(|a, b| a.t_ms.total_cmp(&b.t_ms));
    Trace { events }
}

fn inferred(id: &str) -> Vec<Inference> {
    let scenario = builtin::get(id).unwrap();
    let trace = simulate(&scenario);
    let bytes = farewell_export::pcap(&on_a(&trace), &scenario).unwrap();
    let cap = read(&bytes).unwrap();
    let opts = Options {
        profile: scenario.profile(),
    };
    (0..cap.connections.len())
        .map(|c| infer(&cap, c, &opts).unwrap())
        .collect()
}

#[test]
fn every_builtin_captured_on_a_is_drawn_with_its_segments_and_states() {
    for id in builtin::ids() {
        for inf in inferred(id) {
            let t = to_trace(&inf);
            let segs: Vec<_> = t.segments().collect();
            let drawn = inf.segments.iter().filter(|s| !s.duplicate).count();
            assert_eq!(segs.len(), drawn, "{id}: one arrow per frame");
            for (t_ms, s) in &segs {
                match (s.fate, s.arrive_ms) {
                    (Fate::Delivered, Some(arrive)) => {
                        assert!(arrive >= *t_ms, "{id}: arrives after it leaves")
                    }
                    (Fate::Dropped, None) => {}
                    other => panic!("{id}: segment {} is {other:?}", s.id),
                }
            }
            let states: Vec<_> = t
                .events
                .iter()
                .filter_map(|e| match e.kind {
                    EventKind::State { host, from, to } => Some((host, from, to)),
                    _ => None,
                })
                .collect();
            let want: Vec<_> = inf.changes.iter().map(|c| (c.host, c.from, c.to)).collect();
            assert_eq!(states, want, "{id}: the inferred states, in order");
            assert!(
                t.events.windows(2).all(|w| w[0].t_ms <= w[1].t_ms),
                "{id}: in time order"
            );

            let svg = farewell_diagram::render_svg(&farewell_diagram::layout(&t));
            roxmltree::Document::parse(&svg).unwrap_or_else(|e| panic!("{id}: {e}"));
            assert_eq!(
                svg.matches("data-seg-id=").count(),
                drawn,
                "{id}: every segment drawn"
            );
        }
    }
}

#[test]
fn a_lost_fin_seen_from_a_is_drawn_dropped_then_retransmitted() {
    let inf = inferred("lost-fin").remove(0);
    let t = to_trace(&inf);
    let fins: Vec<_> = t
        .segments()
        .filter(|(_, s)| s.from == Host::A && s.flags.contains(farewell_engine::Flags::FIN))
        .map(|(_, s)| (s.fate, s.retransmission))
        .collect();
    assert_eq!(
        fins,
        [(Fate::Dropped, false), (Fate::Delivered, true)],
        "the first FIN, never answered, is presumed lost; its copy gets through"
    );
}
