//! What the playground's capture view says and draws, with no DOM code, tested
//! natively: reading a dropped capture in slices with its progress
//! ([`Loading`]), the connection list, the chosen connection's diagram with
//! inferred states hatched and retransmissions, duplicate ACKs and frame
//! numbers marked ([`ConnView`]), the narration, the tcpdump log with the
//! capture's own frame numbers, the messages for bad files, and the scenario
//! "Replay in the simulator" hands to the playground. `crates/capture-web`
//! only puts this markup on the page and forwards clicks.

use farewell_capture::explain;
use farewell_capture::infer::{Certainty, Inference, SegmentView};
use farewell_capture::{replay, trace, Capture, CaptureError, Limits, Reader};
use farewell_diagram::{escape, layout, render_svg_with, standalone_css, SvgOptions, Theme};
use farewell_engine::{Host, Platform, TcpState};
use std::fmt::Write as _;

/// The view's own styles (the page's buttons and the diagram's stylesheet
/// are the playground's).
pub const CSS: &str = include_str!("view.css");

/// Bytes read from the file per slice. The reading runs in the capture
/// view's Web Worker, so a slice holds no page up; it only bounds the memory
/// a slice takes and how often the progress can move (a slice parses in
/// about 5 ms natively).
pub const PIECE_BYTES: usize = 1024 * 1024;

/// Segments of one connection drawn and explained at most (its last ones,
/// where the close is): a close diagram with more is unreadable, and laying
/// out its labels would hold the page (150 segments took about 150 ms in
/// headless Chromium here, most of it SVG text).
pub const MAX_SHOWN_SEGMENTS: usize = 100;

/// Connections the picker lists at most (the first ones, and the one
/// shown); a number field reaches the others. A list of thousands is no use
/// to read, and laying it out held the page for over 100 ms (4,000 options:
/// 60 ms to parse, 190–230 ms to lay out, in headless Chromium here).
pub const MAX_LISTED: usize = 100;

/// What every message about a bad file ends with.
pub const UNCHANGED: &str = "The current scenario is unchanged.";

/// A capture being read, slice by slice.
pub struct Loading {
    name: String,
    size: f64,
    reader: Reader,
}

impl Loading {
    /// A file named `name` of `size` bytes (as the browser's `File` says).
    pub fn new(name: &str, size: f64) -> Loading {
        let mut reader = Reader::new(Limits::bounded());
        // Room for the segments a file this size holds, at once: growing the
        // list as it fills copies it, a long pause once it is large.
        reader.reserve(size.clamp(0.0, 1e12) as usize);
        Loading {
            name: name.to_string(),
            size: size.max(0.0),
            reader,
        }
    }

    /// The next slice of the file. An error is final, in words for the page.
    pub fn push(&mut self, piece: &[u8]) -> Result<(), String> {
        self.reader.push(piece).map_err(|e| self.refused(&e))
    }

    /// The next slice to read, `(start, end)` in the file, or `None` when the
    /// file is read or the reading stopped at a limit.
    pub fn next_slice(&self) -> Option<(f64, f64)> {
        let at = self.reader.bytes_read() as f64;
        if self.reader.stopped().is_some() || at >= self.size {
            return None;
        }
        Some((at, (at + PIECE_BYTES as f64).min(self.size)))
    }

    /// How far the reading is, 0 to 1.
    pub fn fraction(&self) -> f64 {
        if self.size <= 0.0 {
            return 1.0;
        }
        (self.reader.bytes_read() as f64 / self.size).min(1.0)
    }

    /// `Reading close.pcap: 12.5 of 480.0 MB, 84,000 frames`.
    pub fn progress_text(&self) -> String {
        progress_text(
            &self.name,
            self.reader.bytes_read() as f64,
            self.size,
            self.reader.frames(),
        )
    }

    fn refused(&self, e: &CaptureError) -> String {
        format!(
            "Could not read {} as a capture: {e}. {UNCHANGED}",
            shown_name(&self.name)
        )
    }

