//! Number formatting for the panels. Clocks and durations are the diagram's own
//! (`farewell_diagram::format_clock`, `format_duration`), so the page and the
//! exported SVG print times alike.

pub use farewell_diagram::{format_clock as clock, format_duration as duration};

/// Seconds with one decimal for the countdowns: `59.8`.
pub fn seconds(ms: f64) -> String {
    format!("{}", farewell_num::Fixed((ms / 1000.0).max(0.0), 1))
}

/// A number without a needless `.0`, for form fields.
pub fn trim(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        farewell_num::Shortest(v.round()).to_string()
    } else {
        farewell_num::Shortest(v).to_string()
    }
}
