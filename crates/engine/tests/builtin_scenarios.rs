//! Every built-in scenario, told as the segments and states it must produce.
//! Times in ms; link delay 20 ms one way unless the scenario says otherwise.

mod story;

use story::{assert_lines, run, segments, states};

/// A closes; B ACKs the FIN after Linux's 40 ms delayed ACK, closes 100 ms after reading EOF; A waits 60 s in TIME_WAIT.
#[test]
fn normal_close() {
    let t = run("normal-close");
    assert_lines(
        segments(&t),
        &[
            "0 A>B P. 1 ack 1 len 5",
            "20 B>A . 1 ack 6",
            "200 A>B F. 6 ack 1",
            "260 B>A . 1 ack 7",
            "320 B>A F. 1 ack 7",
            "340 A>B . 7 ack 2",
        ],
    );
    assert_lines(
        states(&t),
        &[
            "200 A FIN_WAIT_1",
            "220 B CLOSE_WAIT",
            "280 A FIN_WAIT_2",
            "320 B LAST_ACK",
            "340 A TIME_WAIT",
            "360 B CLOSED",
            "60340 A CLOSED",
        ],
    );
}

/// B closes as soon as it reads EOF: its FIN carries the ACK of A's FIN, and A goes FIN_WAIT_1 → TIME_WAIT directly.
#[test]
fn three_segment_close() {
    let t = run("three-segment-close");
    assert_lines(
        segments(&t),
        &[
            "0 A>B P. 1 ack 1 len 5",
            "20 B>A . 1 ack 6",
            "200 A>B F. 6 ack 1",
            "220 B>A F. 1 ack 7",
            "240 A>B . 7 ack 2",
        ],
    );
    assert_lines(
        states(&t),
        &[
            "200 A FIN_WAIT_1",
            "220 B CLOSE_WAIT",
            "220 B LAST_ACK",
            "240 A TIME_WAIT",
            "260 B CLOSED",
            "60240 A CLOSED",
        ],
    );
}

/// Both FINs cross; each side ACKs the other's FIN from FIN_WAIT_1, passes CLOSING and waits in TIME_WAIT.
#[test]
fn simultaneous_close() {
    let t = run("simultaneous-close");
    assert_lines(
        segments(&t),
        &[
            "100 A>B F. 1 ack 1",
            "100 B>A F. 1 ack 1",
            "120 B>A . 2 ack 2",
            "120 A>B . 2 ack 2",
        ],
    );
    assert_lines(
        states(&t),
        &[
            "100 A FIN_WAIT_1",
            "100 B FIN_WAIT_1",
            "120 B CLOSING",
            "120 A CLOSING",
            "140 A TIME_WAIT",
            "140 B TIME_WAIT",
            "60140 A CLOSED",
            "60140 B CLOSED",
        ],
    );
}

/// After shutdown(SHUT_WR) A keeps receiving B's 4000 bytes in FIN_WAIT_2 and ACKs them.
#[test]
fn half_close() {
    let t = run("half-close");
    assert_lines(
        segments(&t),
        &[
            "0 A>B P. 1 ack 1 len 100",
            "20 B>A . 1 ack 101",
            "50 A>B F. 101 ack 1",
            "110 B>A . 1 ack 102",
            "200 B>A . 1 ack 102 len 1460",
            "200 B>A . 1461 ack 102 len 1460",
            "200 B>A P. 2921 ack 102 len 80",
            "220 A>B . 102 ack 1461",
            "220 A>B . 102 ack 2921",
            "220 A>B . 102 ack 3001",
            "400 B>A P. 3001 ack 102 len 1000",
            "420 A>B . 102 ack 4001",
            "600 B>A F. 4001 ack 102",
            "620 A>B . 102 ack 4002",
        ],
    );
    assert_lines(
        states(&t),
        &[
            "50 A FIN_WAIT_1",
            "70 B CLOSE_WAIT",
            "130 A FIN_WAIT_2",
            "600 B LAST_ACK",
            "620 A TIME_WAIT",
            "640 B CLOSED",
            "60620 A CLOSED",
        ],
    );
}

