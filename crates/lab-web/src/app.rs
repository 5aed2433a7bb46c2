//! The lab page: one reducer; the runs (the run itself, then its remedies)
//! happen in the lab's Web Worker (`crate::worker`), so the main thread only
//! draws their progress and results. A newer config sends a newer job, which
//! replaces the worker's older one; reports for an older generation are
//! ignored.

use crate::wire::{Job, Report};
use crate::worker::Bridge;
use farewell_lab::{LabConfig, LabRun, Row, Summary};
use farewell_lab_view::drill::{drill_downs, readout, DrillDown};
use farewell_lab_view::embed::{link_fragment, read_link, View};
use farewell_lab_view::fields::{applies, placeholder, Field, Input, GROUPS};
use farewell_lab_view::knobs::{cli_command, from_fragment, set_text, to_fragment, value_of};
use farewell_lab_view::markup;
use farewell_lab_view::presets::PRESETS;
use farewell_lab_view::report::{outcome, remedies, Remedy};
use farewell_lab_view::runner::Progress;
use farewell_lab_view::{chart_svg, second_at, ChartOptions};
use farewell_num::{Fixed, Shortest};
use farewell_web::browser;
use std::collections::BTreeMap;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use yew::prelude::*;

#[derive(Clone, PartialEq)]
struct LabState {
    cfg: LabConfig,
    /// Embedded in a course page or not: the link's, for the page's life.
    view: View,
    /// Bumped for every new config: work for an older one stops.
    generation: u32,
    /// Text typed into a field that did not read, with the reason.
    drafts: BTreeMap<&'static str, (String, String)>,
    /// A link that could not be used.
    notice: Option<String>,
    progress: Option<Progress>,
    /// The seconds replayed so far, while the run is under way.
    rows: Vec<Row>,
    chart: AttrValue,
    /// The chart's chosen second (pointer, click or arrow keys): the
    /// readout's moment and the drilled-down connection's.
    cursor: Option<u32>,
    /// The connections to open in the main view, for the finished run.
    drills: Rc<Vec<DrillDown>>,
    run: Option<Rc<LabRun>>,
    remedies: Vec<(Remedy, Option<Summary>)>,
}

enum Msg {
    /// A field's text (the knob's link syntax).
    Field(&'static str, String),
    /// A whole config: a preset, a remedy tried, a link restored.
    Config(LabConfig),
    /// The fragment changed (Back, Forward, a pasted link).
    Link(String),
    /// What the worker said.
    Report(Report),
    /// The chart's chosen second.
    Cursor(u32),
}

impl LabState {
    fn new(cfg: LabConfig, notice: Option<String>) -> Self {
        LabState {
            chart: chart_svg(&cfg, &[], &ChartOptions::default()).into(),
            cursor: None,
            drills: Rc::default(),
            cfg,
            view: View::default(),
            generation: 0,
            drafts: BTreeMap::new(),
            notice,
            progress: None,
            rows: Vec::new(),
            run: None,
            remedies: Vec::new(),
        }
    }

    fn from_link(fragment: &str) -> Self {
        let link = read_link(fragment);
        let mut s = match link.config {
            Ok(cfg) => LabState::new(cfg, None),
            Err(e) => LabState::new(
                LabConfig::default(),
                Some(format!(
                    "This lab link could not be used ({e}); the lab shows its defaults."
                )),
            ),
        };
        s.view = link.view;
        s
    }

    /// A new config to run: everything computed for the old one goes.
    fn with_config(&self, cfg: LabConfig) -> Self {
        LabState {
            generation: self.generation + 1,
            drafts: BTreeMap::new(),
            notice: None,
            view: self.view,
            ..LabState::new(cfg, None)
        }
    }
}

impl LabState {
    /// The rows so far: the finished run's, or those of the run under way.
    fn rows(&self) -> &[Row] {
        match &self.run {
            Some(run) => &run.rows,
            None => &self.rows,
        }
    }

    /// The chart of the rows so far, with the chosen second.
    fn redraw(&mut self) {
        let opts = ChartOptions {
            cursor: self.cursor,
        };
        self.chart = chart_svg(&self.cfg, self.rows(), &opts).into();
    }

