//! Numbers as the lab page writes them.

pub use farewell_num::thousands;
use farewell_num::Fixed;

/// Seconds shown at once in the page's per-second table: a minute. All 600
/// rows of a long run at once (5,400 cells) held the main thread for a
/// quarter of a second.
pub const TABLE_PAGE: usize = 60;

/// The rows of page `page` (clamped to the last) of a table of `rows` rows,
/// and what the page says about it: `Seconds 60–119 of 600`.
pub fn table_page(page: usize, rows: usize) -> (std::ops::Range<usize>, String) {
    let pages = rows.div_ceil(TABLE_PAGE).max(1);
    let start = page.min(pages - 1) * TABLE_PAGE;
    let end = (start + TABLE_PAGE).min(rows);
    let label = if end == 0 {
        "No seconds yet".to_string()
    } else {
        format!("Seconds {start}–{} of {rows}", end - 1)
    };
    (start..end, label)
}

/// Bytes in B, KB, MB or GB (decimal units, one decimal past 10).
pub fn bytes(n: u64) -> String {
    let (v, unit) = match n {
        0..1_000 => return format!("{n} B"),
        1_000..1_000_000 => (n as f64 / 1e3, "KB"),
        1_000_000..1_000_000_000 => (n as f64 / 1e6, "MB"),
        _ => (n as f64 / 1e9, "GB"),
    };
    if v < 10.0 {
        format!("{} {unit}", Fixed(v, 1))
    } else {
        format!("{} {unit}", Fixed(v, 0))
    }
}

/// Seconds with at most one decimal: `28.2 s`, `60 s`.
pub fn seconds(s: f64) -> String {
    let t = Fixed(s, 1).to_string();
    format!("{} s", t.trim_end_matches(".0"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_shows_a_minute_at_a_time() {
        assert_eq!(table_page(0, 600), (0..60, "Seconds 0–59 of 600".into()));
        assert_eq!(
            table_page(1, 120),
            (60..120, "Seconds 60–119 of 120".into())
        );
        // A page past the end shows the last one; a short run fits on one.
        assert_eq!(
            table_page(9, 130),
            (120..130, "Seconds 120–129 of 130".into())
        );
        assert_eq!(table_page(0, 45), (0..45, "Seconds 0–44 of 45".into()));
        assert_eq!(table_page(3, 0), (0..0, "No seconds yet".into()));
    }

    #[test]
    fn numbers_read_as_people_write_them() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(28_232), "28,232");
        assert_eq!(thousands(1_000_000), "1,000,000");
        assert_eq!(bytes(256), "256 B");
        assert_eq!(bytes(15_360_000), "15 MB");
        assert_eq!(bytes(7_200_000), "7.2 MB");
        assert_eq!(seconds(28.23), "28.2 s");
        assert_eq!(seconds(60.0), "60 s");
    }
}
