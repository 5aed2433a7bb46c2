//! Sequence numbers as RFC 9293 §3.4 counts them: modulo 2^32, compared by
//! serial number arithmetic (RFC 1982 §3.2), as smoltcp's `TcpSeqNumber` and
//! the kernel's `before()`/`after()` (include/net/tcp.h) do.
//!
//! A [`Seq`] has no `PartialOrd`: "a < b" in sequence space is not a total
//! order (it is not transitive across more than half the space), so every
//! comparison names itself ([`Seq::lt`], [`Seq::le`], …).

use serde::{Deserialize, Serialize};
use std::fmt;
use std::ops::{Add, AddAssign, Sub};

/// A TCP sequence (or acknowledgment) number. Serialized as the bare number.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Seq(pub u32);

impl Seq {
    pub const ZERO: Seq = Seq(0);

    pub const fn new(n: u32) -> Seq {
        Seq(n)
    }

    /// The number as it goes on the wire.
    pub const fn get(self) -> u32 {
        self.0
    }

    /// `self < other` in sequence space: Linux `before(seq1, seq2)`,
    /// `(s32)(seq1 - seq2) < 0`. Two numbers exactly 2^31 apart are each
    /// "before" the other (RFC 1982 §3.2 leaves that case undefined).
    pub const fn lt(self, other: Seq) -> bool {
        (self.0.wrapping_sub(other.0) as i32) < 0
    }

    /// `self <= other`: not after (`!after(self, other)`).
    pub const fn le(self, other: Seq) -> bool {
        !other.lt(self)
    }

    /// `self > other`: Linux `after(seq1, seq2)`.
    pub const fn gt(self, other: Seq) -> bool {
        other.lt(self)
    }

    /// `self >= other`: not before.
    pub const fn ge(self, other: Seq) -> bool {
        !self.lt(other)
    }
}

/// Advancing by a length (SEG.LEN, a window), modulo 2^32.
impl Add<u32> for Seq {
    type Output = Seq;
    fn add(self, n: u32) -> Seq {
        Seq(self.0.wrapping_add(n))
    }
}

impl AddAssign<u32> for Seq {
    fn add_assign(&mut self, n: u32) {
        *self = *self + n;
    }
}

/// The distance from `other` forward to `self`, modulo 2^32 (e.g.
/// SND.NXT − SND.UNA, the bytes in flight).
impl Sub for Seq {
    type Output = u32;
    fn sub(self, other: Seq) -> u32 {
        self.0.wrapping_sub(other.0)
    }
}

/// Going back by a length, modulo 2^32.
impl Sub<u32> for Seq {
    type Output = Seq;
    fn sub(self, n: u32) -> Seq {
        Seq(self.0.wrapping_sub(n))
    }
}

impl fmt::Display for Seq {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::Seq;

    #[test]
    fn compares_across_the_wrap() {
        let near_top = Seq(u32::MAX - 1);
        let wrapped = near_top + 3; // 1
        assert_eq!(wrapped, Seq(1));
        assert!(near_top.lt(wrapped) && wrapped.gt(near_top));
        assert!(near_top.le(wrapped) && !near_top.ge(wrapped));
        assert_eq!(wrapped - near_top, 3);
        assert_eq!(wrapped - 3, near_top);
    }

    #[test]
    fn equal_numbers_are_le_and_ge_but_not_lt_or_gt() {
        let s = Seq(7);
        assert!(s.le(s) && s.ge(s) && !s.lt(s) && !s.gt(s));
    }

    #[test]
    fn half_the_space_apart_each_is_before_the_other() {
        // The kernel's `before()` at the undefined point of RFC 1982 §3.2:
        // kept as it is, since the engine's traces depend on it.
        let a = Seq(5);
        let b = a + (1 << 31);
        assert!(a.lt(b) && b.lt(a));
        assert!(!a.le(b) && !b.le(a));
    }

    #[test]
    fn serializes_as_the_bare_number() {
        assert_eq!(
            serde_json::to_string(&Seq(4_294_967_295)).unwrap(),
            "4294967295"
        );
        assert_eq!(serde_json::from_str::<Seq>("12").unwrap(), Seq(12));
    }
}
