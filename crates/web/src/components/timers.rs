use crate::format;
use crate::state::Sim;
use farewell_engine::trace::TimerKind;
use yew::prelude::*;

/// The other running timers (retransmission, tail loss probe, FIN_WAIT_2), each a bar emptying
/// towards its deadline. TIME_WAIT has its own ring; the delayed ACK is too short
/// to watch.
pub fn timers(sim: &Sim, time_ms: f64) -> Html {
    let t = time_ms;
    let active: Vec<_> = farewell_diagram::active_timers_at(&sim.trace, t)
        .into_iter()
        .filter(|a| {
            matches!(
                a.timer,
                TimerKind::Retransmission | TimerKind::LossProbe | TimerKind::FinWait2
            )
        })
        .collect();
    let rows = active.iter().map(|a| {
        let total = a.deadline_ms - a.started_ms;
        let left = (a.deadline_ms - t).max(0.0);
        let pct = if total > 0.0 { 100.0 * left / total } else { 0.0 };
        let host = format!("host-{}", a.host.name().to_ascii_lowercase());
        html! {
            <li class={host} data-testid="timer" data-timer={a.timer.label()}>
                <span>{ format!("{} {}", a.host, a.timer.label()) }</span>
                <span class="left">{ format!("{} s", format::seconds(left)) }</span>
                <span class="bar" aria-hidden="true"><span style={format!("width:{pct_2}%", pct_2 = farewell_num::Fixed(pct, 2))}></span></span>
            </li>
        }
    });
    html! {
        <section class="panel timers" aria-labelledby="timers-title">
            <h2 id="timers-title" class="panel-title">{ "Timers" }</h2>
            if active.is_empty() {
                <p class="hint">{ "No retransmission, loss-probe or FIN_WAIT_2 timer is running." }</p>
            } else {
                <ul aria-live="off">{ for rows }</ul>
            }
        </section>
    }
}
