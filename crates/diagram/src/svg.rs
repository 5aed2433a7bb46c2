//! SVG markup of a laid-out [`Diagram`]: the page inserts it as is (with a
//! playback layer on top) and the export writes it as a standalone file, so
//! both show the same picture. Styling lives in `diagram.css`, shared by the
//! page's stylesheet and the standalone file.

use crate::layout::{Diagram, TimerEnd};
use farewell_engine::trace::TimerKind;
use farewell_engine::{DiscardReason, Host, TcpState};
use std::fmt::Write as _;

/// The diagram's stylesheet (classes only; colours come from CSS variables).
pub const DIAGRAM_CSS: &str = include_str!("diagram.css");

/// The palette (colours and fonts as CSS custom properties, light and dark in
/// one `light-dark()` each), shared with the page.
pub const PALETTE_CSS: &str = include_str!("palette.css");

/// Everything inside the first `light-dark(`…`)` of `value` replaced by the
/// light or dark half, repeatedly.
fn pick_light_dark(value: &str, theme: Theme) -> String {
    let mut out = value.to_string();
    while let Some(start) = out.find("light-dark(") {
        let args_start = start + "light-dark(".len();
        let (mut depth, mut comma, mut end) = (0usize, None, None);
        for (i, c) in out[args_start..].char_indices() {
            match c {
                '(' => depth += 1,
                ')' if depth == 0 => {
                    end = Some(args_start + i);
                    break;
                }
                ')' => depth -= 1,
                ',' if depth == 0 && comma.is_none() => comma = Some(args_start + i),
                _ => {}
            }
        }
        let (Some(comma), Some(end)) = (comma, end) else {
            break;
        };
        let chosen = match theme {
            Theme::Light => out[args_start..comma].trim().to_string(),
            Theme::Dark => out[comma + 1..end].trim().to_string(),
        };
        out.replace_range(start..=end, &chosen);
    }
    out
}

/// `(name, value)` of every custom property in [`PALETTE_CSS`] for `theme`.
pub fn palette(theme: Theme) -> Vec<(&'static str, String)> {
    PALETTE_CSS
        .lines()
        .filter_map(|line| {
            let line = line.trim();
            let rest = line.strip_prefix("--")?;
            let (name, value) = rest.split_once(':')?;
            let value = value.trim().trim_end_matches(';').trim();
            Some((&line[..name.len() + 2], pick_light_dark(value, theme)))
        })
        .collect()
}

/// `css` with every `var(--name)` / `var(--name, fallback)` replaced by its
/// value, so a standalone file needs no custom-property support (Inkscape,
/// slide tools).
fn resolve_vars(css: &str, palette: &[(&str, String)]) -> String {
    let mut out = String::with_capacity(css.len());
    let mut rest = css;
    while let Some(start) = rest.find("var(") {
        out.push_str(&rest[..start]);
        let inner_start = start + 4;
        let Some(len) = rest[inner_start..].find(')') else {
            rest = &rest[start..];
            break;
        };
        let inner = &rest[inner_start..inner_start + len];
        let (name, fallback) = match inner.split_once(',') {
            Some((n, f)) => (n.trim(), Some(f.trim())),
            None => (inner.trim(), None),
        };
        let value = palette
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
            .or(fallback)
            .unwrap_or("initial");
        out.push_str(value);
        rest = &rest[inner_start + len + 1..];
    }
    out.push_str(rest);
    out
}

