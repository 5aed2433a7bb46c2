use crate::state::{Action, SimRef};
use farewell_engine::Host;
use wasm_bindgen::JsCast;
use web_sys::{Element, KeyboardEvent};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct DiagramViewProps {
    pub sim: SimRef,
    pub time_ms: f64,
    pub playing: bool,
    pub on_action: Callback<Action>,
}

fn host_class(h: Host) -> &'static str {
    match h {
        Host::A => "host-a",
        Host::B => "host-b",
    }
}

fn n(v: f64) -> String {
    format!("{v_1}", v_1 = farewell_num::Fixed(v, 1))
}

/// The segment (its `data-seg-id`) an event happened on, if any.
fn segment_id(e: &Event) -> Option<u32> {
    let target = e.target()?.dyn_into::<Element>().ok()?;
    let seg = target.closest(".seg[data-seg-id]").ok()??;
    seg.get_attribute("data-seg-id")?.parse().ok()
}

/// Keeps the diagram table's current row (if the table is open) in view inside
/// its scroll box, without scrolling the page.
fn follow_table_row() {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let (Some(b), Ok(Some(row))) = (
        doc.get_element_by_id("diagram-table"),
        doc.query_selector("#diagram-table [aria-current]"),
    ) else {
        return;
    };
    let (br, rr) = (b.get_bounding_client_rect(), row.get_bounding_client_rect());
    if rr.top() < br.top() || rr.bottom() > br.bottom() {
        let y = rr.top() - br.top() + f64::from(b.scroll_top());
        b.set_scroll_top((y - br.height() / 2.0) as i32);
    }
}

/// The sequence diagram: the static picture (the same SVG markup the export
/// writes, from `farewell_diagram::render_svg_with`) with a playback layer on
/// top (playhead, packets in flight, the not-yet-happened part veiled). Clicks
/// and Enter/space on a segment are handled here by delegation. The scroll box
/// follows the playhead.
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
            follow_table_row();
        });
    }
    let onclick = {
        let on_action = props.on_action.clone();
        Callback::from(move |e: MouseEvent| {
            if let Some(id) = segment_id(&e) {
                on_action.emit(Action::ToggleDrop(id));
            }
        })
    };
    let onkeydown = {
        let on_action = props.on_action.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Enter" || e.key() == " " {
                if let Some(id) = segment_id(&e) {
                    e.prevent_default();
                    e.stop_propagation();
                    on_action.emit(Action::ToggleDrop(id));
                }
            }
        })
    };
    let picture = Html::from_html_unchecked(AttrValue::from(props.sim.svg.clone()));
    html! {
        <div class="diagram-scroll" ref={scroll}>
            // The picture's proportions, for fit mode (`.app.fit`), which
            // sizes the stack by the height available.
            <div class="diagram-stack" style={format!("--ar:{}/{}", farewell_num::Fixed(d.width, 1), farewell_num::Fixed(d.height, 1))}
                {onclick} {onkeydown}>
                { picture }
                <PlaybackLayer sim={props.sim.clone()} time_ms={props.time_ms}/>
            </div>
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct PlaybackLayerProps {
    sim: SimRef,
    time_ms: f64,
}

/// The playhead, a dot for each segment in flight, and a veil over the future.
#[function_component(PlaybackLayer)]
fn playback_layer(props: &PlaybackLayerProps) -> Html {
    let d = &props.sim.diagram;
    let t = props.time_ms;
    let y = d.time_map.y_of(t);
    let clock = crate::format::clock(t);
    let label_width = crate::playback::clock_label_width(&clock);
    let dots = crate::playback::in_flight(d, t).map(|p| {
        html! {
            <circle class={classes!("packet", host_class(p.from), p.dropped.then_some("dropped"))}
                cx={n(p.x)} cy={n(p.y)} r="6" data-testid="packet"/>
        }
    });
    html! {
        <svg class="diagram playback" aria-hidden="true" pointer-events="none"
            viewBox={format!("0 0 {} {}", n(d.width), n(d.height))} preserveAspectRatio="xMidYMin meet">
            <rect class="veil" x="0" y={n(y)} width={n(d.width)} height={n((d.height - y).max(0.0))}/>
            <g class="playhead" data-testid="playhead">
                <rect x="0" y={n(y - 16.0)} width={n(label_width)} height="22"/>
                <line x1="0" x2={n(d.width)} y1={n(y)} y2={n(y)}/>
                <text x="4" y={n(y - 4.0)}>{ clock }</text>
            </g>
            { for dots }
        </svg>
    }
}
