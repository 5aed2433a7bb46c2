//! Invariants over random scenarios and drop patterns.

use farewell_engine::scenario::{HostConfig, Hosts, LinkConfig};
use farewell_engine::trace::{AppCall, EndReason, Fate, TimerAction, TimerKind};
use farewell_engine::{
    simulate, Action, Do, EventKind, Host, Platform, Scenario, Simulation, TcpState, Trace,
    Tunables,
};
use proptest::prelude::*;

mod strategies;

use strategies::{drop_rule, host};

/// Every host eventually closes (or aborts), so every run must end with both
/// CLOSED: with a FIN_WAIT_2 timer on every platform, nothing can wait forever.
fn scenario() -> impl Strategy<Value = Scenario> {
    let closing = prop_oneof![
        3 => Just(Do::Close),
        1 => Just(Do::ShutdownWrite),
        1 => Just(Do::Abort),
    ];
    let final_call = prop_oneof![4 => Just(Do::Close), 1 => Just(Do::Abort)];
    (
        (
            prop::sample::select(Platform::ALL.to_vec()),
            any::<u64>(),
            any::<bool>(),
            0.0..80.0f64,
            prop_oneof![2 => Just(0.0), 1 => 0.0..0.3f64],
        ),
        (
            prop::collection::vec((host(), 0.0..1500.0f64, 1u32..5000), 0..4),
            (host(), closing, 0.0..1500.0f64),
            (final_call.clone(), 1500.0..5000.0f64),
            (final_call, 1500.0..5000.0f64),
            prop::option::of(0.0..300.0f64),
            any::<(bool, bool)>(),
        ),
        prop::collection::vec(drop_rule(), 0..3),
    )
        .prop_map(
            |(
                (platform, seed, handshake, delay, loss),
                (sends, first, last_a, last_b, eof, reads),
                drops,
            )| {
                let mut actions: Vec<Action> = sends
                    .into_iter()
                    .map(|(host, t, bytes)| Action {
                        at_ms: Some(t.round()),
                        after_eof_ms: None,
                        host,
                        what: Do::Send,
                        bytes: Some(bytes),
                    })
                    .collect();
                actions.push(Action {
                    at_ms: Some(first.2.round()),
                    after_eof_ms: None,
                    host: first.0,
                    what: first.1,
                    bytes: None,
                });
                for (h, (what, t)) in [(Host::A, last_a), (Host::B, last_b)] {
                    actions.push(Action {
                        at_ms: Some(t.round()),
                        after_eof_ms: None,
                        host: h,
                        what,
                        bytes: None,
                    });
                }
                let (reads_a, reads_b) = reads;
                if let (Some(after), true) = (eof, reads_b) {
                    actions.push(Action {
                        at_ms: None,
                        after_eof_ms: Some(after.round()),
                        host: Host::B,
                        what: Do::Close,
                        bytes: None,
                    });
                }
                Scenario {
                    name: "random".into(),
                    description: String::new(),
                    platform,
                    msl_ms: Some(1000.0),
                    seed,
                    handshake,
                    link: LinkConfig {
                        delay_ms: delay,
                        loss,
                    },
                    hosts: Hosts {
                        // Mostly reading applications; sometimes one that never reads.
                        a: HostConfig {
                            app_reads: reads_a || seed % 4 != 0,
                            ..HostConfig::default()
                        },
                        b: HostConfig {
                            app_reads: reads_b,
                            ..HostConfig::default()
                        },
                    },
                    tunables: Tunables {
                        fin_timeout_ms: Some(5000.0),
                        ..Tunables::default()
                    },
                    actions,
                    drops,
                    duplicates: Vec::new(),
                    time_limit_ms: None,
                }
            },
        )
}

fn reads(t: &Trace, h: Host) -> (u64, bool) {
    let mut bytes = 0;
    let mut eof = false;
    for e in &t.events {
        if let EventKind::App {
            host,
            call,
            bytes: b,
            ..
        } = &e.kind
        {
            if *host == h {
                match call {
                    AppCall::Read => bytes += u64::from(b.unwrap_or(0)),
                    AppCall::ReadEof => eof = true,
                    _ => {}
                }
            }
        }
    }
    (bytes, eof)
}

