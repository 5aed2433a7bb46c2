//! New connections meeting old ones: a SYN reaching a TIME_WAIT (Linux
//! `tcp_timewait_state_process`, RFC 6191; BSD `tcp_twcheck`; RFC 9293), a
//! connect() over the host's own TIME_WAIT (Linux `tcp_twsk_unique`), and the
//! ISNs they choose. The real-Linux cases are in `linux_captures.rs`; these are
//! the ones a capture cannot provoke, and the other profiles.

mod story;

use farewell_engine::sim::connection_isns;
use farewell_engine::trace::{AppCall, DiscardReason, EventKind};
use farewell_engine::{builtin, simulate, Platform, Scenario, TcpState, Trace};
use story::{run_json, segments, states};

fn connect_errors(t: &Trace) -> Vec<String> {
    t.events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::App {
                host,
                call: AppCall::Connect,
                error,
                ..
            } if e.t_ms > 0.0 => Some(format!(
                "{} {host} {}",
                e.t_ms,
                error.as_deref().unwrap_or("ok")
            )),
            _ => None,
        })
        .collect()
}

/// B closes first (TIME_WAIT), A connects again at 1000 ms.
fn syn_into_time_wait(platform: &str, extra: &str) -> String {
    format!(
        r#"{{ "platform": "{platform}", "handshake": true, "hosts": {{ "B": {{ "listen": true }}{extra} }},
        "actions": [
          {{ "at_ms": 200, "host": "B", "do": "close" }},
          {{ "after_eof_ms": 0, "host": "A", "do": "close" }},
          {{ "at_ms": 1000, "host": "A", "do": "connect" }}
        ], "time_limit_ms": 5000 }}"#
    )
}

/// Linux: the SYN's TSval is newer, so B's TIME_WAIT gives way at once and its
/// SYN-ACK starts 65537 past the old SND.NXT (SYN + FIN = 2).
#[test]
fn linux_takes_a_newer_syn_with_isn_old_snd_nxt_plus_65537() {
    let s = Scenario::from_json(&syn_into_time_wait("linux", "")).unwrap();
    let t = simulate(&s);
    assert!(
        states(&t).contains(&"1020 B SYN_RECEIVED".to_string()),
        "{:?}",
        states(&t)
    );
    let [a, b] = connection_isns(&s);
    assert_eq!(b[1].wrapping_sub(b[0]), 2 + 65_537);
    // A's second ISN follows the clock: 1000 ms in 64 ns steps.
    assert_eq!(a[1].wrapping_sub(a[0]), 15_625_000);
}

/// Without timestamps, an ISN below B's RCV.NXT is not let in: B answers with
/// the old connection's ACK; A, in SYN_SENT, resets it (RFC 9293 §3.10.7.3);
/// that RST is exact and kills the TIME_WAIT (tcp_rfc1337 = 0), so A's SYN
/// retransmission a second later finds the listener. (The RST's seq is the
/// ACK's ack, B's old RCV.NXT: 502 past A's new, lower ISN.)
#[test]
fn an_older_isn_without_timestamps_gets_the_old_ack_and_the_rst_clears_the_way() {
    let json = syn_into_time_wait(
        "linux",
        r#", "A": { "isn": [1000, 500] } }, "tunables": { "timestamps": false"#,
    );
    let t = run_json(&json);
    let segs = segments(&t);
    let after: Vec<&str> = segs
        .iter()
        .map(String::as_str)
        .filter(|l| l.split(' ').next().unwrap().parse::<f64>().unwrap() >= 1000.0)
        .collect();
    assert_eq!(
        after[..5],
        [
            "1000 A>B S 0",
            "1020 B>A . 2 ack 2",
            "1040 A>B R 502",
            "2000 A>B S 0 rtx",
            "2020 B>A S. 0 ack 1",
        ],
        "{segs:#?}"
    );
    assert!(
        states(&t).contains(&"1060 B CLOSED".to_string()),
        "{:?}",
        states(&t)
    );
}