    /// The connections to open, for the finished run and the chosen second
    /// (the first second until one is chosen).
    fn drill(&mut self) {
        if let Some(run) = &self.run {
            self.drills = Rc::new(drill_downs(&self.cfg, run, self.cursor.unwrap_or(0)));
        }
    }

    /// What the worker said about the current generation.
    fn take(&mut self, report: Report) -> Result<(), String> {
        match report {
            Report::Progress {
                fraction,
                label,
                rows,
                ..
            } => {
                self.progress = Some(Progress { fraction, label });
                self.rows.extend(rows);
                self.redraw();
            }
            Report::Done { rows, summary, .. } => {
                let run = Report::run(rows, summary);
                self.progress = None;
                self.rows = Vec::new();
                self.run = Some(Rc::new(run));
                self.redraw();
                self.drill();
            }
            // In a task of its own after the run's results.
            Report::RemediesStarted { .. } => {
                self.remedies = remedies(&self.cfg).into_iter().map(|r| (r, None)).collect();
            }
            Report::Remedy { index, summary, .. } => {
                if let Some(r) = self.remedies.get_mut(index) {
                    r.1 = Some(summary);
                }
            }
            Report::Refused { message, .. } => return Err(message),
        }
        Ok(())
    }
}

impl Reducible for LabState {
    type Action = Msg;

    fn reduce(self: Rc<Self>, msg: Msg) -> Rc<Self> {
        let mut s = (*self).clone();
        match msg {
            Msg::Field(knob, text) => {
                let mut cfg = s.cfg.clone();
                match set_text(&mut cfg, knob, &text).and_then(|_| {
                    cfg.validate()
                        .map_err(|e| farewell_lab_view::knobs::KnobError {
                            knob: knob.to_string(),
                            message: e.message,
                        })
                }) {
                    Ok(()) if cfg == s.cfg => {
                        s.drafts.remove(knob);
                    }
                    Ok(()) => {
                        let mut next = s.with_config(cfg);
                        next.drafts = s.drafts;
                        next.drafts.remove(knob);
                        return Rc::new(next);
                    }
                    Err(e) => {
                        s.drafts.insert(knob, (text, e.message));
                    }
                }
            }
            Msg::Config(cfg) => return Rc::new(s.with_config(cfg)),
            Msg::Link(fragment) => {
                if fragment == link_fragment(&s.cfg, s.view) {
                    return self;
                }
                let restored = LabState::from_link(&fragment);
                let mut next = s.with_config(restored.cfg);
                next.notice = restored.notice;
                return Rc::new(next);
            }
            Msg::Cursor(t) => {
                let t = t.min(s.cfg.duration_s.saturating_sub(1));
                if s.cursor == Some(t) {
                    return self;
                }
                s.cursor = Some(t);
                s.redraw();
                s.drill();
            }
            Msg::Report(report) => {
                if report.generation() != s.generation {
                    return self;
                }
                if let Err(message) = s.take(report) {
                    s.progress = None;
                    s.notice = Some(format!("The lab could not run: {message}"));
                }
            }
        }
        Rc::new(s)
    }
}

/// The lab's worker: this same module (`lab.html`'s modulepreload and wasm
/// preload name it, with the build's version), imported by a small loader
/// script, where [`crate::start`] finds no window and serves the runs.
fn spawn_worker(on_report: impl Fn(Report) + 'static) -> Result<Bridge, String> {
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    // `href` of a link element is its absolute address.
    let url = |selector: &str| -> Result<String, String> {
        document
            .query_selector(selector)
            .ok()
            .flatten()
            .and_then(|l| l.dyn_into::<web_sys::HtmlLinkElement>().ok())
            .map(|l| l.href())
            .ok_or(format!(
                "lab.html does not name the lab module ({selector})"
            ))
    };
    let script = url("link[rel=modulepreload]")?;
    let wasm = url("link[rel=preload][as=fetch]")?;
    // A JavaScript string literal (a link's `href` is percent-encoded ASCII).
    let quote = |s: &str| format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""));
    // The wasm is fetched while the script is imported.
    let loader = format!(
        "const w=fetch({});import({}).then(m=>m.default({{module_or_path:w}}));",
        quote(&wasm),
        quote(&script)
    );
    let parts = js_sys::Array::of1(&loader.into());
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("text/javascript");
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options)
        .map_err(|_| "could not make the worker's loader")?;
    let loader_url =
        web_sys::Url::create_object_url_with_blob(&blob).map_err(|_| "no object URL")?;
    Bridge::spawn(&loader_url, on_report)
}

