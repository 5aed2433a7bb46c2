use crate::state::{Action, Notice};
use yew::prelude::*;

pub struct NoticeProps {
    pub notice: Option<Notice>,
    pub on_action: Callback<Action>,
}

/// A dismissible message, styled and announced by its kind
/// (`farewell_page::notice`): an error is an alert, a warning or a
/// confirmation a polite status; the mark and the word say the kind without
/// colour.
pub fn notice(props: &NoticeProps) -> Html {
    let Some(n) = &props.notice else {
        return html! {};
    };
    let kind = n.kind;
    let on_action = props.on_action.clone();
    let onclick = Callback::from(move |_| on_action.emit(Action::DismissNotice));
    html! {
        <div class={classes!("notice", kind.id())} role={kind.role()} data-kind={kind.id()} data-testid="notice">
            <span class="mark" aria-hidden="true">{ kind.mark() }</span>
            <span><span class="visually-hidden">{ kind.word() }{ " " }</span>{ &n.text }</span>
            <button type="button" class="icon-button" aria-label="Dismiss" {onclick}>{ "×" }</button>
        </div>
    }
}