/// A's FIN is lost; the RTO (SRTT 40 ms + 200 ms floor = 240 ms) resends it at 440 ms.
#[test]
fn lost_fin() {
    let t = run("lost-fin");
    assert_lines(
        segments(&t),
        &[
            "0 A>B P. 1 ack 1 len 5",
            "20 B>A . 1 ack 6",
            "200 A>B F. 6 ack 1 LOST",
            "440 A>B F. 6 ack 1 rtx",
            "500 B>A . 1 ack 7",
            "560 B>A F. 1 ack 7",
            "580 A>B . 7 ack 2",
        ],
    );
    assert_lines(
        states(&t),
        &[
            "200 A FIN_WAIT_1",
            "460 B CLOSE_WAIT",
            "520 A FIN_WAIT_2",
            "560 B LAST_ACK",
            "580 A TIME_WAIT",
            "600 B CLOSED",
            "60580 A CLOSED",
        ],
    );
}

/// A's last ACK is lost; B resends its FIN after 240 ms; A re-ACKs from TIME_WAIT and restarts 2MSL.
#[test]
fn lost_final_ack() {
    let t = run("lost-final-ack");
    assert_lines(
        segments(&t),
        &[
            "0 A>B P. 1 ack 1 len 5",
            "20 B>A . 1 ack 6",
            "200 A>B F. 6 ack 1",
            "260 B>A . 1 ack 7",
            "320 B>A F. 1 ack 7",
            "340 A>B . 7 ack 2 LOST",
            "560 B>A F. 1 ack 7 rtx",
            "580 A>B . 7 ack 2",
        ],
    );
    assert_lines(
        states(&t),
        &[
            "200 A FIN_WAIT_1",
            "220 B CLOSE_WAIT",
            "280 A FIN_WAIT_2",
            "320 B LAST_ACK",
            "340 A TIME_WAIT",
            "600 B CLOSED",
            "60580 A CLOSED",
        ],
    );
}

/// B's FIN and its first retransmission are lost. Linux's first retransmission
/// is a tail loss probe 240 ms later (min(2·SRTT + 200 ms, RTO)); the probe does
/// not back the RTO off, so the RTO resends it 240 ms after that, and only then
/// does the timeout double (to 480 ms).
#[test]
fn fin_lost_twice() {
    let t = run("fin-lost-twice");
    assert_lines(
        segments(&t),
        &[
            "0 A>B P. 1 ack 1 len 5",
            "20 B>A . 1 ack 6",
            "200 A>B F. 6 ack 1",
            "260 B>A . 1 ack 7",
            "320 B>A F. 1 ack 7 LOST",
            "560 B>A F. 1 ack 7 rtx LOST",
            "800 B>A F. 1 ack 7 rtx",
            "820 A>B . 7 ack 2",
        ],
    );
    assert_lines(
        states(&t),
        &[
            "200 A FIN_WAIT_1",
            "220 B CLOSE_WAIT",
            "280 A FIN_WAIT_2",
            "320 B LAST_ACK",
            "820 A TIME_WAIT",
            "840 B CLOSED",
            "60820 A CLOSED",
        ],
    );
}

/// A's orphaned FIN_WAIT_2 dies after 60 s; B's late FIN gets a bare RST with seq = the FIN's ack.
#[test]
fn fin_wait_2_timeout() {
    let t = run("fin-wait-2-timeout");
    assert_lines(
        segments(&t),
        &[
            "0 A>B P. 1 ack 1 len 5",
            "20 B>A . 1 ack 6",
            "200 A>B F. 6 ack 1",
            "260 B>A . 1 ack 7",
            "90000 B>A F. 1 ack 7",
            "90020 A>B R 7",
        ],
    );
    assert_lines(
        states(&t),
        &[
            "200 A FIN_WAIT_1",
            "220 B CLOSE_WAIT",
            "280 A FIN_WAIT_2",
            "60280 A CLOSED",
            "90000 B LAST_ACK",
            "90040 B CLOSED",
        ],
    );
}