/// The worker, its first job already sent, and where its reports go once the
/// page is drawn.
struct Early {
    bridge: Result<Bridge, String>,
    sink: Sink,
    /// The job sent for generation 0, before the page was drawn.
    first: Job,
}

type Sink = Rc<std::cell::RefCell<Option<UseReducerDispatcher<LabState>>>>;

thread_local! {
    static EARLY: std::cell::RefCell<Option<Early>> = const { std::cell::RefCell::new(None) };
}

/// The job for generation `generation` of `s`: the run, then each remedy
/// (when the page shows them).
fn job(generation: u32, s: &LabState) -> Job {
    let mut configs = vec![to_fragment(&s.cfg)];
    if s.view.remedies() {
        configs.extend(remedies(&s.cfg).iter().map(|r| to_fragment(&r.config)));
    }
    Job {
        generation,
        configs,
    }
}

/// Marks an embed's page (`data-embed`) and starts the worker on the link's
/// config before the page is first drawn,
/// so its download, compilation and first slice overlap the page's start
/// (the worker answers only jobs, and the page is drawn before any answer).
pub fn start_worker_early() {
    let sink: Sink = Rc::default();
    let to = sink.clone();
    let bridge = spawn_worker(move |r| {
        if let Some(d) = to.borrow().as_ref() {
            d.dispatch(Msg::Report(r));
        }
    });
    let link = LabState::from_link(&browser::fragment());
    // Embedded in a course page: `data-embed` on the root, for the
    // stylesheet to show what an embed shows (`lab.css`) and for lab.html's
    // script to tell the page the lab's height.
    if let (Some(value), Some(root)) = (
        link.view.attribute(),
        web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.document_element()),
    ) {
        let _ = root.set_attribute("data-embed", value);
    }
    let first = job(0, &link);
    if let Ok(b) = &bridge {
        b.send(first.clone());
    }
    EARLY.with(|e| {
        *e.borrow_mut() = Some(Early {
            bridge,
            sink,
            first,
        })
    });
}

/// Sends each new config, with its remedies, to the worker (the first one
/// was sent by [`start_worker_early`]).
#[hook]
fn use_worker(state: &UseReducerHandle<LabState>) {
    let early = use_mut_ref(|| EARLY.with(|e| e.borrow_mut().take()));
    let dispatcher = state.dispatcher();
    let next = job(state.generation, state);
    use_effect_with(state.generation, move |_| {
        let early = early.borrow();
        let Some(early) = early.as_ref() else {
            return;
        };
        *early.sink.borrow_mut() = Some(dispatcher.clone());
        match &early.bridge {
            Ok(_) if next == early.first => {}
            Ok(b) => b.send(next),
            Err(message) => dispatcher.dispatch(Msg::Report(Report::Refused {
                generation: next.generation,
                message: message.clone(),
            })),
        }
    });
}

/// The fragment follows the config (a new history entry per change, so Back
/// undoes it), and Back/Forward restore the config.
#[hook]
fn use_link_sync(state: &UseReducerHandle<LabState>) {
    let link = link_fragment(&state.cfg, state.view);
    use_effect_with(link, |link| {
        if browser::fragment() != *link {
            browser::set_fragment(link, true);
        }
    });
    let dispatcher = state.dispatcher();
    use_effect_with((), move |_| {
        // Back and Forward fire popstate; a link edited in the address bar
        // fires hashchange. A fragment already shown is ignored.
        let listeners = web_sys::window().map(|w| {
            ["popstate", "hashchange"].map(|event| {
                let dispatcher = dispatcher.clone();
                gloo_events::EventListener::new(&w, event, move |_| {
                    dispatcher.dispatch(Msg::Link(browser::fragment()));
                })
            })
        });
        move || drop(listeners)
    });
}

