//! The states the reader infers from a real capture, against the states the
//! kernel itself showed.
//!
//! Every recording under `crates/engine/tests/captures/` that has pcap files
//! (the delay × timestamps matrix, and any case recorded since record.sh wrote
//! them) was made on Linux with two network namespaces joined by a delay
//! relay: `capture-a.pcap` is the capture taken on A (`tcpdump -i any -w`:
//! Linux cooked v2 headers; in the cases recorded first, `tcpdump -w` on A's
//! interface), `capture-b.pcapng` the one taken on B (dumpcap, pcapng; first
//! `capture-b.pcap`), all with a 200-byte snap length, and `states.txt` each host's state whenever
//! /proc/net/tcp showed it change, polled every 1 ms. The capture is read and
//! inferred as `farewell explain` does, from each vantage point, and each
//! host's state changes inside the recording are held to states.txt: the same
//! sequence (states under 3 ms may be missing on either side, as in the
//! engine's test), each change within `tolerance_ms`.

#[path = "../../engine/tests/support/states.rs"]
mod states;

use farewell_capture::infer::{Certainty, Inference, StateChange};
use farewell_capture::{infer, read, Options};
use farewell_engine::Host;
use serde::Deserialize;
use states::{recorded_states, ss_name, state_differences, States};
use std::path::{Path, PathBuf};

fn captures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../engine/tests/captures")
}

#[derive(Deserialize)]
struct Recording {
    t0_epoch: f64,
    delay_ms: f64,
    duration_ms: f64,
}

/// Recordings that come with pcap files, by name.
fn recorded_pcaps() -> Vec<String> {
    let mut cases: Vec<String> = std::fs::read_dir(captures_dir())
        .expect("crates/engine/tests/captures exists")
        .filter_map(|e| {
            let e = e.ok()?;
            e.path()
                .join("capture-a.pcap")
                .exists()
                .then(|| e.file_name().to_string_lossy().into_owned())
        })
        .collect();
    cases.sort();
    cases
}

/// How far an inferred change may be from the recorded one: states.py's poll
/// (1 ms, more under load) and the kernel's own work, plus, for a change the
/// capture does not see at its host (the far side, shifted by the delay the
/// handshake gives), a fifth of the one-way delay; a timer the capture never
/// shows firing (tcp_fin_timeout's 60 s) is the engine's own timing, held as
/// the engine is (15 %).
fn tolerance_ms(change: &StateChange, since_t0_ms: f64, delay_ms: f64) -> f64 {
    let base = 10.0;
    match change.certainty {
        Certainty::Seen => base,
        Certainty::Inferred => base + delay_ms / 5.0,
        Certainty::Timer | Certainty::AfterCapture => (0.15 * since_t0_ms).max(10.0),
    }
}

/// The inferred states of `host` on the recording's clock, as states.txt has
/// them, and each change's tolerance. The trace's A is the side that sent the
/// first SYN, as in the recording; every incarnation in the capture counts.
fn inferred_states(
    infs: &[Inference],
    host: Host,
    rec: &Recording,
) -> (States, Vec<(f64, String, f64)>) {
    let first = infs.first().expect("at least one connection");
    let start = ss_name(first.start[host.index()]);
    let mut changes = Vec::new();
    for inf in infs {
        for c in inf.changes.iter().filter(|c| c.host == host) {
            let t = c.t_us as f64 / 1000.0 - rec.t0_epoch * 1000.0;
            if t > rec.duration_ms || c.certainty == Certainty::AfterCapture {
                continue;
            }
            let tol = tolerance_ms(c, t, rec.delay_ms);
            changes.push((t, ss_name(c.to), tol));
        }
    }
    let plain = changes.iter().map(|(t, s, _)| (*t, s.clone())).collect();
    ((start, plain), changes)
}

