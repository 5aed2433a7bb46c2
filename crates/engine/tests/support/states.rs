//! What states.py recorded (`tests/captures/<case>/states.txt`: each host's
//! state on the connection's 4-tuple whenever /proc/net/tcp showed it change),
//! and how a model's states are held to it. Shared by the engine's
//! `linux_captures` test and the capture reader's `linux_states` test
//! (crates/capture/tests), which includes this file by path.

use farewell_engine::{Host, TcpState};
use std::path::Path;

/// A host's state at T0, then each change after it: (ms since T0, ss name).
pub type States = (String, Vec<(f64, String)>);

/// The recorded state changes of `host` (states.txt, written by states.py):
/// the state at T0, then each change after it.
pub fn recorded_states(path: &Path, host: Host) -> States {
    let mut at_t0 = None;
    let mut changes = Vec::new();
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    for (i, line) in text.lines().enumerate() {
        let cols: Vec<&str> = line.split_whitespace().collect();
        let [t, h, state] = cols[..] else {
            panic!(
                "{}:{}: expected `<ms> <host> <state>`: {line}",
                path.display(),
                i + 1
            )
        };
        if h != host.name() {
            continue;
        }
        let t: f64 = t
            .parse()
            .unwrap_or_else(|_| panic!("{}:{}: bad time {t:?}", path.display(), i + 1));
        if t <= 0.0 || at_t0.is_none() {
            at_t0 = Some(state.to_string());
            if t <= 0.0 {
                continue;
            }
        }
        changes.push((t, state.to_string()));
    }
    let at_t0 = at_t0.unwrap_or_else(|| panic!("{}: no state for {host}", path.display()));
    // A first line after T0 is both the state at T0 (the poller started late)
    // and not a change.
    if changes.first().is_some_and(|(_, s)| *s == at_t0) {
        changes.remove(0);
    }
    (at_t0, changes)
}

/// A state held for less than this is "brief" and may be missing on either
/// side. states.py polls every 1 ms (a little more under load), so it can miss
/// a state the engine passes through in 0 ms (CLOSE_WAIT when the application
/// closes the moment it reads EOF), and it can catch one that Linux passes
/// through inside the processing of a single segment: on a FIN+ACK in
/// FIN_WAIT_1, tcp_rcv_state_process first sets FIN_WAIT_2 for the ACK, then
/// tcp_fin moves on to TIME_WAIT (RFC 9293 goes FIN_WAIT_1 → TIME_WAIT at once).
pub const BRIEF_MS: f64 = 3.0;

/// Whether the `i`th change of `changes` is left again within `BRIEF_MS`.
pub fn is_brief(changes: &[(f64, String)], i: usize) -> bool {
    match (changes.get(i), changes.get(i + 1)) {
        (Some((t, _)), Some((next, _))) => next - t < BRIEF_MS,
        _ => false,
    }
}

/// Compares one host's state changes, as recorded (`real`) and as `model`
/// (the engine, the capture reader's inference) has them (`sim`), each change
/// within `tolerance_ms(model's time)`; returns what differs.
pub fn state_differences(
    host: Host,
    real: &States,
    sim: &States,
    model: &str,
    tolerance_ms: impl Fn(f64) -> f64,
) -> Vec<String> {
    let mut d = Vec::new();
    if real.0 != sim.0 {
        d.push(format!(
            "{host} at T0: ss shows {}, {model} is in {}",
            real.0, sim.0
        ));
    }
    let (r, e) = (&real.1, &sim.1);
    let (mut i, mut j) = (0, 0); // engine, recording
    while i < e.len() || j < r.len() {
        match (e.get(i), r.get(j)) {
            (Some((t, state)), Some((rt, rs))) if rs == state => {
                let tol = tolerance_ms(*t);
                if !is_brief(e, i) && !is_brief(r, j) && (rt - t).abs() > tol {
                    d.push(format!(
                        "{host} enters {state} at {rt:.1} ms vs {model} {t:.1} ms (tolerance ±{tol:.1} ms)"
                    ));
                }
                i += 1;
                j += 1;
            }
            _ if is_brief(e, i) => i += 1,
            _ if is_brief(r, j) => j += 1,
            (Some((t, state)), Some((rt, rs))) => {
                d.push(format!(
                    "{host} enters {rs} at {rt:.1} ms, the {model} enters {state} at {t:.1} ms"
                ));
                i += 1;
                j += 1;
            }
            (Some((t, state)), None) => {
                d.push(format!(
                    "{host}: the {model} enters {state} at {t:.1} ms, the recording never does"
                ));
                i += 1;
            }
            (None, Some((rt, rs))) => {
                d.push(format!(
                    "{host} enters {rs} at {rt:.1} ms, the {model} has no such change"
                ));
                j += 1;
            }
            (None, None) => unreachable!("loop condition"),
        }
    }
    d
}

/// The state as `ss` (and states.py) names it; CLOSED when the kernel would
/// have no socket on this connection's 4-tuple (a listener is not this
/// connection).
pub fn ss_name(s: TcpState) -> String {
    match s {
        TcpState::Closed | TcpState::Listen => "CLOSED".into(),
        other => other.ss_name().into(),
    }
}