    /// The end of the file: the capture, or why there is nothing to show.
    pub fn finish(self) -> Result<Loaded, String> {
        let name = self.name.clone();
        let capture = match self.reader.finish() {
            Ok(c) => c,
            Err(e) => {
                return Err(format!(
                    "Could not read {} as a capture: {e}. {UNCHANGED}",
                    shown_name(&name)
                ))
            }
        };
        let Some(default) = capture.default_connection() else {
            return Err(format!(
                "{} has no TCP segments ({} frames read{}): nothing to draw. {UNCHANGED}",
                shown_name(&name),
                thousands(u64::from(capture.frames)),
                if capture.cut_short {
                    ", and it is cut short"
                } else {
                    ""
                }
            ));
        };
        Ok(Loaded {
            name,
            default,
            capture,
        })
    }
}

/// A file name as the page shows it: at most 60 characters, no control
/// characters.
fn shown_name(name: &str) -> String {
    let clean: String = name
        .chars()
        .map(|c| if c.is_control() { '\u{fffd}' } else { c })
        .collect();
    if clean.chars().count() > 60 {
        format!("“{}…”", clean.chars().take(59).collect::<String>())
    } else {
        format!("“{clean}”")
    }
}

fn megabytes(bytes: f64) -> String {
    format!("{:.1} MB", bytes / 1e6)
}

pub use farewell_num::thousands;

/// A capture read, with at least one TCP connection.
pub struct Loaded {
    pub name: String,
    pub capture: Capture,
    /// The connection shown first: the first with a FIN or RST.
    pub default: usize,
}

impl Loaded {
    /// One line about the whole file.
    pub fn summary(&self) -> String {
        let c = &self.capture;
        let n = c.connections.len();
        format!(
            "{}: {} frames, {} TCP segments in {} connection{}.",
            shown_name(&self.name),
            thousands(u64::from(c.frames)),
            thousands(c.packets.len() as u64),
            thousands(n as u64),
            if n == 1 { "" } else { "s" }
        )
    }

    /// What was left out of the file, one sentence each.
    pub fn notes(&self) -> Vec<String> {
        explain::reader_notes(&self.capture)
    }

