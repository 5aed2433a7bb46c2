//! The lab's chart: sockets per second over the run, as SVG markup.
//!
//! TIME_WAIT on each host, the client's ports in use and its established
//! connections, with reference lines for what the arithmetic predicts
//! (rate × TIME_WAIT), the port supply and `tcp_max_tw_buckets`, and a strip
//! of connect() failures per second beneath. The x axis always spans the whole
//! run, so a run in progress draws the seconds done and leaves the rest
//! shaded.

use crate::format::thousands;
use farewell_diagram::{escape, standalone_css, Theme};
use farewell_lab::{Closer, LabConfig, Row};
use farewell_num::{Fixed, Shortest};
use std::fmt::Write;

/// The chart's stylesheet (palette colours as `var(--…)`).
pub const CHART_CSS: &str = include_str!("chart.css");

const W: f64 = 760.0;
const H: f64 = 356.0;
const LEFT: f64 = 64.0;
const RIGHT: f64 = 150.0;
const TOP: f64 = 16.0;
/// Height of the main plot.
const PLOT_H: f64 = 230.0;
/// The failures strip below it.
const STRIP_TOP: f64 = TOP + PLOT_H + 60.0;
const STRIP_H: f64 = 36.0;

/// A line of the chart: CSS class, legend label, value per row.
type Series = (&'static str, &'static str, fn(&Row) -> u64);

/// How the chart is written.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ChartOptions {
    /// The chosen second (a row's `t_s`), marked by a vertical line at its
    /// end, where the row is drawn: the readout's moment.
    pub cursor: Option<u32>,
}

/// The row (`t_s`) drawn at `fraction` of the chart's width (0 at its left
/// edge, 1 at its right), as a pointer over it chooses: the second whose end
/// is nearest at or after the point, within the plot; `None` outside it.
pub fn second_at(cfg: &LabConfig, fraction: f64) -> Option<u32> {
    let duration = cfg.duration_s.max(1);
    let plot_w = W - LEFT - RIGHT;
    let t = (fraction * W - LEFT) / plot_w * f64::from(duration);
    if !(0.0..=f64::from(duration)).contains(&t) {
        return None;
    }
    Some((t.ceil() as u32).clamp(1, duration) - 1)
}

/// A value drawn as a horizontal reference line.
#[derive(Clone, Debug, PartialEq)]
pub struct Reference {
    pub value: f64,
    pub label: String,
    /// A limit the run hits (drawn in the failure colour).
    pub limit: bool,
}

/// The reference lines for `cfg`: rate × TIME_WAIT on the closer's side, the
/// client's port supply (when the client holds TIME_WAIT) and
/// `tcp_max_tw_buckets` (when set or Linux's).
pub fn references(cfg: &LabConfig) -> Vec<Reference> {
    let tw_s = cfg.time_wait().as_ms() / 1000.0;
    let mut out = vec![Reference {
        value: cfg.connection_rate() * tw_s,
        label: "rate × TIME_WAIT".into(),
        limit: false,
    }];
    if cfg.closer == Closer::Client {
        out.push(Reference {
            value: cfg.port_supply() as f64,
            label: "ports".into(),
            limit: true,
        });
    }
    if cfg.tw_limit() != u32::MAX {
        out.push(Reference {
            value: f64::from(cfg.tw_limit()),
            label: "tcp_max_tw_buckets".into(),
            limit: true,
        });
    }
    out
}

/// A round axis maximum at or above `v`: 1, 2 or 5 × 10ⁿ, with its tick step.
fn nice_max(v: f64) -> (f64, f64) {
    if v <= 0.0 || !v.is_finite() {
        return (10.0, 2.0);
    }
    let mag = 10f64.powi(v.log10().floor() as i32);
    for (m, step) in [(1.0, 0.2), (2.0, 0.5), (2.5, 0.5), (5.0, 1.0), (10.0, 2.0)] {
        if v <= m * mag * 1.000_001 {
            return ((m * mag).max(10.0), (step * mag).max(2.0));
        }
    }
    (10.0 * mag, 2.0 * mag)
}

/// Seconds between x ticks for a run of `duration` s: about six ticks.
fn x_step(duration: u32) -> u32 {
    [1, 2, 5, 10, 15, 30, 60, 120, 300]
        .into_iter()
        .find(|s| duration / s <= 8)
        .unwrap_or(600)
}

