//! A raw DEFLATE decoder (RFC 1951) for the `c` link parameter: stored, fixed
//! and dynamic Huffman blocks, canonical codes decoded bit by bit as in
//! zlib's `contrib/puff`, with a limit on the output.
//!
//! Why not `miniz_oxide`'s inflater: its streaming state machine was 6 KB of
//! the playground's gzipped wasm (3 % of the budget) to unpack a few hundred
//! bytes once per opened link. Speed is not a concern at that size. The tests
//! check this decoder against `miniz_oxide` (compressing at every level, and
//! on arbitrary bytes) and against the link encoder.

use crate::deflate::{DIST_BASE, DIST_EXTRA, LEN_BASE, LEN_EXTRA};

/// Why a stream could not be unpacked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum InflateError {
    /// The output would be longer than the limit (a "zip bomb", or not a scenario).
    TooLong,
    /// Not a complete, valid DEFLATE stream.
    Invalid,
}

use InflateError::{Invalid, TooLong};

/// The most bits in a Huffman code (§3.2.7).
const MAX_BITS: usize = 15;

/// Reads bits least-significant first (§3.1.1).
struct Bits<'a> {
    data: &'a [u8],
    pos: usize,
    buf: u32,
    count: u32,
}

impl Bits<'_> {
    /// The next `n` (≤ 16) bits as a number.
    fn take(&mut self, n: u32) -> Result<u32, InflateError> {
        while self.count < n {
            let byte = *self.data.get(self.pos).ok_or(Invalid)?;
            self.pos += 1;
            self.buf |= u32::from(byte) << self.count;
            self.count += 8;
        }
        let v = self.buf & ((1 << n) - 1);
        self.buf >>= n;
        self.count -= n;
        Ok(v)
    }
}

/// A canonical Huffman code: how many codes have each length, and the symbols
/// in code order (§3.2.2).
struct Huffman {
    count: [u16; MAX_BITS + 1],
    symbols: Vec<u16>,
}

/// What an incomplete code (one that leaves bit patterns unused) is.
#[derive(Clone, Copy)]
enum Incomplete {
    /// The fixed codes' distance code uses 30 of 32 patterns (RFC 1951 §3.2.6).
    Allowed,
    /// A dynamic block's literal/length or distance code: incomplete only as a
    /// single one-bit code (or none), which RFC 1951 §3.2.7 allows for distances;
    /// zlib's inflate and puff accept exactly that.
    OneBitCodeOnly,
    /// The code-length code must be complete (zlib, puff).
    Refused,
}

impl Huffman {
    /// A code with no symbols: decoding with it always fails.
    const EMPTY: Huffman = Huffman {
        count: [0; MAX_BITS + 1],
        symbols: Vec::new(),
    };

    /// The code for these code lengths (0: symbol unused). Refuses an
    /// over-subscribed set, and an incomplete one as `incomplete` says.
    fn new(lengths: &[u8], incomplete: Incomplete) -> Result<Huffman, InflateError> {
        let mut count = [0u16; MAX_BITS + 1];
        for &l in lengths {
            count[usize::from(l)] += 1;
        }
        let mut left: i32 = 1;
        for &c in &count[1..] {
            left = 2 * left - i32::from(c);
            if left < 0 {
                return Err(Invalid);
            }
        }
        let used = lengths.len() as u16 - count[0];
        let ok = match incomplete {
            Incomplete::Allowed => true,
            Incomplete::OneBitCodeOnly => used == count[1] && used <= 1,
            Incomplete::Refused => false,
        };
        if left > 0 && !ok {
            return Err(Invalid);
        }
        let mut offsets = [0u16; MAX_BITS + 2];
        for len in 1..=MAX_BITS {
            offsets[len + 1] = offsets[len] + count[len];
        }
        let mut symbols = vec![0u16; usize::from(offsets[MAX_BITS + 1])];
        for (symbol, &l) in lengths.iter().enumerate() {
            if l != 0 {
                let slot = &mut offsets[usize::from(l)];
                symbols[usize::from(*slot)] = symbol as u16;
                *slot += 1;
            }
        }
        Ok(Huffman { count, symbols })
    }

    /// Reads one symbol, a bit at a time (codes are sent most-significant bit first).
    fn decode(&self, bits: &mut Bits) -> Result<u16, InflateError> {
        let (mut code, mut first, mut index) = (0i32, 0i32, 0i32);
        for len in 1..=MAX_BITS {
            code |= bits.take(1)? as i32;
            let count = i32::from(self.count[len]);
            if code - first < count {
                return Ok(self.symbols[(index + code - first) as usize]);
            }
            index += count;
            first = (first + count) << 1;
            code <<= 1;
        }
        Err(Invalid)
    }
}

