//! The app state and every user intent as an [`Action`] (one `use_reducer`).
//!
//! [`Share`] is the part a share link will encode (scenario, chosen built-in,
//! playback time, speed); [`AppState`] adds what is derived from it (the trace
//! and its diagram) and what is only about this tab (playing, theme, notices).
//! The simulator is deterministic and takes microseconds, so every edit
//! re-simulates at once inside the reducer.

use crate::edit;
pub use crate::notice::{Notice, NoticeKind};
use farewell_diagram::{Diagram, SvgOptions, TableRow};
use farewell_engine::{builtin, simulate, Do, Host, Platform, Scenario, Trace};
use std::rc::Rc;

/// Playback speed: simulated time per real time, or "skip waits", which moves
/// along the diagram's compressed time axis at a steady pace, so quick exchanges
/// play in slow motion and long idle stretches (the axis breaks) pass at once.
/// The share link's `v` parameter spells it.
pub use farewell_share::Speed;
pub use farewell_share::{Controls, Embed, Fragment};

pub const fn speed_label(s: Speed) -> &'static str {
    match s {
        Speed::X1 => "1×",
        Speed::X10 => "10×",
        Speed::X100 => "100×",
        Speed::SkipWaits => "skip waits",
    }
}

/// Diagram pixels per real second in "skip waits" mode: a 20 ms hop drawn ~60 px
/// tall takes about half a second.
pub const SKIP_WAITS_PX_PER_S: f64 = 120.0;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Theme {
    /// Follow `prefers-color-scheme`.
    System,
    Light,
    Dark,
}

/// What a share link encodes (scenario, built-in, playback position and speed,
/// embedding): the share crate's [`Fragment`], one definition for the link and
/// the app.
pub type Share = Fragment;

/// A simulated scenario: the trace, its diagram, and the instants playback can
/// step to.
#[derive(Debug)]
pub struct Sim {
    pub trace: Trace,
    pub diagram: Diagram,
    /// The diagram's static SVG markup (the same renderer as the SVG export).
    pub svg: String,
    /// Sorted, distinct times at which something happens (an event, or a segment
    /// arriving): the stops of "step" forward and back.
    pub stops: Vec<f64>,
    table: std::cell::OnceCell<Vec<TableRow>>,
}

impl Sim {
    pub fn run(scenario: &Scenario) -> Sim {
        let trace = simulate(scenario);
        let diagram = farewell_diagram::layout(&trace);
        let svg = farewell_diagram::render_svg_with(&diagram, &SvgOptions::default());
        let stops = farewell_diagram::stops(&trace);
        Sim {
            trace,
            diagram,
            svg,
            stops,
            table: Default::default(),
        }
    }

    /// The diagram as a table, built the first time it is shown.
    pub fn table(&self) -> &[TableRow] {
        self.table
            .get_or_init(|| farewell_diagram::diagram_table(&self.trace))
    }

    pub fn end_ms(&self) -> f64 {
        self.trace.end_ms()
    }

    /// What to tell the user when the work budget cut the run short.
    pub fn budget_notice(&self) -> Option<Notice> {
        let (_, stop) = self.trace.end()?;
        stop.map(|stop| Notice::cut_short(self.end_ms(), &stop.to_string()))
    }

    /// Length of the scrubber: the diagram's time axis in pixels, so a long idle
    /// stretch drawn as an axis break is short on the scrubber too.
    pub fn scrub_len(&self) -> f64 {
        let map = &self.diagram.time_map;
        (map.y_of(self.end_ms()) - map.y_of(0.0)).max(1.0)
    }

    /// Scrubber position of simulated time `t_ms`.
    pub fn scrub_pos(&self, t_ms: f64) -> f64 {
        let map = &self.diagram.time_map;
        map.y_of(t_ms) - map.y_of(0.0)
    }

    /// Simulated time at scrubber position `pos`.
    pub fn scrub_time(&self, pos: f64) -> f64 {
        let map = &self.diagram.time_map;
        farewell_num::clamp(map.t_of(pos + map.y_of(0.0)), 0.0, self.end_ms())
    }
}