/// Short tick labels: 1,500 → `1.5k`, 2,000,000 → `2M`.
fn short(v: f64) -> String {
    let (scaled, unit) = if v >= 1e6 {
        (v / 1e6, "M")
    } else if v >= 1e4 {
        (v / 1e3, "k")
    } else {
        return thousands(v.round() as u64);
    };
    let s = Fixed(scaled, 1).to_string();
    format!("{}{unit}", s.trim_end_matches(".0"))
}

/// The chart of `rows` (the seconds done so far) for a run of `cfg`, for the
/// page, which styles it.
pub fn chart_svg(cfg: &LabConfig, rows: &[Row], opts: &ChartOptions) -> String {
    draw(cfg, rows, opts, |o, title| {
        let _ = write!(
            o,
            r#"<svg class="lab-chart" viewBox="0 0 {} {}" role="img" aria-label="{}">"#,
            Shortest(W),
            Shortest(H),
            escape(title)
        );
    })
}

/// The chart as a file of its own: `xmlns`, size, and its stylesheet with the
/// `theme`'s colours resolved. (A function apart from [`chart_svg`], so the
/// lab's page does not carry the file's stylesheet.)
pub fn chart_svg_file(cfg: &LabConfig, rows: &[Row], opts: &ChartOptions, theme: Theme) -> String {
    draw(cfg, rows, opts, |o, title| {
        let _ = write!(
            o,
            r#"<svg xmlns="http://www.w3.org/2000/svg" class="lab-chart" width="{w}" height="{h}" viewBox="0 0 {w} {h}" role="img" aria-label="{t}"><style>{css}</style><title>{t}</title><rect class="background" width="{w}" height="{h}"/>"#,
            w = Shortest(W),
            h = Shortest(H),
            t = escape(title),
            css = standalone_css(CHART_CSS, theme),
        );
    })
}

