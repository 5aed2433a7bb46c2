use crate::state::Sim;
use farewell_diagram::Phase;
use yew::prelude::*;

/// The ring's radius (the markup's `r="44"`).
const R: f64 = 44.0;

/// The TIME_WAIT (2MSL) countdown: a ring that empties in simulated seconds. A
/// retransmitted FIN restarts the timer; the ring is then re-keyed so it refills
/// with a visible flash. What it says comes from `farewell_diagram::countdown_at`
/// (tested natively on every built-in and platform). No ARIA role: `timer` is
/// not allowed on a section, and its label carries the text.
/// `time_wait_ms`: the platform's TIME_WAIT length (with overrides), shown
/// before it starts.
pub fn countdown(sim: &Sim, time_ms: f64, time_wait_ms: f64) -> Html {
    let c = farewell_diagram::countdown_at(&sim.trace, time_ms, time_wait_ms);
    let phase = c.phase.id();
    let ring = crate::playback::ring(&c);
    let frac = ring.fraction;
    let circumference = 2.0 * std::f64::consts::PI * R;
    html! {
        <section class={classes!("panel", "countdown", phase)} data-testid="countdown" data-phase={phase}
            aria-label={ring.label}>
            <svg class="ring" viewBox="0 0 104 104" aria-hidden="true">
                <g key={c.started_ms.to_bits().to_string()} class={classes!((c.phase == Phase::Running && c.restarts > 0).then_some("restart-flash"))}>
                    <circle class="track" cx="52" cy="52" r="44" fill="none" stroke-width="9"/>
                    <circle class="arc" cx="52" cy="52" r="44" fill="none" stroke-width="9"
                        stroke-dasharray={format!("{circumference_2}", circumference_2 = farewell_num::Fixed(circumference, 2))}
                        stroke-dashoffset={format!("{}", farewell_num::Fixed(circumference * (1.0 - frac), 2))}/>
                </g>
                <text class="value" x="52" y="56" data-testid="countdown-seconds">{ ring.seconds }</text>
                <text class="unit" x="52" y="71">{ "seconds" }</text>
            </svg>
            <div class="what">
                <strong data-testid="countdown-title">{ c.title }</strong>
                <p data-testid="countdown-text">{ c.text }</p>
            </div>
        </section>
    }
}