/// The one handle to a simulation that the state and the components pass
/// around. Two handles are equal when they are the same run (`Rc::ptr_eq`):
/// a simulation is never changed after it is made, so identity is equality,
/// and comparing a trace of thousands of events on every render is avoided.
#[derive(Clone, Debug)]
pub struct SimRef(Rc<Sim>);

impl SimRef {
    pub fn new(sim: Sim) -> SimRef {
        SimRef(Rc::new(sim))
    }

    /// Whether both handles are the same run (what `==` says).
    pub fn ptr_eq(a: &SimRef, b: &SimRef) -> bool {
        Rc::ptr_eq(&a.0, &b.0)
    }
}

impl PartialEq for SimRef {
    fn eq(&self, other: &SimRef) -> bool {
        SimRef::ptr_eq(self, other)
    }
}

impl std::ops::Deref for SimRef {
    type Target = Sim;
    fn deref(&self) -> &Sim {
        &self.0
    }
}

/// Most lines the tcpdump log keeps in the page at once: a long trace (up to the
/// work budget's 50,000 events) is shown as a window that follows playback, so
/// the page never builds or re-renders tens of thousands of rows.
pub const LOG_WINDOW: usize = 240;

/// The trace lines the log shows: all of them, or [`LOG_WINDOW`] around the
/// line playback is on.
pub fn log_window(len: usize, current: Option<usize>) -> std::ops::Range<usize> {
    if len <= LOG_WINDOW {
        return 0..len;
    }
    let start = current
        .unwrap_or(0)
        .saturating_sub(LOG_WINDOW / 2)
        .min(len - LOG_WINDOW);
    start..start + LOG_WINDOW
}

/// What the log says above a window.
pub fn log_window_note(window: &std::ops::Range<usize>, len: usize) -> String {
    format!(
        "Lines {}–{} of {len}; the window follows playback.",
        window.start + 1,
        window.end
    )
}

/// A field of one scenario action, as edited in the actions panel.
#[derive(Clone, Debug, PartialEq)]
pub enum ActionField {
    Host(Host),
    Do(Do),
    /// Absolute time of the call.
    AtMs(f64),
    /// Time after this host read the peer's FIN.
    AfterEofMs(f64),
    Bytes(u32),
}

/// Every user intent.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    SelectBuiltin(String),
    SetPlatform(Platform),
    /// `None`: the platform's own MSL.
    SetMsl(Option<f64>),
    SetDelay(f64),
    SetLoss(f64),
    SetSeed(u64),
    SetHandshake(bool),
    /// Drop the segment with this id, or restore it if a rule dropped it.
    ToggleDrop(u32),
    ClearDrops,
    EditAction(usize, ActionField),
    AddAction,
    RemoveAction(usize),
    Play,
    Pause,
    TogglePlay,
    /// The animation loop: this much real time passed (ms).
    Tick(f64),
    StepForward,
    StepBack,
    Seek(f64),
    /// The scrubber moved (a seek while it is held: steps are not announced).
    Scrub(f64),
    /// The scrubber was let go.
    ScrubEnd,
    /// Announce each step's narration to screen readers, or not.
    SetAnnounce(bool),
    /// Show or hide the diagram as a table.
    ToggleTable,
    SetSpeed(Speed),
    /// Fit the whole diagram in view, or let it scroll at full width.
    ToggleFit,
    SetTheme(Theme),
    /// Replace everything the share link holds (back/forward, a pasted link).
    Restore(Box<Share>),
    /// A scenario file the user imported (already parsed and validated).
    Import(Box<Scenario>),
    /// Tell the user something (e.g. an input that could not be read).
    ShowNotice(Notice),
    DismissNotice,
}

#[derive(Clone, Debug, PartialEq)]
pub struct AppState {
    pub share: Share,
    pub sim: SimRef,
    pub playing: bool,
    pub theme: Theme,
    /// A message for the user: why an edit was refused, what went wrong, or
    /// that something worked.
    pub notice: Option<Notice>,
    /// Each step's narration goes to a polite live region (remembered in
    /// localStorage).
    pub announce: bool,
    /// The scrubber is being dragged: a live region would flood, so it waits.
    pub scrubbing: bool,
    /// The diagram's table is open.
    pub table: bool,
}