    /// The connection picker's entries: `(index, label)`.
    pub fn connection_rows(&self) -> Vec<(usize, String)> {
        self.capture
            .connections
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let end = match (c.has_fin, c.has_rst) {
                    (true, true) => ", FIN and RST",
                    (true, false) => ", FIN",
                    (false, true) => ", RST",
                    (false, false) => ", no FIN or RST",
                };
                let inc = if c.incarnation > 1 {
                    format!(" (incarnation {})", c.incarnation)
                } else {
                    String::new()
                };
                (
                    i,
                    format!(
                        "{}. {} → {}{inc}: {} segments{end}",
                        i + 1,
                        c.a,
                        c.b,
                        thousands(c.packets.len() as u64)
                    ),
                )
            })
            .collect()
    }

    /// The picker's entries when connection `shown` is shown: the first
    /// [`MAX_LISTED`], and `shown` in its place if it is not among them.
    pub fn listed_rows(&self, shown: usize) -> Vec<(usize, String)> {
        let mut rows = self.connection_rows();
        let mut kept: Vec<(usize, String)> = Vec::with_capacity(MAX_LISTED + 1);
        let extra = (shown >= MAX_LISTED && shown < rows.len()).then(|| rows.swap_remove(shown));
        rows.truncate(MAX_LISTED);
        kept.extend(rows);
        kept.extend(extra);
        kept
    }

    /// Infers and lays out connection `conn` (its last
    /// [`MAX_SHOWN_SEGMENTS`] segments) on `platform`, or on the platform its
    /// SYN suggests, or Linux.
    pub fn show(&self, conn: usize, platform: Option<Platform>) -> Result<ConnView, String> {
        let count = self.capture.connections.len();
        let Some(c) = self.capture.connections.get(conn) else {
            return Err(format!(
                "There is no connection {}: the capture has {count}.",
                conn + 1
            ));
        };
        let guess = replay::guess_platform(&self.capture, conn);
        let (platform, stack_note) = match (platform, &guess) {
            (Some(p), _) => (p, format!("Assumed stack: {p} (chosen).")),
            (None, Some((p, why))) => (*p, format!("Assumed stack: {p}, guessed because {why}.")),
            (None, None) => (
                Platform::Linux,
                "Assumed stack: linux (the SYN does not say; choose another below).".to_string(),
            ),
        };
        // Only this connection, and at most its last segments: the close.
        let shown = c.packets.len().min(MAX_SHOWN_SEGMENTS);
        let from = c.packets.len() - shown;
        let mut notes = Vec::new();
        if shown < c.packets.len() {
            notes.push(format!(
                "Only the last {} of this connection's {} segments (from frame {}) are drawn and explained, where it closes; the states before them are assumed ESTABLISHED.",
                thousands(shown as u64),
                thousands(c.packets.len() as u64),
                self.capture.packets[c.packets[from] as usize].frame
            ));
        }
        let mut sub = Capture {
            frames: self.capture.frames,
            ..Capture::default()
        };
        sub.packets = c.packets[from..]
            .iter()
            .map(|&i| self.capture.packets[i as usize].clone())
            .collect();
        let mut one = c.clone();
        one.packets = (0..shown as u32).collect();
        sub.connections.push(one);
        let opts = farewell_capture::Options {
            profile: platform.profile(),
        };
        let inf = farewell_capture::infer(&sub, 0, &opts).map_err(|e| e.to_string())?;
        let replay = replay::scenario_numbered(&sub, &inf, conn + 1);
        let replay_json = replay
            .scenario
            .to_json_pretty()
            .map_err(|e| format!("the replay has no JSON form: {e}"))?;
        Ok(ConnView {
            file_name: file_name(&self.name, conn),
            title: format!("{}, connection {}", shown_name(&self.name), conn + 1),
            index: conn,
            platform,
            stack_note,
            position: explain::vantage_text(&inf),
            svg: diagram_svg(&inf),
            narration: explain::narration(&inf),
            log: log_lines(&inf),
            notes,
            replay_json,
            replay_notes: replay.notes,
            at_end: inf.at_end,
            inference: inf,
        })
    }
}

/// One connection, ready to show.
pub struct ConnView {
    pub index: usize,
    pub platform: Platform,
    /// Which stack the timers come from, and why.
    pub stack_note: String,
    /// Where the capture was taken.
    pub position: String,
    /// The diagram (the playground's renderer, with the marks of
    /// [`diagram_svg`]).
    pub svg: String,
    pub narration: Vec<String>,
    pub log: Vec<LogLine>,
    pub notes: Vec<String>,
    /// The scenario "Replay in the simulator" imports.
    pub replay_json: String,
    pub replay_notes: Vec<String>,
    pub at_end: [TcpState; 2],
    /// What the diagram file is called when downloaded:
    /// `capture-close-connection-1.svg`.
    pub file_name: String,
    /// The diagram file's title.
    pub title: String,
    pub inference: Inference,
}

impl ConnView {
    /// The diagram as an SVG file of its own, in `theme`'s colours (the
    /// view's "Download the diagram (SVG)").
    pub fn file_svg(&self, theme: Theme) -> String {
        diagram_file(&self.inference, theme, &self.title)
    }
}

/// `capture-<file name without its extension>-connection-<n>.svg`, the name
/// kept to letters, digits, `-` and `_` (at most 40 of them).
fn file_name(name: &str, conn: usize) -> String {
    let stem = name.rsplit_once('.').map_or(name, |(s, _)| s);
    let mut clean: String = stem
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .take(40)
        .collect();
    if clean.trim_matches('-').is_empty() {
        clean = "file".to_string();
    }
    format!("capture-{clean}-connection-{}.svg", conn + 1)
}