/// An old duplicate of A's first SYN reaching B's TIME_WAIT fails PAWS (its
/// TSval is a second older than TS.Recent) and gets the TIME_WAIT's ACK.
#[test]
fn an_old_syn_fails_paws_in_time_wait() {
    let json = syn_into_time_wait("linux", "").replace(
        r#""time_limit_ms": 5000"#,
        r#""time_limit_ms": 5000, "duplicates": [ { "from": "A", "kind": "SYN", "extra_delay_ms": 700 } ]"#,
    ).replace(r#"{ "at_ms": 1000, "host": "A", "do": "connect" }"#, r#"{ "at_ms": 3000, "host": "A", "do": "connect" }"#);
    let t = run_json(&json);
    let discard = t.events.iter().find_map(|e| match e.kind {
        EventKind::Discard { host, reason, .. } => Some((e.t_ms, host.name(), reason)),
        _ => None,
    });
    assert_eq!(discard, Some((720.0, "B", DiscardReason::Paws)));
    assert!(
        segments(&t).contains(&"720 B>A . 2 ack 2".to_string()),
        "{:#?}",
        segments(&t)
    );
}

/// FreeBSD's `tcp_twcheck` looks at the sequence number only: A's clock-driven
/// ISN is above RCV.NXT, so the SYN goes to the listener, which picks an ISN
/// as for any connection. RFC 9293 as written answers it with an ACK.
#[test]
fn bsd_takes_a_higher_seq_and_rfc_9293_acks() {
    let t = run_json(&syn_into_time_wait("freebsd", ""));
    assert!(
        states(&t).contains(&"1020 B SYN_RECEIVED".to_string()),
        "{:?}",
        states(&t)
    );
    let t = run_json(&syn_into_time_wait("rfc793", ""));
    assert!(
        segments(&t).contains(&"1020 B>A . 2 ack 2".to_string()),
        "{:#?}",
        segments(&t)
    );
}

/// A closes first; connect() at 500 and 1500 ms, with `extra` in `hosts.A`
/// and `tunables`.
fn reconnect(platform: &str, a: &str, tunables: &str) -> Trace {
    run_json(&format!(
        r#"{{ "platform": "{platform}", "handshake": true,
        "hosts": {{ "B": {{ "listen": true }}, "A": {{ {a} }} }}, "tunables": {{ {tunables} }},
        "actions": [
          {{ "at_ms": 200, "host": "A", "do": "close" }},
          {{ "after_eof_ms": 0, "host": "B", "do": "close" }},
          {{ "at_ms": 500, "host": "A", "do": "connect" }},
          {{ "at_ms": 1500, "host": "A", "do": "connect" }}
        ], "time_limit_ms": 3000 }}"#
    ))
}

