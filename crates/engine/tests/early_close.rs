//! Data that a connection ends without: every close, abort, reset or timeout
//! that throws bytes away says so in the trace (RFC 9293 §3.10), because the
//! application's `send()` had already returned and nothing else would tell.

mod story;

use farewell_engine::trace::{AppCall, EventKind};
use farewell_engine::{Host, TcpState, Trace};
use story::{assert_lines, fmt_ms, run, run_json, segments, states};

/// `"500 A unsent_discarded 100 (closing)"`: every application event, with
/// bytes and error.
fn app_events(t: &Trace) -> Vec<String> {
    t.events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::App {
                host,
                call,
                bytes,
                error,
                ..
            } => {
                let mut line = format!("{} {host} {}", fmt_ms(e.t_ms), call_name(*call));
                if let Some(b) = bytes {
                    line.push_str(&format!(" {b}"));
                }
                if let Some(err) = error {
                    line.push_str(&format!(" ({err})"));
                }
                Some(line)
            }
            _ => None,
        })
        .collect()
}

fn call_name(c: AppCall) -> String {
    serde_json::to_value(c)
        .unwrap()
        .as_str()
        .unwrap()
        .to_string()
}

/// A's SYN is lost twice; A writes 100 bytes while in SYN_SENT (queued, the
/// call returns) and closes at 500 ms, before its SYN is resent at 1 s: the
/// bytes are gone, and the trace says so (RFC 9293 §3.10.4 CLOSE in SYN-SENT:
/// queued SENDs get "error: closing").
#[test]
fn close_in_syn_sent_reports_the_queued_data_it_discards() {
    let t = run_json(
        r#"{
            "handshake": true,
            "actions": [
                { "at_ms": 10, "host": "A", "do": "send", "bytes": 100 },
                { "at_ms": 500, "host": "A", "do": "close" }
            ],
            "drops": [ { "from": "A", "kind": "SYN", "count": 2 } ]
        }"#,
    );
    assert_lines(segments(&t), &["0 A>B S 0 LOST"]);
    assert_lines(
        app_events(&t),
        &[
            "0 A connect",
            "10 A send 100",
            "500 A close",
            "500 A unsent_discarded 100 (closing)",
        ],
    );
    assert_lines(states(&t), &["0 A SYN_SENT", "500 A CLOSED"]);
}

/// The same with the SYN-ACK lost instead: B is in SYN_RECEIVED and retries its
/// SYN-ACK; A's close in SYN_SENT still discards the queued bytes with an event.
#[test]
fn close_in_syn_sent_after_a_lost_syn_ack_reports_the_loss_too() {
    let t = run_json(
        r#"{
            "handshake": true,
            "actions": [
                { "at_ms": 10, "host": "A", "do": "send", "bytes": 100 },
                { "at_ms": 500, "host": "A", "do": "close" }
            ],
            "drops": [ { "from": "B", "kind": "SYN", "count": 1 } ]
        }"#,
    );
    let apps = app_events(&t);
    assert!(
        apps.contains(&"500 A unsent_discarded 100 (closing)".to_string()),
        "{apps:?}"
    );
    // No data segment ever left A.
    assert!(t.segments().all(|(_, s)| s.from != Host::A || s.len == 0));
}

/// Data sent but not yet acknowledged when the application aborts is flushed
/// (RFC 9293 §3.10.5: "all segments queued for ... retransmission should be
/// flushed"); the trace says how many bytes B may never have had.
#[test]
fn abort_reports_unacknowledged_data_it_flushes() {
    let t = run_json(
        r#"{
            "actions": [
                { "at_ms": 0, "host": "A", "do": "send", "bytes": 3000 },
                { "at_ms": 10, "host": "A", "do": "abort" }
            ]
        }"#,
    );
    assert_lines(
        app_events(&t),
        &[
            "0 A send 3000",
            "10 A abort",
            "10 A unacked_discarded 3000 (connection reset)",
            // Linux's default timestamps take 12 bytes of each 1460-byte MSS.
            "20 B read 1448",
            "20 B read 1448",
            "20 B read 104",
            "30 B reset (ECONNRESET)",
        ],
    );
}

