//! A small raw DEFLATE encoder (RFC 1951): greedy LZ77 over hash chains,
//! written as one block with the fixed Huffman code (§3.2.6).
//!
//! Why not `miniz_oxide`'s compressor: it costs ~10 KB of gzipped wasm (dynamic
//! Huffman tables, several parsers), about 5% of the playground's whole size
//! budget, to compress a few hundred bytes of JSON. For inputs this small the
//! fixed code is within ~15% of dynamic Huffman (whose code-length header
//! alone is 60–80 bytes), and identical for the usual `c` (edited actions).
//! Reading is [`crate::inflate`]; the tests check every stream this writes
//! with `miniz_oxide`'s inflater.

/// Longest match and farthest distance DEFLATE can express (§3.2.5).
const MAX_MATCH: usize = 258;
const MIN_MATCH: usize = 3;
const WINDOW: usize = 32 * 1024;
/// Candidates tried per position: plenty for JSON, and bounds the work on
/// long runs of one byte.
const MAX_CHAIN: usize = 64;
const HASH_BITS: u32 = 12;
const NONE: u32 = u32::MAX;

/// Length codes 257…285: base length and extra bits (§3.2.5).
pub(crate) const LEN_BASE: [u16; 29] = [
    3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131,
    163, 195, 227, 258,
];
pub(crate) const LEN_EXTRA: [u8; 29] = [
    0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
];
/// Distance codes 0…29: base distance and extra bits (§3.2.5).
pub(crate) const DIST_BASE: [u16; 30] = [
    1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537,
    2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577,
];
pub(crate) const DIST_EXTRA: [u8; 30] = [
    0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13,
    13,
];

/// Packs bits least-significant first, as DEFLATE requires (§3.1.1).
struct Bits {
    out: Vec<u8>,
    acc: u32,
    n: u32,
}

impl Bits {
    fn put(&mut self, value: u32, count: u32) {
        self.acc |= value << self.n;
        self.n += count;
        while self.n >= 8 {
            self.out.push(self.acc as u8);
            self.acc >>= 8;
            self.n -= 8;
        }
    }

    /// Huffman codes go most-significant bit first.
    fn code(&mut self, code: u32, len: u32) {
        self.put(code.reverse_bits() >> (32 - len), len);
    }

    /// A literal/length symbol in the fixed code (§3.2.6).
    fn symbol(&mut self, sym: u32) {
        match sym {
            0..=143 => self.code(0x30 + sym, 8),
            144..=255 => self.code(0x190 + sym - 144, 9),
            256..=279 => self.code(sym - 256, 7),
            _ => self.code(0xC0 + sym - 280, 8),
        }
    }

    fn finish(mut self) -> Vec<u8> {
        if self.n > 0 {
            self.out.push(self.acc as u8);
        }
        self.out
    }
}

/// Index of the last `base` entry at or below `v`.
fn bucket(base: &[u16], v: usize) -> usize {
    base.iter().rposition(|&b| usize::from(b) <= v).unwrap_or(0)
}

fn hash(d: &[u8]) -> usize {
    let h = (u32::from(d[0]) << 16) | (u32::from(d[1]) << 8) | u32::from(d[2]);
    (h.wrapping_mul(0x9E37_79B1) >> (32 - HASH_BITS)) as usize
}

/// Hash chains over `data`: `head[h]` is the latest inserted position whose
/// next three bytes hash to `h`, `prev[p]` the one before `p`.
struct Chains<'a> {
    data: &'a [u8],
    head: Vec<u32>,
    prev: Vec<u32>,
    /// Positions below this are in the chains.
    inserted: usize,
}

impl Chains<'_> {
    /// Puts every position before `end` in the chains.
    fn insert_up_to(&mut self, end: usize) {
        while self.inserted < end {
            let pos = self.inserted;
            if pos + MIN_MATCH <= self.data.len() {
                let h = hash(&self.data[pos..]);
                self.prev[pos] = self.head[h];
                self.head[h] = pos as u32;
            }
            self.inserted += 1;
        }
    }

    /// The longest earlier match for the bytes at `i`: (length, distance).
    fn longest_match(&mut self, i: usize) -> (usize, usize) {
        self.insert_up_to(i);
        let data = self.data;
        let max = MAX_MATCH.min(data.len() - i);
        let mut best = (0, 0);
        if max < MIN_MATCH {
            return best;
        }
        let mut cand = self.head[hash(&data[i..])];
        let mut tries = 0;
        while cand != NONE && i - cand as usize <= WINDOW && tries < MAX_CHAIN {
            let c = cand as usize;
            let len = data[c..]
                .iter()
                .zip(&data[i..i + max])
                .take_while(|(a, b)| a == b)
                .count();
            if len > best.0 {
                best = (len, i - c);
                if len == max {
                    break;
                }
            }
            cand = self.prev[c];
            tries += 1;
        }
        best
    }
}

