//! Simulated time. Time is a value handed to the engine, never a clock read.
//!
//! Stored as whole microseconds so that arithmetic is exact and a trace is
//! byte-identical run after run; printed as fractional milliseconds.

use std::fmt;
use std::ops::{Add, Sub};

/// A point in simulated time, measured from the start of the scenario.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Instant(u64);

/// A span of simulated time.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Duration(u64);

impl Instant {
    pub const ZERO: Instant = Instant(0);

    pub const fn from_micros(us: u64) -> Self {
        Instant(us)
    }
    /// Rounds to the nearest microsecond; negative or non-finite values clamp to zero.
    pub fn from_ms(ms: f64) -> Self {
        Instant(ms_to_micros(ms))
    }
    pub const fn as_micros(self) -> u64 {
        self.0
    }
    pub fn as_ms(self) -> f64 {
        self.0 as f64 / 1000.0
    }
    pub fn saturating_since(self, earlier: Instant) -> Duration {
        Duration(self.0.saturating_sub(earlier.0))
    }
}

impl Duration {
    pub const ZERO: Duration = Duration(0);

    pub const fn from_micros(us: u64) -> Self {
        Duration(us)
    }
    pub const fn from_millis(ms: u64) -> Self {
        Duration(ms * 1000)
    }
    pub const fn from_secs(s: u64) -> Self {
        Duration(s * 1_000_000)
    }
    /// Rounds to the nearest microsecond; negative or non-finite values clamp to zero.
    pub fn from_ms(ms: f64) -> Self {
        Duration(ms_to_micros(ms))
    }
    pub const fn as_micros(self) -> u64 {
        self.0
    }
    pub fn as_ms(self) -> f64 {
        self.0 as f64 / 1000.0
    }
    pub fn saturating_mul(self, k: u64) -> Duration {
        Duration(self.0.saturating_mul(k))
    }
    pub fn min(self, other: Duration) -> Duration {
        Duration(self.0.min(other.0))
    }
    pub fn max(self, other: Duration) -> Duration {
        Duration(self.0.max(other.0))
    }
}

fn ms_to_micros(ms: f64) -> u64 {
    if ms.is_finite() && ms > 0.0 {
        (ms * 1000.0).round() as u64
    } else {
        0
    }
}

impl Add<Duration> for Instant {
    type Output = Instant;
    fn add(self, d: Duration) -> Instant {
        Instant(self.0.saturating_add(d.0))
    }
}

impl Add for Duration {
    type Output = Duration;
    fn add(self, d: Duration) -> Duration {
        Duration(self.0.saturating_add(d.0))
    }
}

impl Sub for Duration {
    type Output = Duration;
    fn sub(self, d: Duration) -> Duration {
        Duration(self.0.saturating_sub(d.0))
    }
}

impl fmt::Display for Instant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}ms", farewell_num::Shortest(self.as_ms()))
    }
}

impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}ms", farewell_num::Shortest(self.as_ms()))
    }
}