impl Default for AppState {
    fn default() -> Self {
        AppState::new(Share::default())
    }
}

impl AppState {
    /// Builds the state for a share; an invalid scenario falls back to the default
    /// built-in with a notice saying why.
    pub fn new(share: Share) -> AppState {
        match share.scenario.validate() {
            Ok(()) => {
                let sim = SimRef::new(Sim::run(&share.scenario));
                let mut share = share;
                share.time_ms = farewell_num::clamp(share.time_ms, 0.0, sim.end_ms());
                AppState {
                    share,
                    notice: sim.budget_notice(),
                    sim,
                    playing: false,
                    theme: Theme::System,
                    announce: true,
                    scrubbing: false,
                    table: false,
                }
            }
            Err(e) => AppState {
                notice: Some(Notice::error(format!(
                    "That scenario cannot run ({e}); showing the default."
                ))),
                ..AppState::default()
            },
        }
    }

    pub fn time_ms(&self) -> f64 {
        self.share.time_ms
    }

    /// A copy with `f` applied (the state is small: the trace sits behind an `Rc`).
    fn with(self: &Rc<Self>, f: impl FnOnce(&mut AppState)) -> Rc<Self> {
        let mut next = AppState::clone(self);
        f(&mut next);
        Rc::new(next)
    }

    /// Applies a scenario edit: validates and re-simulates, keeping the playback
    /// position (clamped to the new trace). An invalid edit is refused with a notice.
    fn edit(self: &Rc<Self>, scenario: Scenario, builtin: Option<String>) -> Rc<Self> {
        match scenario.validate() {
            Ok(()) => {
                let sim = SimRef::new(Sim::run(&scenario));
                self.with(|s| {
                    s.share.time_ms = s.share.time_ms.min(sim.end_ms());
                    s.share.scenario = scenario;
                    s.share.builtin = builtin;
                    s.notice = sim.budget_notice();
                    s.sim = sim;
                })
            }
            Err(e) => self.with(|s| s.notice = Some(Notice::error(format!("Not applied: {e}")))),
        }
    }

    fn edit_scenario(self: &Rc<Self>, f: impl FnOnce(&mut Scenario)) -> Rc<Self> {
        let mut scenario = self.share.scenario.clone();
        f(&mut scenario);
        self.edit(scenario, self.share.builtin.clone())
    }

    fn seek(self: &Rc<Self>, t: f64) -> Rc<Self> {
        let t = if t.is_finite() { t } else { 0.0 };
        let end = self.sim.end_ms();
        self.with(|s| {
            s.share.time_ms = farewell_num::clamp(t, 0.0, end);
            if s.share.time_ms >= end {
                s.playing = false;
            }
        })
    }

    fn tick(self: &Rc<Self>, real_ms: f64) -> Rc<Self> {
        if !self.playing || real_ms.is_nan() || real_ms <= 0.0 {
            return self.clone();
        }
        // A hidden tab or a debugger pause gives one huge frame: do not leap.
        let real_ms = real_ms.min(100.0);
        let t = self.share.time_ms;
        let next = match self.speed() {
            Speed::X1 => t + real_ms,
            Speed::X10 => t + 10.0 * real_ms,
            Speed::X100 => t + 100.0 * real_ms,
            Speed::SkipWaits => {
                let map = &self.sim.diagram.time_map;
                let y = map.y_of(t) + SKIP_WAITS_PX_PER_S * real_ms / 1000.0;
                // Never stall (a flat stretch of the map would give back `t`).
                map.t_of(y).max(t + real_ms / 1000.0)
            }
        };
        self.seek(next)
    }
}

