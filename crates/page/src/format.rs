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

/// The platform panel's "RTO min / initial": the floor, with the BSDs' slop
/// when the profile adds one (`30 ms + 200 ms slop / 1 s`).
pub fn rto_floor(p: &farewell_engine::Profile) -> String {
    let floor = if p.rto_slop.as_micros() > 0 {
        format!(
            "{} + {} slop",
            duration(p.rto_min.as_ms()),
            duration(p.rto_slop.as_ms())
        )
    } else {
        duration(p.rto_min.as_ms())
    };
    format!("{floor} / {}", duration(p.rto_initial.as_ms()))
}

/// The platform panel's "TIME_WAIT": its length, and the reaper's period where
/// the platform ends TIME_WAIT in batches (`60 s + up to 5 s (reaper)`, illumos).
pub fn time_wait(p: &farewell_engine::Profile) -> String {
    let tw = duration(p.time_wait.as_ms());
    match p.time_wait_granularity {
        Some(g) => format!("{tw} + up to {} (reaper)", duration(g.as_ms())),
        None => tw,
    }
}

/// The platform panel's "Ephemeral ports": the platform's default range, and
/// whether the scenario runs with timestamps (`profile`, overrides applied),
/// with the platform's default when the scenario says otherwise
/// (`32768–60999, timestamps off (default on)`).
pub fn ports_and_timestamps(
    base: &farewell_engine::Profile,
    profile: &farewell_engine::Profile,
) -> String {
    let (lo, hi) = base.ephemeral_ports;
    let word = |on: bool| if on { "on" } else { "off" };
    let mut out = format!("{lo}–{hi}, timestamps {}", word(profile.timestamps));
    if profile.timestamps != base.timestamps {
        out.push_str(&format!(" (default {})", word(base.timestamps)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{ports_and_timestamps, rto_floor, time_wait};
    use farewell_engine::Platform;

    #[test]
    fn the_rto_floor_names_the_bsds_slop() {
        assert_eq!(
            rto_floor(&Platform::Freebsd.profile()),
            "30 ms + 200 ms slop / 1 s"
        );
        assert_eq!(rto_floor(&Platform::Linux.profile()), "200 ms / 1 s");
    }

    #[test]
    fn illumos_time_wait_shows_its_reaper() {
        assert_eq!(
            time_wait(&Platform::Solaris.profile()),
            "60 s + up to 5 s (reaper)"
        );
        assert_eq!(time_wait(&Platform::Linux.profile()), "60 s");
    }

    #[test]
    fn each_platform_shows_its_ephemeral_range_and_timestamp_default() {
        let linux = Platform::Linux.profile();
        assert_eq!(
            ports_and_timestamps(&linux, &linux),
            "32768–60999, timestamps on"
        );
        let without = farewell_engine::Profile {
            timestamps: false,
            ..linux
        };
        assert_eq!(
            ports_and_timestamps(&linux, &without),
            "32768–60999, timestamps off (default on)"
        );
        let windows = Platform::Windows.profile();
        assert_eq!(
            ports_and_timestamps(&windows, &windows),
            "49152–65535, timestamps off"
        );
        let freebsd = Platform::Freebsd.profile();
        assert_eq!(
            ports_and_timestamps(&freebsd, &freebsd),
            "10000–65535, timestamps on"
        );
    }
}
