//! Decimal numbers as people write them in links and form fields: `20`,
//! `0.05`, `-1.5`, `2.5e3`, `.5`, `1e-7`.
//!
//! Not `str::parse::<f64>`: the standard parser carries a 10 KB table of
//! powers of five (Eisel–Lemire) that cannot be compressed, about 5 % of the
//! playground's gzipped download. The result here is nonetheless the same,
//! correctly rounded (ties to even), for any number of digits and any
//! exponent (the property tests check it against `str::parse`):
//!
//! * the significant digits are kept, up to `MAX_DIGITS` (768); any further
//!   non-zero digit only becomes a final `1`, which cannot change the rounding
//!   (a halfway point between two `f64`s has at most 767 significant digits);
//! * values with at most 15 digits and an exponent within ±22 are one exactly
//!   rounded `f64` multiplication or division (Clinger's fast path);
//! * anything else starts from an approximation within a few units in the
//!   last place, which is then corrected by comparing the decimal exactly
//!   with the halfway points to the neighbouring `f64`s, in big integers that
//!   are only ever multiplied by small numbers (Clinger's AlgorithmR).
//!
//! Work is bounded: a long digit string is read once, and a value whose
//! magnitude is far outside the `f64` range is refused or read as 0 before any
//! big-integer work.

use std::cmp::Ordering;

/// Significant digits kept: more than the 767 a halfway point between two
/// `f64`s can have.
const MAX_DIGITS: usize = 768;

/// 10^0 ..= 10^22, each exactly representable as an f64.
const EXACT_POWERS_OF_TEN: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// Parses a finite decimal number; `None` for anything else (empty text,
/// stray characters, `inf`, `NaN`, hexadecimal, values that overflow).
/// Leading and trailing whitespace is allowed.
///
/// Grammar: `[+-]` then digits with at most one `.` (at least one digit,
/// either side: `5`, `5.`, `.5`), then optionally `e` or `E`, `[+-]` and at
/// least one digit. Values too small for an `f64` read as (signed) 0.
pub fn number(text: &str) -> Option<f64> {
    let b = text.trim().as_bytes();
    let mut i = 0;
    let negative = sign(b, &mut i);
    // The significant digits (leading zeros left out), and the power of ten
    // they are scaled by.
    let mut digits: Vec<u8> = Vec::new();
    let (mut scale, mut seen, mut after_point, mut dropped_non_zero) = (0i64, false, false, false);
    while i < b.len() {
        match b[i] {
            d @ b'0'..=b'9' => {
                seen = true;
                let d = d - b'0';
                if digits.len() < MAX_DIGITS {
                    if d > 0 || !digits.is_empty() {
                        digits.push(d);
                    }
                    if after_point {
                        scale -= 1;
                    }
                } else {
                    dropped_non_zero |= d > 0;
                    if !after_point {
                        scale += 1;
                    }
                }
            }
            b'.' if !after_point => after_point = true,
            _ => break,
        }
        i += 1;
    }
    if !seen {
        return None;
    }
    if i < b.len() {
        if !matches!(b[i], b'e' | b'E') {
            return None;
        }
        i += 1;
        let exp_negative = sign(b, &mut i);
        let start = i;
        let mut exp = 0i64;
        while let Some(d @ b'0'..=b'9') = b.get(i) {
            // Capped far beyond any digit count, so that the cap never
            // changes which side of the f64 range the value is on.
            exp = (exp * 10 + i64::from(d - b'0')).min(1 << 50);
            i += 1;
        }
        if i == start || i < b.len() {
            return None;
        }
        scale += if exp_negative { -exp } else { exp };
    }
    if dropped_non_zero {
        // Stands for all the digits dropped: strictly between the digits kept
        // and the next decimal they could reach, as the true value is.
        digits.push(1);
        scale -= 1;
    }
    while digits.last() == Some(&0) {
        digits.pop();
        scale += 1;
    }
    let value = scaled(&digits, scale)?;
    Some(if negative { -value } else { value })
}

/// Reads an optional `+` or `-` at `b[*i]`; whether it was `-`.
fn sign(b: &[u8], i: &mut usize) -> bool {
    match b.get(*i) {
        Some(b'-' | b'+') => {
            *i += 1;
            b[*i - 1] == b'-'
        }
        _ => false,
    }
}

