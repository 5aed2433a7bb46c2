use crate::format;
use crate::state::Sim;
use yew::prelude::*;

/// One paragraph in plain words about the current step.
pub fn narration(sim: &Sim, time_ms: f64) -> Html {
    let text = farewell_diagram::narration_at(&sim.trace, time_ms);
    html! {
        <section class="panel narration" aria-labelledby="narration-title">
            <h2 id="narration-title" class="panel-title">{ "What is happening" }</h2>
            <span class="when">{ format!("t = {}", format::clock(time_ms)) }</span>
            <p data-testid="narration" aria-live="polite">{ text }</p>
        </section>
    }
}
