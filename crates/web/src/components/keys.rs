//! The keyboard help dialog and its button; the shortcut table itself is
//! `farewell_page::keys`.

pub use farewell_page::keys::{command, Command, SHORTCUTS};
use wasm_bindgen::JsCast;
use yew::prelude::*;

const DIALOG_ID: &str = "keys-help";

/// Opens the help dialog as a modal: the browser keeps focus inside it, closes
/// it on Escape and gives focus back to where it was.
pub fn open_help() {
    if let Some(d) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(DIALOG_ID))
        .and_then(|e| e.dyn_into::<web_sys::HtmlDialogElement>().ok())
    {
        let _ = d.show_modal();
    }
}

/// The help dialog (closed until `?` or the footer's button opens it). Static
/// markup of our own, written once as a string: cheaper in the wasm than one
/// virtual node per cell, and never re-rendered (a replaced dialog would close).
pub fn keys_help() -> Html {
    Html::from_html_unchecked(farewell_page::keys::help_dialog_markup(DIALOG_ID).into())
}

/// A button that opens the help dialog.
pub fn keys_help_button() -> Html {
    html! {
        <button type="button" class="link-button" data-testid="keys-help-open"
            onclick={Callback::from(|_| open_help())}>{ "Keyboard shortcuts (?)" }</button>
    }
}
