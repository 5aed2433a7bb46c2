//! A connection on a 4-tuple whose previous one is still in TIME_WAIT: the
//! reader says which side held it, and whether the new ISN shows the
//! TIME_WAIT was replaced (old SND.NXT + 65537).

use farewell_capture::explain::{findings, FindingKind};
use farewell_capture::reconnect::Reconnect;
use farewell_capture::{infer, read, Options};
use farewell_engine::{builtin, simulate, Host};

fn reconnect_finding(bytes: &[u8], conn: usize) -> (Option<Reconnect>, Option<String>) {
    let capture = read(bytes).expect("a capture");
    let inf = infer(&capture, conn, &Options::default()).expect("inferred");
    let text = findings(&inf)
        .into_iter()
        .find(|f| f.kind == FindingKind::Reconnect)
        .map(|f| f.text);
    (inf.reconnect, text)
}

/// Real Linux (dumpcap, crates/cli/tests/pcaps/reconnect.pcapng): A closed
/// first, bound port 40000 again 0.2 s later and connected; the third
/// connection is from another port.
#[test]
fn a_connect_that_took_its_own_time_wait_over_is_named() {
    let bytes = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../cli/tests/pcaps/reconnect.pcapng"
    ))
    .unwrap();
    let (r, text) = reconnect_finding(&bytes, 1);
    let r = r.expect("connection 2 follows connection 1");
    assert_eq!((r.previous, r.time_wait_holder), (0, Host::A));
    assert!(r.isn_from_time_wait, "Linux's ISN is old SND.NXT + 65537");
    assert!(r.gap_us > 0 && r.gap_us < 1_000_000, "{}", r.gap_us);
    let text = text.unwrap();
    assert!(
        text.starts_with("A connected again from the same port"),
        "{text}"
    );
    assert!(text.contains("tcp_twsk_unique"), "{text}");
    assert!(text.contains("old SND.NXT + 65537"), "{text}");
    // The first connection, and the one from another port, follow nothing.
    for conn in [0, 2] {
        assert_eq!(reconnect_finding(&bytes, conn), (None, None));
    }
}

/// The simulator's own export of the syn-into-time-wait built-in: B closed
/// first, and A's new SYN reaches B's TIME_WAIT.
#[test]
fn a_syn_into_the_peers_time_wait_is_named() {
    let scenario = builtin::get("syn-into-time-wait").unwrap();
    let bytes = farewell_export::pcap(&simulate(&scenario), &scenario).unwrap();
    let (r, text) = reconnect_finding(&bytes, 1);
    let r = r.expect("the second incarnation follows the first");
    assert_eq!(r.time_wait_holder, Host::B);
    assert!(r.isn_from_time_wait);
    let text = text.unwrap();
    assert!(text.starts_with("A's SYN reached B"), "{text}");
    assert!(text.contains("RFC 6191"), "{text}");
}

/// A reconnection after TIME_WAIT ended is no reconnection into it.
#[test]
fn a_reconnect_after_time_wait_ended_is_not_named() {
    let bytes = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../cli/tests/pcaps/reconnect.pcapng"
    ))
    .unwrap();
    let capture = read(&bytes).unwrap();
    let mut opts = Options::default();
    // A TIME_WAIT shorter than the 0.2 s gap.
    opts.profile.time_wait = farewell_engine::Duration::from_millis(100);
    let inf = infer(&capture, 1, &opts).unwrap();
    assert_eq!(inf.reconnect, None);
    assert!(!findings(&inf)
        .iter()
        .any(|f| f.kind == FindingKind::Reconnect));
}
