//! Hostile input: random bytes, valid captures cut short or with bits
//! flipped, and random segment sequences never make the reader or the state
//! inference panic (about 2,300 cases in all).

mod common;

use common::*;
use farewell_capture::{explain, infer, read, Capture, Options};
use farewell_engine::{builtin, simulate};
use proptest::prelude::*;

/// Valid captures to damage: the simulator's export of every built-in,
/// classic pcap in each link type, and pcapng in both byte orders.
fn seeds() -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for id in builtin::ids() {
        let s = builtin::get(id).unwrap();
        out.push(farewell_export::pcap(&simulate(&s), &s).unwrap());
    }
    for (i, link) in [ETHERNET, NULL, RAW, LOOP, SLL, SLL2]
        .into_iter()
        .enumerate()
    {
        let v6 = i % 2 == 1;
        let f: Vec<_> = close(v6)
            .iter()
            .map(|s| (1_000_000, link_frame(link, &ip_packet(s))))
            .collect();
        out.push(pcap(link, i % 3 == 0, i % 4 == 0, &f));
    }
    for big in [false, true] {
        let mut w = PcapNg::new(big);
        w.interface(ETHERNET as u16, 6);
        w.interface(SLL2 as u16, 9);
        for (k, s) in close(big).iter().enumerate() {
            let link = if k % 2 == 0 { ETHERNET } else { SLL2 };
            w.epb(
                (k % 2) as u32,
                k as u64 * 1000,
                &link_frame(link, &ip_packet(s)),
            );
        }
        w.section();
        w.interface(RAW as u16, 6);
        w.spb(&ip_packet(&close(false)[0]));
        out.push(w.out);
    }
    out
}

fn check(bytes: &[u8]) {
    if let Ok(cap) = read(bytes) {
        // Whatever was read is consistent.
        assert!(cap.packets.len() as u32 <= cap.frames);
        let total: usize = cap.connections.iter().map(|c| c.packets.len()).sum();
        assert_eq!(total, cap.packets.len());
        if let Some(i) = cap.default_connection() {
            assert!(i < cap.connections.len());
        }
        explain_every_connection(&cap);
    }
}

/// Infers every connection and renders it: each side's transitions chain
/// (each starts where the last ended) and come in time order.
fn explain_every_connection(cap: &Capture) {
    for c in 0..cap.connections.len() {
        let inf = infer(cap, c, &Options::default()).unwrap();
        assert!(inf.changes.windows(2).all(|w| w[0].t_us <= w[1].t_us));
        for h in [farewell_engine::Host::A, farewell_engine::Host::B] {
            let mut state = inf.start[h.index()];
            for ch in inf.changes.iter().filter(|ch| ch.host == h) {
                assert_eq!(ch.from, state, "{ch:?}");
                state = ch.to;
            }
        }
        assert_eq!(inf.segments.len(), cap.connections[c].packets.len());
        let _ = explain::to_text(&inf);
        let _ = explain::lines(cap, &inf);
    }
}

/// A random segment: (from the client, SYN, ACK, FIN, RST, seq offset,
/// ack offset, payload, µs since the previous one).
type RandomSeg = (bool, bool, bool, bool, bool, u32, u32, usize, i64);

fn random_capture(segs: &[RandomSeg]) -> Vec<u8> {
    let mut t = 1_000_000i64;
    let frames: Vec<_> = segs
        .iter()
        .map(|&(from_client, syn, ack, fin, rst, seq, ack_no, len, dt)| {
            t += dt;
            // Near the story's numbers mostly, so that segments fit.
            let (mine, theirs) = if from_client {
                (1_000_000u32, 7_000_000u32)
            } else {
                (7_000_000, 1_000_000)
            };
            let s = Seg {
                v6: false,
                from_client,
                syn,
                ack: ack.then_some(theirs.wrapping_add(ack_no)),
                fin,
                rst,
                seq: mine.wrapping_add(seq),
                len,
                options: false,
            };
            (t, link_frame(ETHERNET, &ip_packet(&s)))
        })
        .collect();
    pcap(ETHERNET, false, false, &frames)
}

fn random_seg() -> impl Strategy<Value = RandomSeg> {
    (
        any::<bool>(),
        prop::bool::weighted(0.1),
        prop::bool::weighted(0.9),
        prop::bool::weighted(0.15),
        prop::bool::weighted(0.05),
        prop_oneof![0u32..400, any::<u32>()],
        prop_oneof![0u32..400, any::<u32>()],
        prop_oneof![Just(0usize), 1usize..200],
        prop_oneof![0i64..1000, 0i64..100_000_000],
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn random_segment_sequences_never_panic(segs in proptest::collection::vec(random_seg(), 1..40)) {
        let cap = read(&random_capture(&segs)).unwrap();
        explain_every_connection(&cap);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 700, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(mut bytes in proptest::collection::vec(any::<u8>(), 0..600), magic in 0usize..4) {
        // Often start with a real magic number, so the parsers get past it.
        let m: [&[u8]; 4] = [&[], &[0xd4, 0xc3, 0xb2, 0xa1], &[0xa1, 0xb2, 0x3c, 0x4d], &[0x0a, 0x0d, 0x0d, 0x0a]];
        let mut b = m[magic].to_vec();
        b.append(&mut bytes);
        check(&b);
    }

    #[test]
    fn truncated_captures_never_panic(which in any::<prop::sample::Index>(), at in any::<prop::sample::Index>()) {
        let seeds = seeds();
        let s = which.get(&seeds);
        check(&s[..at.index(s.len() + 1)]);
    }

    #[test]
    fn bit_flipped_captures_never_panic(
        which in any::<prop::sample::Index>(),
        flips in proptest::collection::vec((any::<prop::sample::Index>(), 0u8..8), 1..6),
        cut in any::<prop::sample::Index>(),
    ) {
        let seeds = seeds();
        let mut s = which.get(&seeds).clone();
        for (at, bit) in flips {
            let i = at.index(s.len());
            s[i] ^= 1 << bit;
        }
        let n = s.len();
        check(&s);
        check(&s[..n - cut.index(n.min(64))]);
    }
}