/// `digits × 10^scale` (`digits` decimal digits, the first not 0), correctly
/// rounded; `None` if that overflows.
fn scaled(digits: &[u8], scale: i64) -> Option<f64> {
    let n = digits.len() as i64;
    // The value is below 10^(n + scale): below 10^-324, less than half the
    // smallest subnormal, it rounds to 0; at least 10^(n + scale - 1): from
    // 10^309 on it overflows.
    if n == 0 || n + scale < -324 {
        return Some(0.0);
    }
    if n + scale > 309 {
        return None;
    }
    let top = &digits[..digits.len().min(19)];
    let m = top.iter().fold(0u64, |m, &d| m * 10 + u64::from(d));
    let approx = approximately_scaled(m, scale + n - top.len() as i64);
    if n <= 15 && (-22..=22).contains(&scale) {
        // An exact integer below 2^53 times or divided by an exact power of
        // ten: one operation, rounded once.
        return Some(approx);
    }
    // The exact decimal is `left × 2^scale` after both sides of each
    // comparison are multiplied by 5^-scale (when scale < 0).
    let mut left = Vec::new();
    for chunk in digits.chunks(9) {
        let value = chunk.iter().fold(0u32, |v, &d| v * 10 + u32::from(d));
        mul_add(&mut left, 10u32.pow(chunk.len() as u32), value);
    }
    mul_pow(&mut left, 5, 13, scale);
    // Compares the decimal with `h × 2^q`.
    let compare = |h: u64, q: i64| {
        let mut right = vec![h as u32];
        if h >> 32 != 0 {
            right.push((h >> 32) as u32);
        }
        mul_pow(&mut right, 5, 13, -scale);
        let mut left = left.clone();
        mul_pow(&mut left, 2, 31, scale - q);
        mul_pow(&mut right, 2, 31, q - scale);
        left.len()
            .cmp(&right.len())
            .then_with(|| left.iter().rev().cmp(right.iter().rev()))
    };
    let mut x = if approx.is_finite() { approx } else { f64::MAX };
    // Each step moves towards the correct result, so the loop ends after as
    // many steps as the approximation was off.
    loop {
        let bits = x.to_bits();
        let (biased, fraction) = (bits >> 52, bits & ((1 << 52) - 1));
        // x = m × 2^k.
        let (m, k) = if biased == 0 {
            (fraction, -1074)
        } else {
            (fraction | 1 << 52, biased as i64 - 1075)
        };
        // A tie goes to the even neighbour.
        match compare(2 * m + 1, k - 1) {
            Ordering::Less => {}
            Ordering::Equal if m % 2 == 0 => return Some(x),
            _ => {
                // On a tie, the next round finds the same tie below, and
                // keeps the neighbour, which is even.
                x = f64::from_bits(bits + 1);
                if x.is_infinite() {
                    return None;
                }
                continue;
            }
        }
        if x == 0.0 {
            return Some(x);
        }
        // Below a power of two the f64s are twice as dense (except at the
        // boundary of the subnormals).
        let (h, q) = if fraction == 0 && biased > 1 {
            (4 * m - 1, k - 2)
        } else {
            (2 * m - 1, k - 1)
        };
        match compare(h, q) {
            Ordering::Greater => return Some(x),
            Ordering::Equal if m % 2 == 0 => return Some(x),
            _ => x = f64::from_bits(bits - 1),
        }
    }
}

/// `big = big × mul + add`, for a little-endian big integer without leading
/// zero limbs.
fn mul_add(big: &mut Vec<u32>, mul: u32, add: u32) {
    let mut carry = u64::from(add);
    for limb in big.iter_mut() {
        let t = u64::from(*limb) * u64::from(mul) + carry;
        *limb = t as u32;
        carry = t >> 32;
    }
    if carry != 0 {
        big.push(carry as u32);
    }
}

/// `big × base^n` (nothing for n ≤ 0), in steps of `base^step`, which must
/// fit in a `u32`.
fn mul_pow(big: &mut Vec<u32>, base: u32, step: i64, mut n: i64) {
    while n > 0 {
        let k = n.min(step);
        mul_add(big, base.pow(k as u32), 0);
        n -= k;
    }
}

/// `digits × 10^scale` in steps by exact powers of ten, each step rounding:
/// an approximation, within a few units in the last place.
fn approximately_scaled(digits: u64, mut scale: i64) -> f64 {
    let mut v = digits as f64;
    while scale > 0 {
        let step = scale.min(22);
        v *= EXACT_POWERS_OF_TEN[step as usize];
        scale -= step;
        if v.is_infinite() {
            return v;
        }
    }
    while scale < 0 {
        let step = (-scale).min(22);
        v /= EXACT_POWERS_OF_TEN[step as usize];
        scale += step;
        if v == 0.0 {
            return v;
        }
    }
    v
}

#[cfg(test)]
mod tests {
    use super::number;
    use proptest::prelude::*;

