//! How the platform profiles change the same close.

mod story;

use farewell_engine::{builtin, simulate, Platform, Scenario};
use story::{assert_lines, segments, states};

fn on(id: &str, platform: Platform) -> farewell_engine::Trace {
    let mut s: Scenario = builtin::get(id).unwrap();
    s.platform = platform;
    simulate(&s)
}

/// FreeBSD ACKs a FIN at once (`TF_ACKNOW`), so even a peer that closes the
/// moment it reads EOF produces four segments, never Linux's three.
#[test]
fn freebsd_always_closes_in_four_segments() {
    let t = on("three-segment-close", Platform::Freebsd);
    assert_lines(
        segments(&t)[2..].to_vec(),
        &[
            "200 A>B F. 6 ack 1",
            "220 B>A . 1 ack 7",
            "220 B>A F. 1 ack 7",
            "240 A>B . 7 ack 2",
        ],
    );
}

/// FreeBSD sends FIN+ACK again when it ACKs the peer's FIN from FIN_WAIT_1
/// (PROTOCOL_NOTES: "answers a FIN in FIN_WAIT_1 with its FIN+ACK again").
#[test]
fn freebsd_repeats_its_fin_on_the_way_to_closing() {
    let t = on("simultaneous-close", Platform::Freebsd);
    assert_lines(
        segments(&t),
        &[
            "100 A>B F. 1 ack 1",
            "100 B>A F. 1 ack 1",
            "120 B>A F. 1 ack 2 rtx",
            "120 A>B F. 1 ack 2 rtx",
            // Each F. acknowledged the other's FIN: both enter TIME_WAIT and ACK
            // the repeated FIN (BSD sets TF_ACKNOW for a duplicate segment).
            "140 A>B . 2 ack 2",
            "140 B>A . 2 ack 2",
        ],
    );
}

/// The TIME_WAIT each platform's sources give (not the folklore table).
#[test]
fn time_wait_lengths_follow_the_sources() {
    for (p, tw_ms) in [
        (Platform::Linux, 60_000.0),
        (Platform::Freebsd, 60_000.0),
        (Platform::Macos, 30_000.0),
        (Platform::Windows, 240_000.0),
        (Platform::Rfc793, 240_000.0),
    ] {
        let t = on("three-segment-close", p);
        let a_closed = states(&t)
            .into_iter()
            .rev()
            .find(|l| l.ends_with("A CLOSED"))
            .unwrap();
        let entered_tw = states(&t)
            .into_iter()
            .find(|l| l.ends_with("A TIME_WAIT"))
            .unwrap();
        let ms = |l: &str| l.split(' ').next().unwrap().parse::<f64>().unwrap();
        assert_eq!(ms(&a_closed) - ms(&entered_tw), tw_ms, "{p}");
    }
}

/// illumos ends TIME_WAIT in batches: its reaper runs every 5 s
/// (`TCP_TIME_WAIT_DELAY`, `tcp_impl.h:147`) and a connection's expiry is rounded
/// up to the next run (`tcp_time_wait.c:217-219`), so TIME_WAIT lasts 60–65 s.
/// The engine's reaper runs at t = 0, 5 s, 10 s, …
#[test]
fn illumos_time_wait_ends_at_the_reapers_next_5_s_run() {
    let ms = |l: &str| l.split(' ').next().unwrap().parse::<f64>().unwrap();
    for scenario in ["three-segment-close", "normal-close", "lost-final-ack"] {
        let t = on(scenario, Platform::Solaris);
        let entered_tw = states(&t)
            .into_iter()
            .find(|l| l.ends_with("A TIME_WAIT"))
            .unwrap();
        let a_closed = states(&t)
            .into_iter()
            .rev()
            .find(|l| l.ends_with("A CLOSED"))
            .unwrap();
        let (entered, closed) = (ms(&entered_tw), ms(&a_closed));
        assert!(
            entered > 0.0 && entered < 5_000.0,
            "{scenario}: {entered_tw}"
        );
        assert_eq!(closed % 5_000.0, 0.0, "{scenario}: {a_closed}");
        assert!(
            (60_000.0..=65_000.0 + 5_000.0).contains(&(closed - entered)),
            "{scenario}: {entered_tw} .. {a_closed}"
        );
    }
    let t = on("three-segment-close", Platform::Solaris);
    assert!(
        states(&t).contains(&"65000 A CLOSED".to_string()),
        "{:?}",
        states(&t)
    );
}