/// The legend under the diagram, one entry each: (swatch class, text).
pub const LEGEND: [(&str, &str); 4] = [
    (
        "cv-swatch-seen",
        "Solid band: a state seen at the host the capture was taken on.",
    ),
    (
        "cv-swatch-inferred",
        "Hatched band: an inferred state: the far side, a capture between the hosts, or a timer; its start time is estimated.",
    ),
    (
        "cv-swatch-mark",
        "An arrow's label starts with the capture's frame number (“#7”), then “retransmission”, “dup ACK” or “lost?” where the segments show it.",
    ),
    (
        "cv-swatch-lost",
        "✕: a segment presumed lost (it was sent again with no sign the peer had it).",
    ),
];

/// The legend's hatched swatch: the diagram's hatch, drawn as SVG (a CSS
/// `repeating-linear-gradient` took 15 ms to paint the first time in
/// headless Chromium here).
const HATCH_SWATCH: &str = r#"<svg width="8" height="14" viewBox="0 0 8 14"><defs><pattern id="cv-hatch-swatch" width="4" height="4" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><line x1="0" y1="0" x2="0" y2="4" stroke="currentColor" stroke-width="2"/></pattern></defs><rect width="8" height="14" rx="3" fill="url(#cv-hatch-swatch)"/></svg>"#;

/// One line of the tcpdump log.
#[derive(Clone, Debug, PartialEq)]
pub struct LogLine {
    /// The capture's frame number (Wireshark's).
    pub frame: u32,
    /// `+0.200000 s  A > B: Flags [F.], seq 6, ack 1, length 0`.
    pub text: String,
    /// `retransmission`, `dup ACK`, `presumed lost`, `seen twice`.
    pub marks: Vec<&'static str>,
}

fn marks(s: &SegmentView) -> Vec<&'static str> {
    let mut m = Vec::new();
    if s.retransmission {
        m.push("retransmission");
    }
    if s.duplicate_ack {
        m.push("dup ACK");
    }
    if s.presumed_lost {
        m.push("presumed lost");
    }
    if s.duplicate {
        m.push("seen twice");
    }
    m
}

/// The connection's segments as tcpdump prints them (relative sequence
/// numbers), numbered by the capture's frames.
pub fn log_lines(inf: &Inference) -> Vec<LogLine> {
    inf.segments
        .iter()
        .map(|s| {
            let d = s.t_us.saturating_sub(inf.first_us).max(0);
            let mut text = format!(
                "+{}.{:06} s  {} > {}: Flags [{}], seq {}",
                d / 1_000_000,
                d % 1_000_000,
                s.from,
                s.from.peer(),
                s.flags.tcpdump(),
                s.seq
            );
            if s.len > 0 {
                let _ = write!(text, ":{}", s.seq.wrapping_add(s.len));
            }
            if let Some(a) = s.ack {
                let _ = write!(text, ", ack {a}");
            }
            let _ = write!(text, ", length {}", s.len);
            LogLine {
                frame: s.frame,
                text,
                marks: marks(s),
            }
        })
        .collect()
}

/// Whether the state band of `host` that starts at `t_ms` (trace time) in
/// `state` is inferred rather than seen, and why.
fn band_certainty(
    inf: &Inference,
    origin: i64,
    host: Host,
    state: TcpState,
    t_ms: f64,
) -> Option<&'static str> {
    if t_ms <= 0.0 && state == inf.start[host.index()] {
        // Before the first frame: assumed, unless the handshake shows it.
        return matches!(state, TcpState::Established).then_some("assumed before the capture");
    }
    let c = inf.changes.iter().find(|c| {
        c.host == host && c.to == state && ((c.t_us - origin) as f64 / 1000.0 - t_ms).abs() < 0.0015
    })?;
    match c.certainty {
        Certainty::Seen => None,
        Certainty::Inferred => Some("inferred"),
        Certainty::Timer => Some("a timer of the assumed stack"),
        Certainty::AfterCapture => Some("a timer, after the capture ends"),
    }
}

