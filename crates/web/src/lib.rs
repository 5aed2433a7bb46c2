//! The Farewell playground: a Yew (csr) app that simulates how a TCP connection
//! closes and plays the trace back on an SVG sequence diagram.
//!
//! * [`state`]: the whole app state and the [`state::Action`]s that change it (one
//!   `use_reducer`); the simulation runs inside the reducer.
//! * [`edit`]: scenario edits made by clicking segments on the diagram.
//! * [`components`]: the page's parts, one per file (plain functions returning
//!   `Html`; components only where they need hooks).
//!
//! The protocol lives in `farewell-engine` and the geometry in `farewell-diagram`;
//! this crate only draws them and handles input.

pub mod browser;
pub mod capture;
pub mod components;
pub mod edit;
pub mod format;
pub mod state;

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