/// The chart, its `<svg>` opened by `open` (given the title).
fn draw(
    cfg: &LabConfig,
    rows: &[Row],
    opts: &ChartOptions,
    open: impl FnOnce(&mut String, &str),
) -> String {
    let duration = cfg.duration_s.max(1);
    let plot_w = W - LEFT - RIGHT;
    let x = |t: f64| LEFT + plot_w * t / f64::from(duration);
    let series: [Series; 4] = [
        ("tw-client", "TIME_WAIT, client", |r| r.time_wait_client),
        ("tw-server", "TIME_WAIT, server", |r| r.time_wait_server),
        ("ports", "client ports in use", |r| r.ports_in_use),
        ("established", "established", |r| r.established),
    ];
    let data_max = rows
        .iter()
        .flat_map(|r| series.iter().map(move |s| (s.2)(r)))
        .max()
        .unwrap_or(0) as f64;
    // A reference line is drawn when it is within reach of the data (or of
    // the prediction), so that a far-off limit does not flatten the curves.
    let refs = references(cfg);
    let predicted = refs[0].value;
    let reach = data_max.max(predicted);
    let shown_refs: Vec<&Reference> = refs
        .iter()
        .filter(|r| r.value > 0.0 && r.value <= reach * 1.6)
        .collect();
    let top = shown_refs.iter().map(|r| r.value).fold(reach, f64::max);
    let (y_max, y_step) = nice_max(top * 1.05);
    let y = |v: f64| TOP + PLOT_H - PLOT_H * v / y_max;

    let mut o = String::with_capacity(8192 + rows.len() * 120);
    let title = format!(
        "Sockets over {} s at {} requests a second ({})",
        duration,
        thousands(u64::from(cfg.rate)),
        cfg.platform.id()
    );
    open(&mut o, &title);

    // The seconds not simulated yet.
    let done = rows.len() as f64;
    if done < f64::from(duration) {
        let _ = write!(
            o,
            r#"<rect class="pending" x="{}" y="{top}" width="{}" height="{plot_h}"/>"#,
            Fixed(x(done), 1),
            Fixed(x(f64::from(duration)) - x(done), 1),
            top = Shortest(TOP),
            plot_h = Shortest(PLOT_H)
        );
    }

    // Grid and y ticks.
    let mut v = 0.0;
    while v <= y_max * 1.000_001 {
        let yy = y(v);
        let _ = write!(
            o,
            r#"<line class="grid" x1="{left}" x2="{}" y1="{yy}" y2="{yy}"/><text class="tick" x="{}" y="{}" text-anchor="end">{}</text>"#,
            Fixed(LEFT + plot_w, 1),
            Fixed(LEFT - 6.0, 1),
            Fixed(yy + 4.0, 1),
            short(v),
            left = Shortest(LEFT),
            yy = Fixed(yy, 1)
        );
        v += y_step;
    }
    // x ticks, on the plot and on the strip.
    let step = x_step(duration);
    let mut t = 0;
    while t <= duration {
        let xx = x(f64::from(t));
        let _ = write!(
            o,
            r#"<line class="axis" x1="{xx}" x2="{xx}" y1="{}" y2="{}"/><text class="tick" x="{xx}" y="{}" text-anchor="middle">{t}</text>"#,
            Fixed(TOP + PLOT_H, 1),
            Fixed(TOP + PLOT_H + 4.0, 1),
            Fixed(TOP + PLOT_H + 16.0, 1),
            xx = Fixed(xx, 1)
        );
        t += step;
    }
    let _ = write!(
        o,
        r#"<line class="axis" x1="{left}" x2="{}" y1="{b}" y2="{b}"/><line class="axis" x1="{left}" x2="{left}" y1="{top}" y2="{b}"/><text class="axis-title" x="{}" y="{}" text-anchor="middle">seconds</text><text class="axis-title" x="14" y="{}" text-anchor="middle" transform="rotate(-90 14 {})">sockets</text>"#,
        Fixed(LEFT + plot_w, 1),
        Fixed(LEFT + plot_w / 2.0, 1),
        Fixed(TOP + PLOT_H + 29.0, 1),
        Fixed(TOP + PLOT_H / 2.0, 1),
        Fixed(TOP + PLOT_H / 2.0, 1),
        b = Fixed(TOP + PLOT_H, 1),
        left = Shortest(LEFT),
        top = Shortest(TOP)
    );

    // Reference lines, labelled at the right.
    let mut last_label_y = f64::NEG_INFINITY;
    // Highest first, equal ones in order: an insertion sort of (at most)
    // three, rather than the standard library's sort, which carries 3 KB
    // into the lab's module for this alone.
    let mut labelled: Vec<&&Reference> = Vec::with_capacity(shown_refs.len());
    for r in &shown_refs {
        let at = labelled
            .iter()
            .position(|l| l.value < r.value)
            .unwrap_or(labelled.len());
        labelled.insert(at, r);
    }
    for r in labelled {
        let yy = y(r.value);
        let limit = if r.limit { " limit" } else { "" };
        let _ = write!(
            o,
            r#"<line class="ref{limit}" x1="{left}" x2="{}" y1="{yy}" y2="{yy}"/>"#,
            Fixed(LEFT + plot_w, 1),
            left = Shortest(LEFT),
            yy = Fixed(yy, 1)
        );
        let ly = (yy + 4.0).max(last_label_y + 26.0);
        last_label_y = ly;
        let lx = LEFT + plot_w + 6.0;
        let _ = write!(
            o,
            r#"<text class="ref-label{limit}" x="{lx}" y="{ly}"><tspan>{}</tspan><tspan x="{lx}" dy="12">{}</tspan></text>"#,
            escape(&r.label),
            thousands(r.value.round() as u64),
            lx = Fixed(lx, 1),
            ly = Fixed(ly, 1)
        );
    }

    // Restart and listener-up markers.
    if let Some(at) = cfg.restart_at_s {
        let xx = x(at);
        let _ = write!(
            o,
            r#"<line class="marker" x1="{xx}" x2="{xx}" y1="{top}" y2="{}"/><text class="marker-label" x="{}" y="{}">server restart</text>"#,
            Fixed(STRIP_TOP + STRIP_H, 1),
            Fixed(xx + 4.0, 1),
            Fixed(TOP + 11.0, 1),
            xx = Fixed(xx, 1),
            top = Shortest(TOP)
        );
    }

    // The chosen second.
    if let Some(c) = opts.cursor.filter(|c| *c < duration) {
        let _ = write!(
            o,
            r#"<line class="cursor" x1="{xx}" x2="{xx}" y1="{top}" y2="{}"/>"#,
            Fixed(STRIP_TOP + STRIP_H, 1),
            xx = Fixed(x(f64::from(c + 1)), 1),
            top = Shortest(TOP)
        );
    }

    // The series.
    for (cls, _, get) in &series {
        if rows.iter().all(|r| get(r) == 0) {
            continue;
        }
        let _ = write!(o, r#"<polyline class="series {cls}" points=""#);
        // Each row is the state at the end of its second.
        let _ = write!(o, "{},{}", Fixed(x(0.0), 1), Fixed(y(0.0), 1));
        for r in rows {
            let _ = write!(
                o,
                " {},{}",
                Fixed(x(f64::from(r.t_s + 1)), 1),
                Fixed(y(get(r) as f64), 1)
            );
        }
        o.push_str(r#""/>"#);
    }

    // Failures per second.
    let fail_max = rows.iter().map(|r| r.connect_failures).max().unwrap_or(0);
    let _ = write!(
        o,
        r#"<text class="axis-title" x="{left}" y="{}">connect() failures a second{}</text><line class="axis" x1="{left}" x2="{}" y1="{b}" y2="{b}"/>"#,
        Fixed(STRIP_TOP - 5.0, 1),
        if fail_max == 0 {
            ": none".to_string()
        } else {
            format!(" (most {})", thousands(fail_max))
        },
        Fixed(LEFT + plot_w, 1),
        b = Fixed(STRIP_TOP + STRIP_H, 1),
        left = Shortest(LEFT)
    );
    if fail_max > 0 {
        let bw = (plot_w / f64::from(duration)).max(1.0);
        for r in rows.iter().filter(|r| r.connect_failures > 0) {
            let hgt = (STRIP_H * r.connect_failures as f64 / fail_max as f64).max(1.5);
            let _ = write!(
                o,
                r#"<rect class="failures" x="{}" y="{}" width="{bw}" height="{hgt}"/>"#,
                Fixed(x(f64::from(r.t_s)), 1),
                Fixed(STRIP_TOP + STRIP_H - hgt, 1),
                bw = Fixed(bw, 1),
                hgt = Fixed(hgt, 1)
            );
        }
    }

    // Legend, at the right below the reference labels' column.
    let mut ly = TOP + PLOT_H + 36.0;
    let lx = LEFT + plot_w + 8.0;
    let legend: Vec<(&str, &str)> = series
        .iter()
        .map(|s| (s.0, s.1))
        .chain([("failures", "connect() failures")])
        .collect();
    for (cls, label) in legend {
        let _ = write!(
            o,
            r#"<rect class="swatch {cls}" x="{lx}" y="{}" width="10" height="10" rx="2"/><text class="legend" x="{}" y="{ly}">{label}</text>"#,
            Fixed(ly - 9.0, 1),
            Fixed(lx + 14.0, 1),
            lx = Fixed(lx, 1),
            ly = Fixed(ly, 1)
        );
        ly += 15.0;
    }
    o.push_str("</svg>");
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axis_maxima_are_round_and_above_the_data() {
        assert_eq!(nice_max(60_000.0), (100_000.0, 20_000.0));
        assert_eq!(nice_max(28_232.0 * 1.05), (50_000.0, 10_000.0));
        assert_eq!(nice_max(0.0), (10.0, 2.0));
        assert_eq!(nice_max(7.0), (10.0, 2.0));
        for v in [1.0, 3.3, 99.0, 101.0, 12_345.0, 9.9e6] {
            let (m, s) = nice_max(v);
            assert!(
                m >= v && m < v * 5.1 + 10.0 && (m / s).round() <= 10.0,
                "{v} {m} {s}"
            );
        }
    }

    #[test]
    fn a_point_on_the_chart_is_the_second_drawn_there() {
        let cfg = LabConfig {
            duration_s: 60,
            ..LabConfig::default()
        };
        let plot_w = W - LEFT - RIGHT;
        let at = |t: f64| (LEFT + plot_w * t / 60.0) / W;
        // Row t is drawn at the end of its second, x(t + 1).
        assert_eq!(second_at(&cfg, at(28.0)), Some(27));
        assert_eq!(second_at(&cfg, at(27.5)), Some(27));
        assert_eq!(second_at(&cfg, at(0.0)), Some(0));
        assert_eq!(second_at(&cfg, at(60.0)), Some(59));
        assert_eq!(second_at(&cfg, at(-0.5)), None);
        assert_eq!(second_at(&cfg, at(60.5)), None);
        assert_eq!(second_at(&cfg, 0.0), None);
        assert_eq!(second_at(&cfg, 1.0), None);
        // The cursor is drawn where the row is.
        let svg = chart_svg(&cfg, &[], &ChartOptions { cursor: Some(27) });
        let x = Fixed(LEFT + plot_w * 28.0 / 60.0, 1).to_string();
        assert!(
            svg.contains(&format!(r#"<line class="cursor" x1="{x}" x2="{x}""#)),
            "{svg}"
        );
    }

    #[test]
    fn tick_labels_are_short() {
        assert_eq!(short(0.0), "0");
        assert_eq!(short(5000.0), "5,000");
        assert_eq!(short(20_000.0), "20k");
        assert_eq!(short(131_072.0), "131.1k");
        assert_eq!(short(2_500_000.0), "2.5M");
    }
}
