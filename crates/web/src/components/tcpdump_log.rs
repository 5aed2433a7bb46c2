use farewell_engine::trace::{describe, EventKind};
use web_sys::HtmlElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct TcpdumpLogProps {
    pub sim: crate::state::SimRef,
    /// The line playback is on (`farewell_page::playback::current_line`);
    /// lines after it are dimmed.
    pub current: Option<usize>,
}

/// The trace as tcpdump-style text that follows playback: segment lines in full,
/// state changes, timers and application calls as quieter lines between them.
#[function_component(TcpdumpLog)]
pub fn tcpdump_log(props: &TcpdumpLogProps) -> Html {
    let trace = &props.sim.trace;
    let current = props.current;
    let list = use_node_ref();
    let window = crate::state::log_window(trace.events.len(), current);
    {
        // Keep the current line in view by scrolling the log box only (not the page).
        let list = list.clone();
        let window = window.clone();
        use_effect_with(current, move |current| {
            if let (Some(i), Some(ul)) = (current, list.cast::<HtmlElement>()) {
                if let Some(li) = ul
                    .children()
                    .item((*i - window.start) as u32)
                    .and_then(|e| wasm_bindgen::JsCast::dyn_into::<HtmlElement>(e).ok())
                {
                    let top = li.offset_top() - ul.client_height() / 2 + li.client_height() / 2;
                    ul.set_scroll_top(top.max(0));
                }
            }
        });
    }
    let shown = window.clone();
    let lines = trace.events[shown.clone()].iter().zip(shown).map(|(e, i)| {
        let kind = match &e.kind {
            EventKind::Segment(s) if s.fate == farewell_engine::trace::Fate::Dropped => {
                "segment dropped"
            }
            EventKind::Segment(_) => "segment",
            EventKind::State { .. } => "state",
            EventKind::Timer { .. } => "timer",
            EventKind::App { .. } => "app",
            EventKind::Discard { .. } => "discard",
            EventKind::Start { .. } | EventKind::End { .. } => "meta",
        };
        let class = classes!(
            "log-line",
            kind,
            (Some(i) == current).then_some("current"),
            (!matches!(current, Some(c) if i <= c)).then_some("future"),
        );
        html! {
            <li {class} aria-current={(Some(i) == current).then_some("step")}>
                <span class="ts">{ format!("{:>10}", farewell_num::Fixed(e.t_ms / 1000.0, 3)) }</span>
                <span class="text">{ describe(&e.kind) }</span>
            </li>
        }
    });
    html! {
        <section class="panel log-panel" aria-labelledby="log-title">
            <h2 id="log-title" class="panel-title">{ "tcpdump" }</h2>
            if window.len() < trace.events.len() {
                <p class="hint" data-testid="log-window">
                    { crate::state::log_window_note(&window, trace.events.len()) }
                </p>
            }
            <ol class="log" ref={list} data-testid="tcpdump-log" tabindex="0" aria-label="Trace log"
                start={(window.start + 1).to_string()}>
                { for lines }
            </ol>
        </section>
    }
}
