use crate::format;
use crate::state::Action;
use farewell_engine::{Platform, Profile};
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

pub struct PlatformPanelProps {
    pub platform: Platform,
    /// The scenario's MSL override, ms.
    pub msl_override: Option<f64>,
    /// The profile with the scenario's overrides applied.
    pub profile: Profile,
    pub on_action: Callback<Action>,
}

/// Platform choice with its MSL and TIME_WAIT, the notes on where the numbers come
/// from, and an MSL override ("what if MSL were 5 s?").
pub fn platform_panel(props: &PlatformPanelProps) -> Html {
    let on_action = props.on_action.clone();
    let onchange = Callback::from(move |e: Event| {
        let id = e.target_unchecked_into::<HtmlSelectElement>().value();
        if let Some(p) = Platform::from_id(&id) {
            on_action.emit(Action::SetPlatform(p));
        }
    });
    let on_action = props.on_action.clone();
    let on_msl = Callback::from(move |e: Event| {
        let input = e.target_unchecked_into::<HtmlInputElement>();
        let text = input.value();
        if text.trim().is_empty() {
            on_action.emit(Action::SetMsl(None));
        } else {
            match farewell_share::number(&text) {
                Some(s) => on_action.emit(Action::SetMsl(Some(s * 1000.0))),
                None => input.set_value(""),
            }
        }
    });
    let on_action = props.on_action.clone();
    let reset = Callback::from(move |_| on_action.emit(Action::SetMsl(None)));
    let p = &props.profile;
    let base = props.platform.profile();
    let msl_value = props
        .msl_override
        .map(|ms| format::trim(ms / 1000.0))
        .unwrap_or_default();
    html! {
        <section class="panel platform-panel" aria-labelledby="platform-label">
            <label id="platform-label" for="platform-select" class="panel-title">{ "Platform" }</label>
            <select id="platform-select" data-testid="platform-select" {onchange}>
                { for Platform::ALL.iter().map(|pl| html! {
                    <option value={pl.id()} selected={*pl == props.platform}>{ pl.profile().label }</option>
                }) }
            </select>
            <dl class="figures">
                <div>
                    <dt>{ "MSL" }</dt>
                    <dd data-testid="msl">{ format::duration(p.msl.as_ms()) }</dd>
                </div>
                <div>
                    <dt>{ "TIME_WAIT" }</dt>
                    <dd data-testid="time-wait">{ format::time_wait(p) }</dd>
                </div>
                <div>
                    <dt>{ "FIN_WAIT_2 timeout" }</dt>
                    <dd>{ p.fin_wait_2_timeout.map_or_else(|| "none".to_string(), |d| format::duration(d.as_ms())) }</dd>
                </div>
                <div>
                    <dt>{ "RTO min / initial" }</dt>
                    <dd>{ format::rto_floor(p) }</dd>
                </div>
                <div>
                    <dt>{ "Ephemeral ports" }</dt>
                    <dd data-testid="ephemeral-ports">{ format::ports_and_timestamps(&base, p) }</dd>
                </div>
            </dl>
            <p class="notes" data-testid="platform-notes">{ base.platform.notes() }</p>
            <p class="notes" data-testid="platform-provenance">{ base.platform.provenance() }</p>
            <div class="field-row">
                <label for="msl-input">{ "Override MSL (s)" }</label>
                <input id="msl-input" data-testid="msl-input" type="number" min="0.001" max="86400" step="any"
                    inputmode="decimal"
                    placeholder={format::trim(base.msl.as_ms() / 1000.0)}
                    value={msl_value} onchange={on_msl}/>
                if props.msl_override.is_some() {
                    <button type="button" class="small" onclick={reset}>{ "Reset" }</button>
                }
            </div>
        </section>
    }
}
