//! The kernel's rules as knobs: tcp_tw_reuse, tcp_max_tw_buckets, SO_REUSEADDR.

mod lab;

use farewell_lab::{Closer, LabConfig};
use lab::*;

#[test]
fn tw_reuse_with_timestamps_removes_the_failures() {
    let run = lab(LabConfig {
        tw_reuse: 1,
        ..linux(1000)
    });
    assert_eq!(run.summary.connect_failures, 0);
    assert!(run.summary.tw_reused > 0);
    assert!(run.rows[59].time_wait_client <= 28_232);
}

#[test]
fn tw_reuse_needs_timestamps() {
    let run = lab(LabConfig {
        tw_reuse: 1,
        timestamps: Some(false),
        ..linux(1000)
    });
    assert_eq!(run.summary.tw_reused, 0);
    assert!(run.summary.first_failure_s.is_some());
}

#[test]
fn tw_reuse_2_is_for_loopback_only() {
    let remote = lab(linux(1000));
    assert!(
        remote.summary.connect_failures > 0,
        "default 2, not loopback"
    );
    let local = lab(LabConfig {
        loopback: true,
        ..linux(1000)
    });
    assert_eq!(local.summary.connect_failures, 0);
}

#[test]
fn tw_reuse_waits_for_tcp_tw_reuse_delay() {
    // 8 ports at 100/s: every TIME_WAIT port is under 1 s old when wanted next
    // for the first second, so the first second still fails.
    let run = lab(LabConfig {
        tw_reuse: 1,
        ports: Some(farewell_lab::PortRange {
            lo: 40000,
            hi: 40007,
        }),
        duration_s: 5,
        ..linux(100)
    });
    assert!(run.rows[0].connect_failures > 0);
    assert!(run.rows[3].tw_reused > 0);
}

#[test]
fn max_tw_buckets_caps_time_wait_and_counts_overflow() {
    let run = lab(LabConfig {
        max_tw_buckets: Some(1000),
        ..linux(100)
    });
    let last = run.rows.last().unwrap();
    assert_eq!(last.time_wait_client, 1000);
    // 100/s from 10 s on skip TIME_WAIT: about 5,000 overflows.
    let overflow = run.summary.tw_overflow;
    assert!((4900..=5100).contains(&overflow), "{overflow}");
    assert_eq!(run.rows[30].tw_overflow, 100);
    assert_eq!(run.summary.connect_failures, 0);
}

fn restart(reuseaddr: bool) -> farewell_lab::LabRun {
    lab(LabConfig {
        closer: Closer::Server,
        duration_s: 90,
        restart_at_s: Some(10.0),
        reuseaddr,
        ..linux(100)
    })
}

#[test]
fn restart_without_reuseaddr_fails_while_server_time_wait_sockets_exist() {
    let run = restart(false);
    assert_eq!(run.rows[10].bind, ["EADDRINUSE"]);
    assert!(run.rows[10].time_wait_server > 0);
    let up = run.summary.listener_up_s.expect("the listener comes back");
    // The last TIME_WAIT entered just before 10 s ends just after 70 s.
    assert!((70.0..=71.5).contains(&up), "listener up at {up} s");
    let up_row = &run.rows[up as usize];
    assert_eq!(up_row.bind, ["ok"]);
    // Connects in between are refused.
    assert_eq!(run.rows[30].connect_failures, 100);
    assert_eq!(run.rows[80].connect_failures, 0);
    assert_eq!(
        run.summary.connect_refused, run.summary.connect_failures,
        "every failure is ECONNREFUSED: the client never runs out of ports here"
    );
    assert!(run.summary.connect_refused >= 6000);
}

#[test]
fn restart_with_reuseaddr_binds_at_once() {
    let run = restart(true);
    assert_eq!(run.rows[10].bind, ["ok"]);
    assert_eq!(run.summary.listener_up_s, Some(10.0));
    assert_eq!(run.summary.connect_failures, 0);
}