    /// `number(text)` has the bits of `str::parse` (or both refuse it).
    fn same_as_std(text: &str) -> Result<(), TestCaseError> {
        let expected = text.trim().parse::<f64>().ok().filter(|v| v.is_finite());
        prop_assert_eq!(
            number(text).map(f64::to_bits),
            expected.map(f64::to_bits),
            "{}",
            text
        );
        Ok(())
    }

    #[test]
    fn reads_the_numbers_people_type() {
        assert_eq!(number("20"), Some(20.0));
        assert_eq!(number(" 0.05 "), Some(0.05));
        assert_eq!(number("-1.5"), Some(-1.5));
        assert_eq!(number("+7"), Some(7.0));
        assert_eq!(number(".5"), Some(0.5));
        assert_eq!(number("5."), Some(5.0));
        assert_eq!(number("2.5e3"), Some(2500.0));
        assert_eq!(number("1E-3"), Some(0.001));
        assert_eq!(number("1e+3"), Some(1000.0));
        assert_eq!(number("0"), Some(0.0));
        assert_eq!(number("007"), Some(7.0));
        assert_eq!(number("-0").map(f64::to_bits), Some((-0.0f64).to_bits()));
        assert_eq!(number("86400000"), Some(86_400_000.0));
        assert_eq!(number("8.64e7"), Some(86_400_000.0));
        assert_eq!(number("0.1"), Some(0.1));
        assert_eq!(number("123456.7"), Some(123_456.7));
    }

    #[test]
    fn refuses_what_is_not_a_finite_decimal() {
        for bad in [
            "",
            " ",
            "-",
            ".",
            "e3",
            "1e",
            "1e+",
            "1.2.3",
            "12ms",
            "0x10",
            "inf",
            "-inf",
            "NaN",
            "infinity",
            "1e999",
            "--1",
            "1 2",
            "١٢",
            "1e5e5",
            "1e1.5",
            "+-1",
            ".e1",
            "1.7976931348623159e308",
        ] {
            assert_eq!(number(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn edge_cases_equal_std() {
        for text in [
            "5e-324",
            "4.9406564584124654e-324",
            "2.4703282292062327e-324", // just below half the smallest subnormal: 0
            "2.4703282292062328e-324", // just above: 5e-324
            "2.2250738585072014e-308",
            "2.225073858507201e-308",
            "2.2250738585072011e-308",
            "2.2250738585072012e-308",
            "1.7976931348623157e308",
            "1.7976931348623158e308",
            "9007199254740993",
            "9007199254740992.5",
            "9007199254740993.0000000000000000000000001",
            "9007199254740995",
            "1e23",
            "8.64e7",
            "86399999.99999999",
            "0.1",
            "0.3",
            "0.30000000000000004",
            "1.0000000000000001e-7",
            "9.9999999999999995e-8",
            "1.2345678901234567e-7",
            "0.00000012345678901234567",
            "3.14159265358979323846264338327950288",
            "0.000000000000000000000000001",
            "1e-400",
            "1e-345",
            "123456789012345678901234567890e-30",
            "7.2057594037927933e16",
            "179769313486231580793728971405303415079934132710037826936173778980444968292764750946649017977587207096330286416692887910946555547851940402630657488671505820681908902000708383676273854845817711531764475730270069855571366959622842914819860834936475292719074168444365510704342711559699508093042880177904174497791.9999999999999999999999999999999999999999999999999999999999999999999999",
        ] {
            same_as_std(text).unwrap();
        }
        // The exact halfway point between the two smallest subnormals rounds
        // to the even one, 2 × 2^-1074; a digit more above it rounds up.
        let halfway = "7.4109846876186981626485318930233205854758970392148714663837852375101326090531312779794975454245398856969484704316857659638998506553390969459816219401617281718945106978546710679176872575177347315553307795408549809608457500958111373034747658096871009590975442271004757307809711118935784838675653998783503015228055934046593739791790738723868299395818481660169122019456499931289798411362062484498678713572180352209017023903285791732520220528974020802906854021606612375549983402671300035812486479041385743401875520901590172592547146296175134159774938718574737870961645638908718119841271673056017045493004705269590165763776884908267986972573366521765567941072508764337560846003984904972149117463085539556354188641513168478436313080237596295773983001708984375e-324";
        assert_eq!(number(halfway), Some(2.0 * 5e-324));
        same_as_std(halfway).unwrap();
        same_as_std(&format!("{halfway}1")).unwrap();
        same_as_std(&halfway.replace("375e-324", "374999e-324")).unwrap();
    }

    #[test]
    fn hostile_input_is_quick_and_bounded() {
        let many = "1".repeat(100_000);
        assert_eq!(number(&many), None);
        same_as_std(&format!("{many}e-99990")).unwrap();
        same_as_std(&format!("0.{many}")).unwrap();
        same_as_std(&format!("0.{}1", "0".repeat(100_000))).unwrap();
        same_as_std(&format!("1{}e-100000", "0".repeat(100_000))).unwrap();
        same_as_std(&format!("1{}e-100001", "0".repeat(100_000))).unwrap();
        same_as_std(&format!("2.{}1e-308", "2".repeat(100_000))).unwrap();
        for text in [
            "1e999999999",
            "1e-999999999",
            "1e99999999999999999999999",
            "0e999999999",
        ] {
            same_as_std(text).unwrap();
        }
        assert_eq!(number("1e999999999"), None);
        assert_eq!(number("1e-999999999999999999999"), Some(0.0));
        assert_eq!(number("0e999999999999999999999"), Some(0.0));
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 20_000, ..ProptestConfig::default() })]

        /// Random decimals: 1 to 25 significant digits, maybe leading zeros,
        /// a point anywhere or none, an exponent from -350 to 30 or none, a
        /// sign or none: always the standard library's bits.
        #[test]
        fn equals_std_on_random_decimals(
            sign in prop::sample::select(vec!["", "-", "+"]),
            zeros in 0usize..3,
            digits in "[1-9][0-9]{0,24}",
            point in proptest::option::of(0usize..30),
            exp in proptest::option::of(-350i32..=30),
            e in prop::sample::select(vec!["e", "E"]),
        ) {
            let mut text = format!("{sign}{}{digits}", "0".repeat(zeros));
            if let Some(p) = point {
                let p = p.min(text.len() - sign.len()) + sign.len();
                text.insert(p, '.');
            }
            if let Some(exp) = exp {
                text.push_str(&format!("{e}{exp}"));
            }
            same_as_std(&text)?;
        }

        /// Any f64 printed by Rust, plain or with an exponent, reads back with
        /// the same bits.
        #[test]
        fn reads_back_printed_values(bits in 0u64..0x7ff0_0000_0000_0000) {
            let x = f64::from_bits(bits);
            prop_assert_eq!(number(&format!("{x}")).map(f64::to_bits), Some(bits));
            prop_assert_eq!(number(&format!("{x:e}")).map(f64::to_bits), Some(bits));
            prop_assert_eq!(number(&format!("{x:.20e}")).map(f64::to_bits), Some(bits));
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2_000, ..ProptestConfig::default() })]

