//! The reader fed in pieces, as the playground reads a big file in slices:
//! any cut gives what reading the file whole gives, and a bounded read stops
//! at its limits and says which.

mod common;

use common::*;
use farewell_capture::{read, CaptureError, Limits, Reader, Stopped};
use farewell_engine::{builtin, simulate};

fn in_pieces(
    bytes: &[u8],
    size: usize,
    limits: Limits,
) -> Result<farewell_capture::Capture, CaptureError> {
    let mut r = Reader::new(limits);
    for piece in bytes.chunks(size.max(1)) {
        r.push(piece)?;
        assert!(r.bytes_read() <= bytes.len());
    }
    r.finish()
}

fn files() -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for id in ["normal-close", "lost-fin", "old-duplicate", "half-close"] {
        let s = builtin::get(id).unwrap();
        out.push((
            id.to_string(),
            farewell_export::pcap(&simulate(&s), &s).unwrap(),
        ));
    }
    for big in [false, true] {
        let mut w = PcapNg::new(big);
        w.interface(ETHERNET as u16, 6);
        w.interface(RAW as u16, 9);
        for (i, s) in close(false).iter().enumerate() {
            let ip = ip_packet(s);
            w.epb(
                0,
                1_700_000_000_000_000 + i as u64 * 1000,
                &link_frame(ETHERNET, &ip),
            );
            w.epb(1, 1_700_000_000_000_000_000 + i as u64 * 7, &ip);
        }
        w.section();
        w.interface(SLL2 as u16, 6);
        for s in close(true) {
            w.epb(0, 1_700_000_001_000_000, &link_frame(SLL2, &ip_packet(&s)));
        }
        out.push((format!("pcapng big={big}"), w.out));
    }
    out
}

#[test]
fn any_cut_reads_as_the_whole_file() {
    for (name, bytes) in files() {
        let whole = read(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        for size in [1, 2, 3, 7, 16, 23, 64, 100, 1000, bytes.len()] {
            let cut = in_pieces(&bytes, size, Limits::strict()).unwrap();
            assert_eq!(cut, whole, "{name}, pieces of {size}");
        }
        // Cut short anywhere: the frames before the cut, marked cut_short.
        for end in (24..bytes.len()).step_by(37) {
            let a = read(&bytes[..end]);
            let b = in_pieces(&bytes[..end], 13, Limits::strict());
            assert_eq!(a, b, "{name}, cut at {end}");
        }
    }
}

#[test]
fn a_bounded_read_stops_at_its_limits_and_says_so() {
    let s = builtin::get("old-duplicate").unwrap();
    let bytes = farewell_export::pcap(&simulate(&s), &s).unwrap();
    let whole = read(&bytes).unwrap();
    assert!(whole.connections.len() >= 2 && whole.packets.len() > 10);
    let limits = Limits {
        segments: 5,
        ..Limits::bounded()
    };
    let c = in_pieces(&bytes, 50, limits).unwrap();
    assert_eq!(c.packets.len(), 5);
    assert_eq!(c.packets[..], whole.packets[..5]);
    assert_eq!(c.stopped, Some(Stopped::Segments(5)));
    assert!(!c.cut_short);
    assert!(c
        .stopped
        .unwrap()
        .to_string()
        .contains("first 5 TCP segments"));
    // Strictly, the same limit is an error.
    let strict = Limits {
        segments: 5,
        ..Limits::strict()
    };
    assert_eq!(
        in_pieces(&bytes, 50, strict),
        Err(CaptureError::TooManyPackets)
    );

    let limits = Limits {
        connections: 1,
        ..Limits::bounded()
    };
    let c = in_pieces(&bytes, 50, limits).unwrap();
    assert_eq!(c.connections.len(), 1);
    assert_eq!(c.connections[0].packets.len(), c.packets.len());
    assert_eq!(c.stopped, Some(Stopped::Connections(1)));
    assert_eq!(c.connections[0], whole.connections[0]);

    let limits = Limits {
        frames: 3,
        ..Limits::bounded()
    };
    let mut r = Reader::new(limits);
    r.push(&bytes).unwrap();
    assert_eq!(r.stopped(), Some(Stopped::Frames(3)));
    // Once stopped, more bytes are ignored rather than kept.
    let before = r.bytes_read();
    r.push(&bytes).unwrap();
    assert_eq!(r.bytes_read(), before);
    assert_eq!(r.finish().unwrap().packets.len(), 3);
}

#[test]
fn bad_starts_are_refused_at_the_first_piece() {
    let mut r = Reader::new(Limits::bounded());
    assert_eq!(r.push(b"{\"actions\": []}"), Err(CaptureError::NotACapture));
    // A pcapng section claiming a huge block is damaged, not waited for.
    let mut w = PcapNg::new(false);
    w.interface(ETHERNET as u16, 6);
    let mut bytes = w.out.clone();
    bytes[4..8].copy_from_slice(&(64u32 << 20).to_le_bytes());
    let mut r = Reader::new(Limits::bounded());
    assert!(matches!(
        r.push(&bytes[..16]),
        Err(CaptureError::Malformed { .. })
    ));
    // An empty file: cut short inside the header.
    let r = Reader::new(Limits::bounded());
    assert_eq!(r.finish(), Err(CaptureError::TruncatedHeader { len: 0 }));
}