/// `css` as a standalone SVG file carries it: every palette colour resolved
/// for `theme`, and escaped as XML character data (a `<` or `&` anywhere in the
/// stylesheet, a comment or a selector, would otherwise make the file
/// unreadable).
pub fn standalone_css(css: &str, theme: Theme) -> String {
    resolve_vars(css, &palette(theme))
        .replace('&', "&amp;")
        .replace('<', "&lt;")
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Theme {
    #[default]
    Light,
    Dark,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct SvgOptions {
    /// A file of its own: `xmlns`, size, background, stylesheet and colours
    /// included. Otherwise markup for inline use in the page, styled by it.
    pub standalone: bool,
    pub theme: Theme,
    /// The `<title>` of a standalone file.
    pub title: Option<String>,
}

/// A standalone SVG file of the diagram (light theme).
pub fn render_svg(d: &Diagram) -> String {
    render_svg_with(
        d,
        &SvgOptions {
            standalone: true,
            ..SvgOptions::default()
        },
    )
}

/// Escapes text for SVG/XML text and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn host_class(h: Host) -> &'static str {
    match h {
        Host::A => "host-a",
        Host::B => "host-b",
    }
}

/// A discarded segment's mark after its label, and its status in words.
fn discard_words(r: DiscardReason) -> (&'static str, &'static str) {
    if r == DiscardReason::Paws {
        ("PAWS", ", discarded unread by PAWS (an old duplicate)")
    } else {
        ("discarded", ", discarded unread")
    }
}

/// How far apart a tall state band repeats its name.
const BAND_NAME_EVERY: f64 = 320.0;

/// Rough width of monospace text at 10–11 px, to decide whether a label fits.
fn text_width(s: &str, px: f64) -> f64 {
    s.chars().count() as f64 * px * 0.6
}

pub fn render_svg_with(d: &Diagram, opts: &SvgOptions) -> String {
    let mut o = String::with_capacity(4096 + d.arrows.len() * 700);
    let (w, h) = (d.width, d.height);
    if opts.standalone {
        let _ = write!(
            o,
            r#"<svg xmlns="http://www.w3.org/2000/svg" class="diagram" width="{w_0}" height="{h_0}" viewBox="0 0 {w_1} {h_1}" font-family="system-ui, sans-serif">"#,
            w_0 = farewell_num::Fixed(w, 0),
            h_0 = farewell_num::Fixed(h, 0),
            w_1 = farewell_num::Fixed(w, 1),
            h_1 = farewell_num::Fixed(h, 1)
        );
        let _ = write!(
            o,
            "<style>{}</style>",
            standalone_css(DIAGRAM_CSS, opts.theme)
        );
        let _ = write!(
            o,
            r#"<rect class="background" x="0" y="0" width="{w_1}" height="{h_1}"/>"#,
            w_1 = farewell_num::Fixed(w, 1),
            h_1 = farewell_num::Fixed(h, 1)
        );
        if let Some(title) = &opts.title {
            let _ = write!(o, r#"<title>{}</title>"#, escape(title));
        }
    } else {
        let _ = write!(
            o,
            r#"<svg class="diagram" data-testid="diagram" role="group" aria-label="Sequence diagram of the connection: time flows down; click a segment to drop it or bring it back" viewBox="0 0 {w_1} {h_1}" preserveAspectRatio="xMidYMin meet">"#,
            w_1 = farewell_num::Fixed(w, 1),
            h_1 = farewell_num::Fixed(h, 1)
        );
    }
    o.push_str(r#"<g class="static">"#);
    // Hosts and lifelines.
    for (host, x, addr) in [
        (Host::A, d.x_a, &d.labels[0]),
        (Host::B, d.x_b, &d.labels[1]),
    ] {
        let _ = write!(
            o,
            r#"<g class="host {cls}"><line class="lifeline" x1="{x_1}" x2="{x_1}" y1="{}" y2="{}"/><rect class="host-head" x="{}" y="{}" width="140" height="40" rx="8"/><text class="host-label" x="{x_1}" y="{}">{}</text><text class="host-addr" x="{x_1}" y="{}">{}</text></g>"#,
            farewell_num::Fixed(d.top - 10.0, 1),
            farewell_num::Fixed(h - 6.0, 1),
            farewell_num::Fixed(x - 70.0, 1),
            farewell_num::Fixed(d.top - 58.0, 1),
            farewell_num::Fixed(d.top - 40.0, 1),
            host.name(),
            farewell_num::Fixed(d.top - 25.0, 1),
            escape(addr),
            cls = host_class(host),
            x_1 = farewell_num::Fixed(x, 1)
        );
    }
    // Time ticks.
    o.push_str(r#"<g class="ticks">"#);
    for t in &d.ticks {
        let _ = write!(
            o,
            r#"<g class="tick"><text x="6" y="{}">{}</text></g>"#,
            farewell_num::Fixed(t.y + 3.5, 1),
            escape(&t.label)
        );
    }
    o.push_str("</g>");
    // State bands.
    for b in &d.bands {
        let side = if b.host == Host::A { -1.0 } else { 1.0 };
        let x = if side < 0.0 { b.x - 8.0 } else { b.x };
        let extra = match b.state {
            TcpState::TimeWait => " time-wait",
            TcpState::Closed => " closed",
            _ => "",
        };
        let anchor = if side < 0.0 { "end" } else { "start" };
        // Named in words, not by colour alone: the state's name at the top,
        // again every BAND_NAME_EVERY px down a tall band (so a scrolled view
        // still names it), and a title with the host and the time span.
        let _ = write!(
            o,
            r#"<g class="band {}{extra}" data-state="{}"><title>{} in {}, {} to {}</title><rect x="{x_1}" y="{}" width="8" height="{}" rx="3"/>"#,
            host_class(b.host),
            b.state.rfc_name(),
            b.host,
            b.state.rfc_name(),
            crate::format_clock(b.t0),
            crate::format_clock(b.t1),
            farewell_num::Fixed(b.y0, 1),
            farewell_num::Fixed((b.y1 - b.y0).max(0.0), 1),
            x_1 = farewell_num::Fixed(x, 1)
        );
        // The name at the top, then again every BAND_NAME_EVERY px while more
        // than a third of that is left of the band.
        let room = (b.y1 - BAND_NAME_EVERY / 3.0 - b.label_y) / BAND_NAME_EVERY;
        for k in 0..room.ceil().max(1.0) as usize {
            let y = b.label_y + k as f64 * BAND_NAME_EVERY;
            let _ = write!(
                o,
                r#"<text x="{}" y="{}" text-anchor="{anchor}">{}</text>"#,
                farewell_num::Fixed(b.x + side * 12.0, 1),
                farewell_num::Fixed(y, 1),
                b.state.rfc_name(),
            );
        }
        o.push_str("</g>");
    }
    // Axis breaks: the lifelines are cut with a zigzag; timers and arrows pass over.
    for b in &d.breaks {
        let _ = write!(
            o,
            r#"<g class="axis-break"><rect x="{}" y="{}" width="28" height="18"/><rect x="{}" y="{}" width="28" height="18"/><path d="M{} {} l6 -5 l6 10 l6 -5 M{} {} l6 -5 l6 10 l6 -5"/><text x="{}" y="{}">{}</text></g>"#,
            farewell_num::Fixed(d.x_a - 14.0, 1),
            farewell_num::Fixed(b.y - 9.0, 1),
            farewell_num::Fixed(d.x_b - 14.0, 1),
            farewell_num::Fixed(b.y - 9.0, 1),
            farewell_num::Fixed(d.x_a - 9.0, 1),
            farewell_num::Fixed(b.y, 1),
            farewell_num::Fixed(d.x_b - 9.0, 1),
            farewell_num::Fixed(b.y, 1),
            farewell_num::Fixed((d.x_a + d.x_b) / 2.0, 1),
            farewell_num::Fixed(b.y + 4.0, 1),
            escape(&b.label)
        );
    }
    // Timer brackets.
    for t in &d.timers {
        let side = if t.host == Host::A { -1.0 } else { 1.0 };
        let tick = -side * 6.0;
        let cls = match t.timer {
            TimerKind::TimeWait => " time-wait",
            TimerKind::Retransmission => " rto",
            TimerKind::DelayedAck => " delayed-ack",
            TimerKind::FinWait2 => " fin-wait-2",
            TimerKind::LossProbe => " rto loss-probe",
            TimerKind::KeepInit => " rto keepinit",
        };
        let end = match t.end {
            TimerEnd::Expired => "expired",
            TimerEnd::Stopped => "stopped",
            TimerEnd::Restarted => "restarted",
            TimerEnd::Running => "running",
        };
        let _ = write!(
            o,
            r#"<g class="timer{cls} {end}" data-timer="{}" data-host="{}"><path d="M{} {} h{} V{} h{}"/>"#,
            t.timer.label(),
            t.host.name(),
            farewell_num::Fixed(t.x + tick, 1),
            farewell_num::Fixed(t.y0, 1),
            farewell_num::Fixed(-tick, 1),
            farewell_num::Fixed(t.y1, 1),
            farewell_num::Fixed(tick, 1)
        );
        let mid = (t.y0 + t.y1) / 2.0;
        let len = text_width(&t.label, 10.0);
        if t.y1 - t.y0 >= len + 8.0 {
            // Along the bracket, reading upwards on A's side and downwards on B's.
            let (x, rot) = (t.x + side * 7.0, if side < 0.0 { -90 } else { 90 });
            let _ = write!(
                o,
                r#"<text x="{x_1}" y="{mid_1}" text-anchor="middle" dominant-baseline="central" transform="rotate({rot} {x_1} {mid_1})">{}</text>"#,
                escape(&t.label),
                x_1 = farewell_num::Fixed(x, 1),
                mid_1 = farewell_num::Fixed(mid, 1)
            );
        } else {
            let anchor = if side < 0.0 { "end" } else { "start" };
            let _ = write!(
                o,
                r#"<text x="{}" y="{}" text-anchor="{anchor}">{}</text>"#,
                farewell_num::Fixed(t.x + side * 4.0, 1),
                farewell_num::Fixed(mid + 3.5, 1),
                escape(&t.label)
            );
        }
        if t.end == TimerEnd::Expired {
            let _ = write!(
                o,
                r#"<circle class="fired" cx="{}" cy="{}" r="3"/>"#,
                farewell_num::Fixed(t.x, 1),
                farewell_num::Fixed(t.y1, 1)
            );
        }
        o.push_str("</g>");
    }
    // Segments.
    o.push_str(r#"<g class="arrows">"#);
    for a in &d.arrows {
        let mut cls = format!("seg {} {}", a.kind, host_class(a.from));
        for (on, name) in [
            (a.dropped, " dropped"),
            (a.retransmission, " retransmission"),
            (a.duplicate, " duplicate"),
            (a.discarded.is_some(), " discarded"),
        ] {
            if on {
                cls.push_str(name);
            }
        }
        let verb = if a.dropped { "bring back" } else { "drop" };
        let retx = if a.retransmission {
            " (retransmission)"
        } else {
            ""
        };
        let status = if a.dropped {
            ", lost"
        } else if let Some(r) = a.discarded {
            discard_words(r).1
        } else {
            ""
        };
        let aria = format!(
            "{} to {}: {}{retx}{status}. Press Enter to {verb} it.",
            a.from,
            a.from.peer(),
            a.label
        );
        let _ = write!(
            o,
            r#"<g class="{cls}" data-seg-id="{}" role="button" tabindex="0" aria-label="{}"><title>{}</title>"#,
            a.id,
            escape(&aria),
            escape(&format!("{}{retx}: click to {verb}", a.label)),
        );
        let _ = write!(
            o,
            r#"<line class="hit" x1="{}" y1="{}" x2="{}" y2="{}"/><line class="shaft" x1="{}" y1="{}" x2="{}" y2="{}"/>"#,
            farewell_num::Fixed(a.x1, 1),
            farewell_num::Fixed(a.y1, 1),
            farewell_num::Fixed(a.x2, 1),
            farewell_num::Fixed(a.y2, 1),
            farewell_num::Fixed(a.x1, 1),
            farewell_num::Fixed(a.y1, 1),
            farewell_num::Fixed(a.x2, 1),
            farewell_num::Fixed(a.y2, 1)
        );
        if a.dropped {
            let _ = write!(
                o,
                r#"<path class="cross" d="M{} {} l12 12 m0 -12 l-12 12"/>"#,
                farewell_num::Fixed(a.x2 - 6.0, 1),
                farewell_num::Fixed(a.y2 - 6.0, 1)
            );
        } else {
            // Arrowhead drawn as a path (not a marker) so every renderer agrees.
            // (ux, uy): unit vector along the arrow (a square root, not
            // sin/cos, which would add 7 KB of libm to the playground's wasm).
            let (dx, dy) = (a.x2 - a.x1, a.y2 - a.y1);
            let norm = (dx * dx + dy * dy).sqrt().max(f64::MIN_POSITIVE);
            let (ux, uy) = (dx / norm, dy / norm);
            let (len, half) = (10.0, 4.5);
            let (bx, by) = (a.x2 - len * ux, a.y2 - len * uy);
            let (px, py) = (-uy * half, ux * half);
            let _ = write!(
                o,
                r#"<path class="head" d="M{} {} L{} {} L{} {} Z"/>"#,
                farewell_num::Fixed(a.x2, 1),
                farewell_num::Fixed(a.y2, 1),
                farewell_num::Fixed(bx + px, 1),
                farewell_num::Fixed(by + py, 1),
                farewell_num::Fixed(bx - px, 1),
                farewell_num::Fixed(by - py, 1)
            );
        }
        let text = if a.dropped {
            format!("✕ {}", a.label)
        } else if let Some(r) = a.discarded {
            format!("{} ⊘ {}", a.label, discard_words(r).0)
        } else {
            a.label.clone()
        };
        let _ = write!(
            o,
            r#"<text class="label" x="{}" y="{}" text-anchor="middle" transform="rotate({} {} {})">{}</text></g>"#,
            farewell_num::Fixed(a.label_x, 1),
            farewell_num::Fixed(a.label_y - 5.0, 1),
            farewell_num::Fixed(a.label_angle, 2),
            farewell_num::Fixed(a.label_x, 1),
            farewell_num::Fixed(a.label_y, 1),
            escape(&text)
        );
    }
    o.push_str("</g></g></svg>");
    o
}