        /// The hard cases: the exact decimal halfway between two neighbouring
        /// f64s (a tie), a digit more above it, and it cut to 17–40 digits
        /// (just below it).
        #[test]
        fn equals_std_at_halfway_points(bits in 0u64..0x7fef_ffff_ffff_ffff, cut in 17usize..40) {
            let mid = midpoint(bits);
            same_as_std(&mid)?;
            same_as_std(&format!("{mid}1"))?;
            let even = if bits % 2 == 0 { bits } else { bits + 1 };
            prop_assert_eq!(number(&mid).map(f64::to_bits), Some(even));
            prop_assert_eq!(number(&format!("{mid}1")).map(f64::to_bits), Some(bits + 1));
            let first = mid.find(|c: char| ('1'..='9').contains(&c)).unwrap();
            let mut kept = 0;
            let end = mid[first..]
                .find(|c: char| {
                    kept += usize::from(c != '.');
                    kept > cut
                })
                .map_or(mid.len(), |e| first + e);
            same_as_std(&mid[..end])?;
        }
    }

    /// The exact decimal midway between the f64s with `bits` and `bits + 1`,
    /// in plain form: Rust prints every f64 exactly with 1100 decimals.
    fn midpoint(bits: u64) -> String {
        const DECIMALS: usize = 1100;
        let plain = |b: u64| -> Vec<u32> {
            let text = format!("{:.*}", DECIMALS, f64::from_bits(b));
            text.bytes()
                .filter(|c| *c != b'.')
                .map(|c| u32::from(c - b'0'))
                .collect()
        };
        let (mut a, mut b) = (plain(bits), plain(bits + 1));
        let width = a.len().max(b.len()) + 1;
        for v in [&mut a, &mut b] {
            v.splice(0..0, std::iter::repeat_n(0, width - v.len()));
        }
        let mut carry = 0;
        for i in (0..width).rev() {
            let d = a[i] + b[i] + carry;
            a[i] = d % 10;
            carry = d / 10;
        }
        let (mut out, mut rest) = (String::new(), 0);
        for (i, d) in a.iter().enumerate() {
            if i == width - DECIMALS {
                out.push('.');
            }
            let d = rest * 10 + d;
            out.push(char::from(b'0' + (d / 2) as u8));
            rest = d % 2;
        }
        if rest != 0 {
            out.push('5');
        }
        out
    }
}
