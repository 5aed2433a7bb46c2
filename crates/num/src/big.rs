//! A small unsigned big integer: 40 limbs of 32 bits (1280 bits), enough for
//! any `f64` scaled as `Fixed` and `Shortest` scale it (at most ~2^1140).

use std::cmp::Ordering;

const LIMBS: usize = 40;

#[derive(Clone, Debug)]
pub struct Big {
    /// Little-endian limbs; those at `len` and above are zero.
    limbs: [u32; LIMBS],
    len: usize,
}

impl Big {
    pub fn from_u64(v: u64) -> Big {
        Big::from_u128(u128::from(v))
    }

    pub fn from_u128(mut v: u128) -> Big {
        let mut b = Big {
            limbs: [0; LIMBS],
            len: 0,
        };
        while v > 0 {
            b.limbs[b.len] = v as u32;
            b.len += 1;
            v >>= 32;
        }
        b
    }

    fn trim(&mut self) {
        while self.len > 0 && self.limbs[self.len - 1] == 0 {
            self.len -= 1;
        }
    }

    pub fn mul_small(&mut self, k: u32) {
        let mut carry = 0u64;
        for limb in &mut self.limbs[..self.len] {
            let p = u64::from(*limb) * u64::from(k) + carry;
            *limb = p as u32;
            carry = p >> 32;
        }
        if carry > 0 {
            self.limbs[self.len] = carry as u32;
            self.len += 1;
        }
    }

    pub fn mul_pow2(&mut self, n: u32) {
        let (words, bits) = ((n / 32) as usize, n % 32);
        if self.len == 0 {
            return;
        }
        if bits > 0 {
            let mut carry = 0u32;
            for limb in &mut self.limbs[..self.len] {
                let next = *limb >> (32 - bits);
                *limb = (*limb << bits) | carry;
                carry = next;
            }
            if carry > 0 {
                self.limbs[self.len] = carry;
                self.len += 1;
            }
        }
        if words > 0 {
            self.limbs.copy_within(..self.len, words);
            self.limbs[..words].fill(0);
            self.len += words;
        }
    }

    pub fn mul_pow10(&mut self, mut n: u32) {
        while n >= 9 {
            self.mul_small(1_000_000_000);
            n -= 9;
        }
        self.mul_small(10u32.pow(n));
    }

    pub fn plus(&self, other: &Big) -> Big {
        let mut out = self.clone();
        let len = self.len.max(other.len);
        let mut carry = 0u64;
        for i in 0..len {
            let s = u64::from(out.limbs[i]) + u64::from(other.limbs[i]) + carry;
            out.limbs[i] = s as u32;
            carry = s >> 32;
        }
        out.len = len;
        if carry > 0 {
            out.limbs[len] = carry as u32;
            out.len += 1;
        }
        out
    }

    /// `self -= other`, for `self >= other`.
    fn sub(&mut self, other: &Big) {
        let mut borrow = 0i64;
        for i in 0..self.len {
            let d = i64::from(self.limbs[i]) - i64::from(other.limbs[i]) - borrow;
            self.limbs[i] = d as u32;
            borrow = i64::from(d < 0);
        }
        self.trim();
    }

    /// The digit `self / s` (below 10, as the caller keeps `self < 10 s`);
    /// `self` keeps the remainder.
    pub fn div_rem_digit(&mut self, s: &Big) -> u8 {
        let mut d = 0;
        while *self >= *s {
            self.sub(s);
            d += 1;
        }
        d
    }

    /// `self /= k`, returning the remainder.
    fn div_rem_small(&mut self, k: u32) -> u32 {
        let mut rem = 0u64;
        for limb in self.limbs[..self.len].iter_mut().rev() {
            let cur = (rem << 32) | u64::from(*limb);
            *limb = (cur / u64::from(k)) as u32;
            rem = cur % u64::from(k);
        }
        self.trim();
        rem as u32
    }

    /// The decimal digits (`0` for zero).
    pub fn to_decimal(&self) -> String {
        let mut n = self.clone();
        let mut chunks = Vec::new();
        while n.len > 0 {
            chunks.push(n.div_rem_small(1_000_000_000));
        }
        let mut out = chunks.pop().unwrap_or(0).to_string();
        for c in chunks.iter().rev() {
            let c = c.to_string();
            out.extend(std::iter::repeat_n('0', 9 - c.len()));
            out.push_str(&c);
        }
        out
    }
}

impl PartialEq for Big {
    fn eq(&self, other: &Big) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Big {}

impl PartialOrd for Big {
    fn partial_cmp(&self, other: &Big) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Big {
    fn cmp(&self, other: &Big) -> Ordering {
        self.len.cmp(&other.len).then_with(|| {
            self.limbs[..self.len]
                .iter()
                .rev()
                .cmp(other.limbs[..other.len].iter().rev())
        })
    }
}
