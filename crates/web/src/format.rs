//! Number formatting shared by the panels.

/// Seconds with one decimal for the countdowns: `59.8`.
pub fn seconds(ms: f64) -> String {
    format!("{:.1}", (ms / 1000.0).max(0.0))
}

/// A playback clock: `0.200 s`, `60.340 s`.
pub fn clock(ms: f64) -> String {
    format!("{:.3} s", ms / 1000.0)
}

/// A duration for labels: `240 s`, `1.5 s`, `40 ms`.
pub fn duration(ms: f64) -> String {
    if ms >= 1000.0 {
        let s = ms / 1000.0;
        if (s - s.round()).abs() < 1e-9 {
            format!("{} s", s.round())
        } else {
            format!("{s:.1} s")
        }
    } else {
        format!("{} ms", trim(ms))
    }
}

/// A number without a needless `.0`.
pub fn trim(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        format!("{}", v.round())
    } else {
        format!("{v}")
    }
}
