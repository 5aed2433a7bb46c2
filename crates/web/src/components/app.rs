use super::actions_editor::{actions_editor, ActionsEditorProps};
use super::countdown::countdown;
use super::diagram_table::diagram_table;
use super::diagram_view::DiagramView;
use super::header::{header, HeaderProps};
use super::keys::{self, keys_help, keys_help_button, Command};
use super::legend::legend;
use super::link_panel::{link_panel, LinkPanelProps};
use super::narration::narration;
use super::notice::{notice, NoticeProps};
use super::platform_panel::{platform_panel, PlatformPanelProps};
use super::scenario_picker::{builtin_names, scenario_picker, ScenarioPickerProps};
use super::share_panel::{import_file, share_panel, SharePanelProps};
use super::socket_table::socket_table;
use super::state_machine::{state_machine, StateMachineProps};
use super::tcpdump_log::TcpdumpLog;
use super::timers::timers;
use super::transport::{transport, TransportProps};
use crate::browser;
use crate::playback::current_line;
use crate::state::{Action, AppState, Controls, Theme};
use crate::Page;
use farewell_engine::Host;
use gloo_render::{request_animation_frame, AnimationFrame};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use web_sys::KeyboardEvent;
use yew::prelude::*;

/// Whether the key press happened in a form control (so space and arrows belong
/// to it, not to the playback shortcuts) or in the help dialog; with
/// `typing_only`, only in a field that takes text (`?` works on buttons too).
fn in_form_control(e: &KeyboardEvent, typing_only: bool) -> bool {
    e.target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .map(|el| {
            let tag = el.tag_name();
            matches!(tag.as_str(), "INPUT" | "SELECT" | "TEXTAREA")
                || !typing_only
                    && (matches!(tag.as_str(), "BUTTON" | "SUMMARY")
                        || el.closest("[role=button],dialog").ok().flatten().is_some())
        })
        .unwrap_or(false)
}

/// Runs `requestAnimationFrame` while `playing`, dispatching the real time elapsed
/// between frames; the reducer turns it into simulated time.
#[hook]
fn use_animation_loop(playing: bool, on_action: Callback<Action>) {
    use_effect_with(playing, move |playing| {
        let handle: Rc<RefCell<Option<AnimationFrame>>> = Rc::new(RefCell::new(None));
        if *playing {
            fn frame(
                handle: Rc<RefCell<Option<AnimationFrame>>>,
                last: Option<f64>,
                on_action: Callback<Action>,
            ) {
                let next_handle = handle.clone();
                let af = request_animation_frame(move |now| {
                    if let Some(prev) = last {
                        on_action.emit(Action::Tick(now - prev));
                    }
                    frame(next_handle, Some(now), on_action);
                });
                *handle.borrow_mut() = Some(af);
            }
            frame(handle.clone(), None, on_action);
        }
        // Dropping the AnimationFrame cancels it.
        move || {
            handle.borrow_mut().take();
        }
    });
}

/// Keyboard shortcuts on the whole page, as `keys::SHORTCUTS` lists them: space
/// plays or pauses, ← and → step, `?` opens the list.
#[hook]
fn use_shortcuts(on_action: Callback<Action>) {
    use_effect_with((), move |_| {
        let listener = web_sys::window().map(|w| {
            // Not passive: space must not also scroll the page.
            let options = gloo_events::EventListenerOptions::enable_prevent_default();
            gloo_events::EventListener::new_with_options(&w, "keydown", options, move |e| {
                let Some(e) = e.dyn_ref::<KeyboardEvent>() else {
                    return;
                };
                let command = keys::command(&e.key());
                let help = command == Some(Command::Help);
                if e.ctrl_key() || e.meta_key() || e.alt_key() || in_form_control(e, help) {
                    return;
                }
                let action = match command {
                    Some(Command::TogglePlay) => Action::TogglePlay,
                    Some(Command::StepForward) => Action::StepForward,
                    Some(Command::StepBack) => Action::StepBack,
                    Some(Command::ToStart) => Action::Seek(0.0),
                    Some(Command::ToggleFit) => Action::ToggleFit,
                    Some(Command::Help) => {
                        e.prevent_default();
                        return keys::open_help();
                    }
                    Some(Command::Focused) | None => return,
                };
                e.prevent_default();
                on_action.emit(action);
            })
        });
        move || drop(listener)
    });
}

fn stored(key: &str) -> Option<String> {
    browser::storage()?.get_item(key).ok().flatten()
}

