//! Decimal text of an `f64`, byte for byte as Rust's formatting prints it:
//! [`Fixed`] is `format!("{:.N}", v)` and [`Shortest`] is `format!("{}", v)`.
//!
//! Why not core's: any `f64` formatted anywhere in the playground's wasm
//! links all of core's float printing (Grisu with the Dragon4 fallback, in
//! exact and shortest modes, with their tables): about 6 KB gzipped of a
//! first load budgeted at 200 KB. This crate is the small, exact version of
//! the same two jobs:
//!
//! * [`Fixed`]: the exact value of the binary number (`m × 2^e`), times
//!   `10^N`, rounded half to even, with 128-bit integers, or a small big
//!   integer for huge values. This is what core's exact mode computes.
//! * [`Shortest`]: the shortest digits that read back to the same `f64`,
//!   the closest of them to it: Steele & White's / Burger & Dybvig's
//!   free-format algorithm ("Printing Floating-Point Numbers Quickly and
//!   Accurately", 1996) on a small big integer, with the bounds and the
//!   tie-breaking of core's `flt2dec::strategy::dragon::format_shortest`.
//!
//! Both are checked against core on special values and on hundreds of
//! thousands of random ones (`tests/against_core.rs`). Widths and
//! alignment work as for strings (`{:>10}`); precision is the `N` of
//! [`Fixed`], not a format flag.

use std::fmt;

mod big;
use big::Big;

/// `v` with `digits` decimals, as `format!("{:.digits$}", v)` prints it
/// (at most 17 decimals).
#[derive(Clone, Copy, Debug)]
pub struct Fixed(pub f64, pub usize);

/// `v` in its shortest exact form, as `format!("{}", v)` prints it: no
/// exponent, no needless `.0` (`1`, `0.1`, `1e21` as 22 digits).
#[derive(Clone, Copy, Debug)]
pub struct Shortest(pub f64);

/// A decomposed finite, non-zero `f64`: `|v| = mant × 2^exp`.
fn decode(v: f64) -> (u64, i32) {
    let bits = v.to_bits();
    let field = ((bits >> 52) & 0x7ff) as i32;
    let frac = bits & ((1 << 52) - 1);
    if field == 0 {
        (frac, -1074)
    } else {
        (frac | (1 << 52), field - 1075)
    }
}

/// NaN, infinities and the sign, as core writes them; `None` for a finite
/// value (whose sign, `-` even for -0, is then written).
fn special(f: &mut fmt::Formatter<'_>, v: f64, out: &mut String) -> Option<fmt::Result> {
    if v.is_nan() {
        return Some(f.pad("NaN"));
    }
    if v.is_sign_negative() {
        out.push('-');
    }
    if v.is_infinite() {
        out.push_str("inf");
        return Some(f.pad(out));
    }
    None
}

impl fmt::Display for Fixed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (v, digits) = (self.0, self.1.min(17));
        let mut out = String::with_capacity(24);
        if let Some(r) = special(f, v, &mut out) {
            return r;
        }
        // N = round-half-even(|v| × 10^digits), then N's decimal digits with
        // the point `digits` from the right.
        let text = if v == 0.0 {
            "0".to_string()
        } else {
            let (mant, exp) = decode(v);
            let scaled = u128::from(mant) * 10u128.pow(digits as u32);
            if exp >= 0 {
                let mut n = Big::from_u128(scaled);
                n.mul_pow2(exp as u32);
                n.to_decimal()
            } else {
                let shift = (-exp) as u32;
                // scaled < 2^53 × 10^17 < 2^110: nothing is left at 2^127.
                let n = if shift >= 127 {
                    0
                } else {
                    let q = scaled >> shift;
                    let r = scaled & ((1u128 << shift) - 1);
                    let half = 1u128 << (shift - 1);
                    q + u128::from(r > half || (r == half && q & 1 == 1))
                };
                n.to_string()
            }
        };
        if digits == 0 {
            out.push_str(&text);
        } else if text.len() <= digits {
            out.push_str("0.");
            out.extend(std::iter::repeat_n('0', digits - text.len()));
            out.push_str(&text);
        } else {
            let (int, frac) = text.split_at(text.len() - digits);
            out.push_str(int);
            out.push('.');
            out.push_str(frac);
        }
        f.pad(&out)
    }
}