/// Closing with unread data sends a RST (RFC 2525 §2.17) and says what was
/// thrown away.
#[test]
fn close_with_unread_data_reports_the_unread_bytes() {
    let t = run("unread-data-rst");
    let apps = app_events(&t);
    assert!(
        apps.contains(&"200 A unread_discarded 100 (closed with unread data)".to_string()),
        "{apps:?}"
    );
}

/// Data reaching a socket whose application has closed is answered with a RST
/// (Linux `TCPAbortOnData`): the bytes are never read, and the trace says so.
#[test]
fn data_after_close_reports_the_bytes_nobody_will_read() {
    let t = run_json(
        r#"{
            "actions": [
                { "at_ms": 0, "host": "A", "do": "close" },
                { "after_eof_ms": 100, "host": "B", "do": "send", "bytes": 50 }
            ]
        }"#,
    );
    let apps = app_events(&t);
    assert!(
        apps.contains(&"140 A unread_discarded 50 (data after close)".to_string()),
        "{apps:?}"
    );
    assert!(
        apps.contains(&"160 B reset (ECONNRESET)".to_string()),
        "{apps:?}"
    );
}

/// Every segment A sends is lost; after its retries A gives up (ETIMEDOUT) and
/// the bytes it never got acknowledged are reported flushed.
#[test]
fn retries_exhausted_report_the_unacknowledged_data() {
    let t = run_json(
        r#"{
            "tunables": { "max_retries": 2 },
            "actions": [ { "at_ms": 0, "host": "A", "do": "send", "bytes": 100 } ],
            "drops": [ { "from": "A", "kind": "DATA", "count": 100 } ]
        }"#,
    );
    let apps = app_events(&t);
    let n = apps.len();
    assert_eq!(
        apps[n - 2..],
        [
            format!(
                "{} A timed_out (ETIMEDOUT)",
                apps[n - 2].split(' ').next().unwrap()
            ),
            format!(
                "{} A unacked_discarded 100 (connection aborted due to user timeout)",
                apps[n - 1].split(' ').next().unwrap()
            ),
        ],
        "{apps:?}"
    );
    assert_eq!(story::end(&t).0, TcpState::Closed);
}

/// A normal close loses nothing, so it reports nothing lost.
#[test]
fn a_clean_close_reports_no_discards() {
    for id in [
        "normal-close",
        "lost-fin",
        "half-close",
        "handshake-and-close",
    ] {
        let t = run(id);
        let lost: Vec<String> = app_events(&t)
            .into_iter()
            .filter(|l| l.contains("discarded"))
            .collect();
        assert!(lost.is_empty(), "{id}: {lost:?}");
    }
}

/// A never reads: it half-closes, B's data and FIN arrive, and A reaches
/// TIME_WAIT while its application still holds the socket. When it finally
/// calls close(), Linux's `__tcp_close` flushes the unread byte; the
/// connection has already ended, so no RST goes out and TIME_WAIT runs on.
#[test]
fn close_after_the_connection_ended_reports_the_unread_bytes_it_flushes() {
    let t = run_json(
        r#"{
            "hosts": { "A": { "app_reads": false } },
            "actions": [
                { "at_ms": 0, "host": "A", "do": "shutdown_write" },
                { "at_ms": 0, "host": "B", "do": "send", "bytes": 1 },
                { "at_ms": 100, "host": "B", "do": "close" },
                { "at_ms": 1000, "host": "A", "do": "close" }
            ]
        }"#,
    );
    let apps = app_events(&t);
    assert!(
        apps.contains(&"1000 A unread_discarded 1 (closed with unread data)".to_string()),
        "{apps:?}"
    );
    assert!(t
        .segments()
        .all(|(_, s)| !s.flags.contains(farewell_engine::Flags::RST)));
    let a_states: Vec<String> = states(&t)
        .into_iter()
        .filter(|l| l.contains(" A "))
        .collect();
    assert_eq!(a_states.last().unwrap(), "60120 A CLOSED", "{a_states:?}");
}
