//! Hostile input: random bytes, and valid captures cut short or with bits
//! flipped, never make the reader panic (about 2,000 cases in all).

mod common;

use common::*;
use farewell_capture::read;
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