/// A fresh action for the actions panel: the other host closes a little after the
/// last scheduled call.
fn new_action(scenario: &Scenario) -> farewell_engine::Action {
    let last = scenario
        .actions
        .iter()
        .filter_map(|a| a.at_ms)
        .fold(0.0, f64::max);
    let host = scenario.actions.last().map_or(Host::A, |a| a.host.peer());
    farewell_engine::Action {
        at_ms: Some(last + 100.0),
        after_eof_ms: None,
        host,
        what: Do::Close,
        bytes: None,
    }
}

impl AppState {
    /// The next state after `action` (the Yew crate's `use_reducer` calls this).
    pub fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        match action {
            Action::SelectBuiltin(id) => match builtin::get(&id) {
                Some(scenario) => {
                    let next = self.edit(scenario, Some(id));
                    next.with(|s| {
                        s.share.time_ms = 0.0;
                        s.playing = false;
                    })
                }
                None => self.with(|s| {
                    s.notice = Some(Notice::error(format!(
                        "No built-in scenario {}.",
                        farewell_json::shown(&id)
                    )))
                }),
            },
            Action::SetPlatform(p) => self.edit_scenario(|s| s.platform = p),
            Action::SetMsl(msl) => self.edit_scenario(|s| s.msl_ms = msl),
            Action::SetDelay(d) => self.edit_scenario(|s| s.link.delay_ms = d),
            Action::SetLoss(l) => self.edit_scenario(|s| s.link.loss = l),
            Action::SetSeed(seed) => self.edit_scenario(|s| s.seed = seed),
            Action::SetHandshake(h) => self.edit_scenario(|s| s.handshake = h),
            Action::ToggleDrop(id) => {
                match edit::toggle_drop(&self.share.scenario, &self.sim.trace, id) {
                    Ok(scenario) => self.edit(scenario, self.share.builtin.clone()),
                    Err(e) => {
                        self.with(|s| s.notice = Some(Notice::warning(capitalize(&e.to_string()))))
                    }
                }
            }
            Action::ClearDrops => self.edit_scenario(|s| s.drops.clear()),
            Action::EditAction(i, field) => {
                if i >= self.share.scenario.actions.len() {
                    return self;
                }
                self.edit_scenario(|s| {
                    let a = &mut s.actions[i];
                    match field {
                        ActionField::Host(h) => a.host = h,
                        ActionField::Do(d) => {
                            a.what = d;
                            a.bytes = (d == Do::Send).then(|| a.bytes.unwrap_or(100));
                        }
                        ActionField::AtMs(t) => {
                            a.at_ms = Some(t);
                            a.after_eof_ms = None;
                        }
                        ActionField::AfterEofMs(t) => {
                            a.after_eof_ms = Some(t);
                            a.at_ms = None;
                        }
                        ActionField::Bytes(b) => a.bytes = Some(b),
                    }
                })
            }
            Action::AddAction => self.edit_scenario(|s| {
                let a = new_action(s);
                s.actions.push(a);
            }),
            Action::RemoveAction(i) => self.edit_scenario(|s| {
                if i < s.actions.len() {
                    s.actions.remove(i);
                }
            }),
            Action::Play => {
                let restart = self.share.time_ms >= self.sim.end_ms();
                self.with(|s| {
                    if restart {
                        s.share.time_ms = 0.0;
                    }
                    s.playing = true;
                })
            }
            Action::Pause => self.with(|s| s.playing = false),
            Action::TogglePlay => {
                let next = if self.playing {
                    Action::Pause
                } else {
                    Action::Play
                };
                self.reduce(next)
            }
            Action::Tick(real_ms) => self.tick(real_ms),
            Action::StepForward => {
                let t = self.share.time_ms;
                let next = self.sim.stops.iter().copied().find(|&s| s > t + 1e-9);
                self.with(|s| (s.playing, s.scrubbing) = (false, false))
                    .seek(next.unwrap_or_else(|| self.sim.end_ms()))
            }
            Action::StepBack => {
                let t = self.share.time_ms;
                let prev = self.sim.stops.iter().rev().copied().find(|&s| s < t - 1e-9);
                self.with(|s| (s.playing, s.scrubbing) = (false, false))
                    .seek(prev.unwrap_or(0.0))
            }
            Action::Seek(t) => self.seek(t),
            Action::Scrub(t) => self.with(|s| s.scrubbing = true).seek(t),
            Action::ScrubEnd => self.with(|s| s.scrubbing = false),
            Action::SetAnnounce(on) => self.with(|s| s.announce = on),
            Action::ToggleTable => self.with(|s| s.table = !s.table),
            Action::SetSpeed(speed) => self.with(|s| s.share.speed = Some(speed)),
            Action::ToggleFit => self.with(|s| s.share.fit = !s.share.fit),
            Action::SetTheme(theme) => self.with(|s| s.theme = theme),
            Action::Restore(share) => {
                let mut share = *share;
                share.embed = self.share.embed;
                // A view preference, like the theme: once chosen, fit stays on
                // (the toggle turns it off).
                share.fit |= self.share.fit;
                let mut next = AppState::new(share);
                next.theme = self.theme;
                next.announce = self.announce;
                next.table = self.table;
                Rc::new(next)
            }
            Action::Import(scenario) => {
                if let Err(e) = scenario.validate() {
                    return self.with(|s| {
                        s.notice = Some(Notice::error(format!(
                            "Not imported: {e}. The current scenario is unchanged."
                        )))
                    });
                }
                let name = scenario.name.clone();
                self.edit(*scenario, None).with(|s| {
                    s.share.time_ms = 0.0;
                    s.playing = false;
                    let imported = if name.is_empty() {
                        "Imported the scenario file.".to_string()
                    } else {
                        format!("Imported “{}”.", farewell_json::shown(&name))
                    };
                    s.notice = Some(match s.sim.budget_notice() {
                        Some(cut) => Notice::warning(format!("{imported} {}", cut.text)),
                        None => Notice::info(imported),
                    });
                })
            }
            Action::ShowNotice(notice) => self.with(|s| s.notice = Some(notice)),
            Action::DismissNotice => self.with(|s| s.notice = None),
        }
    }
}

