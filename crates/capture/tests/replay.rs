//! "Replay in the simulator": a built-in's own capture, replayed, gives back
//! the built-in's segments.

use farewell_capture::{infer, read, replay, Options};
use farewell_engine::{builtin, simulate, Flags, Host, Platform, Scenario};

/// (sender, flags, payload) of each segment of connection `conn` (1-based) of
/// a trace, in the order sent.
fn segments(trace: &farewell_engine::Trace, conn: Option<u32>) -> Vec<(Host, Flags, u32)> {
    trace
        .segments()
        .filter(|(_, s)| conn.is_none_or(|c| s.conn == c || s.peer_conn == Some(c)))
        .filter(|(_, s)| !s.duplicate)
        .map(|(_, s)| (s.from, s.flags, s.len))
        .collect()
}

/// The derived scenario, its notes, the capture's connections, and whether
/// the capture's A is the scenario's B (without a handshake, A is the side
/// seen sending first).
fn replayed(scenario: &Scenario) -> (Scenario, Vec<String>, usize, bool) {
    let bytes = farewell_export::pcap(&simulate(scenario), scenario).unwrap();
    let cap = read(&bytes).unwrap();
    let conn = cap.default_connection().unwrap();
    let opts = Options {
        profile: scenario.platform.profile(),
    };
    let inf = infer(&cap, conn, &opts).unwrap();
    let r = replay::scenario(&cap, &inf);
    let swapped = inf.a.port() == Host::B.port();
    (r.scenario, r.notes, cap.connections.len(), swapped)
}

/// Built-ins whose story a capture at the sender cannot show: the copy of
/// A's last ACK that B answers with a RST is made by the network (a
/// duplicate rule), after the capture point, so the replay has no cause for
/// the RST. Likewise `old-duplicate-paws`: the old copy of A's data, and so
/// the RST it draws from a stack that does not ACK it, is the network's.
const NOT_REPLAYABLE: [&str; 3] = [
    "rst-in-time-wait",
    "rst-in-time-wait-rfc1337",
    "old-duplicate-paws",
];

/// Each side's segments, in the order it sent them.
fn per_host(v: &[(Host, Flags, u32)], swapped: bool) -> [Vec<(Flags, u32)>; 2] {
    Host::BOTH.map(|h| {
        let h = if swapped { h.peer() } else { h };
        v.iter().filter(|s| s.0 == h).map(|s| (s.1, s.2)).collect()
    })
}

/// Every built-in on every platform, captured with its handshake (so the
/// capture gives the delay), replays segment for segment: the same senders,
/// flags and lengths, in the same order.
#[test]
fn a_builtins_capture_replays_as_the_builtin() {
    let mut checked = 0;
    let mut failures = Vec::new();
    for id in builtin::ids().filter(|id| !NOT_REPLAYABLE.contains(id)) {
        for platform in Platform::ALL {
            let mut original = builtin::get(id).unwrap();
            original.platform = platform;
            original.handshake = true;
            let (scenario, notes, conns, swapped) = replayed(&original);
            assert!(!swapped, "{id}");
            // It is a valid scenario, and the playground's reading of it
            // (JSON, as the import reads it) gives it back.
            scenario
                .validate()
                .unwrap_or_else(|e| panic!("{id} on {platform}: {e}"));
            let json = scenario.to_json_pretty().unwrap();
            assert_eq!(Scenario::from_json(&json).unwrap(), scenario, "{id}");
            assert!(notes[0].contains("one-way delay"), "{id}: {notes:?}");
            assert!(scenario.handshake, "{id}");
            assert_eq!(
                scenario.link.delay_ms, original.link.delay_ms,
                "{id} on {platform}"
            );
            let want = segments(&simulate(&original), (conns > 1).then_some(1));
            let got = segments(&simulate(&scenario), None);
            // RFC 793 answers the SYN into TIME_WAIT with the old
            // connection's ACK: those two frames belong to the first
            // incarnation in the capture, and a replay of one incarnation has
            // no second connect() to send that SYN.
            let second_connect = id == "syn-into-time-wait" && platform == Platform::Rfc793;
            // illumos's 5 s reaper keeps A's 1 s TIME_WAIT until 5 s, so its
            // reconnect at 2 s fails, B is closed when the network's old copy
            // arrives, and B's RST to that copy has no cause in the capture
            // (as with `NOT_REPLAYABLE`).
            let network_copy = id == "old-duplicate" && platform == Platform::Solaris;
            if want != got && !second_connect && !network_copy {
                failures.push(format!(
                    "{id} on {platform}:\n  want {want:?}\n  got  {got:?}\n  {json}"
                ));
            }
            checked += 1;
        }
    }
    assert_eq!(
        checked,
        (builtin::ids().count() - NOT_REPLAYABLE.len()) * Platform::ALL.len()
    );
    assert!(
        failures.is_empty(),
        "{} of {checked}:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Without a handshake the delay is estimated from the first answers, which
/// a delayed ACK lengthens: on Linux (quick ACKs at the start) every built-in
/// still replays as itself, side by side.
#[test]
fn without_a_handshake_each_side_sends_the_same_segments() {
    let mut failures = Vec::new();
    for id in builtin::ids().filter(|id| !NOT_REPLAYABLE.contains(id)) {
        let original = builtin::get(id).unwrap();
        if original.handshake {
            continue;
        }
        let (scenario, _, conns, swapped) = replayed(&original);
        let want = segments(&simulate(&original), (conns > 1).then_some(1));
        let got = segments(&simulate(&scenario), None);
        if per_host(&want, false) != per_host(&got, swapped) {
            failures.push(format!("{id}:\n  want {want:?}\n  got  {got:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn drops_delay_and_handshake_come_from_the_capture() {
    let (s, notes, _, _) = replayed(&builtin::get("fin-lost-twice").unwrap());
    assert_eq!(s.link.delay_ms, 20.0);
    assert!(!s.handshake);
    assert_eq!(s.drops.len(), 1, "{:?}", s.drops);
    assert_eq!((s.drops[0].from, s.drops[0].count), (Host::B, 2));
    assert!(
        notes.iter().any(|n| n.contains("2 segments presumed lost")),
        "{notes:?}"
    );
    let (s, _, _, _) = replayed(&builtin::get("handshake-and-close").unwrap());
    assert!(s.handshake);
    assert!(s.drops.is_empty());
}

#[test]
fn the_platform_guess_reads_real_linux_syns_as_linux() {
    // Real tcpdump files of Linux 6.18 closes (crates/cli/tests/pcaps,
    // recorded by its record.sh; timestamps off there), Ethernet and `-i any`.
    for name in ["normal-close", "lost-fin", "abort-rst", "any-sll2"] {
        let path = format!(
            "{}/../cli/tests/pcaps/{name}.pcap",
            env!("CARGO_MANIFEST_DIR")
        );
        let cap = read(&std::fs::read(&path).unwrap()).unwrap();
        let guess = replay::guess_platform(&cap, 0);
        assert_eq!(
            guess,
            Some((
                Platform::Linux,
                "the SYN offers window 64240, window scale 10, no timestamps".to_string()
            )),
            "{name}"
        );
        // Without the SYN (the capture started mid-connection) there is
        // nothing to guess from.
        let mut late = cap.clone();
        late.connections[0]
            .packets
            .retain(|&i| !cap.packets[i as usize].flags.contains(Flags::SYN));
        assert_eq!(replay::guess_platform(&late, 0), None, "{name}");
    }
}
