use super::SimAt;
use crate::format;
use yew::prelude::*;

/// One paragraph in plain words about the current step.
#[function_component(Narration)]
pub fn narration(props: &SimAt) -> Html {
    let text = farewell_diagram::narration_at(&props.sim.trace, props.time_ms);
    html! {
        <section class="panel narration" aria-labelledby="narration-title">
            <h2 id="narration-title" class="panel-title">{ "What is happening" }</h2>
            <span class="when">{ format!("t = {}", format::clock(props.time_ms)) }</span>
            <p data-testid="narration" aria-live="polite">{ text }</p>
        </section>
    }
}
