//! Decimal numbers as people write them in links and form fields: `20`,
//! `0.05`, `-1.5`, `2.5e3`, `.5`.
//!
//! Not `str::parse::<f64>`: the standard parser carries a 10 KB table of
//! powers of five (Eisel–Lemire) that cannot be compressed, about 5 % of the
//! playground's gzipped download. Here up to 19 significant digits are
//! gathered into an integer `m` and the value is `m × 10^e`, computed in
//! 128-bit integers so that it is rounded once, correctly, and equals
//! `str::parse` (the property tests check it), whenever `-21 ≤ e ≤ 19`. That
//! covers every value the playground takes and every number Rust prints for
//! them, so values written by `format!("{x}")` read back exactly. Outside that
//! range the result is within a few units in the last place.

/// 10^0 ..= 10^22, each exactly representable as an f64.
const EXACT_POWERS_OF_TEN: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// Parses a finite decimal number; `None` for anything else (empty text,
/// stray characters, `inf`, `NaN`, hexadecimal, values that overflow).
/// Leading and trailing whitespace is allowed.
pub fn number(text: &str) -> Option<f64> {
    let b = text.trim().as_bytes();
    let mut i = 0;
    let negative = sign(b, &mut i);
    // Significant digits (at most 19, so they fit in a u64) and the power of
    // ten they are scaled by.
    let (mut digits, mut kept, mut scale, mut seen) = (0u64, 0u32, 0i64, false);
    let mut after_point = false;
    while i < b.len() {
        match b[i] {
            d @ b'0'..=b'9' => {
                seen = true;
                if kept < 19 {
                    digits = digits * 10 + u64::from(d - b'0');
                    if digits > 0 {
                        kept += 1;
                    }
                    if after_point {
                        scale -= 1;
                    }
                } else if !after_point {
                    scale += 1;
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
            exp = (exp * 10 + i64::from(d - b'0')).min(100_000);
            i += 1;
        }
        if i == start || i < b.len() {
            return None;
        }
        scale += if exp_negative { -exp } else { exp };
    }
    let value = scaled(digits, scale);
    let value = if negative { -value } else { value };
    value.is_finite().then_some(value)
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

/// `digits × 10^scale`.
fn scaled(digits: u64, scale: i64) -> f64 {
    if digits == 0 {
        return 0.0;
    }
    if (0..=19).contains(&scale) {
        // An exact integer below 2^128; the conversion rounds once.
        return (u128::from(digits) * 10u128.pow(scale as u32)) as f64;
    }
    if (-21..0).contains(&scale) {
        // digits / 10^k as (digits · 2^shift) / 10^k · 2^-shift: the numerator
        // is at least 2^126 and 10^21 < 2^70, so the quotient has at least 57
        // bits; a non-zero remainder sets a sticky low bit, so converting the
        // quotient rounds exactly as the true value would round.
        let divisor = 10u128.pow((-scale) as u32);
        let shift = 127 - (64 - digits.leading_zeros());
        let numerator = u128::from(digits) << shift;
        let quotient = (numerator / divisor) | u128::from(!numerator.is_multiple_of(divisor));
        // 2^-shift, exactly (shift < 127, far from the subnormals).
        let power_of_two = f64::from_bits(u64::from(1023 - shift) << 52);
        return quotient as f64 * power_of_two;
    }
    approximately_scaled(digits, scale)
}

/// `digits × 10^scale` in steps by exact powers of ten, each step rounding:
/// for exponents beyond what the playground ever takes.
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
        assert_eq!(number("0"), Some(0.0));
        assert_eq!(number("86400000"), Some(86_400_000.0));
        assert_eq!(number("0.1"), Some(0.1));
        assert_eq!(number("123456.7"), Some(123_456.7));
    }

    #[test]
    fn refuses_what_is_not_a_finite_decimal() {
        for bad in [
            "", " ", "-", ".", "e3", "1e", "1e+", "1.2.3", "12ms", "0x10", "inf", "-inf", "NaN",
            "infinity", "1e999", "--1", "1 2", "١٢",
        ] {
            assert_eq!(number(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn many_digits_and_tiny_values() {
        assert_eq!(number("0.000000000000000000000000001"), Some(1e-27));
        assert_eq!(number("1e-400"), Some(0.0));
        let long = "3.14159265358979323846264338327950288";
        let v = number(long).unwrap();
        assert!((v - std::f64::consts::PI).abs() < 1e-15);
    }

    proptest! {
        /// Wherever the fast path applies (at most 15 significant digits and a
        /// modest exponent) the result equals the standard library's.
        #[test]
        fn equals_std_on_the_fast_path(
            int in 0u64..1_000_000_000,
            frac in 0u32..1_000_000,
            frac_digits in 0usize..7,
            exp in -10i32..10,
            neg in any::<bool>(),
        ) {
            let frac = format!("{:06}", frac);
            let mut text = format!("{}{}", if neg { "-" } else { "" }, int);
            if frac_digits > 0 {
                text.push('.');
                text.push_str(&frac[..frac_digits]);
            }
            if exp != 0 {
                text.push_str(&format!("e{exp}"));
            }
            let expected: f64 = text.parse().unwrap();
            prop_assert_eq!(number(&text), Some(expected), "{}", text);
        }

        /// Any number Rust prints for a playground value (a time, a delay, a
        /// probability) reads back exactly.
        #[test]
        fn printed_values_read_back_exactly(x in 1e-9f64..1e12) {
            let text = format!("{x}");
            prop_assert_eq!(number(&text), Some(x), "{}", text);
        }

        /// Up to 19 significant digits with exponents from -21 to 19: always
        /// the standard library's value.
        #[test]
        fn equals_std_in_the_exact_range(digits in 1u64..u64::MAX, exp in -21i32..=19) {
            let digits = digits % 10_000_000_000_000_000_000;
            let text = format!("{digits}e{exp}");
            let expected: f64 = text.parse().unwrap();
            prop_assert_eq!(number(&text), Some(expected), "{}", text);
        }

        /// Any f64 printed by Rust reads back within a few units in the last place.
        #[test]
        fn reads_back_printed_values(x in proptest::num::f64::NORMAL) {
            let text = format!("{x}");
            let back = number(&text).unwrap();
            prop_assert!((back - x).abs() <= x.abs() * 1e-15, "{} -> {}", text, back);
        }
    }
}