/// An MSL override sets TIME_WAIT to 2×MSL even on Linux, whose TIME_WAIT is
/// otherwise hard-coded.
#[test]
fn msl_override_sets_time_wait_to_twice_msl() {
    let mut s = builtin::get("three-segment-close").unwrap();
    s.msl_ms = Some(5_000.0);
    let t = simulate(&s);
    assert!(
        states(&t).contains(&"10240 A CLOSED".to_string()),
        "{:?}",
        states(&t)
    );
}

/// Issue 12 item 5: each profile's description says which of its numbers were
/// checked against a real kernel and which come only from sources.
#[test]
fn every_profile_says_where_its_numbers_come_from() {
    for p in Platform::ALL {
        let from = p.provenance();
        assert!(
            from.starts_with("Checked against a real kernel")
                || from.starts_with("From source only")
                || from.starts_with("From Microsoft's documentation only")
                || from.starts_with("From the RFCs"),
            "{p}: {from}"
        );
        assert_eq!(
            from.starts_with("Checked against a real kernel"),
            p == Platform::Linux,
            "{p}: only Linux was checked against a kernel here"
        );
    }
}

/// MUST-40 (RFC 9293 §3.8.6.3): a delayed ACK is sent within 0.5 s.
#[test]
fn every_delayed_ack_is_under_half_a_second() {
    for p in Platform::ALL {
        assert!(p.profile().delayed_ack.as_ms() < 500.0, "{p}");
        assert!(!p.notes().is_empty());
    }
}