/// Bytes `h`'s application handed over and did not lose: sends that
/// succeeded, less what an abort threw away unsent (`UnsentDiscarded`).
fn sent_ok(t: &Trace, h: Host) -> u64 {
    let count = |wanted: AppCall, failed_too: bool| -> u64 {
        t.events
            .iter()
            .filter_map(|e| match &e.kind {
                EventKind::App {
                    host,
                    call,
                    bytes,
                    error,
                    ..
                } if *host == h && *call == wanted && (failed_too || error.is_none()) => {
                    bytes.map(u64::from)
                }
                _ => None,
            })
            .sum()
    };
    // The discard is reported with the reset it causes as its error.
    count(AppCall::Send, false) - count(AppCall::UnsentDiscarded, true)
}

/// Whether `h` went back to LISTEN after its application's last close or
/// abort: the connection that follows belongs to no application call.
fn relistened_after_its_last_close(t: &Trace, h: Host) -> bool {
    let last_close = t.events.iter().rev().find_map(|e| match &e.kind {
        EventKind::App {
            host,
            call: AppCall::Close | AppCall::Abort,
            ..
        } if *host == h => Some(e.t_ms),
        _ => None,
    });
    let Some(last_close) = last_close else {
        return false;
    };
    t.events.iter().any(|e| {
        e.t_ms >= last_close
            && matches!(&e.kind, EventKind::State { host, to: TcpState::Listen, .. } if *host == h)
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn every_run_ends_with_both_hosts_closed(s in scenario()) {
        prop_assert!(s.validate().is_ok(), "{:?}", s.validate());
        let t = simulate(&s);
        // A listener whose application closed (or aborted) an earlier
        // connection takes the next SYN as a new connection, which no
        // application call ever closes: it may rightly wait in CLOSE_WAIT.
        if Host::BOTH.into_iter().any(|h| relistened_after_its_last_close(&t, h)) {
            return Ok(());
        }
        match t.events.last().map(|e| &e.kind) {
            Some(EventKind::End { reason, a, b, .. }) => {
                prop_assert_eq!(*reason, EndReason::AllClosed, "{}", t.to_text());
                prop_assert_eq!(*a, TcpState::Closed);
                prop_assert!(matches!(b, TcpState::Closed | TcpState::Listen));
            }
            other => prop_assert!(false, "no end event: {:?}", other),
        }
        // Time never runs backwards.
        prop_assert!(t.events.windows(2).all(|w| w[0].t_ms <= w[1].t_ms));
    }

    #[test]
    fn data_is_delivered_in_order_at_most_once_and_fully_before_eof(s in scenario()) {
        let t = simulate(&s);
        for h in Host::BOTH {
            let (read, eof) = reads(&t, h);
            let sent = sent_ok(&t, h.peer());
            prop_assert!(read <= sent, "{h} read {read} of {sent}\n{}", t.to_text());
            // After its peer re-listened, the EOF may come from a later
            // connection than the bytes (each connection's bytes are its own).
            if eof && !relistened_after_its_last_close(&t, h.peer()) {
                prop_assert_eq!(read, sent, "{} saw EOF early\n{}", h, t.to_text());
            }
        }
    }

    #[test]
    fn the_active_closer_passes_through_time_wait_unless_reset_or_timed_out(s in scenario()) {
        let t = simulate(&s);
        for h in Host::BOTH {
            let transitions: Vec<(f64, TcpState, TcpState)> = t.events.iter().filter_map(|e| match &e.kind {
                EventKind::State { host, from, to } if *host == h => Some((e.t_ms, *from, *to)),
                _ => None,
            }).collect();
            if !transitions.iter().any(|(_, _, to)| *to == TcpState::FinWait1) {
                continue;
            }
            let Some(&(when, from, _)) = transitions.iter().rev().find(|(_, _, to)| *to == TcpState::Closed) else {
                continue;
            };
            if from == TcpState::TimeWait {
                continue;
            }
            // Otherwise a RST (sent or received) or a timeout must explain it.
            let explained = t.events.iter().any(|e| match &e.kind {
                EventKind::Segment(seg) if seg.flags.contains(farewell_engine::Flags::RST) => {
                    (seg.from == h && e.t_ms == when)
                        || (seg.to == h && seg.fate == Fate::Delivered && seg.arrive_ms == Some(when))
                }
                EventKind::Timer { host, timer, action: TimerAction::Expired, .. } => {
                    *host == h && e.t_ms == when
                        && matches!(timer, TimerKind::Retransmission | TimerKind::FinWait2)
                }
                EventKind::App { host, call: AppCall::Abort, .. } => *host == h && e.t_ms == when,
                _ => false,
            });
            prop_assert!(explained, "{h} closed from {from} at {when} without TIME_WAIT, RST or timeout\n{}", t.to_text());
        }
    }

    #[test]
    fn the_same_scenario_and_seed_give_the_same_trace(s in scenario()) {
        let first = simulate(&s).to_json_lines();
        let second = simulate(&s).to_json_lines();
        prop_assert_eq!(&first, &second);
        // And the JSON Lines parse back to the same trace.
        let back = Trace::from_json_lines(&first).unwrap();
        prop_assert_eq!(back.to_json_lines(), first);
    }

    /// A `Simulation` renews its endpoints and queue in place: nothing of
    /// an earlier run may leak into the next one, even one cut short with
    /// segments in flight and timers running.
    #[test]
    fn a_reused_simulation_gives_the_trace_a_fresh_one_gives(
        mut earlier in scenario(),
        cut_ms in 1.0..2_000.0f64,
        s in scenario(),
    ) {
        earlier.time_limit_ms = Some(cut_ms);
        let mut sim = Simulation::default();
        sim.run(&earlier, &mut Vec::new());
        let mut events = Vec::new();
        sim.run(&s, &mut events);
        let reused = Trace { events }.to_json_lines();
        prop_assert_eq!(reused, simulate(&s).to_json_lines());
    }

    #[test]
    fn every_segment_has_exact_relative_numbers(s in scenario()) {
        let t = simulate(&s);
        for (_, seg) in t.segments() {
            prop_assert_eq!(seg.ack.is_some(), seg.flags.contains(farewell_engine::Flags::ACK));
            prop_assert_eq!(seg.fate == Fate::Delivered, seg.arrive_ms.is_some());
        }
    }
}

/// Sequence-number arithmetic (RFC 9293 §3.4, RFC 1982 §3.2) holds over the
/// wrap at 2^32, for any pair of numbers.
mod seq_arithmetic {
    use farewell_engine::Seq;
    use proptest::prelude::*;

    /// Half the sequence space: numbers this far apart compare as undefined
    /// in RFC 1982 (the engine, like Linux `before()`, calls each "before").
    const HALF: u32 = 1 << 31;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

        #[test]
        fn comparison_is_antisymmetric_across_the_wrap(a in any::<u32>(), d in any::<u32>()) {
            prop_assume!(d != HALF);
            let (a, b) = (Seq(a), Seq(a) + d);
            if d == 0 {
                prop_assert!(!a.lt(b) && !b.lt(a) && a.le(b) && b.le(a));
            } else {
                // Exactly one is before the other, whichever side of 2^32 they are.
                prop_assert!(a.lt(b) != b.lt(a), "{a} and {b}");
                prop_assert_eq!(a.lt(b), d < HALF);
                prop_assert_eq!(a.lt(b), b.gt(a));
                prop_assert_eq!(a.le(b), !a.gt(b));
                prop_assert_eq!(a.ge(b), !a.lt(b));
                // le and ge are the strict forms plus equality.
                prop_assert_eq!(a.le(b), a.lt(b));
            }
        }

        #[test]
        fn add_and_sub_are_inverse(a in any::<u32>(), n in any::<u32>()) {
            let s = Seq(a);
            prop_assert_eq!((s + n) - s, n);
            prop_assert_eq!((s + n) - n, s);
            prop_assert_eq!((s - n) + n, s);
            let mut t = s;
            t += n;
            prop_assert_eq!(t, s + n);
            prop_assert_eq!(t.get(), a.wrapping_add(n));
        }

        #[test]
        fn advancing_by_less_than_half_the_space_moves_forward(a in any::<u32>(), n in 1..HALF) {
            let s = Seq(a);
            prop_assert!(s.lt(s + n) && (s + n).gt(s));
            prop_assert!((s - n).lt(s));
        }
    }
}
