//! Number formatting for the panels. Clocks and durations are the diagram's own
//! (`farewell_diagram::format_clock`, `format_duration`), so the page and the
//! exported SVG print times alike.

pub use farewell_diagram::{format_clock as clock, format_duration as duration};

/// Seconds with one decimal for the countdowns: `59.8`.
pub fn seconds(ms: f64) -> String {
    format!("{:.1}", (ms / 1000.0).max(0.0))
}

/// A number without a needless `.0`, for form fields.
pub fn trim(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        format!("{}", v.round())
    } else {
        format!("{v}")
    }
}