/// Reflects the theme choice on `<html data-theme>` (no attribute: follow
/// `prefers-color-scheme`), and remembers it in localStorage.
#[hook]
fn use_theme(theme: Theme) {
    use_effect_with(theme, |theme| {
        let Some(window) = web_sys::window() else {
            return;
        };
        if let Some(root) = window.document().and_then(|d| d.document_element()) {
            let _ = match theme {
                Theme::System => root.remove_attribute("data-theme"),
                Theme::Light => root.set_attribute("data-theme", "light"),
                Theme::Dark => root.set_attribute("data-theme", "dark"),
            };
        }
        if let Some(storage) = browser::storage() {
            let _ = storage.set_item(browser::THEME_KEY, theme_id(*theme));
        }
    });
}

fn theme_id(t: Theme) -> &'static str {
    match t {
        Theme::System => "system",
        Theme::Light => "light",
        Theme::Dark => "dark",
    }
}

fn stored_theme() -> Theme {
    match stored(browser::THEME_KEY).as_deref() {
        Some("light") => Theme::Light,
        Some("dark") => Theme::Dark,
        _ => Theme::System,
    }
}

/// Keeps the URL fragment in step with the state: an edit of the scenario adds
/// a history entry (so Back undoes it), a new playback position replaces the
/// current one; nothing is written while playing. Back/forward (and a link
/// pasted into the address bar) restore the state the fragment describes.
#[hook]
fn use_link_sync(state: &UseReducerHandle<Page>, on_action: Callback<Action>) {
    let link = state.link();
    let scenario_key = (state.share.builtin.clone(), state.share.scenario.clone());
    let last = use_mut_ref(|| None::<(Option<String>, farewell_engine::Scenario)>);
    use_effect_with((link, state.playing), move |(link, playing)| {
        if !*playing && browser::fragment() != *link {
            let push = last.borrow().as_ref().is_some_and(|l| *l != scenario_key);
            browser::set_fragment(link, push);
        }
        *last.borrow_mut() = Some(scenario_key);
    });
    use_effect_with((), move |_| {
        let listener = web_sys::window().map(|w| {
            gloo_events::EventListener::new(&w, "popstate", move |_| {
                let restored = AppState::from_link(&browser::fragment());
                match restored.notice {
                    Some(n) => on_action.emit(Action::ShowNotice(n)),
                    None => on_action.emit(Action::Restore(Box::new(restored.share))),
                }
            })
        });
        move || drop(listener)
    });
}

/// In an iframe, tells the embedding page our height whenever it changes.
#[hook]
fn use_height_reporting(embedded: bool) {
    use_effect_with(embedded, |embedded| {
        let observer = embedded.then(|| {
            let cb = wasm_bindgen::closure::Closure::<dyn FnMut()>::new(browser::post_height);
            let observer = web_sys::ResizeObserver::new(cb.as_ref().unchecked_ref()).ok();
            if let (Some(o), Some(el)) = (
                &observer,
                web_sys::window()
                    .and_then(|w| w.document())
                    .and_then(|d| d.body()),
            ) {
                o.observe(&el);
            }
            (observer, cb)
        });
        move || {
            if let Some((Some(o), _cb)) = observer {
                o.disconnect();
            }
        }
    });
}

