use crate::state::{Action, ActionField, Notice};
use farewell_engine::{Do, Host};
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

pub struct ActionsEditorProps {
    pub actions: Vec<farewell_engine::Action>,
    pub on_action: Callback<Action>,
}

const DOS: [(Do, &str, &str); 5] = [
    (Do::Send, "send", "send()"),
    (Do::Close, "close", "close()"),
    (
        Do::ShutdownWrite,
        "shutdown_write",
        "shutdown(SHUT_WR) — half-close",
    ),
    (Do::Abort, "abort", "abort (SO_LINGER 0 → RST)"),
    (Do::Connect, "connect", "connect()"),
];

fn do_from(id: &str) -> Option<Do> {
    DOS.iter().find(|(_, i, _)| *i == id).map(|(d, _, _)| *d)
}

/// The scenario's application calls, editable: who does what, and when (at an
/// absolute time, or some time after reading the peer's FIN).
pub fn actions_editor(props: &ActionsEditorProps) -> Html {
    let rows = props.actions.iter().enumerate().map(|(i, a)| {
        let emit = {
            let on_action = props.on_action.clone();
            move |f: ActionField| on_action.emit(Action::EditAction(i, f))
        };
        let on_host = {
            let emit = emit.clone();
            Callback::from(move |e: Event| {
                let v = e.target_unchecked_into::<HtmlSelectElement>().value();
                emit(ActionField::Host(if v == "B" { Host::B } else { Host::A }));
            })
        };
        let on_do = {
            let emit = emit.clone();
            Callback::from(move |e: Event| {
                let v = e.target_unchecked_into::<HtmlSelectElement>().value();
                if let Some(d) = do_from(&v) {
                    emit(ActionField::Do(d));
                }
            })
        };
        let after_eof = a.after_eof_ms.is_some();
        let time = a.at_ms.or(a.after_eof_ms).unwrap_or(0.0);
        let on_when = {
            let emit = emit.clone();
            Callback::from(move |e: Event| {
                let v = e.target_unchecked_into::<HtmlSelectElement>().value();
                emit(if v == "eof" {
                    ActionField::AfterEofMs(time)
                } else {
                    ActionField::AtMs(time)
                });
            })
        };
        let on_time = {
            let emit = emit.clone();
            let on_action = props.on_action.clone();
            Callback::from(move |e: Event| {
                let input = e.target_unchecked_into::<HtmlInputElement>();
                match farewell_share::number(&input.value()) {
                    Some(t) if after_eof => emit(ActionField::AfterEofMs(t)),
                    Some(t) => emit(ActionField::AtMs(t)),
                    None => on_action.emit(Action::ShowNotice(Notice::bad_action_time(i + 1))),
                }
            })
        };
        let on_bytes = {
            let emit = emit.clone();
            let on_action = props.on_action.clone();
            Callback::from(move |e: Event| {
                let input = e.target_unchecked_into::<HtmlInputElement>();
                match input.value().trim().parse::<u32>() {
                    Ok(b) => emit(ActionField::Bytes(b)),
                    Err(_) => on_action.emit(Action::ShowNotice(Notice::bad_action_bytes(i + 1))),
                }
            })
        };
        let remove = {
            let on_action = props.on_action.clone();
            Callback::from(move |_| on_action.emit(Action::RemoveAction(i)))
        };
        let n = i + 1;
        html! {
            <li class="action-row" data-testid="action-row">
                <select aria-label={format!("Action {n}: host")} onchange={on_host}>
                    <option value="A" selected={a.host == Host::A}>{ "A" }</option>
                    <option value="B" selected={a.host == Host::B}>{ "B" }</option>
                </select>
                <select aria-label={format!("Action {n}: call")} onchange={on_do}>
                    { for DOS.iter().map(|(d, id, label)| html! {
                        <option value={*id} selected={*d == a.what}>{ *label }</option>
                    }) }
                </select>
                <div class="when-row">
                    <select aria-label={format!("Action {n}: when")} onchange={on_when}>
                        <option value="at" selected={!after_eof}>{ "at" }</option>
                        <option value="eof" selected={after_eof}>{ "after EOF +" }</option>
                    </select>
                    <input type="number" min="0" step="any" inputmode="decimal" class="time"
                        aria-label={format!("Action {n}: time in ms")}
                        value={crate::format::trim(time)} onchange={on_time}/>
                    <span class="unit">{ "ms" }</span>
                    if a.what == Do::Send {
                        <input type="number" min="1" step="1" inputmode="numeric" class="bytes"
                            aria-label={format!("Action {n}: bytes")}
                            value={a.bytes.unwrap_or(0).to_string()} onchange={on_bytes}/>
                        <span class="unit">{ "B" }</span>
                    }
                </div>
                <button type="button" class="icon-button remove" aria-label={format!("Remove action {n}")}
                    onclick={remove}>{ "×" }</button>
            </li>
        }
    });
    let on_action = props.on_action.clone();
    let add = Callback::from(move |_| on_action.emit(Action::AddAction));
    html! {
        <details class="panel actions-editor" data-testid="actions-editor">
            <summary class="panel-title">{ "Edit actions" }<span class="count">{ props.actions.len() }</span></summary>
            <p class="hint">{ "Who closes first and when; half-close with shutdown(SHUT_WR); abort with RST." }</p>
            <ol class="action-list">{ for rows }</ol>
            <button type="button" class="small" onclick={add}>{ "+ Add action" }</button>
        </details>
    }
}
