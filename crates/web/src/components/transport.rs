use crate::format;
use crate::state::{Action, SimRef, Speed};
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

pub struct TransportProps {
    pub sim: SimRef,
    pub time_ms: f64,
    pub playing: bool,
    pub speed: Speed,
    pub fit: bool,
    pub on_action: Callback<Action>,
}

/// Play / pause, step, speed and the scrubber. The scrubber runs along the
/// diagram's (compressed) time axis, so its length matches what is drawn: a long
/// idle TIME_WAIT is a short stretch of it, as on the diagram.
pub fn transport(props: &TransportProps) -> Html {
    let a = |action: Action| {
        let on_action = props.on_action.clone();
        Callback::from(move |_: MouseEvent| on_action.emit(action.clone()))
    };
    let on_scrub = {
        let on_action = props.on_action.clone();
        let sim = props.sim.clone();
        Callback::from(move |e: InputEvent| {
            let v = e
                .target_unchecked_into::<HtmlInputElement>()
                .value_as_number();
            if v.is_finite() {
                on_action.emit(Action::Scrub(sim.scrub_time(v)));
            }
        })
    };
    let on_release = {
        let on_action = props.on_action.clone();
        Callback::from(move |_: Event| on_action.emit(Action::ScrubEnd))
    };
    let on_speed = {
        let on_action = props.on_action.clone();
        Callback::from(move |e: Event| {
            let v = e.target_unchecked_into::<HtmlSelectElement>().value();
            if let Some(s) = Speed::from_id(&v) {
                on_action.emit(Action::SetSpeed(s));
            }
        })
    };
    let end = props.sim.end_ms();
    let (play_label, play_icon) = if props.playing {
        ("Pause (space)", "M4 3h3v10H4zM9 3h3v10H9z")
    } else {
        ("Play (space)", "M4.5 2.5l9 5.5-9 5.5z")
    };
    let icon = |d: &'static str| {
        html! { <svg class="icon" viewBox="0 0 16 16" aria-hidden="true"><path d={d}/></svg> }
    };
    html! {
        <div class="transport" role="group" aria-label="Playback">
            <div class="buttons">
                <button type="button" class="icon-button" aria-label="Step back (←)" title="Step back (←)"
                    data-testid="step-back" onclick={a(Action::StepBack)}>{ icon("M2.5 3h2v10h-2zM13.5 3L6 8l7.5 5z") }</button>
                <button type="button" class="icon-button play" aria-label={play_label} title={play_label}
                    aria-pressed={props.playing.to_string()}
                    data-testid="play" onclick={a(Action::TogglePlay)}>{ icon(play_icon) }</button>
                <button type="button" class="icon-button" aria-label="Step to next event (→)" title="Step to next event (→)"
                    data-testid="step-forward" onclick={a(Action::StepForward)}>{ icon("M11.5 3h2v10h-2zM2.5 3L10 8l-7.5 5z") }</button>
            </div>
            <input type="range" class="scrubber" min="0" max={farewell_num::Shortest(props.sim.scrub_len()).to_string()} step="any"
                value={farewell_num::Shortest(props.sim.scrub_pos(props.time_ms)).to_string()}
                aria-label="Playback position" aria-valuetext={format::clock(props.time_ms)}
                data-testid="scrubber" oninput={on_scrub} onchange={on_release}/>
            <output class="clock" data-testid="clock" aria-live="off">
                { format::clock(props.time_ms) }<span class="end">{ " / " }{ format::clock(end) }</span>
            </output>
            <button type="button" class="small fit-toggle" aria-pressed={props.fit.to_string()}
                title="Fit the whole diagram in view (F)" data-testid="fit" onclick={a(Action::ToggleFit)}>{ "Fit" }</button>
            <label class="speed">
                <span class="visually-hidden">{ "Speed" }</span>
                <select data-testid="speed-select" aria-label="Playback speed" onchange={on_speed}>
                    { for Speed::ALL.iter().map(|s| html! {
                        <option value={s.id()} selected={*s == props.speed}>{ crate::state::speed_label(*s) }</option>
                    }) }
                </select>
            </label>
        </div>
    }
}