#[function_component(LabApp)]
pub fn lab_app() -> Html {
    let state = use_reducer(|| LabState::from_link(&browser::fragment()));
    use_worker(&state);
    use_link_sync(&state);
    // The form is drawn in a task of its own after the first one (the
    // header, the chart and the worker started), so neither is one long task.
    let form_shown = use_state(|| false);
    let local = Local {
        table_open: use_state(|| false),
        table_page: use_state(|| 0usize),
        copied: use_state(|| false),
    };
    {
        let form_shown = form_shown.clone();
        use_effect_with((), move |_| {
            let timeout = gloo_timers::callback::Timeout::new(0, move || form_shown.set(true));
            move || drop(timeout)
        });
    }
    // One callback for the page's life, so the form (whose props include it)
    // is not redrawn by progress reports.
    let dispatch = {
        let d = state.dispatcher();
        (*use_memo((), move |_| Callback::from(move |m: Msg| d.dispatch(m)))).clone()
    };
    let form = use_memo(
        (
            *form_shown && !state.view.embed,
            KnobsProps {
                cfg: state.cfg.clone(),
                drafts: state.drafts.clone(),
                on: dispatch.clone(),
            },
        ),
        |(shown, p)| match shown {
            true => knobs(p),
            false => html! { <div class="panel lab-knobs"></div> },
        },
    );
    // Embedded (`embed=1`), the page's `data-embed` (set by
    // `start_worker_early` from the same link) hides, in `lab.css`, what a
    // course page does not show (`farewell_lab_view::embed`).
    html! {
        <div class="app lab-app">
            <header class="app-header">
                { farewell_web::components::header::brand(
                    "Farewell: the TIME_WAIT lab",
                    "Many connections a second: ports, TIME_WAIT and the kernel's limits",
                ) }
                <nav class="views" aria-label="Views"><a href="index.html">{ "One connection" }</a></nav>
            </header>
            if let Some(n) = &state.notice {
                <div class="notice error" role="alert">{ n }</div>
            }
            <div class="lab-layout">
                { (*form).clone() }
                { results(&state, &dispatch, &local) }
            </div>
        </div>
    }
}

/// What the form depends on: the config and the fields being corrected.
#[derive(PartialEq)]
struct KnobsProps {
    cfg: LabConfig,
    drafts: BTreeMap<&'static str, (String, String)>,
    on: Callback<Msg>,
}

/// The form (built by [`LabApp`] only when its config or drafts change, so
/// progress and results do not rebuild it; a plain function, not a
/// component, so the lab's module carries no component glue for it).
fn knobs(p: &KnobsProps) -> Html {
    let on_preset = {
        let on = p.on.clone();
        Callback::from(move |e: Event| {
            let select: web_sys::HtmlSelectElement = e.target_unchecked_into();
            if let Some((_, _, f)) = PRESETS.iter().find(|x| x.0 == select.value()) {
                if let Ok(cfg) = from_fragment(f) {
                    on.emit(Msg::Config(cfg));
                }
            }
        })
    };
    let preset_now = PRESETS
        .iter()
        .find(|x| from_fragment(x.2).ok().as_ref() == Some(&p.cfg))
        .map(|x| x.0)
        .unwrap_or("");
    html! {
        <form class="panel lab-knobs" aria-label="Knobs" onsubmit={Callback::from(|e: SubmitEvent| e.prevent_default())}>
            <label class="preset">
                <span>{ "Start from a lesson" }</span>
                <select onchange={on_preset}>
                    <option value="" selected={preset_now.is_empty()}>{ "Your own settings" }</option>
                    { for PRESETS.iter().map(|(id, title, _)| html! {
                        <option value={*id} selected={preset_now == *id}>{ *title }</option>
                    }) }
                </select>
            </label>
            { for GROUPS.iter().map(|(title, fields)| html! {
                <fieldset>
                    <legend>{ *title }</legend>
                    { for fields.iter().map(|f| field_view(&p.cfg, &p.drafts, f, &p.on)) }
                </fieldset>
            }) }
            <p class="hint">{ "Every change runs the lab again; the link in the address bar keeps the settings." }</p>
        </form>
    }
}