/// The styles of [`diagram_svg`]'s own marks in a file of its own (the page
/// has `view.css`'s, which follow its theme).
const FILE_MARKS_CSS: &str = ".cv-hatch-line{stroke:#fff;stroke-width:2.2;stroke-opacity:.85}.cv-inferred{stroke:var(--text);stroke-width:.6;stroke-dasharray:2 2}";

/// The diagram of an inferred connection: the playground's renderer, with
/// inferred state bands hatched (each with a tooltip saying why), and each
/// arrow's label starting with its frame number and what it shows
/// (retransmission, dup ACK, lost?).
pub fn diagram_svg(inf: &Inference) -> String {
    marked_svg(
        inf,
        &SvgOptions {
            standalone: false,
            theme: Theme::Light,
            title: None,
        },
    )
}

/// [`diagram_svg`] as a standalone SVG file (size, background, stylesheet and
/// colours in it, as the playground's SVG export and `farewell explain
/// --format svg` write), titled `title`.
pub fn diagram_file(inf: &Inference, theme: Theme, title: &str) -> String {
    marked_svg(
        inf,
        &SvgOptions {
            standalone: true,
            theme,
            title: Some(title.to_string()),
        },
    )
}

fn marked_svg(inf: &Inference, opts: &SvgOptions) -> String {
    let trace = trace::to_trace(inf);
    let mut d = layout(&trace);
    let origin = trace::origin_us(inf);
    // Each arrow's label starts with its frame number and what it shows: in
    // the label itself, as more text elements would cost the page more to
    // lay out.
    let shown: Vec<&SegmentView> = inf.segments.iter().filter(|s| !s.duplicate).collect();
    for a in &mut d.arrows {
        if let Some(s) = shown.get(a.id as usize) {
            a.label = format!("{} {}", frame_label(s), a.label);
        }
    }
    let svg = render_svg_with(&d, opts)
        .replacen(
            "click a segment to drop it or bring it back",
            "drawn from a capture; hatched state bands are inferred",
            1,
        )
        .replacen(
            r#"data-testid="diagram""#,
            r#"data-testid="capture-svg""#,
            1,
        )
        .replace(": click to drop it</title>", "</title>")
        .replace(": click to bring it back</title>", "</title>");
    let mut marks_svg = String::new();
    if opts.standalone {
        let _ = write!(
            marks_svg,
            "<style>{}</style>",
            standalone_css(FILE_MARKS_CSS, opts.theme)
        );
    }
    marks_svg.push_str(
        r#"<defs><pattern id="cv-hatch" width="5" height="5" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><line x1="0" y1="0" x2="0" y2="5" class="cv-hatch-line"/></pattern></defs><g class="cv-marks">"#,
    );
    for b in &d.bands {
        let Some(why) = band_certainty(inf, origin, b.host, b.state, b.t0) else {
            continue;
        };
        let x = if b.host == Host::A { b.x - 8.0 } else { b.x };
        let _ = write!(
            marks_svg,
            r#"<rect class="cv-inferred" data-host="{}" data-state="{}" x="{x:.1}" y="{:.1}" width="8" height="{:.1}" rx="3" fill="url(#cv-hatch)"><title>{} {}: {why}</title></rect>"#,
            b.host,
            b.state.rfc_name(),
            b.y0,
            (b.y1 - b.y0).max(0.0),
            b.host,
            b.state.rfc_name(),
        );
    }
    marks_svg.push_str("</g></svg>");
    match svg.rfind("</svg>") {
        Some(i) => format!("{}{marks_svg}", &svg[..i]),
        None => svg,
    }
}

/// `#9 retransmission lost?`: the frame number and the marks, as an arrow's
/// label starts.
pub fn frame_label(s: &SegmentView) -> String {
    let mut label = format!("#{}", s.frame);
    for m in marks(s) {
        label.push(' ');
        label.push_str(if m == "presumed lost" { "lost?" } else { m });
    }
    label
}

