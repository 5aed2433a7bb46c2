//! TCP timestamps (RFC 7323) in whole scenarios: the option on every segment,
//! the per-host-pair clock, the overrides, and PAWS stopping the old duplicate
//! that the `old-duplicate` built-in (timestamps off) lets through.

mod story;

use farewell_engine::trace::{DiscardReason, EventKind, SegmentEvent};
use farewell_engine::{builtin, simulate, Platform, Scenario, Trace};
use story::{assert_lines, run_json, segments};

fn with_timestamps(id: &str, on: Option<bool>) -> Trace {
    let mut s: Scenario = builtin::get(id).unwrap();
    s.tunables.timestamps = on;
    simulate(&s)
}

fn tsvals(t: &Trace) -> Vec<(f64, &SegmentEvent)> {
    t.segments().collect()
}

/// The old duplicate of A's first data (sent at 100 ms, delayed 2.9 s) reaches
/// B's *second* connection at 3020 ms, in its window, as before. But A's
/// timestamp clock kept running across both connections (one offset per pair
/// of hosts), so its TSval is 1.9 s older than the TS.Recent B holds: PAWS
/// discards it and B sends a duplicate ACK. B's application never reads the
/// old bytes, and A's real 100 bytes at 3500 ms are read, not ACKed away.
#[test]
fn paws_stops_the_old_duplicate_that_corrupts_without_timestamps() {
    let t = with_timestamps("old-duplicate", Some(true));
    let dup = t
        .segments()
        .find(|(_, s)| s.duplicate)
        .map(|(_, s)| s.clone())
        .expect("the duplicate rule made a copy");
    assert_eq!(dup.arrive_ms, Some(3020.0));
    let discards: Vec<(f64, u32, DiscardReason)> = t
        .events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Discard {
                host,
                seg_id,
                reason,
            } => {
                assert_eq!(host.name(), "B");
                Some((e.t_ms, *seg_id, *reason))
            }
            _ => None,
        })
        .collect();
    assert_eq!(discards, [(3020.0, dup.id, DiscardReason::Paws)]);
    let reads: Vec<String> = t
        .events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::App {
                host,
                call,
                bytes,
                stale_from_conn,
                ..
            } if call.label() == "read()" => Some(format!(
                "{} {host} {} stale {stale_from_conn:?}",
                e.t_ms,
                bytes.unwrap_or(0)
            )),
            _ => None,
        })
        .collect();
    assert_lines(reads, &["120 B 100 stale None", "3520 B 100 stale None"]);
    // B's answer to the duplicate: RCV.NXT of the new connection, at once.
    assert!(
        segments(&t).contains(&"3020 B>A . 1 ack 1".to_string()),
        "{:#?}",
        segments(&t)
    );
    // The new connection's SYN continues A's clock: 2000 ms after the first SYN.
    let syns: Vec<u32> = t
        .segments()
        .filter(|(_, s)| s.from.name() == "A" && s.flags.tcpdump() == "S")
        .map(|(_, s)| s.tsval.expect("timestamps on"))
        .collect();
    assert_eq!(syns.len(), 2);
    assert_eq!(syns[1].wrapping_sub(syns[0]), 2000);
}

/// Without timestamps (the built-in as shipped) the same copy is read as data
/// of the new connection: nothing is discarded.
#[test]
fn without_timestamps_nothing_is_discarded() {
    let t = with_timestamps("old-duplicate", Some(false));
    assert!(!t
        .events
        .iter()
        .any(|e| matches!(e.kind, EventKind::Discard { .. })));
    assert!(t
        .segments()
        .all(|(_, s)| s.tsval.is_none() && s.tsecr.is_none()));
}

