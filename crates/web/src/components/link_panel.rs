use crate::state::{Action, Notice};
use farewell_engine::scenario::LinkConfig;
use farewell_engine::{DropRule, SegmentKind};
use web_sys::HtmlInputElement;
use yew::prelude::*;

pub struct LinkPanelProps {
    pub link: LinkConfig,
    pub seed: u64,
    pub handshake: bool,
    pub drops: Vec<DropRule>,
    pub on_action: Callback<Action>,
}

fn number_input(on_action: &Callback<Action>, make: fn(f64) -> Option<Action>) -> Callback<Event> {
    let on_action = on_action.clone();
    Callback::from(move |e: Event| {
        let input = e.target_unchecked_into::<HtmlInputElement>();
        match farewell_share::number(&input.value()).and_then(make) {
            Some(a) => on_action.emit(a),
            None => on_action.emit(Action::ShowNotice(Notice::not_a_value(&input.value()))),
        }
    })
}

fn kind_name(k: SegmentKind) -> &'static str {
    match k {
        SegmentKind::Fin => "FIN",
        SegmentKind::Ack => "ACK",
        SegmentKind::Data => "data",
        SegmentKind::Rst => "RST",
        SegmentKind::Syn => "SYN",
        SegmentKind::Any => "segment",
    }
}

/// In words: "A's 2nd segment at or after 200 ms", "B's FIN (×2)".
fn describe_rule(r: &DropRule) -> String {
    let ordinal = match r.nth {
        1 => String::new(),
        n => format!("#{n} "),
    };
    let after = if r.after_ms > 0.0 {
        format!(" from {} ms", crate::format::trim(r.after_ms))
    } else {
        String::new()
    };
    let count = if r.count > 1 {
        format!(" ×{}", r.count)
    } else {
        String::new()
    };
    format!("{}'s {ordinal}{}{after}{count}", r.from, kind_name(r.kind))
}

/// The link: one-way delay, random loss and its seed, the handshake switch, and the
/// drop rules (added by clicking segments on the diagram).
pub fn link_panel(props: &LinkPanelProps) -> Html {
    let on_delay = number_input(&props.on_action, |v| Some(Action::SetDelay(v)));
    let on_loss = number_input(&props.on_action, |v| Some(Action::SetLoss(v / 100.0)));
    let on_seed = number_input(&props.on_action, |v| {
        (v >= 0.0 && v.fract() == 0.0 && v <= u64::MAX as f64).then_some(Action::SetSeed(v as u64))
    });
    let on_action = props.on_action.clone();
    let on_handshake = Callback::from(move |e: Event| {
        let checked = e.target_unchecked_into::<HtmlInputElement>().checked();
        on_action.emit(Action::SetHandshake(checked));
    });
    let on_action = props.on_action.clone();
    let clear = Callback::from(move |_| on_action.emit(Action::ClearDrops));
    html! {
        <section class="panel link-panel" aria-labelledby="link-title">
            <h2 id="link-title" class="panel-title">{ "Network" }</h2>
            <div class="field-grid">
                <label for="delay-input">{ "One-way delay (ms)" }</label>
                <input id="delay-input" data-testid="delay-input" type="number" min="0" max="86400000" step="any"
                    inputmode="decimal" value={crate::format::trim(props.link.delay_ms)} onchange={on_delay}/>
                <label for="loss-input">{ "Random loss (%)" }</label>
                <input id="loss-input" data-testid="loss-input" type="number" min="0" max="100" step="any"
                    inputmode="decimal" value={crate::format::trim(props.link.loss * 100.0)} onchange={on_loss}/>
                <label for="seed-input">{ "Seed" }</label>
                <input id="seed-input" data-testid="seed-input" type="number" min="0" step="1"
                    inputmode="numeric" value={props.seed.to_string()} onchange={on_seed}/>
            </div>
            <label class="check">
                <input type="checkbox" checked={props.handshake} onchange={on_handshake}/>
                { "Start with a three-way handshake" }
            </label>
            <div class="drops">
                <h3>{ "Dropped on purpose" }</h3>
                if props.drops.is_empty() {
                    <p class="hint">{ "Click any segment on the diagram to drop it; click a ✕ to bring it back." }</p>
                } else {
                    <ul data-testid="drop-rules">
                        { for props.drops.iter().map(|r| html! { <li>{ describe_rule(r) }</li> }) }
                    </ul>
                    <button type="button" class="small" onclick={clear}>{ "Deliver everything" }</button>
                }
            </div>
        </section>
    }
}
