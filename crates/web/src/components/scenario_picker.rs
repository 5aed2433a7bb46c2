use crate::state::Action;
use farewell_engine::builtin;
use std::rc::Rc;
use web_sys::HtmlSelectElement;
use yew::prelude::*;

pub struct ScenarioPickerProps {
    /// The built-in the scenario came from, if any.
    pub selected: Option<String>,
    /// Whether the scenario was edited since it was picked.
    pub edited: bool,
    pub description: String,
    /// Each built-in's id and name ([`builtin_names`], kept by the app).
    pub names: Rc<Vec<(&'static str, String)>>,
    pub on_action: Callback<Action>,
}

/// Each built-in's id and `name`, in menu order. Names come from the scenario
/// files; built-ins always parse (tested in the engine).
pub fn builtin_names() -> Vec<(&'static str, String)> {
    builtin::ALL
        .iter()
        .map(|b| (b.id, b.scenario().name))
        .collect()
}

/// The built-in scenarios, by their `name`, and the chosen one's description.
pub fn scenario_picker(props: &ScenarioPickerProps) -> Html {
    let on_action = props.on_action.clone();
    let onchange = Callback::from(move |e: Event| {
        let id = e.target_unchecked_into::<HtmlSelectElement>().value();
        on_action.emit(Action::SelectBuiltin(id));
    });
    let selected = props.selected.as_deref().unwrap_or("");
    let reset = {
        let on_action = props.on_action.clone();
        let id = selected.to_string();
        Callback::from(move |_| on_action.emit(Action::SelectBuiltin(id.clone())))
    };
    html! {
        <section class="panel scenario-picker" aria-labelledby="scenario-label">
            <label id="scenario-label" for="scenario-select" class="panel-title">{ "Scenario" }</label>
            <select id="scenario-select" data-testid="scenario-select" {onchange}>
                if props.selected.is_none() {
                    <option value="" selected=true disabled=true>{ "Custom scenario" }</option>
                }
                { for props.names.iter().map(|(id, name)| html! {
                    <option value={*id} selected={*id == selected}>{ name }</option>
                }) }
            </select>
            <p class="description" data-testid="scenario-description">
                { &props.description }
                if props.edited {
                    <span class="badge">{ "edited" }</span>
                    <button type="button" class="link-button" data-testid="reset-scenario" onclick={reset}>
                        { "Reset" }
                    </button>
                }
            </p>
        </section>
    }
}