/// Unpacks a raw DEFLATE stream whose output is at most `limit` bytes. Bytes
/// after the final block are ignored.
pub(crate) fn inflate(data: &[u8], limit: usize) -> Result<Vec<u8>, InflateError> {
    let mut bits = Bits {
        data,
        pos: 0,
        buf: 0,
        count: 0,
    };
    let mut out = Vec::new();
    loop {
        let last = bits.take(1)? == 1;
        match bits.take(2)? {
            0 => stored(&mut bits, &mut out, limit)?,
            1 => {
                let (lengths, distances) = fixed_codes();
                codes(&mut bits, &mut out, limit, &lengths, &distances)?;
            }
            2 => {
                let (lengths, distances) = dynamic_codes(&mut bits)?;
                codes(&mut bits, &mut out, limit, &lengths, &distances)?;
            }
            _ => return Err(Invalid),
        }
        if last {
            return Ok(out);
        }
    }
}

/// A stored block (§3.2.4): byte-aligned LEN, its complement, LEN bytes.
fn stored(bits: &mut Bits, out: &mut Vec<u8>, limit: usize) -> Result<(), InflateError> {
    bits.buf = 0;
    bits.count = 0;
    let header = bits.data.get(bits.pos..bits.pos + 4).ok_or(Invalid)?;
    let len = usize::from(u16::from_le_bytes([header[0], header[1]]));
    let nlen = u16::from_le_bytes([header[2], header[3]]);
    if nlen != !(len as u16) {
        return Err(Invalid);
    }
    bits.pos += 4;
    let bytes = bits.data.get(bits.pos..bits.pos + len).ok_or(Invalid)?;
    if out.len() + len > limit {
        return Err(TooLong);
    }
    out.extend_from_slice(bytes);
    bits.pos += len;
    Ok(())
}

/// The fixed literal/length and distance codes (§3.2.6).
fn fixed_codes() -> (Huffman, Huffman) {
    let mut lengths = [8u8; 288];
    lengths[144..256].fill(9);
    lengths[256..280].fill(7);
    // Both sets are complete, so building them cannot fail.
    (
        Huffman::new(&lengths, Incomplete::Allowed).unwrap_or(Huffman::EMPTY),
        // 30 of the 32 five-bit codes: incomplete by design (§3.2.6).
        Huffman::new(&[5u8; 30], Incomplete::Allowed).unwrap_or(Huffman::EMPTY),
    )
}

/// The codes a dynamic block sends in its header (§3.2.7).
fn dynamic_codes(bits: &mut Bits) -> Result<(Huffman, Huffman), InflateError> {
    /// The order code-length code lengths are sent in.
    const ORDER: [usize; 19] = [
        16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15,
    ];
    let nlen = bits.take(5)? as usize + 257;
    let ndist = bits.take(5)? as usize + 1;
    let ncode = bits.take(4)? as usize + 4;
    if nlen > 286 || ndist > 30 {
        return Err(Invalid);
    }
    let mut code_lengths = [0u8; 19];
    for &i in &ORDER[..ncode] {
        code_lengths[i] = bits.take(3)? as u8;
    }
    let code = Huffman::new(&code_lengths, Incomplete::Refused)?;
    let mut lengths = vec![0u8; nlen + ndist];
    let mut i = 0;
    while i < nlen + ndist {
        let symbol = code.decode(bits)?;
        let (value, repeat) = match symbol {
            0..=15 => (symbol as u8, 1),
            16 => (
                *lengths
                    .get(i.wrapping_sub(1))
                    .filter(|_| i > 0)
                    .ok_or(Invalid)?,
                3 + bits.take(2)? as usize,
            ),
            17 => (0, 3 + bits.take(3)? as usize),
            18 => (0, 11 + bits.take(7)? as usize),
            _ => return Err(Invalid),
        };
        let run = lengths.get_mut(i..i + repeat).ok_or(Invalid)?;
        run.fill(value);
        i += repeat;
    }
    // A block without an end-of-block code could never end.
    if lengths[256] == 0 {
        return Err(Invalid);
    }
    Ok((
        Huffman::new(&lengths[..nlen], Incomplete::OneBitCodeOnly)?,
        Huffman::new(&lengths[nlen..], Incomplete::OneBitCodeOnly)?,
    ))
}

