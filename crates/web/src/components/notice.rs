use crate::state::Action;
use yew::prelude::*;

pub struct NoticeProps {
    pub text: Option<String>,
    pub on_action: Callback<Action>,
}

/// A dismissible message (an edit that was refused, a scenario that failed).
pub fn notice(props: &NoticeProps) -> Html {
    let Some(text) = &props.text else {
        return html! {};
    };
    let on_action = props.on_action.clone();
    let onclick = Callback::from(move |_| on_action.emit(Action::DismissNotice));
    html! {
        <div class="notice" role="alert" data-testid="notice">
            <span>{ text }</span>
            <button type="button" class="icon-button" aria-label="Dismiss" {onclick}>{ "×" }</button>
        </div>
    }
}