#[test]
fn tcp_twsk_unique_decides_a_reconnect_from_time_wait() {
    // Bound port, timestamps seen: reused at once, whatever the sysctl.
    let t = reconnect("linux", "", r#""tw_reuse": 0"#);
    assert_eq!(connect_errors(&t), ["500 A ok", "1500 A EISCONN"]);
    // Bound port, no timestamps: refused.
    let t = reconnect("linux", "", r#""timestamps": false"#);
    assert_eq!(
        connect_errors(&t),
        ["500 A EADDRNOTAVAIL", "1500 A EADDRNOTAVAIL"]
    );
    // connect() chooses: 2 (the default) reuses only on loopback.
    let t = reconnect("linux", r#""bind": false"#, "");
    assert_eq!(
        connect_errors(&t),
        ["500 A EADDRNOTAVAIL", "1500 A EADDRNOTAVAIL"]
    );
    // 1: after tcp_tw_reuse_delay (1 s) in TIME_WAIT, which began at 240 ms.
    let t = reconnect("linux", r#""bind": false"#, r#""tw_reuse": 1"#);
    assert_eq!(connect_errors(&t), ["500 A EADDRNOTAVAIL", "1500 A ok"]);
    let t = reconnect(
        "linux",
        r#""bind": false"#,
        r#""tw_reuse": 1, "tw_reuse_delay_ms": 100"#,
    );
    assert_eq!(connect_errors(&t), ["500 A ok", "1500 A EISCONN"]);
    // Other stacks keep the 4-tuple until TIME_WAIT ends.
    let t = reconnect("freebsd", "", "");
    assert_eq!(
        connect_errors(&t),
        ["500 A EADDRINUSE", "1500 A EADDRINUSE"]
    );
}

/// The reused connection's SYN starts 65537 past the old SND.NXT and echoes
/// the old TS.Recent, as the `tw-reuse-bind` capture shows.
#[test]
fn a_reused_time_wait_gives_isn_old_snd_nxt_plus_65537_and_keeps_ts_recent() {
    let s = builtin::get("tw-reuse").unwrap();
    let t = simulate(&s);
    let [a, _] = connection_isns(&s);
    // 100 bytes + SYN + FIN.
    assert_eq!(a[1].wrapping_sub(a[0]), 102 + 65_537);
    let syns: Vec<_> = t
        .segments()
        .filter(|(_, s)| s.from.name() == "A" && s.flags.tcpdump() == "S")
        .map(|(_, s)| s.tsecr)
        .collect();
    let last_b_tsval = t
        .segments()
        .filter(|(t_ms, s)| *t_ms < 1500.0 && s.from.name() == "B")
        .last()
        .and_then(|(_, s)| s.tsval);
    assert_eq!(syns, [Some(0), last_b_tsval]);
    // A's first TIME_WAIT was taken over, not served.
    let a_states: Vec<String> = states(&t)
        .into_iter()
        .filter(|l| l.contains(" A "))
        .collect();
    assert!(
        a_states.contains(&"1500 A SYN_SENT".to_string()),
        "{a_states:?}"
    );
    assert_eq!(story::end(&t).0, TcpState::Closed, "{:?}", states(&t));
}

#[test]
fn tw_reuse_is_checked() {
    let bad = |json: &str| Scenario::from_json(json).unwrap_err().to_string();
    assert_eq!(
        bad(r#"{ "tunables": { "tw_reuse": 3 }, "actions": [] }"#),
        "tunables.tw_reuse: is 0, 1 or 2"
    );
    // Other profiles take the tunables and ignore them: no tcp_tw_reuse there.
    for p in Platform::ALL {
        let mut s = builtin::get("tw-reuse").unwrap();
        s.platform = p;
        assert!(s.validate().is_ok(), "{p}");
        let t = simulate(&s);
        let errors = connect_errors(&t);
        assert_eq!(errors.len(), 2, "{p}: {errors:?}");
        assert_eq!(
            errors[1].ends_with(" ok"),
            p == Platform::Linux,
            "{p}: {errors:?}"
        );
    }
}

/// B closes first (TIME_WAIT from 240 ms), A connects again at `at_ms`.
fn syn_into_time_wait_at(platform: &str, at_ms: u32) -> Trace {
    run_json(&format!(
        r#"{{ "platform": "{platform}", "handshake": true, "hosts": {{ "B": {{ "listen": true }} }},
        "actions": [
          {{ "at_ms": 200, "host": "B", "do": "close" }},
          {{ "after_eof_ms": 0, "host": "A", "do": "close" }},
          {{ "at_ms": {at_ms}, "host": "A", "do": "connect" }}
        ], "time_limit_ms": 5000 }}"#
    ))
}

/// macOS and illumos take a SYN into TIME_WAIT only when it lies beyond the
/// receive window (xnu `tcp_input.c:4496-4513`; illumos `tcp_time_wait.c:680`,
/// `gap > 0 && rgap < 0`). At 1000 ms the 4 µs ISN clock has run 250,000
/// since the old SYN: beyond, a new connection. At 261 ms it has run 65,250,
/// inside the 65,535-byte window: macOS answers with the TIME_WAIT's ACK (A's
/// RST is ignored, RFC 1337) and A's SYN retransmissions, with the same ISN,
/// keep meeting it; illumos answers RST|ACK (`:802-804`) and connect() fails.
#[test]
fn macos_and_illumos_take_a_syn_into_time_wait_only_beyond_the_window() {
    for p in ["macos", "solaris"] {
        let t = syn_into_time_wait_at(p, 1000);
        assert!(
            states(&t).contains(&"1020 B SYN_RECEIVED".to_string()),
            "{p}: {:?}",
            states(&t)
        );
    }
    let mac = syn_into_time_wait_at("macos", 261);
    let segs = segments(&mac);
    for at in [281, 1281, 2281] {
        assert!(
            segs.contains(&format!("{at} B>A . 2 ack 2")),
            "{at}: {segs:#?}"
        );
    }
    assert!(!states(&mac)
        .iter()
        .any(|s| s.contains("B SYN_RECEIVED") && !s.starts_with("20 ")));
    let illumos = syn_into_time_wait_at("solaris", 261);
    assert!(
        segments(&illumos)
            .iter()
            .any(|s| s.starts_with("281 B>A R.")),
        "{:#?}",
        segments(&illumos)
    );
    assert!(
        states(&illumos).contains(&"301 A CLOSED".to_string()),
        "{:?}",
        states(&illumos)
    );
    assert!(
        states(&illumos).iter().all(|s| !s.contains("B CLOSED")),
        "B stays in TIME_WAIT"
    );
}