/// SO_LINGER 0: A sends RST+ACK and is CLOSED at once, no TIME_WAIT.
#[test]
fn abort_rst() {
    let t = run("abort-rst");
    assert_lines(
        segments(&t),
        &[
            "0 A>B P. 1 ack 1 len 5",
            "20 B>A . 1 ack 6",
            "200 A>B R. 6 ack 1",
        ],
    );
    assert_lines(states(&t), &["200 A CLOSED", "220 B CLOSED"]);
}

/// A closes with 100 unread bytes: RST+ACK instead of FIN.
#[test]
fn unread_data_rst() {
    let t = run("unread-data-rst");
    assert_lines(
        segments(&t),
        &[
            "0 B>A P. 1 ack 1 len 100",
            "20 A>B . 1 ack 101",
            "200 A>B R. 1 ack 101",
        ],
    );
    assert_lines(states(&t), &["200 A CLOSED", "220 B CLOSED"]);
}

/// A copy of A's final ACK reaches the CLOSED B, which answers RST seq 2 = A's RCV.NXT: Linux (rfc1337=0) lets it kill TIME_WAIT.
#[test]
fn rst_in_time_wait() {
    let t = run("rst-in-time-wait");
    assert_lines(
        segments(&t),
        &[
            "0 A>B P. 1 ack 1 len 5",
            "20 B>A . 1 ack 6",
            "200 A>B F. 6 ack 1",
            "220 B>A F. 1 ack 7",
            "240 A>B . 7 ack 2",
            "240 A>B . 7 ack 2 dup",
            "1260 B>A R 2",
        ],
    );
    assert_lines(
        states(&t),
        &[
            "200 A FIN_WAIT_1",
            "220 B CLOSE_WAIT",
            "220 B LAST_ACK",
            "240 A TIME_WAIT",
            "260 B CLOSED",
            "1280 A CLOSED",
        ],
    );
}

/// Same RST, but with RFC 1337 A ignores it and stays in TIME_WAIT for 60 s.
#[test]
fn rst_in_time_wait_rfc1337() {
    let t = run("rst-in-time-wait-rfc1337");
    assert_lines(
        segments(&t),
        &[
            "0 A>B P. 1 ack 1 len 5",
            "20 B>A . 1 ack 6",
            "200 A>B F. 6 ack 1",
            "220 B>A F. 1 ack 7",
            "240 A>B . 7 ack 2",
            "240 A>B . 7 ack 2 dup",
            "1260 B>A R 2",
        ],
    );
    assert_lines(
        states(&t),
        &[
            "200 A FIN_WAIT_1",
            "220 B CLOSE_WAIT",
            "220 B LAST_ACK",
            "240 A TIME_WAIT",
            "260 B CLOSED",
            "60240 A CLOSED",
        ],
    );
}

/// A copy of conn 1's data arrives in conn 2 with a matching sequence number and is read as new data.
#[test]
fn old_duplicate() {
    let t = run("old-duplicate");
    assert_lines(
        segments(&t),
        &[
            "0 A>B S 0",
            "20 B>A S. 0 ack 1",
            "40 A>B . 1 ack 1",
            "100 A>B P. 1 ack 1 len 100",
            "100 A>B P. 1 ack 1 len 100 dup",
            "120 B>A . 1 ack 101",
            "300 A>B F. 101 ack 1",
            "320 B>A F. 1 ack 102",
            "340 A>B . 102 ack 2",
            "2000 A>B S 0",
            "2020 B>A S. 0 ack 1",
            "2040 A>B . 1 ack 1",
            "3020 B>A . 1 ack 101",
            "3040 A>B . 1 ack 1",
            "3060 B>A . 1 ack 101",
            "3500 A>B P. 1 ack 1 len 100",
            "3520 B>A . 1 ack 101",
            "4000 A>B F. 101 ack 1",
            "4060 B>A . 1 ack 102",
            "4200 B>A F. 1 ack 102",
            "4220 A>B . 102 ack 2",
        ],
    );
    assert_lines(
        states(&t),
        &[
            "0 A SYN_SENT",
            "20 B SYN_RECEIVED",
            "40 A ESTABLISHED",
            "60 B ESTABLISHED",
            "300 A FIN_WAIT_1",
            "320 B CLOSE_WAIT",
            "320 B LAST_ACK",
            "340 A TIME_WAIT",
            "360 B CLOSED",
            "1340 A CLOSED",
            "2000 A SYN_SENT",
            "2020 B LISTEN",
            "2020 B SYN_RECEIVED",
            "2040 A ESTABLISHED",
            "2060 B ESTABLISHED",
            "4000 A FIN_WAIT_1",
            "4020 B CLOSE_WAIT",
            "4080 A FIN_WAIT_2",
            "4200 B LAST_ACK",
            "4220 A TIME_WAIT",
            "4240 B CLOSED",
            "5220 A CLOSED",
        ],
    );
}

