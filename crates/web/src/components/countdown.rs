use crate::format;
use crate::state::Sim;
use farewell_engine::trace::TimerKind;
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties)]
pub struct CountdownProps {
    pub sim: Rc<Sim>,
    pub time_ms: f64,
    /// The platform's TIME_WAIT length (with overrides), shown before it starts.
    pub time_wait_ms: f64,
}

impl PartialEq for CountdownProps {
    fn eq(&self, o: &Self) -> bool {
        Rc::ptr_eq(&self.sim, &o.sim)
            && self.time_ms == o.time_ms
            && self.time_wait_ms == o.time_wait_ms
    }
}

const R: f64 = 44.0;

/// The TIME_WAIT (2MSL) countdown: a ring that empties in simulated seconds. A
/// retransmitted FIN restarts the timer; the ring is then re-keyed so it refills
/// with a visible flash.
#[function_component(Countdown)]
pub fn countdown(props: &CountdownProps) -> Html {
    let t = props.time_ms;
    let trace = &props.sim.trace;
    let running = farewell_diagram::active_timers_at(trace, t)
        .into_iter()
        .find(|a| a.timer == TimerKind::TimeWait);
    // The TIME_WAIT that ran last, if it is over.
    let (phase, remaining, total, host, started) = match &running {
        Some(a) => (
            "running",
            a.deadline_ms - t,
            a.deadline_ms - a.started_ms,
            Some(a.host),
            a.started_ms,
        ),
        None => {
            let ever = trace.events.iter().any(|e| {
                e.t_ms <= t
                    && matches!(
                        &e.kind,
                        farewell_engine::EventKind::Timer {
                            timer: TimerKind::TimeWait,
                            ..
                        }
                    )
            });
            if ever {
                ("done", 0.0, props.time_wait_ms, None, -1.0)
            } else {
                ("idle", props.time_wait_ms, props.time_wait_ms, None, -1.0)
            }
        }
    };
    let frac = if total > 0.0 {
        (remaining / total).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let circumference = 2.0 * std::f64::consts::PI * R;
    let restarts = running
        .as_ref()
        .map(|_| {
            trace
                .events
                .iter()
                .filter(|e| {
                    e.t_ms <= t
                        && matches!(
                            &e.kind,
                            farewell_engine::EventKind::Timer {
                                timer: TimerKind::TimeWait,
                                action: farewell_engine::trace::TimerAction::Restarted,
                                ..
                            }
                        )
                })
                .count()
        })
        .unwrap_or(0);
    let (title, text) = match (phase, host) {
        ("running", Some(h)) => (
            format!("{h} in TIME_WAIT"),
            if restarts > 0 {
                format!("Restarted {restarts}× by a retransmitted FIN. The socket lingers so a late FIN can still be ACKed.")
            } else {
                "The socket lingers 2×MSL so a lost final ACK can be sent again, and old segments die out.".to_string()
            },
        ),
        ("done", _) => (
            "TIME_WAIT over".to_string(),
            "The 2MSL timer expired; the socket is gone.".to_string(),
        ),
        _ => (
            "TIME_WAIT".to_string(),
            format!(
                "The side that closes first will wait {} here.",
                format::duration(props.time_wait_ms)
            ),
        ),
    };
    let label = format!(
        "TIME_WAIT countdown: {} seconds left",
        format::seconds(remaining)
    );
    html! {
        <section class={classes!("panel", "countdown", phase)} data-testid="countdown" data-phase={phase}
            aria-label={label}>
            <svg class="ring" viewBox="0 0 104 104" aria-hidden="true">
                <g key={format!("{started}")} class={classes!((phase == "running" && restarts > 0).then_some("restart-flash"))}>
                    <circle class="track" cx="52" cy="52" r={R.to_string()} fill="none" stroke-width="9"/>
                    <circle class="arc" cx="52" cy="52" r={R.to_string()} fill="none" stroke-width="9"
                        stroke-dasharray={format!("{circumference:.2}")}
                        stroke-dashoffset={format!("{:.2}", circumference * (1.0 - frac))}/>
                </g>
                <text class="value" x="52" y="56" data-testid="countdown-seconds">{ format::seconds(remaining) }</text>
                <text class="unit" x="52" y="71">{ "seconds" }</text>
            </svg>
            <div class="what">
                <strong>{ title }</strong>
                <p>{ text }</p>
            </div>
        </section>
    }
}