impl fmt::Display for Shortest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let v = self.0;
        let mut out = String::with_capacity(24);
        if let Some(r) = special(f, v, &mut out) {
            return r;
        }
        if v == 0.0 {
            out.push('0');
            return f.pad(&out);
        }
        let (digits, exp) = shortest_digits(v);
        let digits = &digits[..];
        // 0.d1d2… × 10^exp, laid out without an exponent.
        if exp <= 0 {
            out.push_str("0.");
            out.extend(std::iter::repeat_n('0', (-exp) as usize));
            out.push_str(digits);
        } else if (exp as usize) < digits.len() {
            let (int, frac) = digits.split_at(exp as usize);
            out.push_str(int);
            out.push('.');
            out.push_str(frac);
        } else {
            out.push_str(digits);
            out.extend(std::iter::repeat_n('0', exp as usize - digits.len()));
        }
        f.pad(&out)
    }
}

/// The shortest digits `d` and exponent `k` with `v ≈ 0.d × 10^k` that read
/// back to `v`, the closest such to `v` (`v` finite and non-zero).
fn shortest_digits(v: f64) -> (String, i32) {
    let (m, e) = decode(v);
    // The rounding interval, as core's decoder gives it: v = mant × 2^exp,
    // low = (mant - minus) × 2^exp, high = (mant + plus) × 2^exp, its ends
    // included when the mantissa is even (a read rounds half to even).
    let inclusive = m & 1 == 0;
    let (mant, minus, plus, exp) = if m == 1 << 52 {
        // Just above a power of two: the gap below is half the gap above.
        (m << 2, 1u64, 2u64, e - 2)
    } else {
        (m << 1, 1, 1, e - 1)
    };
    // `a <= b` when inclusive, else `a < b`.
    let below = |a: &Big, b: &Big| {
        if inclusive {
            a <= b
        } else {
            a < b
        }
    };
    // k0 with 10^(k0-1) < high <= 10^(k0+1): floor(log10(2) × bits), as core.
    let high = mant + plus;
    let nbits = 64 - i64::from((high - 1).leading_zeros());
    let mut k = (((nbits + i64::from(exp)) * 1_292_913_986) >> 32) as i32;

    let (mut r, mut mm, mut mp) = (
        Big::from_u64(mant),
        Big::from_u64(minus),
        Big::from_u64(plus),
    );
    let mut s = Big::from_u64(1);
    if exp < 0 {
        s.mul_pow2((-exp) as u32);
    } else {
        r.mul_pow2(exp as u32);
        mm.mul_pow2(exp as u32);
        mp.mul_pow2(exp as u32);
    }
    if k >= 0 {
        s.mul_pow10(k as u32);
    } else {
        r.mul_pow10((-k) as u32);
        mm.mul_pow10((-k) as u32);
        mp.mul_pow10((-k) as u32);
    }
    // Fix the estimate: now s < r + m+ <= 10 s.
    if below(&s, &r.plus(&mp)) {
        k += 1;
    } else {
        r.mul_small(10);
        mm.mul_small(10);
        mp.mul_small(10);
    }
    let mut digits = Vec::with_capacity(17);
    let (down, up) = loop {
        let d = r.div_rem_digit(&s);
        digits.push(b'0' + d);
        // Stop low when the rest is within the gap below, high when
        // rounding up the last digit lands within the gap above.
        let down = below(&r, &mm);
        let up = below(&s, &r.plus(&mp));
        if down || up {
            break (down, up);
        }
        r.mul_small(10);
        mm.mul_small(10);
        mp.mul_small(10);
    };
    // Both ends reachable: the nearer one, up on a tie.
    if up
        && (!down || {
            r.mul_small(2);
            r >= s
        })
    {
        match digits.iter().rposition(|&c| c != b'9') {
            Some(i) => {
                digits[i] += 1;
                digits.truncate(i + 1);
            }
            None => {
                digits.clear();
                digits.push(b'1');
                k += 1;
            }
        }
    }
    // Trailing zeros are not written: the digits of `1e2` are `1`.
    while digits.len() > 1 && digits.last() == Some(&b'0') {
        digits.pop();
    }
    (String::from_utf8(digits).unwrap_or_default(), k)
}

/// `v.clamp(lo, hi)` for `lo <= hi`, NaN staying NaN, as `f64::clamp` does.
/// `f64::clamp` asserts `lo <= hi` with a message that prints both with
/// `{:?}`, which links core's float formatting into the wasm; this never
/// panics (for `lo > hi` it gives `lo`).
pub fn clamp(v: f64, lo: f64, hi: f64) -> f64 {
    if v < lo {
        lo
    } else if v > hi {
        hi
    } else {
        v
    }
}

/// `28232` → `28,232`: a count with thousands separators, as the lab and the
/// capture view print counts.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