fn field_view(
    cfg: &LabConfig,
    drafts: &BTreeMap<&'static str, (String, String)>,
    f: &Field,
    on: &Callback<Msg>,
) -> Html {
    let knob = f.knob;
    let id = format!("knob-{knob}");
    let hint_id = format!("{id}-hint");
    let draft = drafts.get(knob);
    let value = draft
        .map(|d| d.0.clone())
        .or_else(|| value_of(cfg, knob))
        .unwrap_or_default();
    let disabled = !applies(cfg, knob);
    let emit = {
        let on = on.clone();
        move |text: String| on.emit(Msg::Field(knob, text))
    };
    let input = match f.input {
        Input::Number { step } => {
            let onchange = Callback::from(move |e: Event| {
                emit(
                    e.target_unchecked_into::<web_sys::HtmlInputElement>()
                        .value(),
                )
            });
            html! { <input type="text" inputmode="decimal" id={id.clone()} value={value} step={Shortest(step).to_string()}
            placeholder={placeholder(cfg, knob)} aria-describedby={hint_id.clone()}
            aria-invalid={draft.is_some().then_some("true")} {disabled} {onchange}/> }
        }
        Input::Text => {
            let onchange = Callback::from(move |e: Event| {
                emit(
                    e.target_unchecked_into::<web_sys::HtmlInputElement>()
                        .value(),
                )
            });
            html! { <input type="text" id={id.clone()} value={value} spellcheck="false"
            placeholder={placeholder(cfg, knob)} aria-describedby={hint_id.clone()}
            aria-invalid={draft.is_some().then_some("true")} {disabled} {onchange}/> }
        }
        Input::Choice(options) => {
            let onchange = Callback::from(move |e: Event| {
                emit(
                    e.target_unchecked_into::<web_sys::HtmlSelectElement>()
                        .value(),
                )
            });
            html! {
                <select id={id.clone()} aria-describedby={hint_id.clone()} {disabled} {onchange}>
                    { for options.iter().map(|(v, label)| html! {
                        <option value={*v} selected={*v == value}>{ *label }</option>
                    }) }
                </select>
            }
        }
        Input::Switch => {
            let onchange = Callback::from(move |e: Event| {
                let on = e
                    .target_unchecked_into::<web_sys::HtmlInputElement>()
                    .checked();
                emit(if on { "on" } else { "off" }.to_string())
            });
            html! { <input type="checkbox" id={id.clone()} checked={value == "on"}
            aria-describedby={hint_id.clone()} {disabled} {onchange}/> }
        }
    };
    let switch = matches!(f.input, Input::Switch);
    html! {
        <div class={classes!("knob", switch.then_some("switch"), disabled.then_some("disabled"))}>
            <label for={id}>{ f.label }</label>
            { input }
            <p class="knob-hint" id={hint_id}>
                if let Some((_, why)) = draft {
                    <span class="knob-error">{ format!("Not used: {why}. ") }</span>
                }
                { f.hint }
            </p>
        </div>
    }
}

/// The state the results keep of their own (hooks of [`LabApp`], so that
/// the results are a plain function rather than a component of their own,
/// whose glue the lab's module would carry): whether the per-second table is
/// open and its minute (a minute of rows, 9 cells each, at a time, built
/// only while the table is open), and whether the command was copied.
struct Local {
    table_open: UseStateHandle<bool>,
    table_page: UseStateHandle<usize>,
    copied: UseStateHandle<bool>,
}