/// SYN, SYN-ACK, ACK; a request and response; then a 3-segment close.
#[test]
fn handshake_and_close() {
    let t = run("handshake-and-close");
    assert_lines(
        segments(&t),
        &[
            "0 A>B S 0",
            "20 B>A S. 0 ack 1",
            "40 A>B . 1 ack 1",
            "100 A>B P. 1 ack 1 len 120",
            "120 B>A . 1 ack 121",
            "200 B>A P. 1 ack 121 len 900",
            "220 A>B . 121 ack 901",
            "400 A>B F. 121 ack 901",
            "420 B>A F. 901 ack 122",
            "440 A>B . 122 ack 902",
        ],
    );
    assert_lines(
        states(&t),
        &[
            "0 A SYN_SENT",
            "20 B SYN_RECEIVED",
            "40 A ESTABLISHED",
            "60 B ESTABLISHED",
            "400 A FIN_WAIT_1",
            "420 B CLOSE_WAIT",
            "420 B LAST_ACK",
            "440 A TIME_WAIT",
            "460 B CLOSED",
            "60440 A CLOSED",
        ],
    );
}

/// RFC 9293 §3.10.7.4: a retransmitted FIN in TIME_WAIT is ACKed and the 2MSL
/// timer restarts, so A leaves TIME_WAIT 60 s after the *second* ACK.
#[test]
fn lost_final_ack_restarts_the_two_msl_timer() {
    use farewell_engine::trace::{TimerAction, TimerKind};
    let t = run("lost-final-ack");
    let restarts: Vec<(f64, Option<f64>)> = t
        .events
        .iter()
        .filter_map(|e| match &e.kind {
            farewell_engine::EventKind::Timer {
                host: farewell_engine::Host::A,
                timer: TimerKind::TimeWait,
                action: TimerAction::Restarted,
                deadline_ms,
            } => Some((e.t_ms, *deadline_ms)),
            _ => None,
        })
        .collect();
    assert_eq!(restarts, vec![(580.0, Some(60_580.0))]);
}

/// With RFC 1337 the RST is received and ignored: no state change at 1280 ms.
#[test]
fn rfc1337_ignores_the_rst_but_linux_default_does_not() {
    let with = run("rst-in-time-wait-rfc1337");
    let without = run("rst-in-time-wait");
    assert!(segments(&with).contains(&"1260 B>A R 2".to_string()));
    assert!(states(&with).contains(&"60240 A CLOSED".to_string()));
    assert!(states(&without).contains(&"1280 A CLOSED".to_string()));
}

/// The stale bytes are flagged in the trace: B's application read conn 1's data.
#[test]
fn old_duplicate_is_read_as_new_data() {
    let t = run("old-duplicate");
    let stale: Vec<(f64, Option<u32>)> = t
        .events
        .iter()
        .filter_map(|e| match &e.kind {
            farewell_engine::EventKind::App {
                stale_from_conn: Some(c),
                bytes,
                ..
            } => {
                assert_eq!(*c, 1);
                Some((e.t_ms, *bytes))
            }
            _ => None,
        })
        .collect();
    assert_eq!(stale, vec![(3020.0, Some(100))]);
}
