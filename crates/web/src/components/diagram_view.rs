use crate::state::{Action, Sim};
use farewell_diagram::Diagram;
use farewell_engine::Host;
use std::rc::Rc;
use web_sys::{Element, KeyboardEvent};
use yew::prelude::*;

#[derive(Properties)]
pub struct DiagramViewProps {
    pub sim: Rc<Sim>,
    pub time_ms: f64,
    pub playing: bool,
    pub on_action: Callback<Action>,
}

impl PartialEq for DiagramViewProps {
    fn eq(&self, o: &Self) -> bool {
        Rc::ptr_eq(&self.sim, &o.sim)
            && self.time_ms == o.time_ms
            && self.playing == o.playing
            && self.on_action == o.on_action
    }
}

fn host_class(h: Host) -> &'static str {
    match h {
        Host::A => "host-a",
        Host::B => "host-b",
    }
}

fn n(v: f64) -> String {
    format!("{v:.1}")
}

/// The sequence diagram: a static layer (drawn once per trace) and a playback
/// layer (playhead, packets in flight, the not-yet-happened part dimmed).
/// The scroll box follows the playhead.
#[function_component(DiagramView)]
pub fn diagram_view(props: &DiagramViewProps) -> Html {
    let d = &props.sim.diagram;
    let scroll = use_node_ref();
    {
        let scroll = scroll.clone();
        let y = d.time_map.y_of(props.time_ms);
        let (width, playing) = (d.width, props.playing);
        // Follow the playhead whenever it leaves the middle of the view (playing,
        // stepping or scrubbing); a paused diagram stays where the user scrolled it.
        use_effect_with((y.round() as i64, playing), move |_| {
            if let Some(el) = scroll.cast::<Element>() {
                let scale = f64::from(el.client_width()) / width;
                let y_px = (y * scale) as i32;
                let (top, h) = (el.scroll_top(), el.client_height());
                if y_px < top + h / 5 || y_px > top + h * 3 / 4 {
                    el.set_scroll_top((y_px - h / 3).max(0));
                }
            }
        });
    }
    let label = "Sequence diagram of the connection: time flows down; click a segment to drop it or bring it back";
    html! {
        <div class="diagram-scroll" ref={scroll}>
            <svg class="diagram" data-testid="diagram" role="group" aria-label={label}
                viewBox={format!("0 0 {} {}", n(d.width), n(d.height))}
                preserveAspectRatio="xMidYMin meet">
                <defs>
                    <marker id="arrowhead" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7"
                        orient="auto-start-reverse" markerUnits="userSpaceOnUse">
                        <path d="M0,0 L10,5 L0,10 z" fill="context-stroke"/>
                    </marker>
                </defs>
                <StaticLayer sim={props.sim.clone()} on_action={props.on_action.clone()}/>
                <PlaybackLayer sim={props.sim.clone()} time_ms={props.time_ms}/>
            </svg>
        </div>
    }
}

#[derive(Properties)]
struct StaticLayerProps {
    sim: Rc<Sim>,
    on_action: Callback<Action>,
}

impl PartialEq for StaticLayerProps {
    fn eq(&self, o: &Self) -> bool {
        Rc::ptr_eq(&self.sim, &o.sim) && self.on_action == o.on_action
    }
}

