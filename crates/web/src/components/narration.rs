use crate::format;
use crate::state::Sim;
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties)]
pub struct NarrationProps {
    pub sim: Rc<Sim>,
    pub time_ms: f64,
}

impl PartialEq for NarrationProps {
    fn eq(&self, o: &Self) -> bool {
        Rc::ptr_eq(&self.sim, &o.sim) && self.time_ms == o.time_ms
    }
}

/// One paragraph in plain words about the current step.
#[function_component(Narration)]
pub fn narration(props: &NarrationProps) -> Html {
    let text = farewell_diagram::narration_at(&props.sim.trace, props.time_ms);
    html! {
        <section class="panel narration" aria-labelledby="narration-title">
            <h2 id="narration-title" class="panel-title">{ "What is happening" }</h2>
            <span class="when">{ format!("t = {}", format::clock(props.time_ms)) }</span>
            <p data-testid="narration" aria-live="polite">{ text }</p>
        </section>
    }
}
