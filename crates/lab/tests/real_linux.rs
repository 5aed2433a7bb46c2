//! `farewell lab` held to what this machine's kernel (Linux 6.18) really did,
//! recorded by `tests/recordings/record.sh`: two network namespaces, 20
//! connects/s against 500 ephemeral ports (see `tests/recordings/README.md`).
//! Recorded second `t` ends at `t` s; the lab's row `t_s` covers `[t_s, t_s+1)`,
//! so recorded second `t` is the lab's row `t - 1`.

use farewell_lab::{run, Closer, LabConfig, LabRun, PortRange};
use serde_json::Value;

fn recording(case: &str) -> Vec<Value> {
    let path = format!(
        "{}/tests/recordings/{case}.jsonl",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{path}: {e}"))
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// The recorded setup: Linux, 20 connects/s, ports 40000–40499, one
/// destination, timestamps on.
fn recorded_setup(closer: Closer) -> LabConfig {
    LabConfig {
        rate: 20,
        duration_s: 70,
        closer,
        ports: Some(PortRange {
            lo: 40000,
            hi: 40499,
        }),
        timestamps: Some(true),
        tw_reuse: 0,
        conn_ms: 1.0,
        delay_ms: 0.1,
        ..LabConfig::default()
    }
}

fn field(v: &Value, name: &str) -> f64 {
    v[name]
        .as_f64()
        .unwrap_or_else(|| panic!("no {name} in {v}"))
}

/// `got` within 3 % of `want` (or within 1 for small counts).
fn close_to(got: f64, want: f64) -> bool {
    (got - want).abs() <= (0.03 * want).max(1.0)
}

fn first_failure(rec: &[Value]) -> Option<f64> {
    rec.iter()
        .find(|r| field(r, "connect_failures") > 0.0)
        .map(|r| field(r, "t_s") - 1.0)
}

/// Per-second TIME_WAIT on the client within 3 % over the seconds `from..to`
/// (before the first sockets expire: Linux's timer wheel fires the 60 s in
/// batches about 2 s wide, which the lab does not model).
fn time_wait_agrees(case: &str, lab: &LabRun, rec: &[Value], from: u32, to: u32) {
    for r in rec {
        let t = field(r, "t_s") as u32;
        if t < from || t >= to {
            continue;
        }
        let want = field(r, "time_wait_client");
        let got = lab.rows[(t - 1) as usize].time_wait_client as f64;
        assert!(
            close_to(got, want),
            "{case}, second {t}: lab {got}, Linux {want}"
        );
    }
}

#[test]
fn client_closes_without_tw_reuse_ports_run_out_when_linux_says() {
    let rec = recording("client-close-reuse0");
    let lab = run(&recorded_setup(Closer::Client)).unwrap();
    let linux = first_failure(&rec).expect("Linux ran out of ports");
    let ours = lab
        .summary
        .first_failure_s
        .expect("the lab runs out of ports");
    assert!(
        (ours - linux).abs() <= 1.0,
        "first failure: lab {ours} s, Linux {linux} s"
    );
    time_wait_agrees("client-close-reuse0", &lab, &rec, 2, 60);
}

#[test]
fn a_low_tcp_max_tw_buckets_caps_time_wait_and_counts_overflow_as_linux_does() {
    let rec = recording("max-tw-buckets-100");
    let lab = run(&LabConfig {
        max_tw_buckets: Some(100),
        ..recorded_setup(Closer::Client)
    })
    .unwrap();
    time_wait_agrees("max-tw-buckets-100", &lab, &rec, 2, 60);
    for r in &rec {
        let t = field(r, "t_s") as u32;
        if (7..60).contains(&t) {
            let want = field(r, "tw_overflow");
            let got = lab.rows[(t - 1) as usize].tw_overflow as f64;
            assert!(
                close_to(got, want),
                "second {t}: overflow lab {got}, Linux {want}"
            );
        }
    }
    assert_eq!(lab.summary.connect_failures, 0);
}

#[test]
fn a_server_restart_with_so_reuseaddr_binds_at_once_as_on_linux() {
    let rec = recording("restart-reuseaddr");
    let lab = run(&LabConfig {
        restart_at_s: Some(10.0),
        reuseaddr: true,
        ..recorded_setup(Closer::Server)
    })
    .unwrap();
    let up = lab.summary.listener_up_s.expect("the listener comes back");
    assert!((up - 10.0).abs() <= 1.0, "listener up at {up} s");
    assert!(rec.iter().all(|r| field(r, "connect_failures") == 0.0));
}

#[test]
fn with_tw_reuse_no_connect_fails_and_time_wait_levels_where_linux_does() {
    let rec = recording("client-close-reuse1");
    let lab = run(&LabConfig {
        tw_reuse: 1,
        ..recorded_setup(Closer::Client)
    })
    .unwrap();
    assert_eq!(lab.summary.connect_failures, 0);
    assert!(rec.iter().all(|r| field(r, "connect_failures") == 0.0));
    // Ports of one parity first: reuse holds TIME_WAIT near half the range.
    time_wait_agrees("client-close-reuse1", &lab, &rec, 35, 71);
}

/// Known gap (issue 12, "new connections meeting old ones"): Linux accepts a
/// SYN on a 4-tuple it holds in TIME_WAIT when its timestamp is newer
/// (`tcp_timewait_state_process`, TCP_TW_SYN), so the server's TIME_WAIT
/// levels near 250 and not at rate × 60 s = 1,200 as in the lab.
#[test]
#[ignore = "known gap: the lab does not model a SYN reusing a TIME_WAIT 4-tuple (issue 12)"]
fn known_gap_server_time_wait_levels_where_linux_does() {
    let rec = recording("server-close");
    let lab = run(&recorded_setup(Closer::Server)).unwrap();
    for r in &rec {
        let t = field(r, "t_s") as u32;
        if (40..60).contains(&t) {
            let want = field(r, "time_wait_server");
            let got = lab.rows[(t - 1) as usize].time_wait_server as f64;
            assert!(close_to(got, want), "second {t}: lab {got}, Linux {want}");
        }
    }
}

/// Known gap, the same cause: on Linux the client's SYNs reach the server's
/// TIME_WAIT sockets during the restart, the client's RSTs kill them (RFC 1337
/// off), and bind() without SO_REUSEADDR succeeds at 65 s, not at 70 s.
#[test]
#[ignore = "known gap: the lab does not model SYNs into the server's TIME_WAIT during a restart (issue 12)"]
fn known_gap_a_restart_without_so_reuseaddr_binds_when_linux_does() {
    let rec = recording("restart-no-reuseaddr");
    let lab = run(&LabConfig {
        duration_s: 80,
        restart_at_s: Some(10.0),
        ..recorded_setup(Closer::Server)
    })
    .unwrap();
    let linux = rec
        .iter()
        .find(|r| {
            r["bind"]
                .as_array()
                .is_some_and(|b| b.iter().any(|x| x == "ok"))
        })
        .map(|r| field(r, "t_s") - 1.0)
        .expect("Linux bound again");
    let up = lab.summary.listener_up_s.expect("the listener comes back");
    assert!(
        (up - linux).abs() <= 1.0,
        "listener up: lab {up} s, Linux {linux} s"
    );
}