/// What differs between the recorded states and those inferred from the
/// capture taken on `vantage` (empty: they agree).
fn compare(case: &str, vantage: Host) -> Vec<String> {
    let dir = captures_dir().join(case);
    let rec: Recording = serde_json::from_str(
        &std::fs::read_to_string(dir.join("recording.json")).expect("recording.json"),
    )
    .expect("recording.json parses");
    let name = match vantage {
        Host::A => "capture-a",
        Host::B => "capture-b",
    };
    let Some(file) = ["pcap", "pcapng"]
        .iter()
        .map(|ext| dir.join(format!("{name}.{ext}")))
        .find(|f| f.exists())
    else {
        return vec![format!("{case}: no {name}.pcap or {name}.pcapng")];
    };
    let bytes = std::fs::read(&file).expect("pcap");
    let capture = match read(&bytes) {
        Ok(c) => c,
        Err(e) => return vec![format!("{}: {e}", file.display())],
    };
    if let Some(w) = std::fs::read_to_string(dir.join("apps.txt"))
        .unwrap_or_default()
        .lines()
        .find(|l| l.contains("WARNING"))
    {
        return vec![format!("{case}: {}: re-record this case", w.trim())];
    }
    // The one sysctl a case sets that the capture cannot show: the reader is
    // told, as `farewell explain` users would assume their stack's settings.
    let scenario: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("scenario.json")).expect("scenario.json"),
    )
    .expect("scenario.json parses");
    let mut opts = Options::default();
    if scenario["tunables"]["rfc1337"] == serde_json::Value::Bool(true) {
        opts.profile.rfc1337 = true;
    }
    held_to_states(
        &format!("{case}, captured on {vantage}"),
        &capture,
        &opts,
        &rec,
        &dir.join("states.txt"),
    )
}

/// What differs between the states inferred from `capture` (every connection
/// in it) and those recorded in `states` (empty: they agree).
fn held_to_states(
    label: &str,
    capture: &farewell_capture::Capture,
    opts: &Options,
    rec: &Recording,
    states: &Path,
) -> Vec<String> {
    let mut infs = Vec::new();
    for n in 0..capture.connections.len() {
        match infer(capture, n, opts) {
            Ok(inf) => infs.push(inf),
            Err(e) => return vec![format!("{label}: connection {n}: {e}")],
        }
    }
    if infs.is_empty() {
        return vec![format!("{label}: no connection found")];
    }
    let mut out = Vec::new();
    for host in [Host::A, Host::B] {
        let real = recorded_states(states, host);
        let (sim, tols) = inferred_states(&infs, host, rec);
        let tol_at = |t: f64| {
            tols.iter()
                .find(|(tt, _, _)| *tt == t)
                .map_or(10.0, |(_, _, tol)| *tol)
        };
        for d in state_differences(host, &real, &sim, "inference", tol_at) {
            out.push(format!("{label}: {d}"));
        }
    }
    out
}

/// Each recording's states, inferred from the capture taken on A and from
/// the one taken on B, agree with what the kernel showed.
#[test]
fn inferred_states_match_the_kernel_from_either_side() {
    let cases = recorded_pcaps();
    // The matrix alone is 16 cases at 4 delays: a missing directory or a
    // renamed file must not turn this into a test of nothing.
    assert!(
        cases.len() >= 64,
        "only {} recordings with pcap files: {cases:?}",
        cases.len()
    );
    let mut failures = Vec::new();
    for case in &cases {
        for vantage in [Host::A, Host::B] {
            failures.extend(compare(case, vantage));
        }
    }
    assert!(
        failures.is_empty(),
        "{} differences:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The IPv6 close of `crates/cli/tests/pcaps/` (a veth pair, no delay),
/// captured on A (tcpdump, pcap) and on B (dumpcap, pcapng), with its states
/// polled from /proc/net/tcp6: from either vantage point the inferred states
/// are the kernel's.
#[test]
fn an_ipv6_close_is_inferred_as_the_kernel_showed_it_from_either_side() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../cli/tests/pcaps");
    let rec: Recording = serde_json::from_str(
        &std::fs::read_to_string(dir.join("ipv6-close.recording.json")).unwrap(),
    )
    .unwrap();
    let mut failures = Vec::new();
    for (vantage, file) in [
        (Host::A, "ipv6-close.pcap"),
        (Host::B, "ipv6-close.b.pcapng"),
    ] {
        let capture = read(&std::fs::read(dir.join(file)).unwrap()).unwrap();
        assert_eq!(capture.connections.len(), 1, "{file}");
        assert!(capture.connections[0].a.is_ipv6(), "{file}");
        failures.extend(held_to_states(
            &format!("ipv6-close, captured on {vantage} ({file})"),
            &capture,
            &Options::default(),
            &rec,
            &dir.join("ipv6-close.states.txt"),
        ));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
