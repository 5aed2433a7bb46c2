//! The Farewell playground: a Yew (csr) app that simulates how a TCP connection
//! closes and plays the trace back on an SVG sequence diagram.
//!
//! * [`state`]: the whole app state and the [`state::Action`]s that change it (one
//!   `use_reducer`); the simulation runs inside the reducer.
//! * [`edit`]: scenario edits made by clicking segments on the diagram.
//! * [`components`]: small function components, one per file.
//!
//! The protocol lives in `farewell-engine` and the geometry in `farewell-diagram`;
//! this crate only draws them and handles input.

pub mod browser;
pub mod components;
pub mod edit;
pub mod format;
pub mod state;

/// Mounts the playground on `<main id="app">` (or the body if the host page has none).
pub fn start() {
    let root = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("app"));
    match root {
        Some(el) => yew::Renderer::<components::app::App>::with_root(el).render(),
        None => yew::Renderer::<components::app::App>::new().render(),
    };
}