/// Literals and back-references until the end-of-block code (§3.2.5).
fn codes(
    bits: &mut Bits,
    out: &mut Vec<u8>,
    limit: usize,
    lengths: &Huffman,
    distances: &Huffman,
) -> Result<(), InflateError> {
    loop {
        let symbol = usize::from(lengths.decode(bits)?);
        match symbol {
            0..=255 => {
                if out.len() >= limit {
                    return Err(TooLong);
                }
                out.push(symbol as u8);
            }
            256 => return Ok(()),
            _ => {
                let i = symbol - 257;
                let (&base, &extra) = LEN_BASE.get(i).zip(LEN_EXTRA.get(i)).ok_or(Invalid)?;
                let len = usize::from(base) + bits.take(u32::from(extra))? as usize;
                let d = usize::from(distances.decode(bits)?);
                let (&base, &extra) = DIST_BASE.get(d).zip(DIST_EXTRA.get(d)).ok_or(Invalid)?;
                let dist = usize::from(base) + bits.take(u32::from(extra))? as usize;
                if dist > out.len() {
                    return Err(Invalid);
                }
                if out.len() + len > limit {
                    return Err(TooLong);
                }
                let start = out.len() - dist;
                // Byte by byte: the copy may overlap what it writes.
                for k in 0..len {
                    out.push(out[start + k]);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const LIMIT: usize = 1 << 20;

    fn reference(data: &[u8]) -> Result<Vec<u8>, InflateError> {
        miniz_oxide::inflate::decompress_to_vec_with_limit(data, LIMIT).map_err(|e| {
            match e.status {
                miniz_oxide::inflate::TINFLStatus::HasMoreOutput => TooLong,
                _ => Invalid,
            }
        })
    }

    #[test]
    fn empty_stored_fixed_and_dynamic_blocks() {
        for level in 0..=10u8 {
            for data in [&b""[..], b"a", b"hello hello hello hello", &[0u8; 70_000]] {
                let packed = miniz_oxide::deflate::compress_to_vec(data, level);
                assert_eq!(
                    inflate(&packed, LIMIT).as_deref(),
                    Ok(data),
                    "level {level}"
                );
            }
        }
    }

    #[test]
    fn the_limit_is_enforced_and_exact() {
        let data = vec![b'x'; 5000];
        for level in [0u8, 1, 6, 10] {
            let packed = miniz_oxide::deflate::compress_to_vec(&data, level);
            assert_eq!(inflate(&packed, 5000).map(|v| v.len()), Ok(5000));
            assert_eq!(inflate(&packed, 4999), Err(TooLong), "level {level}");
        }
    }

    #[test]
    fn broken_streams_are_refused() {
        let packed = miniz_oxide::deflate::compress_to_vec(b"hello hello hello hello", 6);
        for cut in 0..packed.len() {
            assert_eq!(inflate(&packed[..cut], LIMIT), Err(Invalid), "cut at {cut}");
        }
        // Block type 3 does not exist; a distance before the start of the output.
        assert_eq!(inflate(&[0b111], LIMIT), Err(Invalid));
        // A fixed block whose first code copies 3 bytes from 1 back: nothing
        // has been written yet. Bits, least-significant first: BFINAL 1, BTYPE
        // 01, length code 257 (7 bits 0000001, sent most-significant first),
        // distance code 0 (5 bits), then end of block (7 zero bits).
        let bits = [
            1, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        ];
        let mut bytes = vec![0u8; bits.len().div_ceil(8)];
        for (i, b) in bits.iter().enumerate() {
            bytes[i / 8] |= b << (i % 8);
        }
        assert_eq!(inflate(&bytes, LIMIT), Err(Invalid));
        // The same with one literal first is a valid run of four bytes.
        let literal_a = [1, 0, 0, 1, 0, 0, 0, 1]; // 0x30 + 'a' = 0x91, 8 bits
        let bits: Vec<u8> = [1, 1, 0]
            .into_iter()
            .chain(literal_a)
            .chain(bits[3..].iter().copied())
            .collect();
        let mut bytes = vec![0u8; bits.len().div_ceil(8)];
        for (i, b) in bits.iter().enumerate() {
            bytes[i / 8] |= b << (i % 8);
        }
        assert_eq!(inflate(&bytes, LIMIT).as_deref(), Ok(&b"aaaa"[..]));
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

        #[test]
        fn unpacks_what_miniz_packs(
            data in proptest::collection::vec(0u8..4, 0..4000),
            level in 0u8..=10,
        ) {
            let packed = miniz_oxide::deflate::compress_to_vec(&data, level);
            prop_assert_eq!(inflate(&packed, LIMIT), Ok(data));
        }

        #[test]
        fn unpacks_what_the_link_encoder_packs(data in proptest::collection::vec(any::<u8>(), 0..3000)) {
            prop_assert_eq!(inflate(&crate::deflate::deflate(&data), LIMIT), Ok(data));
        }

        /// Arbitrary bytes: never a panic, and whatever both decoders accept
        /// they unpack alike.
        #[test]
        fn arbitrary_bytes_agree_with_miniz(data in proptest::collection::vec(any::<u8>(), 0..200)) {
            let ours = inflate(&data, LIMIT);
            let theirs = reference(&data);
            if let (Ok(a), Ok(b)) = (&ours, &theirs) {
                prop_assert_eq!(a, b);
            }
        }
    }
}