fn results(s: &UseReducerHandle<LabState>, on: &Callback<Msg>, local: &Local) -> Html {
    let Local {
        table_open,
        table_page,
        copied,
    } = local;
    let ontoggle = {
        let table_open = table_open.clone();
        Callback::from(move |e: Event| {
            table_open.set(
                e.target_unchecked_into::<web_sys::HtmlDetailsElement>()
                    .open(),
            )
        })
    };
    let chart = Html::from_html_unchecked(s.chart.clone());
    let (onmousemove, onclick, onkeydown) = chart_handlers(s, on);
    let status = match (&s.progress, &s.run) {
        (Some(pr), _) => html! {
            <div class="lab-progress">
                <progress max="1" value={Shortest(pr.fraction).to_string()} aria-label="Lab run"></progress>
                <span>{ format!("{} · {} %", pr.label, Fixed(pr.fraction * 100.0, 0)) }</span>
            </div>
        },
        (None, Some(_)) => html! {},
        (None, None) => html! { <div class="lab-progress"><span>{ "Starting…" }</span></div> },
    };
    html! {
        <section class="lab-results" aria-label="Results">
            <div class="panel">
                <h2 class="panel-title">{ "Sockets over time" }</h2>
                { status }
                if let Some(run) = &s.run {
                    <dl class="figures lab-stats">{ raw(markup::stats_html(&s.cfg, run)) }</dl>
                }
                <div class="lab-chart-wrap" tabindex="0" role="group"
                    aria-label="Chart: sockets over time. Left and right arrows choose a second, Enter opens a connection from it in the main view"
                    aria-describedby="lab-readout" {onmousemove} {onclick} {onkeydown}>{ chart }</div>
                <p class="lab-readout" id="lab-readout" aria-live="polite">
                    { s.cursor.and_then(|t| readout(&s.cfg, s.rows(), t)).unwrap_or_else(|| {
                        "Point at the chart (or focus it and use the arrow keys) to read one second as ss and nstat would show it; click it to open a connection from that second in the main view.".to_string()
                    }) }
                </p>
            </div>
            if let Some(run) = &s.run {
                <div class="panel" role="status" aria-live="polite">
                    <h2 class="panel-title">{ "What happened" }</h2>
                    <ul class="findings">{ raw(markup::findings_html(&s.cfg, run)) }</ul>
                </div>
                if !s.drills.is_empty() {
                    <div class="panel lab-drill">
                        <h2 class="panel-title">{ "One connection, as a sequence diagram" }</h2>
                        <ul>{ raw(markup::drills_html(&s.drills)) }</ul>
                    </div>
                }
                { remedy_table(s, on) }
                { command(&s.cfg, copied) }
                <details class="panel per-second" {ontoggle}>
                    <summary>{ "Every second as a table" }</summary>
                    { page_nav(table_page, run.rows.len()) }
                    <div class="table-scroll" tabindex="0">
                        { raw(markup::rows_html(if **table_open {
                            &run.rows[farewell_lab_view::format::table_page(**table_page, run.rows.len()).0]
                        } else {
                            &[]
                        })) }
                    </div>
                </details>
            }
        </section>
    }
}

/// Markup from `farewell_lab_view::markup`, put in place as it is.
fn raw(html: String) -> Html {
    Html::from_html_unchecked(html.into())
}

/// The second under the pointer, from where it is across the chart's SVG.
fn second_under(cfg: &LabConfig, e: &MouseEvent) -> Option<u32> {
    // yew delegates events to its root, so the chart's box is found from the
    // element under the pointer.
    let under: web_sys::Element = e.target()?.dyn_into().ok()?;
    let wrap = under.closest(".lab-chart-wrap").ok()??;
    let rect = wrap.first_element_child()?.get_bounding_client_rect();
    if rect.width() <= 0.0 {
        return None;
    }
    second_at(cfg, (f64::from(e.client_x()) - rect.left()) / rect.width())
}

/// The main view at the connection from second `t` (what a click or Enter
/// on the chart opens).
fn open_connection(state: &LabState, t: u32) {
    let Some(run) = &state.run else { return };
    if let Some(d) = farewell_lab_view::drill::connection_at(&state.cfg, &run.rows, t) {
        // From an embed, in a new tab: the course page stays.
        let target = if state.view.embed { "_blank" } else { "_self" };
        if let Some(w) = web_sys::window() {
            let _ = w.open_with_url_and_target(&d.href, target);
        }
    }
}

type ChartHandlers = (
    Callback<MouseEvent>,
    Callback<MouseEvent>,
    Callback<KeyboardEvent>,
);