/// Everything that does not move: lifelines, state bands, timer brackets, axis
/// breaks and the segment arrows (clickable).
#[function_component(StaticLayer)]
fn static_layer(props: &StaticLayerProps) -> Html {
    let d: &Diagram = &props.sim.diagram;
    let heads = [(Host::A, d.x_a, &d.labels[0]), (Host::B, d.x_b, &d.labels[1])].map(|(h, x, addr)| {
        html! {
            <g class="host">
                <line class="lifeline" x1={n(x)} x2={n(x)} y1={n(d.top - 10.0)} y2={n(d.height - 6.0)}/>
                <rect class="host-head" x={n(x - 70.0)} y="6" width="140" height="40" rx="8"/>
                <text class={classes!("host-label", if h == Host::A { "a" } else { "b" })} x={n(x)} y="24">{ h.name() }</text>
                <text class="host-addr" x={n(x)} y="39">{ addr }</text>
            </g>
        }
    });
    let bands = d.bands.iter().map(|b| {
        let tw = b.state == farewell_engine::TcpState::TimeWait;
        let side = if b.host == Host::A { -1.0 } else { 1.0 };
        let x = if side < 0.0 { b.x - 8.0 } else { b.x };
        html! {
            <g class={classes!("band", host_class(b.host), tw.then_some("time-wait"))} data-state={b.state.rfc_name()}>
                <rect x={n(x)} y={n(b.y0)} width="8" height={n((b.y1 - b.y0).max(0.0))} rx="3"/>
                <text x={n(b.x + side * 12.0)} y={n(b.y0 + 12.0)}
                    text-anchor={if side < 0.0 { "end" } else { "start" }}>{ b.state.rfc_name() }</text>
            </g>
        }
    });
    let timers = d.timers.iter().map(|tb| {
        let side = if tb.host == Host::A { -1.0 } else { 1.0 };
        let x = tb.x + side * 92.0;
        let tick = -side * 6.0;
        let path = format!(
            "M{} {} h{} V{} h{}",
            n(x + tick),
            n(tb.y0),
            n(-tick),
            n(tb.y1),
            n(tick)
        );
        html! {
            <g class={classes!("timer", (tb.timer == farewell_engine::trace::TimerKind::TimeWait).then_some("time-wait"))}>
                <path d={path}/>
                <text x={n(x + side * 4.0)} y={n((tb.y0 + tb.y1) / 2.0)}
                    text-anchor={if side < 0.0 { "end" } else { "start" }}>{ &tb.label }</text>
            </g>
        }
    });
    let breaks = d.breaks.iter().map(|b| {
        html! {
            <g class="axis-break">
                <rect x="0" y={n(b.y - 9.0)} width={n(d.width)} height="18"/>
                <path d={format!("M{} {} l6 -5 l6 10 l6 -5 M{} {} l6 -5 l6 10 l6 -5",
                    n(d.x_a - 9.0), n(b.y), n(d.x_b - 9.0), n(b.y))}/>
                <text x={n((d.x_a + d.x_b) / 2.0)} y={n(b.y + 4.0)}>{ &b.label }</text>
            </g>
        }
    });
    let arrows = d.arrows.iter().map(|a| {
        let id = a.id;
        let onclick = {
            let on_action = props.on_action.clone();
            Callback::from(move |_: MouseEvent| on_action.emit(Action::ToggleDrop(id)))
        };
        let onkeydown = {
            let on_action = props.on_action.clone();
            Callback::from(move |e: KeyboardEvent| {
                if e.key() == "Enter" || e.key() == " " {
                    e.prevent_default();
                    e.stop_propagation();
                    on_action.emit(Action::ToggleDrop(id));
                }
            })
        };
        let class = classes!(
            "seg",
            a.kind,
            a.dropped.then_some("dropped"),
            a.retransmission.then_some("retransmission"),
            a.duplicate.then_some("duplicate"),
        );
        let (mx, my) = ((a.x1 + a.x2) / 2.0, (a.y1 + a.y2) / 2.0);
        let angle = (a.y2 - a.y1).atan2(a.x2 - a.x1).to_degrees();
        let angle = if angle.abs() > 90.0 { angle - 180.0 * angle.signum() } else { angle };
        let (lx, ly) = if a.dropped { (a.x1 + (a.x2 - a.x1) * 0.5, a.y1 + (a.y2 - a.y1) * 0.5) } else { (mx, my) };
        let verb = if a.dropped { "bring back" } else { "drop" };
        let retx = if a.retransmission { " (retransmission)" } else { "" };
        let aria = format!("{} to {}: {}{retx}. Press Enter to {verb} it.", a.from, a.from.peer(), a.label);
        html! {
            <g {class} data-seg-id={id.to_string()} role="button" tabindex="0" aria-label={aria}
                {onclick} {onkeydown}>
                <title>{ format!("{}{retx} — click to {verb}", a.label) }</title>
                <line class="hit" x1={n(a.x1)} y1={n(a.y1)} x2={n(a.x2)} y2={n(a.y2)}/>
                <line class="shaft" x1={n(a.x1)} y1={n(a.y1)} x2={n(a.x2)} y2={n(a.y2)}
                    marker-end={(!a.dropped).then_some("url(#arrowhead)")}/>
                if a.dropped {
                    <path class="cross" d={format!("M{} {} l10 10 m0 -10 l-10 10", n(a.x2 - 5.0), n(a.y2 - 5.0))}/>
                }
                <text class="label" x={n(lx)} y={n(ly - 5.0)} text-anchor="middle"
                    transform={format!("rotate({angle:.2} {} {})", n(lx), n(ly))}>
                    { if a.dropped { format!("✕ {}", a.label) } else { a.label.clone() } }
                </text>
            </g>
        }
    });
    html! {
        <g class="static">
            { for heads }
            { for bands }
            { for timers }
            { for breaks }
            <g class="arrows">{ for arrows }</g>
        </g>
    }
}

#[derive(Properties)]
struct PlaybackLayerProps {
    sim: Rc<Sim>,
    time_ms: f64,
}

impl PartialEq for PlaybackLayerProps {
    fn eq(&self, o: &Self) -> bool {
        Rc::ptr_eq(&self.sim, &o.sim) && self.time_ms == o.time_ms
    }
}

/// The playhead, a dot for each segment in flight, and a veil over the future.
#[function_component(PlaybackLayer)]
fn playback_layer(props: &PlaybackLayerProps) -> Html {
    let d = &props.sim.diagram;
    let t = props.time_ms;
    let y = d.time_map.y_of(t);
    let dots = d.arrows.iter().filter_map(|a| {
        // A dropped segment travels to its ✕ (half way), taking half the delay.
        let arrive = a.arrive_ms.unwrap_or_else(|| {
            let t_at = d.time_map.t_of(a.y2);
            t_at.max(a.t_ms)
        });
        if t < a.t_ms || t >= arrive || arrive <= a.t_ms {
            return None;
        }
        let f = (t - a.t_ms) / (arrive - a.t_ms);
        let (x, y) = (a.x1 + (a.x2 - a.x1) * f, a.y1 + (a.y2 - a.y1) * f);
        Some(html! {
            <circle class={classes!("packet", host_class(a.from), a.dropped.then_some("dropped"))}
                cx={n(x)} cy={n(y)} r="6" data-testid="packet"/>
        })
    });
    html! {
        <g class="playback" pointer-events="none">
            <rect class="veil" x="0" y={n(y)} width={n(d.width)} height={n((d.height - y).max(0.0))}/>
            <g class="playhead" data-testid="playhead">
                <line x1="0" x2={n(d.width)} y1={n(y)} y2={n(y)}/>
                <text x="4" y={n(y - 4.0)}>{ crate::format::clock(t) }</text>
            </g>
            { for dots }
        </g>
    }
}