/// Raw DEFLATE of `data`, one final fixed-Huffman block.
pub(crate) fn deflate(data: &[u8]) -> Vec<u8> {
    let mut w = Bits {
        out: Vec::with_capacity(data.len() / 2 + 8),
        acc: 0,
        n: 0,
    };
    w.put(1, 1); // BFINAL
    w.put(1, 2); // BTYPE 01: fixed Huffman codes
    let mut chains = Chains {
        data,
        head: vec![NONE; 1 << HASH_BITS],
        prev: vec![NONE; data.len()],
        inserted: 0,
    };
    let mut i = 0;
    while i < data.len() {
        let (len, dist) = chains.longest_match(i);
        // Lazy matching, as zlib does: if the next position has a longer
        // match, this byte goes out as a literal.
        if len < MIN_MATCH || (i + 1 < data.len() && chains.longest_match(i + 1).0 > len) {
            w.symbol(data[i].into());
            i += 1;
            continue;
        }
        let l = bucket(&LEN_BASE, len);
        w.symbol(257 + l as u32);
        w.put((len - usize::from(LEN_BASE[l])) as u32, LEN_EXTRA[l].into());
        let d = bucket(&DIST_BASE, dist);
        w.code(d as u32, 5);
        w.put(
            (dist - usize::from(DIST_BASE[d])) as u32,
            DIST_EXTRA[d].into(),
        );
        i += len;
    }
    w.symbol(256); // end of block
    w.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn inflate(packed: &[u8]) -> Vec<u8> {
        miniz_oxide::inflate::decompress_to_vec(packed).expect("a valid DEFLATE stream")
    }

    #[test]
    fn empty_and_tiny_inputs() {
        for data in [&b""[..], b"a", b"ab", b"abc", b"aaaa"] {
            assert_eq!(inflate(&deflate(data)), data);
        }
    }

    #[test]
    fn longest_matches_and_farthest_distances() {
        // A run far longer than one match, and repeats 32 KiB apart.
        let mut data = vec![b'x'; 1000];
        let block: Vec<u8> = (0..WINDOW as u32).map(|i| (i * 7 % 251) as u8).collect();
        data.extend(&block);
        data.extend(&block);
        let packed = deflate(&data);
        assert_eq!(inflate(&packed), data);
        assert!(packed.len() < data.len() / 2, "{}", packed.len());
    }

    #[test]
    fn compresses_scenario_json() {
        for b in farewell_engine::builtin::ALL {
            let json = farewell_json::to_string(&b.scenario()).unwrap();
            let packed = deflate(json.as_bytes());
            assert_eq!(inflate(&packed), json.as_bytes(), "{}", b.id);
            // Within 25% of miniz_oxide's best, dynamic-Huffman effort (the
            // fixed code alone costs up to ~19% here: zlib's Z_FIXED).
            let best = miniz_oxide::deflate::compress_to_vec(json.as_bytes(), 10).len();
            eprintln!(
                "{}: json {} fixed {} miniz {best}",
                b.id,
                json.len(),
                packed.len()
            );
            assert!(
                packed.len() * 100 <= best * 125,
                "{}: {} vs {best}",
                b.id,
                packed.len()
            );
            assert!(packed.len() * 10 < json.len() * 8, "{}", b.id);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 500, ..ProptestConfig::default() })]

        #[test]
        fn inflates_back(data in proptest::collection::vec(any::<u8>(), 0..3000)) {
            prop_assert_eq!(inflate(&deflate(&data)), data);
        }

        /// Few distinct bytes: many matches of every length and distance.
        #[test]
        fn inflates_back_repetitive(data in proptest::collection::vec(0u8..3, 0..5000)) {
            prop_assert_eq!(inflate(&deflate(&data)), data);
        }
    }
}