/// The playground.
#[function_component(App)]
pub fn app() -> Html {
    let state = use_reducer(|| {
        let mut s = AppState {
            theme: stored_theme(),
            announce: stored(browser::ANNOUNCE_KEY).as_deref() != Some("off"),
            ..AppState::from_link(&browser::fragment())
        };
        // Fit mode, once chosen, stays on (remembered as the theme is).
        s.share.fit |= stored(browser::FIT_KEY).as_deref() == Some("on");
        Page(Rc::new(s))
    });
    let on_action = {
        let state = state.clone();
        Callback::from(move |a: Action| state.dispatch(a))
    };
    use_animation_loop(state.playing, on_action.clone());
    use_shortcuts(on_action.clone());
    use_theme(state.theme);
    use_effect_with(state.share.fit, |fit| {
        if let Some(s) = browser::storage() {
            let _ = s.set_item(browser::FIT_KEY, if *fit { "on" } else { "off" });
        }
    });
    use_link_sync(&state, on_action.clone());
    use_height_reporting(state.share.embed.enabled);
    // The menu's names, read from the built-ins' files once.
    let names = use_memo((), |_| builtin_names());
    // A scenario file dropped anywhere on the page is imported.
    let ondragover = Callback::from(|e: DragEvent| e.prevent_default());
    let ondrop = {
        let on_action = on_action.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            if let Some(file) = e
                .data_transfer()
                .and_then(|d| d.files())
                .and_then(|f| f.get(0))
            {
                import_file(file, on_action.clone());
            }
        })
    };

    let share = &state.share;
    let sim = state.sim.clone();
    let t = share.time_ms;
    let edited = share
        .builtin
        .as_deref()
        .and_then(farewell_engine::builtin::get)
        .is_some_and(|b| b != share.scenario);
    let profile = share.scenario.profile();
    let states = [Host::A, Host::B].map(|h| farewell_diagram::state_at(&sim.trace, h, t));
    if state.share.embed.enabled {
        let controls = state.share.embed.controls;
        return html! {
            <div class={classes!("app", "embedded", share.fit.then_some("fit"))} data-controls={controls.id()}>
                { notice(&NoticeProps { notice: state.notice.clone(), on_action: on_action.clone() }) }
                if controls != Controls::None {
                    { transport(&TransportProps { sim: sim.clone(), time_ms: t, playing: state.playing,
                        speed: state.speed(), fit: share.fit, on_action: on_action.clone() }) }
                }
                <div class="embed-body">
                    <DiagramView sim={sim.clone()} time_ms={t} playing={state.playing} on_action={on_action.clone()}/>
                    <div class="embed-side">
                        { countdown(&sim, t, profile.time_wait.as_ms()) }
                        { narration(&state, &on_action) }
                    </div>
                </div>
                { diagram_table(&sim, t, state.table, &on_action) }
                <footer class="embed-footer">
                    <a href={browser::url_with_fragment(&farewell_share::encode(&crate::state::Share {
                        embed: Default::default(),
                        ..share.clone()
                    }))}
                        target="_blank" rel="noopener">{ "Open in Farewell ↗" }</a>
                </footer>
                { keys_help() }
            </div>
        };
    }
    html! {
        <div class={classes!("app", share.fit.then_some("fit"))} {ondragover} {ondrop}>
            { header(&HeaderProps { theme: state.theme, on_action: on_action.clone() }) }
            { notice(&NoticeProps { notice: state.notice.clone(), on_action: on_action.clone() }) }
            <div class="layout">
                <aside class="col-left" aria-label="Scenario settings">
                    { scenario_picker(&ScenarioPickerProps { selected: share.builtin.clone(), edited,
                        description: share.scenario.description.clone(), names: names.clone(),
                        on_action: on_action.clone() }) }
                    { platform_panel(&PlatformPanelProps { platform: share.scenario.platform,
                        msl_override: share.scenario.msl_ms, profile, on_action: on_action.clone() }) }
                    { link_panel(&LinkPanelProps { link: share.scenario.link, seed: share.scenario.seed,
                        handshake: share.scenario.handshake, drops: share.scenario.drops.clone(),
                        on_action: on_action.clone() }) }
                    { actions_editor(&ActionsEditorProps { actions: share.scenario.actions.clone(), on_action: on_action.clone() }) }
                    { share_panel(&SharePanelProps { state: state.0.clone(), on_action: on_action.clone() }) }
                </aside>
                <section class="col-center" aria-label="Sequence diagram">
                    { transport(&TransportProps { sim: sim.clone(), time_ms: t, playing: state.playing,
                        speed: state.speed(), fit: share.fit, on_action: on_action.clone() }) }
                    { legend() }
                    <DiagramView sim={sim.clone()} time_ms={t} playing={state.playing} on_action={on_action.clone()}/>
                    { diagram_table(&sim, t, state.table, &on_action) }
                    <TcpdumpLog sim={sim.clone()} current={current_line(&sim.trace, t)}/>
                </section>
                <aside class="col-right" aria-label="What is happening" tabindex="0">
                    { countdown(&sim, t, profile.time_wait.as_ms()) }
                    { narration(&state, &on_action) }
                    { timers(&sim, t) }
                    { state_machine(&StateMachineProps { a: states[0], b: states[1] }) }
                    { socket_table(&sim, t) }
                </aside>
            </div>
            <footer class="app-footer">
                <span>{ "Click a segment to drop it · " }{ keys_help_button() }</span>
                <span>{ format!("{} segments · {} events", sim.trace.segments().count(), sim.trace.events.len()) }</span>
            </footer>
            { keys_help() }
        </div>
    }
}