/// Every platform the stack picker offers: (id, label).
pub fn platforms() -> Vec<(&'static str, String)> {
    Platform::ALL
        .iter()
        .map(|p| (p.id(), p.id().to_string()))
        .collect()
}

/// The view's markup for a connection.
pub fn page_html(loaded: &Loaded, v: &ConnView) -> String {
    page_markup(loaded, v, true)
}

/// [`page_html`] with the diagram's box left empty, for the page to put
/// [`ConnView::svg`] in a task of its own: styling and laying out the whole
/// view at once, the first time, took 60–75 ms in headless Chromium here
/// (about half of it the diagram's), over the 50 ms a task may take.
pub fn page_shell_html(loaded: &Loaded, v: &ConnView) -> String {
    page_markup(loaded, v, false)
}

fn page_markup(loaded: &Loaded, v: &ConnView, with_diagram: bool) -> String {
    let mut o = String::with_capacity(v.svg.len() + 8192);
    o.push_str(r#"<section class="cv" aria-labelledby="cv-title">"#);
    head(
        &mut o,
        &format!("Capture {}", shown_name(&loaded.name)),
        true,
    );
    let _ = write!(
        o,
        r#"<p class="cv-summary" data-testid="capture-summary">{}</p>"#,
        escape(&loaded.summary())
    );
    let notes: Vec<String> = loaded.notes().into_iter().chain(v.notes.clone()).collect();
    if !notes.is_empty() {
        o.push_str(r#"<ul class="cv-notes" data-testid="capture-notes">"#);
        for n in &notes {
            let _ = write!(o, "<li>{}</li>", escape(n));
        }
        o.push_str("</ul>");
    }
    o.push_str(r#"<div class="cv-pickers"><label>Connection <select data-cv="conn" data-testid="capture-conn">"#);
    for (i, label) in loaded.listed_rows(v.index) {
        let _ = write!(
            o,
            r#"<option value="{i}"{}>{}</option>"#,
            if i == v.index { r#" selected="""# } else { "" },
            escape(&label)
        );
    }
    o.push_str("</select></label>");
    let count = loaded.capture.connections.len();
    if count > MAX_LISTED {
        let _ = write!(
            o,
            r#"<label>or number (1–{count}) <input type="number" data-cv="conn-number" data-testid="capture-conn-number" min="1" max="{count}" value="{}"/></label><p class="cv-listed">The list shows the first {} of {} connections.</p>"#,
            v.index + 1,
            MAX_LISTED,
            thousands(count as u64)
        );
    }
    o.push_str(r#"<label>Stack <select data-cv="platform" data-testid="capture-platform">"#);
    for (id, label) in platforms() {
        let _ = write!(
            o,
            r#"<option value="{id}"{}>{}</option>"#,
            if id == v.platform.id() {
                r#" selected="""#
            } else {
                ""
            },
            escape(&label)
        );
    }
    o.push_str("</select></label></div>");
    let _ = write!(
        o,
        r#"<p class="cv-position">{}. {}</p>"#,
        escape(&capitalised(&v.position)),
        escape(&v.stack_note)
    );
    o.push_str(r#"<ul class="cv-legend" data-testid="capture-legend">"#);
    for (class, text) in LEGEND {
        let _ = write!(
            o,
            r#"<li><span class="cv-swatch {class}" aria-hidden="true">{}</span>{}</li>"#,
            if class == "cv-swatch-inferred" {
                HATCH_SWATCH
            } else {
                ""
            },
            escape(text)
        );
    }
    o.push_str("</ul>");
    let _ = write!(
        o,
        r#"<div class="cv-diagram" data-testid="capture-diagram" aria-busy="{}">{}</div><div class="button-row"><button type="button" class="button" data-cv="svg" data-testid="capture-download-svg" title="Save this diagram as {}">Download the diagram (SVG)</button></div>"#,
        !with_diagram,
        if with_diagram { v.svg.as_str() } else { "" },
        escape(&v.file_name)
    );
    // Below the diagram: laid out only when scrolled near (view.css), so
    // the first frame of a long connection's view does not lay out its
    // whole log.
    o.push_str(r#"<div class="cv-below"><h2 class="panel-title">What happened</h2><ul class="cv-narration" data-testid="capture-narration">"#);
    for n in &v.narration {
        let _ = write!(o, "<li>{}</li>", escape(n));
    }
    let _ = write!(
        o,
        "<li>At the last frame: A {}, B {}.</li></ul>",
        v.at_end[0].rfc_name(),
        v.at_end[1].rfc_name()
    );
    o.push_str(r#"<h2 class="panel-title">The capture, as tcpdump prints it</h2><ol class="cv-log" data-testid="capture-log">"#);
    for l in &v.log {
        let _ = write!(
            o,
            r#"<li data-frame="{0}"><span class="cv-frame-no">{0}</span> {1}"#,
            l.frame,
            escape(&l.text)
        );
        for m in &l.marks {
            let _ = write!(o, r#" <span class="cv-mark">[{m}]</span>"#);
        }
        o.push_str("</li>");
    }
    o.push_str("</ol>");
    o.push_str(
        r#"<h2 class="panel-title">Replay in the simulator</h2><ul class="cv-replay-notes">"#,
    );
    for n in &v.replay_notes {
        let _ = write!(o, "<li>{}</li>", escape(n));
    }
    o.push_str("</ul></div></section>");
    o
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

fn head(o: &mut String, title: &str, replay: bool) {
    let _ = write!(
        o,
        r#"<header class="cv-head"><h1 id="cv-title" class="cv-title">{}</h1><div class="button-row"><button type="button" class="button" data-cv="back" data-testid="capture-back">← Back to the scenario</button>"#,
        escape(title)
    );
    if replay {
        o.push_str(r#"<button type="button" class="button primary" data-cv="replay" data-testid="capture-replay" title="Open this connection as a scenario in the playground">Replay in the simulator</button>"#);
    }
    o.push_str("</div></header>");
}

fn progress_text(name: &str, read: f64, size: f64, frames: u32) -> String {
    format!(
        "Reading {}: {} of {}, {} frames",
        shown_name(name),
        megabytes(read),
        megabytes(size),
        thousands(u64::from(frames))
    )
}

/// The view while the file is read: a progress bar and its text.
pub fn progress_html(l: &Loading) -> String {
    progress_markup(&l.name, l.fraction(), &l.progress_text())
}

/// [`progress_html`] before the first slice is read, for a file named `name`
/// of `size` bytes (the page shows it while the worker starts; it moves the
/// bar and the text as the worker reports).
pub fn progress_start_html(name: &str, size: f64) -> String {
    progress_markup(name, 0.0, &progress_text(name, 0.0, size.max(0.0), 0))
}

fn progress_markup(name: &str, fraction: f64, text: &str) -> String {
    let mut o = String::from(r#"<section class="cv" aria-labelledby="cv-title" aria-busy="true">"#);
    head(&mut o, &format!("Capture {}", shown_name(name)), false);
    let _ = write!(
        o,
        r#"<progress class="cv-progress" data-testid="capture-progress" max="1" value="{:.3}" aria-label="Reading the capture"></progress><p class="cv-progress-text" role="status" data-testid="capture-progress-text">{}</p><div class="button-row"><button type="button" class="button" data-cv="cancel" data-testid="capture-cancel">Cancel reading</button></div></section>"#,
        fraction,
        escape(text)
    );
    o
}

/// The view when a file cannot be shown.
pub fn message_html(message: &str) -> String {
    let mut o = String::from(r#"<section class="cv" aria-labelledby="cv-title">"#);
    head(&mut o, "This capture cannot be shown", false);
    let _ = write!(
        o,
        r#"<p class="cv-message" role="alert" data-testid="capture-message">{}</p></section>"#,
        escape(message)
    );
    o
}