/// A parsed scenario with a bad value names the field.
#[test]
fn scenario_errors_name_the_field() {
    let cases = [
        (
            r#"{"actions":[{"at_ms":0,"host":"A","do":"send"}]}"#,
            "actions[0].bytes",
        ),
        (r#"{"actions":[], "link": {"loss": 2}}"#, "link.loss"),
        (
            r#"{"actions":[], "link": {"delay_ms": "x"}}"#,
            "link.delay_ms",
        ),
        (r#"{"actions":[], "lnik": {}}"#, "lnik"),
        (r#"{"actions":[{"host":"A","do":"close"}]}"#, "actions[0]"),
        (
            r#"{"actions":[], "drops":[{"from":"A","kind":"FIN","nth":0}]}"#,
            "drops[0].nth",
        ),
        (r#"{"actions":[], "platform":"plan9"}"#, "platform"),
        (
            r#"{"actions":[], "tunables":{"msl_ms":-1}}"#,
            "tunables.msl_ms",
        ),
        (
            r#"{"hosts":{"B":{"app_reads":false}},"actions":[{"after_eof_ms":0,"host":"B","do":"close"}]}"#,
            "actions[0].after_eof_ms",
        ),
        (
            r#"{"actions":[{"at_ms":0,"host":"A","do":"connect"}]}"#,
            "actions[0].do",
        ),
    ];
    for (json, field) in cases {
        let err = Scenario::from_json(json).unwrap_err();
        assert_eq!(err.field, field, "{json}: {err}");
        assert!(!err.message.is_empty());
    }
    assert!(Scenario::from_json("not json").is_err());
    assert!(Scenario::from_json("{}")
        .unwrap_err()
        .message
        .contains("actions"));
}

/// Scenarios survive a round trip through their JSON.
#[test]
fn builtins_round_trip_through_json() {
    for b in builtin::ALL {
        let s = b.scenario();
        assert_eq!(
            Scenario::from_json(&s.to_json_pretty().unwrap()).unwrap(),
            s,
            "{}",
            b.id
        );
    }
}

/// The BSDs add 200 ms of slop to every RTO after the backoff multiply
/// (`TCPT_RANGESET` with `tcp_rexmit_slop`). The estimate starts from the
/// handshake's 40 ms (SRTT 40, RTTVAR 20), then the data's ACK, delayed 40 ms,
/// samples 80 ms: SRTT 45, RTTVAR 25 (RFC 6298), SRTT + 4·RTTVAR = 145 ms. A
/// FIN lost twice is resent 145 + 200 = 345 ms later, then 2·145 + 200 =
/// 490 ms (not 2·345). On macOS the ACK waits 100 ms: a 140 ms sample, SRTT
/// 52.5, RTTVAR 40, so 212.5 + 200 and 425 + 200 ms. Linux's RTO has no slop
/// (its 200 ms floor is `rto_min` inside rttvar).
#[test]
fn the_bsds_add_their_slop_to_every_backed_off_rto() {
    let lost_twice = |platform| {
        let mut s: Scenario = builtin::get("lost-fin").unwrap();
        s.platform = platform;
        s.drops[0].count = 2;
        let t = simulate(&s);
        segments(&t)
            .into_iter()
            .filter(|l| l.contains("A>B F."))
            .collect::<Vec<_>>()
    };
    assert_lines(
        lost_twice(Platform::Freebsd),
        &[
            "200 A>B F. 6 ack 1 LOST",
            "545 A>B F. 6 ack 1 rtx LOST",
            "1035 A>B F. 6 ack 1 rtx",
        ],
    );
    assert_lines(
        lost_twice(Platform::Macos),
        &[
            "200 A>B F. 6 ack 1 LOST",
            "612.5 A>B F. 6 ack 1 rtx LOST",
            "1237.5 A>B F. 6 ack 1 rtx",
        ],
    );
}

/// Every SYN A sends is lost, on `platform`: the times A sent them (ms) and
/// when its connect() failed, if it did within 400 s.
fn unanswered_connect(platform: &str) -> (Vec<f64>, Option<f64>) {
    let s = Scenario::from_json(&format!(
        r#"{{
            "platform": "{platform}",
            "handshake": true,
            "time_limit_ms": 400000,
            "actions": [],
            "drops": [ {{ "from": "A", "kind": "SYN", "count": 100 }} ]
        }}"#
    ))
    .unwrap();
    let t = simulate(&s);
    let syns = t
        .segments()
        .filter(|(_, s)| s.from == farewell_engine::Host::A)
        .map(|(at, _)| at)
        .collect();
    let failed = t.events.iter().find_map(|e| match &e.kind {
        farewell_engine::trace::EventKind::App {
            call: farewell_engine::endpoint::AppCall::TimedOut,
            error,
            ..
        } if error.as_deref() == Some("ETIMEDOUT") => Some(e.t_ms),
        _ => None,
    });
    (syns, failed)
}

/// FreeBSD's keepinit (75 s, `tcp_usrreq.c:622`, `tcp_timer.c:454-455`) ends
/// a connect that no SYN-ACK answers: SYNs at 0, 1, 3.2, 7.4, 15.6, 31.8 and
/// 64 s (1 s, then doubling with the 200 ms slop), and connect() fails at 75 s,
/// not when a retry count runs out (PLATFORM_SOURCES.md item 5).
#[test]
fn freebsd_gives_up_a_connect_at_keepinit_75_s() {
    let (syns, failed) = unanswered_connect("freebsd");
    assert_eq!(
        syns,
        [0.0, 1000.0, 3200.0, 7400.0, 15600.0, 31800.0, 64000.0]
    );
    assert_eq!(failed, Some(75_000.0));
}

/// macOS: the same 75 s deadline, with xnu's `tcp_syn_backoff` {1, 1, 1, 1, 1,
/// 2, 4, 8, ...} (`tcp_timer.c:883-884`) and no slop before ESTABLISHED: SYNs
/// at 0, 1, 2, 3, 4, 5, 7, 11, 19, 35 and 67 s.
#[test]
fn macos_backs_off_its_syn_by_tcp_syn_backoff_and_gives_up_at_75_s() {
    let (syns, failed) = unanswered_connect("macos");
    assert_eq!(
        syns,
        [0.0, 1e3, 2e3, 3e3, 4e3, 5e3, 7e3, 11e3, 19e3, 35e3, 67e3]
    );
    assert_eq!(failed, Some(75_000.0));
}

/// illumos gives up by time, not by count: a connect once the backed-off
/// intervals armed after its retransmissions add up to more than
/// `tcp_ip_abort_cinterval` (3 min; `tcp_timers.c:719-721`, `:928`, `:1045`).
/// From the 1.125 s first RTO: SYNs at 0, 1.125, 3.375, 7.875, 16.875,
/// 34.875, 70.875 and 130.875 s (the RTO capped at 60 s), and the connect
/// fails at 190.875 s, 189.75 s having been waited.
#[test]
fn illumos_gives_up_a_connect_after_three_minutes_of_backoff() {
    let (syns, failed) = unanswered_connect("solaris");
    assert_eq!(
        syns,
        [0.0, 1125.0, 3375.0, 7875.0, 16875.0, 34875.0, 70875.0, 130875.0]
    );
    assert_eq!(failed, Some(190_875.0));
}

/// Linux still counts: `tcp_syn_retries` 6, SYNs at 0, 1, 3, 7, 15, 31, 63 s,
/// and connect() fails at 127 s.
#[test]
fn linux_gives_up_a_connect_after_tcp_syn_retries() {
    let (syns, failed) = unanswered_connect("linux");
    assert_eq!(syns, [0.0, 1e3, 3e3, 7e3, 15e3, 31e3, 63e3]);
    assert_eq!(failed, Some(127_000.0));
}

/// How long after the first copy of the first retransmitted segment its
/// retransmission left, and whether a loss probe timer fired.
fn first_resend(t: &farewell_engine::Trace) -> (f64, bool) {
    let segs: Vec<_> = t.segments().collect();
    let (at, again) = segs
        .iter()
        .find(|(_, s)| s.retransmission)
        .map(|(at, s)| (*at, *s))
        .expect("a retransmission");
    let first = segs
        .iter()
        .find(|(_, s)| {
            s.from == again.from
                && s.seq == again.seq
                && s.len == again.len
                && s.flags == again.flags
                && !s.retransmission
        })
        .map(|(at, _)| *at)
        .unwrap();
    let probed = t.events.iter().any(|e| {
        matches!(
            e.kind,
            farewell_engine::trace::EventKind::Timer {
                timer: farewell_engine::endpoint::TimerKind::LossProbe,
                action: farewell_engine::endpoint::TimerAction::Expired,
                ..
            }
        )
    });
    (at - first, probed)
}

/// macOS's tail loss probe (xnu `tcp_enable_tlp` 1, `tcp_output.c:2966-2981`):
/// lost data in ESTABLISHED is probed after 2·SRTT + `tcp_delack` (40 ms
/// round trip: 80 + 100 = 180 ms), before its RTO; a lost FIN is not (data
/// only), and waits for the RTO.
#[test]
fn macos_probes_lost_data_but_not_a_lost_fin() {
    let lost_data = Scenario::from_json(
        r#"{
            "platform": "macos",
            "handshake": true,
            "actions": [
                { "at_ms": 100, "host": "A", "do": "send", "bytes": 100 },
                { "at_ms": 2000, "host": "A", "do": "close" },
                { "at_ms": 2100, "host": "B", "do": "close" }
            ],
            "drops": [ { "from": "A", "kind": "DATA", "count": 1 } ]
        }"#,
    )
    .unwrap();
    let (gap, probed) = first_resend(&simulate(&lost_data));
    assert!(probed, "a loss probe fired");
    assert_eq!(gap, 180.0);
    let (gap, probed) = first_resend(&on("lost-fin", Platform::Macos));
    assert!(!probed, "no probe for a FIN");
    assert!(gap > 180.0, "{gap}");
}