/// The chart's pointer and keys: moving chooses a second (the readout
/// follows), a click or Enter opens a connection from it in the main view.
fn chart_handlers(s: &UseReducerHandle<LabState>, on: &Callback<Msg>) -> ChartHandlers {
    let cfg = s.cfg.clone();
    let moved = {
        let on = on.clone();
        Callback::from(move |e: MouseEvent| {
            if let Some(t) = second_under(&cfg, &e) {
                on.emit(Msg::Cursor(t));
            }
        })
    };
    let clicked = {
        let s = s.clone();
        Callback::from(move |e: MouseEvent| {
            if let Some(t) = second_under(&s.cfg, &e) {
                open_connection(&s, t);
            }
        })
    };
    let keyed = {
        let s = s.clone();
        let on = on.clone();
        Callback::from(move |e: KeyboardEvent| {
            let last = s.cfg.duration_s.saturating_sub(1);
            let now = s.cursor;
            let to = match e.key().as_str() {
                "ArrowRight" => now.map_or(0, |t| t + 1),
                "ArrowLeft" => now.map_or(0, |t| t.saturating_sub(1)),
                "Home" => 0,
                "End" => last,
                "Enter" => {
                    open_connection(&s, now.unwrap_or(0));
                    return;
                }
                _ => return,
            };
            e.prevent_default();
            on.emit(Msg::Cursor(to));
        })
    };
    (moved, clicked, keyed)
}

/// The per-second table's minute, and buttons to the one before and after.
fn page_nav(page: &UseStateHandle<usize>, rows: usize) -> Html {
    let (range, label) = farewell_lab_view::format::table_page(**page, rows);
    let current = range.start / farewell_lab_view::format::TABLE_PAGE;
    let go = |to: usize| {
        let page = page.clone();
        Callback::from(move |_| page.set(to))
    };
    html! {
        <div class="table-pages">
            <button type="button" class="small" disabled={current == 0}
                onclick={go(current.saturating_sub(1))}>{ "Previous minute" }</button>
            <span aria-live="polite">{ label }</span>
            <button type="button" class="small" disabled={range.end >= rows}
                onclick={go(current + 1)}>{ "Next minute" }</button>
        </div>
    }
}

fn remedy_table(s: &LabState, on: &Callback<Msg>) -> Html {
    let Some(run) = &s.run else { return html! {} };
    if s.remedies.is_empty() {
        return html! {};
    }
    html! {
        <div class="panel">
            <h2 class="panel-title">{ "Remedies, each tried on this run" }</h2>
            <div class="table-scroll" tabindex="0">
                <table class="remedies">
                    <thead><tr>
                        <th scope="col">{ "Change" }</th>
                        <th scope="col">{ "connect() failures" }</th>
                        <th scope="col">{ "TIME_WAIT at the end" }</th>
                        <th scope="col">{ "peak memory" }</th>
                        <th scope="col"><span class="visually-hidden">{ "Try it" }</span></th>
                    </tr></thead>
                    <tbody>
                        { for s.remedies.iter().map(|(remedy, with)| {
                            let cells = match with {
                                Some(w) => outcome(&run.summary, w).map(|c| html! { <td>{ c }</td> }),
                                None => std::array::from_fn(|_| html! { <td class="pending">{ "running…" }</td> }),
                            };
                            let on = on.clone();
                            let cfg = remedy.config.clone();
                            let onclick = Callback::from(move |_| on.emit(Msg::Config(cfg.clone())));
                            html! { <tr>
                                <th scope="row"><span class="remedy">{ &remedy.label }</span><span class="why">{ remedy.why }</span></th>
                                { for cells }
                                <td><button type="button" class="small" {onclick} aria-label={format!("Try it: {}", remedy.label)}>{ "Try it" }</button></td>
                            </tr> }
                        }) }
                    </tbody>
                </table>
            </div>
        </div>
    }
}

fn command(cfg: &LabConfig, copied: &UseStateHandle<bool>) -> Html {
    let text = cli_command(cfg);
    let onclick = {
        let text = text.clone();
        let copied = copied.clone();
        Callback::from(move |_| {
            let text = text.clone();
            let copied = copied.clone();
            wasm_bindgen_futures::spawn_local(async move {
                copied.set(browser::copy_text(&text).await.is_ok());
            });
        })
    };
    html! {
        <div class="panel lab-command">
            <h2 class="panel-title">{ "The same run on the command line" }</h2>
            <div class="command">
                <code>{ &text }</code>
                <button type="button" class="small" {onclick}>{ if **copied { "Copied" } else { "Copy" } }</button>
            </div>
        </div>
    }
}
