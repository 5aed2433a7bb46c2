use crate::format;
use crate::state::{Action, AppState};
use web_sys::HtmlInputElement;
use yew::prelude::*;

/// One paragraph in plain words about the current step, and the switch that
/// announces each step's narration to screen readers. The visible paragraph
/// counts timers down on every frame, so it is not the live region: a
/// visually hidden one holds the narration of the step playback is on
/// (`farewell_diagram::step_start`), which changes only when the step
/// does, and is empty while the switch is off or the scrubber is held (a drag
/// would queue a paragraph per step passed; the step reached is announced on
/// release).
pub fn narration(state: &AppState, on_action: &Callback<Action>) -> Html {
    let (sim, t) = (&state.sim, state.share.time_ms);
    let text = farewell_diagram::narration_at(&sim.trace, t);
    let spoken = (state.announce && !state.scrubbing).then(|| {
        farewell_diagram::narration_at(&sim.trace, farewell_diagram::step_start(&sim.stops, t))
    });
    let on_action = on_action.clone();
    let onchange = Callback::from(move |e: Event| {
        let on = e.target_unchecked_into::<HtmlInputElement>().checked();
        // Remembered as the theme is (read back when the app starts).
        if let Some(s) = crate::browser::storage() {
            let _ = s.set_item(crate::browser::ANNOUNCE_KEY, if on { "on" } else { "off" });
        }
        on_action.emit(Action::SetAnnounce(on));
    });
    html! {
        <section class="panel narration" aria-labelledby="narration-title">
            <h2 id="narration-title" class="panel-title">{ "What is happening" }</h2>
            <span class="when">{ format!("t = {}", format::clock(t)) }</span>
            <p data-testid="narration">{ text }</p>
            <label class="announce">
                <input type="checkbox" role="switch" checked={state.announce}
                    data-testid="announce" {onchange}/>
                { "Announce each step (screen readers)" }
            </label>
            <p class="visually-hidden" aria-live="polite" data-testid="announcer">{ spoken }</p>
        </section>
    }
}