/// The messages are ours and start with an ASCII letter; ASCII case mapping
/// keeps Unicode's case tables (~10 KB gzipped) out of the wasm.
fn capitalize(s: &str) -> String {
    let mut out = s.to_string();
    if let Some(first) = out.get_mut(..1) {
        first.make_ascii_uppercase();
    }
    out
}

impl AppState {
    /// The state a share link describes. A link that cannot be read (or names a
    /// scenario that cannot run) gives the default scenario and a notice saying
    /// why; nothing in the link reaches the page as markup.
    pub fn from_link(fragment: &str) -> AppState {
        match farewell_share::decode(fragment) {
            Ok(f) => {
                let autoplay = f.embed.autoplay;
                let mut state = AppState::new(f);
                state.playing = autoplay;
                // Tell a course author about a misspelt key (`platform=` for `p=`);
                // the rest of the link still applies.
                let ignored = farewell_share::ignored_keys(fragment);
                if state.notice.is_none() && !ignored.is_empty() {
                    state.notice = Some(Notice::warning(format!(
                        "This link's {} not part of the link format and {} ignored (see the README's share links).",
                        ignored
                            .iter()
                            .map(|k| format!("`{k}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                            + if ignored.len() == 1 { " is" } else { " are" },
                        if ignored.len() == 1 { "was" } else { "were" },
                    )));
                }
                state
            }
            Err(e) => AppState {
                notice: Some(Notice::error(format!(
                    "This link could not be opened ({e}); showing the default scenario."
                ))),
                ..AppState::default()
            },
        }
    }

    /// The share link of this state (without `#`).
    pub fn link(&self) -> String {
        // Playback stops anywhere; a tenth of a millisecond is precise enough
        // for a link and keeps it short.
        let mut share = self.share.clone();
        share.time_ms = (share.time_ms * 10.0).round() / 10.0;
        farewell_share::encode(&share)
    }

    /// Playback speed; "skip waits" unless the user or the link chose another.
    pub fn speed(&self) -> Speed {
        self.share.speed.unwrap_or(Speed::SkipWaits)
    }
}
