//! base64url (RFC 4648 §5): written without padding; padding is accepted when
//! reading, since some tools add it.
//!
//! Hand-written rather than the `base64` crate, whose general engine cost the
//! playground's wasm about 2 KB gzipped for these two loops. The tests check
//! both directions against that crate on random input.

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// `bytes` as base64url without padding.
pub fn encode(bytes: impl AsRef<[u8]>) -> String {
    let bytes = bytes.as_ref();
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        // 3 bytes give 4 characters, 2 give 3, 1 gives 2.
        for i in 0..=chunk.len() {
            out.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
        }
    }
    out
}

/// The bytes of a base64url text; `None` if a character is outside the
/// alphabet, the length is impossible, padding is misplaced, or the unused
/// low bits of the last character are not zero (so every byte string has
/// one spelling, apart from padding).
pub(crate) fn decode(text: &str) -> Option<Vec<u8>> {
    let t = text.as_bytes();
    let unpadded = t.len() - t.iter().rev().take_while(|&&c| c == b'=').count();
    let (t, pad) = (&t[..unpadded], t.len() - unpadded);
    // A last group of one character cannot hold a byte; padding, if any,
    // follows a partial last group and does not run past its four places.
    let partial = t.len() % 4;
    if partial == 1 || (pad > 0 && (partial == 0 || partial + pad > 4)) {
        return None;
    }
    let mut out = Vec::with_capacity(t.len() / 4 * 3 + 2);
    for chunk in t.chunks(4) {
        let mut n = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            let v = ALPHABET.iter().position(|&a| a == c)? as u32;
            n |= v << (18 - 6 * i);
        }
        let bytes = chunk.len() - 1;
        // Bits below the last whole byte must be zero.
        if n & ((1 << (24 - 8 * bytes)) - 1) != 0 {
            return None;
        }
        out.extend((0..bytes).map(|i| (n >> (16 - 8 * i)) as u8));
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::{decode, encode};
    use base64::alphabet;
    use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
    use base64::engine::DecodePaddingMode;
    use base64::Engine as _;
    use proptest::prelude::*;

    /// The crate configured as the link format describes it.
    const REFERENCE: GeneralPurpose = GeneralPurpose::new(
        &alphabet::URL_SAFE,
        GeneralPurposeConfig::new()
            .with_encode_padding(false)
            .with_decode_padding_mode(DecodePaddingMode::Indifferent),
    );

    #[test]
    fn rfc_4648_test_vectors() {
        // RFC 4648 §10, without padding; `-` and `_` are base64url's 62 and 63.
        for (plain, coded) in [
            ("", ""),
            ("f", "Zg"),
            ("fo", "Zm8"),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg"),
            ("fooba", "Zm9vYmE"),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(encode(plain), coded);
            assert_eq!(decode(coded).as_deref(), Some(plain.as_bytes()));
        }
        assert_eq!(encode([0xfb, 0xff]), "-_8");
        assert_eq!(decode("Zg=="), Some(b"f".to_vec()));
        assert_eq!(decode("Zm8="), Some(b"fo".to_vec()));
        assert_eq!(decode("Zg="), Some(b"f".to_vec()));
        for bad in [
            "Z", "Z=", "Zg===", "Z=g=", "Zh", "Zm+v", "Zm/v", "Zm9v=", "Zm 9v", "é",
        ] {
            assert_eq!(decode(bad), None, "{bad}");
        }
    }

    proptest! {
        #[test]
        fn encodes_like_the_base64_crate(bytes in proptest::collection::vec(any::<u8>(), 0..100)) {
            let ours = encode(&bytes);
            prop_assert_eq!(&ours, &REFERENCE.encode(&bytes));
            prop_assert_eq!(decode(&ours), Some(bytes));
        }

        #[test]
        fn decodes_like_the_base64_crate(text in "[A-Za-z0-9_=+-]{0,12}") {
            prop_assert_eq!(decode(&text), REFERENCE.decode(&text).ok(), "{}", text);
        }
    }
}