/// TSval is the sender's clock in ms plus its offset; TSecr echoes the latest
/// TSval of the peer that covered what it had ACKed (TS.Recent). In the
/// whole-connection built-in with timestamps on, every segment says so.
#[test]
fn tsval_follows_the_clock_and_tsecr_echoes_ts_recent() {
    let t = with_timestamps("handshake-and-close", Some(true));
    let segs = tsvals(&t);
    let first = |h: &str| {
        segs.iter()
            .find(|(_, s)| s.from.name() == h)
            .map(|(t, s)| (*t, s.tsval.unwrap()))
            .unwrap()
    };
    let (a0, b0) = (first("A"), first("B"));
    for (t_ms, s) in &segs {
        let (t_first, val_first) = if s.from.name() == "A" { a0 } else { b0 };
        let val = s.tsval.expect("every segment has TSval");
        assert_eq!(
            f64::from(val.wrapping_sub(val_first)),
            (t_ms - t_first).floor(),
            "segment {} at {t_ms} ms",
            s.id
        );
        // TSecr: 0 on the SYN, otherwise a TSval the peer sent before.
        let ecr = s.tsecr.expect("every segment has TSecr");
        if s.flags.tcpdump() == "S" {
            assert_eq!(ecr, 0);
        } else {
            assert!(
                segs.iter().any(|(t2, p)| p.from == s.to
                    && p.tsval == Some(ecr)
                    && p.arrive_ms.is_some_and(|a| a <= *t_ms)
                    && *t2 <= *t_ms),
                "segment {} echoes {ecr}, which {} had not delivered",
                s.id,
                s.to
            );
        }
    }
    // The two hosts' clocks are unrelated (an offset each, from the seed).
    assert_ne!(a0.1, b0.1);
}

/// Each platform's default, and `tunables.timestamps` over it.
#[test]
fn the_profile_decides_and_the_tunable_overrides() {
    let run = |platform: Platform, tunable: &str| {
        run_json(&format!(
            r#"{{ "platform": "{platform}", "handshake": true, {tunable}
                 "actions": [ {{ "at_ms": 100, "host": "A", "do": "send", "bytes": 2000 }} ],
                 "time_limit_ms": 500 }}"#
        ))
    };
    for p in Platform::ALL {
        let on = p.profile().timestamps;
        for (tunable, expect) in [
            ("", on),
            (r#""tunables": { "timestamps": true },"#, true),
            (r#""tunables": { "timestamps": false },"#, false),
        ] {
            let t = run(p, tunable);
            let first_data = t
                .segments()
                .find(|(_, s)| s.len > 0)
                .map(|(_, s)| (s.len, s.tsval.is_some()))
                .unwrap();
            let full = if expect { 1448 } else { 1460 };
            assert_eq!(first_data, (full, expect), "{p} {tunable}");
        }
    }
    let defaults: Vec<(Platform, bool)> = Platform::ALL
        .into_iter()
        .map(|p| (p, p.profile().timestamps))
        .collect();
    assert_eq!(
        defaults,
        [
            (Platform::Linux, true),
            (Platform::Freebsd, true),
            (Platform::Macos, true),
            (Platform::Windows, false),
            (Platform::Solaris, true),
            (Platform::Rfc793, false),
        ]
    );
}

/// The same seed gives the same clocks; another seed other clocks.
#[test]
fn timestamp_offsets_come_from_the_seed() {
    let tsval_of_first = |seed: u64| {
        let mut s = builtin::get("normal-close").unwrap();
        s.tunables.timestamps = Some(true);
        s.seed = seed;
        simulate(&s).segments().next().unwrap().1.tsval.unwrap()
    };
    assert_eq!(tsval_of_first(7), tsval_of_first(7));
    assert_ne!(tsval_of_first(7), tsval_of_first(8));
}

/// `--format text` prints the option where tcpdump does (after the ACK, before
/// the length) and says which segment PAWS discarded, and why.
#[test]
fn the_text_format_shows_timestamps_and_the_discard() {
    let t = with_timestamps("old-duplicate", Some(true));
    let text = t.to_text();
    let (_, syn) = t.segments().next().unwrap();
    let (_, dup) = t.segments().find(|(_, s)| s.duplicate).unwrap();
    let syn_line = format!(
        "A > B: Flags [S], seq 0, options [nop,nop,TS val {} ecr 0], length 0",
        syn.tsval.unwrap()
    );
    let dup_line = format!(
        "A > B: Flags [P.], seq 1:101, ack 1, options [nop,nop,TS val {} ecr {}], length 100  (old duplicate)",
        dup.tsval.unwrap(),
        dup.tsecr.unwrap()
    );
    let discard_line = format!(
        "3020.000  B: discards segment #{} (PAWS: its TSval is older than TS.Recent)",
        dup.id
    );
    for line in [syn_line, dup_line, discard_line] {
        assert!(text.contains(&line), "{line:?} not in\n{text}");
    }
}
