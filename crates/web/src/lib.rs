//! The Farewell playground: a Yew (csr) app that simulates how a TCP connection
//! closes and plays the trace back on an SVG sequence diagram.
//!
//! * [`components`]: the page's parts, one per file (plain functions returning
//!   `Html`; components only where they need hooks).
//! * [`Page`]: the page model's state as Yew's reducer.
//!
//! The protocol lives in `farewell-engine`, the geometry in `farewell-diagram`
//! and the page model (state, edits, notices, what the panels say) in
//! `farewell-page`, all tested natively; this crate only draws them and
//! handles input.

pub mod browser;
pub mod capture;
pub mod components;
pub use farewell_page::{edit, format, notice, playback, state};

use std::rc::Rc;

/// The page model's state as Yew's reducer (`use_reducer`): a handle to an
/// [`state::AppState`], whose `reduce` makes the next one. (The trait is
/// Yew's, so it is implemented here, on a type of this crate.)
#[derive(Clone, Debug, PartialEq)]
pub struct Page(pub Rc<state::AppState>);

impl std::ops::Deref for Page {
    type Target = state::AppState;
    fn deref(&self) -> &state::AppState {
        &self.0
    }
}

impl yew::Reducible for Page {
    type Action = state::Action;

    fn reduce(self: Rc<Self>, action: state::Action) -> Rc<Self> {
        Rc::new(Page(self.0.clone().reduce(action)))
    }
}

/// The diagram's stylesheet and the palette, from the copies the wasm carries
/// anyway for the standalone SVG export, as one `<style>` in the head: linking
/// the same files from index.html as well would send them twice.
fn add_diagram_styles(document: &web_sys::Document) {
    let (Ok(style), Some(head)) = (document.create_element("style"), document.head()) else {
        return;
    };
    style.set_text_content(Some(
        &[farewell_diagram::PALETTE_CSS, farewell_diagram::DIAGRAM_CSS].concat(),
    ));
    let _ = style.set_attribute("data-farewell", "diagram");
    let _ = head.append_child(&style);
}

/// Mounts the playground on `<main id="app">` (or the body if the host page has none).
pub fn start() {
    let document = web_sys::window().and_then(|w| w.document());
    if let Some(d) = &document {
        add_diagram_styles(d);
    }
    let root = document.and_then(|d| d.get_element_by_id("app"));
    match root {
        Some(el) => yew::Renderer::<components::app::App>::with_root(el).render(),
        None => yew::Renderer::<components::app::App>::new().render(),
    };
}
